"""The accountant's period reports over a hand-made quarter (tests/metrics/export_books.py),
written as CSV and read back with the csv module: which rows, which figures, which totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from metrics.report_tables import (
    credit_notes_table,
    discounts_and_fees_table,
    invoice_register_table,
    payments_received_table,
)
from metrics.tables import Table
from payments.refund_services import payment_refund
from tests.metrics.export_books import END, START, Books, csv_table_read, on

pytestmark = pytest.mark.django_db

D = Decimal


def read(table: Table) -> list[dict[str, str]]:
    return csv_table_read(table)[1]


def quarter(builder, books: Books, currency: str = "GBP") -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return read(builder(org=books.org, start=START, end=END, currency=currency))


def test_register_lists_the_quarters_invoices_with_totals(books: Books) -> None:
    rows = quarter(invoice_register_table, books)
    *lines, total = rows
    # Issue-date order; the void INV3, the EUR INV4, December's INV5 and the other
    # organization's invoice are not there.
    assert [r["Invoice"] for r in lines] == [
        books.inv6.number,  # 5 Jan
        books.inv1.number,  # 10 Jan
        books.inv2.number,  # 1 Feb
        books.inv7.number,  # 1 Mar
        books.inv8.number,  # 25 Mar
    ]
    inv2 = lines[2]
    assert (inv2["Customer"], inv2["Issued"], inv2["Due"], inv2["Status"]) == (
        "Harbour Cafe",
        "2027-02-01",
        "2027-03-03",
        "Paid",
    )
    # 250.00 - 25.00 discount + 36.00 VAT = 261.00
    assert [inv2[k] for k in ("Subtotal", "Discount", "Tax", "Total")] == [
        "250.00",
        "25.00",
        "36.00",
        "261.00",
    ]
    assert lines[4]["Status"] == "Written off" and lines[4]["Balance due"] == "80.00"
    # Subtotal 400 + 300 + 250 + 500 + 80 = 1530; tax 60 + 36 = 96;
    # total 400 + 360 + 261 + 500 + 80 = 1601; paid 200 + 261 + 490 = 951;
    # balance 410 + 100 + 0 + 0 + 80 = 590.
    assert total == {
        "Invoice": "Total",
        "Customer": "",
        "Issued": "",
        "Due": "",
        "Status": "",
        "Subtotal": "1530.00",
        "Discount": "25.00",
        "Tax": "96.00",
        "Total": "1601.00",
        "Late fees": "10.00",
        "Paid": "951.00",
        "Credited": "60.00",
        "Early-payment discount": "10.00",
        "Balance due": "590.00",
    }
    # Each line: total + fees - paid - credited - discount = balance.
    for r in lines:
        left = D(r["Total"]) + D(r["Late fees"]) - D(r["Paid"]) - D(r["Credited"])
        assert left - D(r["Early-payment discount"]) == D(r["Balance due"]), r["Invoice"]


def test_register_of_another_currency_and_a_one_day_period(books: Books) -> None:
    eur = quarter(invoice_register_table, books, "EUR")
    assert [(r["Invoice"], r["Total"]) for r in eur] == [
        (books.inv4.number, "500.00"),
        ("Total", "500.00"),
    ]
    one_day = read(
        invoice_register_table(
            org=books.org, start=date(2027, 2, 1), end=date(2027, 2, 1), currency="GBP"
        )
    )
    assert [r["Invoice"] for r in one_day] == [books.inv2.number, "Total"]


def test_a_period_ending_before_it_starts_is_refused(books: Books) -> None:
    with pytest.raises(ValueError, match="end: 2027-01-01 is before the start, 2027-02-01"):
        invoice_register_table(
            org=books.org, start=date(2027, 2, 1), end=date(2027, 1, 1), currency="GBP"
        )


def test_payments_show_where_each_payments_money_went(books: Books) -> None:
    *lines, total = quarter(payments_received_table, books)
    picked = [
        (
            r["Received"],
            r["Payment"],
            r["Method"],
            r["Invoice"],
            r["Applied"],
            r["Unapplied credit"],
            r["Reversed"],
        )
        for r in lines
    ]
    assert picked == [
        (
            "2027-02-01",
            str(books.p1.pk),
            "Bank transfer",
            books.inv1.number,
            "200.00",
            "0.00",
            "0.00",
        ),
        (
            "2027-02-15",
            str(books.p2.pk),
            "Bank transfer",
            books.inv2.number,
            "261.00",
            "0.00",
            "0.00",
        ),
        # 300.00 received, 261.00 applied: 39.00 left as the customer's credit.
        ("2027-02-15", str(books.p2.pk), "Bank transfer", "", "0.00", "39.00", "0.00"),
        # The bounced cheque: received, then reversed whole.
        ("2027-03-01", str(books.p3.pk), "Cheque", "", "0.00", "0.00", "50.00"),
        (
            "2027-03-05",
            str(books.p7.pk),
            "Bank transfer",
            books.inv7.number,
            "490.00",
            "0.00",
            "0.00",
        ),
    ]
    assert lines[4]["Discount allowed"] == "10.00"
    assert lines[1]["Reference"] == "BACS 4411"
    # Applied 200 + 261 + 490 = 951; discount 10; unapplied 39; reversed 50.
    assert [
        total[k]
        for k in ("Applied", "Discount allowed", "Unapplied credit", "Refunded", "Reversed")
    ] == [
        "951.00",
        "10.00",
        "39.00",
        "0.00",
        "50.00",
    ]
    # The money received: 200 + 300 + 50 + 490 = 1040 = 951 + 39 + 0 + 50.
    money = sum(D(total[k]) for k in ("Applied", "Unapplied credit", "Refunded", "Reversed"))
    assert money == D("1040.00")


def test_a_refund_shows_as_its_own_part_of_the_payment(books: Books) -> None:
    with on(date(2027, 3, 20)):
        payment_refund(
            org=books.org, actor=None, payment=books.p2, amount=D("50.00"), reason="Overpaid"
        )
    rows = [r for r in quarter(payments_received_table, books) if r["Payment"] == str(books.p2.pk)]
    # The refund comes out of the 39.00 credit first, then 11.00 of the allocation:
    # applied 261 - 11 = 250, unapplied 0, refunded 50; still 300 in all.
    assert [(r["Invoice"], r["Applied"], r["Unapplied credit"], r["Refunded"]) for r in rows] == [
        (books.inv2.number, "250.00", "0.00", "0.00"),
        ("", "0.00", "0.00", "50.00"),
    ]


def test_credit_notes(books: Books) -> None:
    rows = quarter(credit_notes_table, books)
    assert rows == [
        {
            "Credit note": books.credit.number,
            "Issued": "2027-03-10",
            "Customer": "Riverside Bakery",
            "Invoice": books.inv1.number,
            "Reason": "Part refund",
            # 60.00 of a 360.00 invoice carrying 60.00 VAT: 60 x 60 / 360 = 10.00 of tax.
            "Tax": "10.00",
            "Amount": "60.00",
            "Applied to invoice": "60.00",
            "To customer credit": "0.00",
        },
        {
            "Credit note": "Total",
            "Issued": "",
            "Customer": "",
            "Invoice": "",
            "Reason": "",
            "Tax": "10.00",
            "Amount": "60.00",
            "Applied to invoice": "60.00",
            "To customer credit": "0.00",
        },
    ]


def test_discounts_allowed_and_late_fees_in_date_order(books: Books) -> None:
    *lines, total = quarter(discounts_and_fees_table, books)
    assert [(r["Date"], r["Kind"], r["Invoice"]) for r in lines] == [
        ("2027-02-05", "Late fee", books.inv6.number),
        ("2027-03-05", "Early-payment discount", books.inv7.number),
        ("2027-03-05", "Late fee, waived", books.inv6.number),
    ]
    assert lines[1]["Detail"] == f"Payment {books.p7.pk}"
    assert lines[2]["Detail"].endswith("waived: Goodwill")
    # Discount 10.00 (2% of 500); fees charged 10 + 10 = 20, of which 10 waived.
    assert [total[k] for k in ("Discount allowed", "Late fee charged", "Late fee waived")] == [
        "10.00",
        "20.00",
        "10.00",
    ]

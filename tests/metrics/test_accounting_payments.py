"""Payments for QuickBooks Online (the receive-payment fields the import apps map) and Xero (a
bank statement of money in and out), over the hand-made quarter of
tests/metrics/export_books.py, read back with the csv module."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from metrics.accounting_payments import quickbooks_payments_table, xero_payments_table
from payments.refund_services import payment_refund
from tests.metrics.export_books import END, START, Books, on
from tests.metrics.export_books import csv_table_read as read

pytestmark = pytest.mark.django_db

D = Decimal


def test_quickbooks_payments(books: Books) -> None:
    header, rows = read(
        quickbooks_payments_table(org=books.org, start=START, end=END, currency="GBP")
    )
    assert header == [
        "RefNumber",
        "TxnDate",
        "PaymentRefNumber",
        "Customer",
        "PaymentMethod",
        "DepositToAccount",
        "InvoiceApplyTo",
        "LineAmount",
        "PrivateNote",
        "Currency",
    ]
    # One row per invoice paid; the bounced cheque is not there, nor the 39.00 left unapplied.
    assert [
        (r["RefNumber"], r["TxnDate"], r["InvoiceApplyTo"], r["LineAmount"], r["PrivateNote"])
        for r in rows
    ] == [
        (f"AR-{books.p1.pk}", "02/01/2027", books.inv1.number, "200.00", ""),
        (f"AR-{books.p2.pk}", "02/15/2027", books.inv2.number, "261.00", ""),
        (
            f"AR-{books.p7.pk}",
            "03/05/2027",
            books.inv7.number,
            "490.00",
            "Early-payment discount 10.00",
        ),
    ]
    assert rows[1]["PaymentRefNumber"] == "BACS 4411"
    assert rows[1]["DepositToAccount"] == "Undeposited Funds"


def test_xero_bank_statement_of_money_in_and_out(books: Books) -> None:
    with on(date(2027, 3, 20)):
        payment_refund(
            org=books.org, actor=None, payment=books.p2, amount=D("20.00"), reason="Overpaid"
        )
    header, rows = read(
        xero_payments_table(org=books.org, start=START, end=END, currency="GBP", dates="iso")
    )
    assert header == ["*Date", "*Amount", "Payee", "Description", "Reference", "Cheque Number"]
    assert [(r["*Date"], r["*Amount"], r["Payee"], r["Description"]) for r in rows] == [
        ("2027-02-01", "200.00", "Riverside Bakery", f"Payment for {books.inv1.number}"),
        ("2027-02-15", "300.00", "Harbour Cafe", f"Payment for {books.inv2.number}"),
        ("2027-03-01", "50.00", "Riverside Bakery", f"Payment for {books.inv1.number}"),
        ("2027-03-02", "-50.00", "Riverside Bakery", "Reversed: Cheque bounced"),
        ("2027-03-05", "490.00", "Riverside Bakery", f"Payment for {books.inv7.number}"),
        ("2027-03-20", "-20.00", "Harbour Cafe", "Refund: Overpaid"),
    ]
    assert rows[2]["Cheque Number"] == "100234"
    # What reached the bank: 200 + 300 + 50 - 50 + 490 - 20 = 970.
    assert sum(D(r["*Amount"]) for r in rows) == D("970.00")
    # A period that ends before the refund leaves it out.
    _, march_first = read(
        xero_payments_table(
            org=books.org, start=date(2027, 3, 1), end=date(2027, 3, 2), currency="GBP"
        )
    )
    assert [r["*Amount"] for r in march_first] == ["50.00", "-50.00"]

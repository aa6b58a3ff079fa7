"""QuickBooks Online and Xero import files over the hand-made quarter
(tests/metrics/export_books.py), read back with the csv module: the importers' column names,
one row per line, and every invoice's lines adding up to what the customer owes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import invoice_create, invoice_issue
from metrics.accounting_exports import (
    QUICKBOOKS_INVOICE_COLUMNS,
    XERO_INVOICE_COLUMNS,
    date_style_for,
    date_text,
    quickbooks_invoices_table,
    xero_invoices_table,
)
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.metrics.export_books import END, START, Books, on
from tests.metrics.export_books import csv_table_read as read

pytestmark = pytest.mark.django_db

D = Decimal


def by_invoice(
    rows: list[dict[str, str]], number: str, amount: str, tax: str
) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[row[number]] += D(row[amount]) + D(row[tax])
    return sums


def test_quickbooks_invoices(books: Books) -> None:
    header, rows = read(
        quickbooks_invoices_table(org=books.org, start=START, end=END, currency="GBP")
    )
    assert header == [
        "InvoiceNo",
        "Customer",
        "InvoiceDate",
        "DueDate",
        "Terms",
        "Memo",
        "Item(Product/Service)",
        "ItemDescription",
        "ItemQuantity",
        "ItemRate",
        "ItemAmount",
        "ItemTaxCode",
        "ItemTaxAmount",
        "Currency",
    ]
    assert header == [c.label for c in QUICKBOOKS_INVOICE_COLUMNS]
    # No totals row: QuickBooks would take it for an invoice.
    assert all(r["InvoiceNo"] != "Total" for r in rows)
    inv2 = [r for r in rows if r["InvoiceNo"] == books.inv2.number]
    assert [
        (
            r["ItemDescription"],
            r["ItemQuantity"],
            r["ItemRate"],
            r["ItemAmount"],
            r["ItemTaxCode"],
            r["ItemTaxAmount"],
        )
        for r in inv2
    ] == [
        ("Pipe repair", "1", "200", "200.00", "VAT", "40.00"),
        ("Call-out", "1", "50", "50.00", "", "0.00"),
        # The 10% invoice discount, 20.00 + 5.00, one line per tax code; the VAT line takes
        # back the VAT it saved: 20% of 200 = 40.00 before, 20% of 180 = 36.00 after.
        ("Discount (10%)", "1", "-20", "-20.00", "VAT", "-4.00"),
        ("Discount (10%)", "1", "-5", "-5.00", "", "0.00"),
    ]
    assert inv2[0]["Customer"] == "Harbour Cafe" and inv2[0]["Terms"] == "Net 30"
    # The organization is in the US locale (en-US): month first.
    assert (inv2[0]["InvoiceDate"], inv2[0]["DueDate"]) == ("02/01/2027", "03/03/2027")
    inv6 = [r for r in rows if r["InvoiceNo"] == books.inv6.number]
    # The late fee still owed is a line of its own; the waived one is not there.
    assert [(r["ItemDescription"][:9], r["ItemAmount"]) for r in inv6] == [
        ("Boiler in", "400.00"),
        ("Late fee:", "10.00"),
    ]
    # Each invoice's lines, amount + tax, add up to its total + late fees owed:
    # INV2 200 + 40 + 50 - 20 - 4 - 5 = 261; INV6 400 + 10 = 410; INV1 300 + 60 = 360.
    assert by_invoice(rows, "InvoiceNo", "ItemAmount", "ItemTaxAmount") == {
        books.inv6.number: D("410.00"),
        books.inv1.number: D("360.00"),
        books.inv2.number: D("261.00"),
        books.inv7.number: D("500.00"),
        books.inv8.number: D("80.00"),
    }


def test_xero_invoices(books: Books) -> None:
    books.org.locale = "en-GB"
    books.org.save()
    header, rows = read(
        xero_invoices_table(
            org=books.org,
            start=START,
            end=END,
            currency="GBP",
            tax_codes={"VAT": "20% (VAT on Income)"},
            untaxed="No VAT",
        )
    )
    assert header[:4] == ["*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2"]
    assert header == [c.label for c in XERO_INVOICE_COLUMNS]
    assert len(header) == 29
    pipe = next(r for r in rows if r["*Description"] == "Pipe repair")
    assert pipe["*ContactName"] == "Harbour Cafe"
    assert pipe["EmailAddress"] == "sam@harbour.test"
    assert pipe["Reference"] == "PO-77"
    # Day first in the UK.
    assert (pipe["*InvoiceDate"], pipe["*DueDate"]) == ("01/02/2027", "03/03/2027")
    assert (pipe["*Quantity"], pipe["*UnitAmount"], pipe["Discount"]) == ("1", "200", "")
    assert (pipe["*AccountCode"], pipe["*TaxType"], pipe["TaxAmount"]) == (
        "200",
        "20% (VAT on Income)",
        "40.00",
    )
    assert pipe["Total"] == "" and pipe["Currency"] == "GBP"
    callout = next(r for r in rows if r["*Description"] == "Call-out")
    assert callout["*TaxType"] == "No VAT"
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        sums[r["*InvoiceNumber"]] += D(r["*Quantity"]) * D(r["*UnitAmount"]) + D(r["TaxAmount"])
    assert sums[books.inv2.number] == D("261.00") and sums[books.inv6.number] == D("410.00")


def test_a_line_discount_goes_as_a_percentage_to_xero_and_a_net_rate_to_quickbooks(
    tenant: Tenant,
) -> None:
    customer = CustomerFactory(organization=tenant.org, display_name="Dock Hotel")
    with on(date(2027, 1, 20)):
        data = InvoiceData(
            customer_id=customer.pk,
            lines=[LineData("Towels", D(3), D("33.33"), discount_percent=D("10"))],
            issue_date=date(2027, 1, 20),
        )
        invoice = invoice_issue(
            org=tenant.org,
            actor=None,
            invoice=invoice_create(org=tenant.org, actor=None, data=data),
        )
    # 3 x 33.33 = 99.99, less 10% = 89.991, rounded half-up: 89.99.
    assert invoice.total == D("89.99")
    _, qb = read(
        quickbooks_invoices_table(org=tenant.org, start=START, end=END, currency="GBP", dates="iso")
    )
    # 33.33 x 0.9 = 29.997 a towel, exactly.
    assert (qb[0]["ItemQuantity"], qb[0]["ItemRate"], qb[0]["ItemAmount"]) == (
        "3",
        "29.997",
        "89.99",
    )
    assert qb[0]["InvoiceDate"] == "2027-01-20"
    _, xero = read(xero_invoices_table(org=tenant.org, start=START, end=END, currency="GBP"))
    assert (xero[0]["*UnitAmount"], xero[0]["Discount"]) == ("33.33", "10")


def test_a_name_a_spreadsheet_would_run_is_defused(tenant: Tenant) -> None:
    customer = CustomerFactory(organization=tenant.org, display_name="=cmd|' /C calc'!A0")
    with on(date(2027, 1, 20)):
        data = InvoiceData(
            customer_id=customer.pk,
            lines=[LineData("Job", D(1), D("10"))],
            issue_date=date(2027, 1, 20),
        )
        invoice_issue(
            org=tenant.org,
            actor=None,
            invoice=invoice_create(org=tenant.org, actor=None, data=data),
        )
    _, rows = read(xero_invoices_table(org=tenant.org, start=START, end=END, currency="GBP"))
    assert rows[0]["*ContactName"] == "'=cmd|' /C calc'!A0"


def test_date_order_follows_the_organization(tenant: Tenant) -> None:
    tenant.org.locale = "en-US"
    assert date_style_for(tenant.org) == "mdy"
    tenant.org.locale = "es_US"
    assert date_style_for(tenant.org) == "mdy"
    for locale in ("en-GB", "en-AU", "fr-FR", "en"):
        tenant.org.locale = locale
        assert date_style_for(tenant.org) == "dmy"
    day = date(2027, 3, 4)
    assert [date_text(day, "dmy"), date_text(day, "mdy"), date_text(day, "iso")] == [
        "04/03/2027",
        "03/04/2027",
        "2027-03-04",
    ]
    assert date_text(None, "iso") == ""

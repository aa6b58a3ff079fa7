"""Invoices and payments in the CSV layouts QuickBooks Online and Xero import, as
:class:`~metrics.tables.Table` s with no totals row (the importers would read one as an
invoice). Write them with ``export_csv.csv_response``.

- QuickBooks Online, invoices: its own invoice import (Settings → Import data → Invoices),
  one row per line, the column names of its sample file so every column maps by itself.
- Xero, invoices: its sales invoice import template (Sales → Invoices → Import), one row per
  line, the template's column names and order.
- QuickBooks Online, payments: QuickBooks has no payment import of its own; the layout is the
  receive-payment fields of the QuickBooks Online API that the import apps (Transaction Pro,
  SaasAnt) map by name, one row per invoice a payment was applied to.
- Xero, payments: Xero imports no payments; this is its bank statement import (Date, Amount,
  Payee, Description, Reference), the money in and out as it reached the bank, for Xero's bank
  reconciliation to match against the imported invoices.

What maps to what, and why, is in ``metrics/formulas/accounting.md``. Dates go in the order
the organization's accounting system expects (:func:`date_style_for`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from arhub.models import Organization
from metrics.accounting_dates import DateStyle, date_style_for, date_text
from metrics.accounting_dates import import_columns as _columns
from metrics.accounting_dates import import_filters as _filters
from metrics.accounting_lines import ImportInvoice, import_invoices, short

# The payment layouts live beside these; callers find all four here.
from metrics.accounting_payments import (
    QUICKBOOKS_PAYMENT_COLUMNS,
    XERO_STATEMENT_COLUMNS,
    quickbooks_payments_table,
    xero_payments_table,
)
from metrics.tables import Table

__all__ = [
    "QUICKBOOKS_INVOICE_COLUMNS",
    "QUICKBOOKS_PAYMENT_COLUMNS",
    "XERO_INVOICE_COLUMNS",
    "XERO_STATEMENT_COLUMNS",
    "DateStyle",
    "date_style_for",
    "date_text",
    "quickbooks_invoices_table",
    "quickbooks_payments_table",
    "xero_invoices_table",
    "xero_payments_table",
]

# --------------------------------------------------------------------------------------------
# Invoices

QUICKBOOKS_INVOICE_COLUMNS = _columns(
    [
        ("InvoiceNo", "text"),
        ("Customer", "text"),
        ("InvoiceDate", "text"),
        ("DueDate", "text"),
        ("Terms", "text"),
        ("Memo", "text"),
        ("Item(Product/Service)", "text"),
        ("ItemDescription", "text"),
        ("ItemQuantity", "decimal"),
        ("ItemRate", "decimal"),
        ("ItemAmount", "money"),
        ("ItemTaxCode", "text"),
        ("ItemTaxAmount", "money"),
        ("Currency", "text"),
    ]
)


def _quickbooks_invoice_rows(
    invoices: Iterator[ImportInvoice], style: DateStyle, item: str
) -> Iterator[list[object]]:
    for entry in invoices:
        invoice = entry.invoice
        terms = str((invoice.terms or {}).get("name", ""))
        for line in entry.lines:
            yield [
                invoice.number,
                entry.contact_name,
                date_text(invoice.issue_date, style),
                date_text(invoice.due_date, style),
                terms,
                invoice.notes,
                item,
                line.description,
                short(line.quantity),
                short(line.rate),
                line.amount,
                line.tax_code,
                line.tax_amount,
                invoice.currency,
            ]


def quickbooks_invoices_table(
    *,
    org: Organization,
    start: date,
    end: date,
    currency: str,
    dates: DateStyle | None = None,
    item: str = "Services",
    untaxed: str = "",
    tax_codes: Mapping[str, str] | None = None,
) -> Table:
    style = dates or date_style_for(org)
    invoices = import_invoices(
        org=org, start=start, end=end, currency=currency, untaxed=untaxed, codes=tax_codes
    )
    return Table(
        title="QuickBooks Online invoices",
        columns=QUICKBOOKS_INVOICE_COLUMNS,
        rows=_quickbooks_invoice_rows(invoices, style, item),
        currency=currency,
        filters=_filters(start, end, style),
    )


XERO_INVOICE_COLUMNS = _columns(
    [
        ("*ContactName", "text"),
        ("EmailAddress", "text"),
        ("POAddressLine1", "text"),
        ("POAddressLine2", "text"),
        ("POAddressLine3", "text"),
        ("POAddressLine4", "text"),
        ("POCity", "text"),
        ("PORegion", "text"),
        ("POPostalCode", "text"),
        ("POCountry", "text"),
        ("*InvoiceNumber", "text"),
        ("Reference", "text"),
        ("*InvoiceDate", "text"),
        ("*DueDate", "text"),
        ("Total", "money"),
        ("InventoryItemCode", "text"),
        ("*Description", "text"),
        ("*Quantity", "decimal"),
        ("*UnitAmount", "decimal"),
        ("Discount", "decimal"),
        ("*AccountCode", "text"),
        ("*TaxType", "text"),
        ("TaxAmount", "money"),
        ("TrackingName1", "text"),
        ("TrackingOption1", "text"),
        ("TrackingName2", "text"),
        ("TrackingOption2", "text"),
        ("Currency", "text"),
        ("BrandingTheme", "text"),
    ]
)


def _xero_invoice_rows(
    invoices: Iterator[ImportInvoice], style: DateStyle, account: str
) -> Iterator[list[object]]:
    for entry in invoices:
        invoice, bill_to = entry.invoice, entry.bill_to
        head: list[object] = [
            entry.contact_name,
            bill_to.get("contact_email", ""),
            bill_to.get("billing_address_line1", ""),
            bill_to.get("billing_address_line2", ""),
            "",
            "",
            bill_to.get("billing_city", ""),
            bill_to.get("billing_region", ""),
            bill_to.get("billing_postal_code", ""),
            bill_to.get("billing_country", ""),
            invoice.number,
            invoice.po_number,
            date_text(invoice.issue_date, style),
            date_text(invoice.due_date, style),
            None,  # Xero works the total out from the lines
            "",
        ]
        for line in entry.lines:
            yield [
                *head,
                line.description,
                short(line.quantity),
                short(line.unit_price),
                short(line.discount_percent) or None,
                account,
                line.tax_code,
                line.tax_amount,
                "",
                "",
                "",
                "",
                invoice.currency,
                "",
            ]


def xero_invoices_table(
    *,
    org: Organization,
    start: date,
    end: date,
    currency: str,
    dates: DateStyle | None = None,
    account: str = "200",
    untaxed: str = "Tax Exempt",
    tax_codes: Mapping[str, str] | None = None,
) -> Table:
    style = dates or date_style_for(org)
    invoices = import_invoices(
        org=org, start=start, end=end, currency=currency, untaxed=untaxed, codes=tax_codes
    )
    return Table(
        title="Xero sales invoices",
        columns=XERO_INVOICE_COLUMNS,
        rows=_xero_invoice_rows(invoices, style, account),
        currency=currency,
        filters=_filters(start, end, style),
        subtitle="Import with amounts tax exclusive.",
    )

"""The period reports under /reports/: invoice register, payments received, credit notes,
discounts and late fees (``metrics.report_tables``), and the QuickBooks Online and Xero import
files (``metrics.accounting_exports``).

Each page shows the first rows of its table for the chosen period and downloads all of it with
``?format=`` (the rules of ``metrics.report_views.ReportView``: EXPORT permission, 400 naming
the parameter). The import files are CSV only: that is what the importers read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any, ClassVar

from django.http import HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils.http import urlencode

from arhub.money import money_format
from metrics.accounting_exports import (
    quickbooks_invoices_table,
    quickbooks_payments_table,
    xero_invoices_table,
    xero_payments_table,
)
from metrics.report_forms import PeriodForm
from metrics.report_tables import (
    credit_notes_table,
    discounts_and_fees_table,
    invoice_register_table,
    payments_received_table,
)
from metrics.report_views import ReportView, export_response
from metrics.tables import Column, Table

# On screen a table stops here; the download has every row.
PREVIEW_ROWS = 50


@dataclass(frozen=True)
class PeriodReport:
    slug: str  # in the download's file name
    heading: str
    lede: str
    build: Callable[..., Table]


PERIOD_REPORTS = {
    "report_register": PeriodReport(
        "invoice-register",
        "Invoice register",
        "Every invoice issued in the period, with what was paid, credited and still owed.",
        invoice_register_table,
    ),
    "report_payments": PeriodReport(
        "payments-received",
        "Payments received",
        "Each payment received in the period, its method, and the invoices it paid.",
        payments_received_table,
    ),
    "report_credit_notes": PeriodReport(
        "credit-notes",
        "Credit notes",
        "Credit notes issued in the period and the invoices they reduced.",
        credit_notes_table,
    ),
    "report_adjustments": PeriodReport(
        "discounts-and-late-fees",
        "Discounts and late fees",
        "Early-payment discounts allowed and late fees charged (and waived) in the period.",
        discounts_and_fees_table,
    ),
}

ACCOUNTING_FILES: dict[str, tuple[str, Callable[..., Table]]] = {
    "quickbooks-invoices": ("QuickBooks Online: invoices", quickbooks_invoices_table),
    "quickbooks-payments": ("QuickBooks Online: payments", quickbooks_payments_table),
    "xero-invoices": ("Xero: sales invoices", xero_invoices_table),
    "xero-payments": ("Xero: bank statement of payments", xero_payments_table),
}


def cell_text(value: object, column: Column, currency: str) -> str:
    """A cell as the page shows it; the downloads write their own, typed."""
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, Decimal):
        return money_format(value, currency)
    if column.kind == "date" and isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if column.kind == "percent":
        return f"{value}%"
    return str(value)


def preview(table: Table) -> dict[str, Any]:
    """The header and the first rows of ``table``, formatted, and whether there are more."""
    rows = list(islice(iter(table.rows), PREVIEW_ROWS + 1))
    numeric = [c.kind in ("money", "int", "decimal", "percent") for c in table.columns]
    return {
        "columns": list(zip(table.columns, numeric, strict=True)),
        "rows": [
            [
                (cell_text(value, column, table.currency), is_number, column.label)
                for value, column, is_number in zip(row, table.columns, numeric, strict=True)
            ]
            for row in rows[:PREVIEW_ROWS]
        ],
        "more": len(rows) > PREVIEW_ROWS,
        "table": table,
    }


class PeriodReportView(ReportView):
    """One of :data:`PERIOD_REPORTS`, given to ``as_view(report=...)``."""

    form_class = PeriodForm
    template_name = "metrics/report_period.html"
    report: ClassVar[PeriodReport] = PERIOD_REPORTS["report_register"]

    def table(self, data: dict[str, Any]) -> Table:
        return self.report.build(
            org=self.org, start=data["start"], end=data["end"], currency=data["currency"]
        )

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"report": self.report, "preview_rows": PREVIEW_ROWS, **preview(self.table(data))}

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        name = (self.org.slug, self.report.slug, data["start"].isoformat(), data["end"].isoformat())
        return export_response(self.table(data), fmt, name=name, view=self)


class AccountingExportView(ReportView):
    """The four import files for the period: a page of links; ``?file=…&format=csv``."""

    form_class = PeriodForm
    template_name = "metrics/report_accounting.html"
    formats: ClassVar[dict[str, str]] = {"csv": "CSV"}
    extra_keys = ("file",)

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        query = {k: v for k, v in self.query().items() if k != "file"}
        return {
            "files": [
                (label, "?" + urlencode({**query, "file": key, "format": "csv"}))
                for key, (label, _) in ACCOUNTING_FILES.items()
            ]
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        key = self.request.GET.get("file", "")
        if key not in ACCOUNTING_FILES:
            return HttpResponseBadRequest(
                f"file: one of {', '.join(ACCOUNTING_FILES)}.\n", content_type="text/plain"
            )
        build = ACCOUNTING_FILES[key][1]
        table = build(org=self.org, start=data["start"], end=data["end"], currency=data["currency"])
        name = (self.org.slug, key, data["start"].isoformat(), data["end"].isoformat())
        return export_response(table, fmt, name=name, view=self)

"""What each export is made of: for every ``ReportKind``, the formats it comes in, the filters
it reads (``metrics.export_params``), the :class:`~metrics.tables.Table` it writes, the charts its
PDF carries and how many rows to expect (for the progress bar).

Tables come from the report builders (``metrics.metric_tables``, ``report_tables``,
``accounting_exports``) and the figures from ``metrics.aging``/``dso``/``cei``; nothing is
computed here. Customer statements are PDFs themselves, not a table: one customer's, or a zip of
every customer who owes something (``metrics.statement_zip``), written by
``metrics.export_files``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from arhub.models import Organization
from metrics import export_estimates as estimates
from metrics.accounting_exports import (
    quickbooks_invoices_table,
    quickbooks_payments_table,
    xero_invoices_table,
    xero_payments_table,
)
from metrics.aging import aging_report
from metrics.dso_cei_table import dso_cei_charts, dso_cei_table
from metrics.export_params import ExportParams, params_read
from metrics.metric_tables import aging_detail_table, aging_summary_table
from metrics.models import ExportFormat, ReportKind
from metrics.report_charts import aging_chart
from metrics.report_tables import (
    credit_notes_table,
    discounts_and_fees_table,
    invoice_register_table,
    payments_received_table,
)
from metrics.tables import Table

CSV, XLSX, PDF, ZIP = ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.PDF, ExportFormat.ZIP
TABLE_FORMATS = (CSV, XLSX, PDF)
AS_OF = ("as_of", "currency")
AGING = ("as_of", "currency", "edges")
PERIOD = ("start", "end", "currency")

Build = Callable[[Organization, ExportParams], Table]
Charts = Callable[[Organization, ExportParams], list[str]]
Estimate = Callable[[Organization, ExportParams], int]


@dataclass(frozen=True)
class ReportSpec:
    kind: ReportKind
    formats: tuple[ExportFormat, ...]
    fields: tuple[str, ...]
    name: str  # the file name's stem: "aging-summary"
    table: Build | None = None  # None: statements, which are PDFs already
    charts: Charts | None = None
    # Rows the file will hold, or close to it; None when counting would cost as much as the
    # export (the bar then shows rows written without a total).
    estimate: Estimate | None = None

    @property
    def label(self) -> str:
        return str(self.kind.label)


# ---- tables


def _aging_summary(org: Organization, p: ExportParams) -> Table:
    return aging_summary_table(org=org, as_of=p.day, currency=p.currency, edges=p.edges)


def _aging_detail(org: Organization, p: ExportParams) -> Table:
    return aging_detail_table(org=org, as_of=p.day, currency=p.currency, edges=p.edges)


def _aging_charts(org: Organization, p: ExportParams) -> list[str]:
    report = aging_report(org=org, as_of=p.day, currency=p.currency, edges=p.edges)
    return [aging_chart(report, show_title=True)]


def _period(build: Callable[..., Table]) -> Build:
    def table(org: Organization, p: ExportParams) -> Table:
        start, end = p.period
        return build(org=org, start=start, end=end, currency=p.currency)

    return table


SPECS: dict[str, ReportSpec] = {
    spec.kind: spec
    for spec in (
        ReportSpec(
            ReportKind.AGING_SUMMARY,
            TABLE_FORMATS,
            AGING,
            "aging-summary",
            _aging_summary,
            _aging_charts,
            estimates.aging_customers_count,
        ),
        ReportSpec(
            ReportKind.AGING_DETAIL,
            TABLE_FORMATS,
            AGING,
            "aging-detail",
            _aging_detail,
            estimate=estimates.aging_invoices_count,
        ),
        ReportSpec(
            ReportKind.INVOICE_REGISTER,
            TABLE_FORMATS,
            PERIOD,
            "invoice-register",
            _period(invoice_register_table),
            estimate=estimates.register_count,
        ),
        ReportSpec(
            ReportKind.PAYMENTS,
            TABLE_FORMATS,
            PERIOD,
            "payments",
            _period(payments_received_table),
            estimate=estimates.payments_count,
        ),
        ReportSpec(
            ReportKind.CREDIT_NOTES,
            TABLE_FORMATS,
            PERIOD,
            "credit-notes",
            _period(credit_notes_table),
            estimate=estimates.credit_notes_count,
        ),
        ReportSpec(
            ReportKind.DISCOUNTS_FEES,
            TABLE_FORMATS,
            PERIOD,
            "discounts-and-late-fees",
            _period(discounts_and_fees_table),
            estimate=estimates.discounts_fees_count,
        ),
        ReportSpec(
            ReportKind.STATEMENTS,
            (ZIP, PDF),
            ("customer",),
            "statements",
            estimate=estimates.statements_count,
        ),
        ReportSpec(ReportKind.DSO, TABLE_FORMATS, AS_OF, "dso-cei", dso_cei_table, dso_cei_charts),
        ReportSpec(
            ReportKind.QBO_INVOICES,
            (CSV,),
            PERIOD,
            "quickbooks-invoices",
            _period(quickbooks_invoices_table),
            estimate=estimates.register_lines_count,
        ),
        ReportSpec(
            ReportKind.QBO_PAYMENTS,
            (CSV,),
            PERIOD,
            "quickbooks-payments",
            _period(quickbooks_payments_table),
        ),
        ReportSpec(
            ReportKind.XERO_INVOICES,
            (CSV,),
            PERIOD,
            "xero-invoices",
            _period(xero_invoices_table),
            estimate=estimates.register_lines_count,
        ),
        ReportSpec(
            ReportKind.XERO_PAYMENTS,
            (CSV,),
            PERIOD,
            "xero-payments",
            _period(xero_payments_table),
        ),
    )
}


def report_spec(report: str) -> ReportSpec:
    """The spec of ``report``, or ValidationError under ``report``."""
    spec = SPECS.get(report)
    if spec is None:
        known = ", ".join(SPECS)
        raise ValidationError({"report": [f"Unknown report “{report}”; use one of {known}."]})
    return spec


def format_check(spec: ReportSpec, fmt: str) -> ExportFormat:
    """``fmt`` if ``spec`` comes in it, else ValidationError under ``format``."""
    for allowed in spec.formats:
        if fmt == allowed:
            return allowed
    names = ", ".join(str(f) for f in spec.formats)
    if fmt in ExportFormat.values:
        message = f"{spec.label} comes as {names}, not {fmt}."
    else:
        message = f"Unknown format “{fmt}”; {spec.label} comes as {names}."
    raise ValidationError({"format": [message]})


def export_request_check(
    *, org: Organization, report: str, format: str, params: Mapping[str, object]
) -> tuple[ReportSpec, ExportFormat, ExportParams]:
    """Report, format and filters checked together: a ValidationError holds every bad key."""
    spec = report_spec(report)
    errors: dict[str, list[str]] = {}
    fmt: ExportFormat | None = None
    try:
        fmt = format_check(spec, format)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked: ExportParams | None = None
    try:
        checked = params_read(org=org, params=params, fields=spec.fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if checked is not None and spec.kind == ReportKind.STATEMENTS:
        if fmt == PDF and checked.customer_id is None:
            errors["customer"] = ["Choose the customer whose statement you want."]
        if fmt == ZIP and checked.customer_id is not None:
            errors["customer"] = [
                "The zip holds every customer who owes something; for one customer's "
                "statement choose PDF."
            ]
    if errors:
        raise ValidationError(errors)
    if fmt is None or checked is None:  # pragma: no cover - each sets an error when it fails
        raise ValidationError(errors)
    return spec, fmt, checked


def export_filename_parts(spec: ReportSpec, params: ExportParams) -> tuple[str, ...]:
    """What the download is called, before the org's slug and the extension."""
    days = [d.isoformat() for d in (params.as_of, params.start, params.end) if d is not None]
    currency = params.currency if spec.kind != ReportKind.STATEMENTS else ""
    return (spec.name, *days, currency)

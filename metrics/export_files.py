"""Writing an export's file: the report's table through the CSV, XLSX or PDF writer, or the
customer statements as PDFs, into a binary file object, counting rows as they go by.

The rows stream from the database into the file (``csv_stream`` holds one row at a time; the
XLSX writer is openpyxl's write-only mode), so a register of a million invoices never sits in
memory. ``on_rows`` hears the running count every :data:`PROGRESS_EVERY` rows, for the progress
bar, and once more at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import IO

from arhub.models import Organization
from invoicing.models import Customer
from metrics.export_csv import csv_stream
from metrics.export_params import ExportParams
from metrics.export_pdf import pdf_bytes
from metrics.export_registry import ReportSpec, export_filename_parts
from metrics.export_xlsx import XLSX_CONTENT_TYPE, xlsx_bytes
from metrics.models import ExportFormat, ReportKind
from metrics.statement_zip import statement_pdf, statement_zip_write
from metrics.tables import export_filename

PROGRESS_EVERY = 1000
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: XLSX_CONTENT_TYPE,
    ExportFormat.PDF: "application/pdf",
    ExportFormat.ZIP: "application/zip",
}

OnRows = Callable[[int], None]


class RowCounter:
    """Passes rows through and counts them, telling ``on_rows`` every ``every`` rows."""

    def __init__(self, on_rows: OnRows, every: int | None = None) -> None:
        self.on_rows = on_rows
        self.every = every or PROGRESS_EVERY
        self.count = 0

    def wrap(self, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        for row in rows:
            yield row
            self.count += 1
            if self.count % self.every == 0:
                self.on_rows(self.count)


def download_name(
    *, org: Organization, spec: ReportSpec, fmt: str, params: ExportParams, on: date
) -> str:
    """``acme-aging-summary-2027-03-31-usd.xlsx``; statements carry the day they were made."""
    parts = export_filename_parts(spec, params)
    if spec.kind == ReportKind.STATEMENTS:
        parts = (*parts, on.isoformat())
    return export_filename(org.slug, *parts, ext=fmt)


def export_write(
    *,
    org: Organization,
    spec: ReportSpec,
    fmt: str,
    params: ExportParams,
    out: IO[bytes],
    on_rows: OnRows,
    today: date,
) -> int:
    """Write the export to ``out``; the rows (or statements) written. Raises
    ``metrics.export_pdf.PdfTooLarge`` for a PDF of too many rows."""
    if spec.kind == ReportKind.STATEMENTS:
        return _statements(org=org, fmt=fmt, params=params, out=out, on_rows=on_rows, today=today)
    if spec.table is None:
        raise ValueError(f"report: {spec.kind} has no table")
    counter = RowCounter(on_rows)
    table = spec.table(org, params)
    table = replace(table, rows=counter.wrap(table.rows))
    if fmt == ExportFormat.CSV:
        for line in csv_stream(table):
            out.write(line.encode("utf-8"))
    elif fmt == ExportFormat.XLSX:
        out.write(xlsx_bytes(table))
    elif fmt == ExportFormat.PDF:
        charts = spec.charts(org, params) if spec.charts else []
        out.write(pdf_bytes(table, org=org, charts=charts))
    else:
        raise ValueError(f"format: {spec.kind} does not come as {fmt}")
    on_rows(counter.count)
    return counter.count


def _statements(
    *,
    org: Organization,
    fmt: str,
    params: ExportParams,
    out: IO[bytes],
    on_rows: OnRows,
    today: date,
) -> int:
    if fmt == ExportFormat.ZIP:
        return statement_zip_write(
            org=org, today=today, out=out, on_progress=lambda done, _total: on_rows(done)
        )
    if params.customer_id is None:
        raise ValueError("customer: a statement PDF is one customer's")
    customer = Customer.objects.for_org(org).get(pk=params.customer_id)
    out.write(statement_pdf(org=org, customer=customer, today=today))
    on_rows(1)
    return 1

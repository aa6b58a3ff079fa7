"""A :class:`~metrics.tables.Table` as a print-ready PDF, in the invoice PDF's frame
(``invoicing/pdf/_document.html``: the organization's brand bar, logo and address, a footer,
"Page 1 of 3" on every page) with the report's title, what it was drawn with (as-of date or
period, currency, filters), the given SVG charts, the table (its header repeated on each page)
and the totals row.

Rendered through ``arhub.pdf.render_pdf`` and its restricted fetcher. Every value is escaped by
the template; only ``charts`` are placed as markup, and they must come from ``metrics.charts``,
which builds them from numbers and escapes every label it prints.

A PDF is for reading, not for a million rows: past :data:`MAX_ROWS` it refuses
(:class:`PdfTooLarge`) and the caller offers CSV or XLSX instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from babel.numbers import format_decimal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from arhub.clock import org_now
from arhub.locales import currency_minor_units
from arhub.models import Organization
from arhub.pdf import render_pdf
from invoicing.invoice_services import invoice_settings_get
from invoicing.pdf_context import (
    MINUS,
    Brand,
    Formatter,
    Party,
    brand_for,
    formatter_for,
    org_party,
    page_size,
)
from invoicing.pdf_labels import labels_for
from metrics.tables import Column, RunningTotals, Table, row_checked

TEMPLATE = "metrics/pdf/report.html"
MAX_ROWS = 5000
# Past this many columns the page turns to landscape.
PORTRAIT_COLUMNS = 7


class PdfTooLarge(ValueError):
    """More rows than a PDF should hold; the message tells the user what to do instead."""


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class ReportDocument:
    """What the PDF frame reads (``doc.*``) and the report itself."""

    labels: dict[str, str]
    language: str
    brand: Brand
    seller: Party
    page_size: str
    title: str
    footer: str
    subtitle: str
    filters: list[tuple[str, str]]
    header: list[Cell]
    rows: list[list[Cell]]
    totals: list[Cell] | None
    charts: list[SafeString]
    row_count: int


def _signed(text: str) -> str:
    # A real minus sign lines up with the digits, as on the invoices.
    return MINUS + text[1:] if text.startswith("-") else text


def pdf_cell(value: object, column: Column, fmt: Formatter) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind == "money" and isinstance(value, Decimal | int):
        places = currency_minor_units(fmt.currency)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return _signed(format_decimal(Decimal(value), format=pattern, locale=fmt.locale))
    if kind == "percent" and isinstance(value, Decimal | int):
        return _signed(format_decimal(Decimal(value), format="#,##0.0", locale=fmt.locale)) + "%"
    if kind == "decimal" and isinstance(value, Decimal):
        # To the place it was rounded to, as the CSV has it: 36.0 days, not 36.
        places = max(0, -int(value.as_tuple().exponent))
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return _signed(format_decimal(value, format=pattern, locale=fmt.locale))
    if kind in ("int", "decimal") and isinstance(value, Decimal | int):
        return _signed(fmt.number(Decimal(value)))
    if kind == "date" and isinstance(value, date):
        return fmt.date(value)
    return str(value)


def _numeric(column: Column) -> bool:
    return column.kind not in ("text", "date")


def report_document(
    table: Table, *, org: Organization, charts: Sequence[str] = ()
) -> ReportDocument:
    fmt = formatter_for(org, table.currency)
    rows: list[list[Cell]] = []
    totals = RunningTotals(table) if table.has_totals else None
    for row in islice(table.rows, MAX_ROWS + 1):
        if len(rows) == MAX_ROWS:
            raise PdfTooLarge(
                f"{table.title} has more than {MAX_ROWS:,} rows, too many for a PDF; "
                "download it as CSV or XLSX instead."
            )
        row_checked(table, row)
        if totals is not None:
            totals.add(row)
        rows.append(
            [
                Cell(pdf_cell(v, c, fmt), _numeric(c))
                for v, c in zip(row, table.columns, strict=True)
            ]
        )
    total_cells = None
    if totals is not None:
        total_cells = [
            Cell(v if isinstance(v, str) else pdf_cell(v, c, fmt), _numeric(c))
            for v, c in zip(totals.values(), table.columns, strict=True)
        ]
    settings = invoice_settings_get(org=org)
    paper = page_size(settings.paper_size)
    if len(table.columns) > PORTRAIT_COLUMNS:
        paper += " landscape"
    made = org_now(org).strftime("%Y-%m-%d %H:%M")
    labels = labels_for("en")
    return ReportDocument(
        labels=labels,
        language="en",
        brand=brand_for(org),
        seller=org_party(org, fmt, labels),
        page_size=paper,
        title=table.title,
        footer=f"{org.name} · {table.title} · made {made}",
        subtitle=table.subtitle,
        filters=table.described(),
        header=[Cell(c.label, _numeric(c)) for c in table.columns],
        rows=rows,
        totals=total_cells,
        # Chart markup comes from metrics.charts, built from numbers with every label escaped.
        charts=[mark_safe(svg) for svg in charts],  # noqa: S308
        row_count=len(rows),
    )


def pdf_html(table: Table, *, org: Organization, charts: Sequence[str] = ()) -> str:
    return render_to_string(TEMPLATE, {"doc": report_document(table, org=org, charts=charts)})


def pdf_bytes(table: Table, *, org: Organization, charts: Sequence[str] = ()) -> bytes:
    return render_pdf(pdf_html(table, org=org, charts=charts))

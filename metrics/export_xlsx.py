"""A :class:`~metrics.tables.Table` as an Excel workbook (openpyxl).

Cells are typed: money, counts and quantities are numbers (money with the currency's symbol
and minor unit as its number format), dates are dates, percentages are fractions shown as
``87.5%``. The header row is frozen and filterable; the totals row under the data is made of
``SUM`` formulas over the column, so it still adds up after the accountant deletes or edits a
row. A second sheet, "About", says what the report is: title, filters, currency, when made.

The workbook is written in openpyxl's write-only mode, which streams rows to a temporary file
instead of building every cell in memory; the first rows are read ahead to size the columns.
Text cells are stored as strings even when they start with "=": a customer named
"=HYPERLINK(...)" stays a name, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice

from babel.numbers import get_currency_symbol
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from arhub.locales import currency_minor_units
from arhub.money import quantize
from metrics.tables import TOTAL_LABEL, Column, Table, row_checked

SHEET = "Report"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "#,##0"
# Rows read ahead to size the columns; the rest stream through unmeasured.
SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
BOLD = Font(bold=True)
HUNDRED = Decimal(100)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money_number_format(currency: str) -> str:
    """``"$"#,##0.00;-"$"#,##0.00`` for USD, ``"¥"#,##0;-"¥"#,##0`` for JPY: the symbol as a
    literal, so it shows the same whatever the reader's locale."""
    symbol = get_currency_symbol(currency, locale="en")
    if symbol == currency:  # no symbol of its own: "CHF 1,250.00"
        symbol += " "
    places = currency_minor_units(currency)
    number = "#,##0" + ("." + "0" * places if places else "")
    literal = '"' + symbol.replace('"', "") + '"'
    return f"{literal}{number};-{literal}{number}"


def _number_format(column: Column, currency: str) -> str | None:
    return {
        "money": money_number_format(currency),
        "int": INT_FORMAT,
        "date": DATE_FORMAT,
        "percent": PERCENT_FORMAT,
    }.get(column.kind)


def _value(value: object, column: Column, currency: str) -> object:
    if value is None:
        return None
    if column.kind == "money" and isinstance(value, Decimal):
        return quantize(value, currency)
    if column.kind == "percent" and isinstance(value, Decimal | int):
        return Decimal(value) / HUNDRED
    if column.kind == "text":
        return str(value)
    return value


def _width(column: Column, sample: Sequence[Sequence[object]], at: int) -> float:
    seen = [len(column.label)]
    for row in sample:
        value = row[at]
        if value is None:
            continue
        if column.kind == "money" and isinstance(value, Decimal):
            # Grouping commas, the symbol and a sign take room the digits alone do not show.
            seen.append(len(f"{value:,.2f}") + 4)
        else:
            seen.append(len(str(value)))
    return float(min(max(max(seen) + 2, MIN_WIDTH), MAX_WIDTH))


def _cell(sheet: WriteOnlyWorksheet, value: object, column: Column, currency: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=_value(value, column, currency))  # type: ignore[arg-type]
    if column.kind == "text" and value is not None:
        cell.data_type = "s"  # never a formula, whatever the text starts with
    number_format = _number_format(column, currency)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _totals_row(sheet: WriteOnlyWorksheet, table: Table, rows: int) -> list[Cell]:
    first, last = 2, rows + 1
    cells = []
    label_at = table.total_label_index()
    for i, column in enumerate(table.columns):
        value: object = None
        if column.total:
            letter = get_column_letter(i + 1)
            value = f"=SUM({letter}{first}:{letter}{last})" if rows else 0
        elif i == label_at:
            value = TOTAL_LABEL
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.font = BOLD
        if column.total:
            cell.number_format = _number_format(column, table.currency) or "General"
        cells.append(cell)
    return cells


def _about(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 70
    title = WriteOnlyCell(sheet, value=table.title)
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    if table.subtitle:
        sheet.append([table.subtitle])
    sheet.append([])
    made = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    for label, text in [*table.described(), ("Made", made)]:
        key = WriteOnlyCell(sheet, value=label)
        key.font = BOLD
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True)
        sheet.append([key, cell])


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = table.title
    workbook.properties.created = timezone.now().replace(tzinfo=None)  # the file format's UTC
    sheet = workbook.create_sheet(SHEET)
    rows: Iterator[Sequence[object]] = iter(table.rows)
    sample = [row_checked(table, row) for row in islice(rows, SAMPLE_ROWS)]
    for i, column in enumerate(table.columns):
        sheet.column_dimensions[get_column_letter(i + 1)].width = _width(column, sample, i)
    sheet.freeze_panes = "A2"
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.data_type = "s"
        cell.font = BOLD
        if column.kind != "text":
            cell.alignment = Alignment(horizontal="right")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in chain(sample, rows):
        row_checked(table, row)
        sheet.append(
            [_cell(sheet, v, c, table.currency) for v, c in zip(row, table.columns, strict=True)]
        )
        count += 1
    last_column = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if table.has_totals:
        sheet.append(_totals_row(sheet, table, count))
    _about(workbook, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""A :class:`~metrics.tables.Table` as CSV: UTF-8, a header row, one line per row, and a totals
row when any column has a total. Numbers are plain (``1234.50``: no symbol, no thousands
separator, a dot for the decimals, money to its currency's minor unit, a figure such as DSO to
the place it was rounded to: ``36.0``), dates are ISO
(``2027-03-31``), so the file reads the same in every locale and every tool.

It streams: :func:`csv_stream` yields a line at a time while the rows come off the cursor, and
:func:`csv_response` hands that to Django as a ``StreamingHttpResponse``.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe. Spreadsheets run such a cell as a formula, and a customer's name is
typed by someone outside the organization (OWASP "CSV injection"). Numbers are never text,
so a negative amount is written as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.http import StreamingHttpResponse

from arhub.money import minor_unit
from metrics.tables import Column, RunningTotals, Table, export_filename, row_checked

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """The smallest file ``csv.writer`` can write to: it keeps the one line just written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def text_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


Writer = Callable[[object], str]


def _numbers(column: Column, show: Callable[[Decimal], str]) -> Writer:
    def write(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return show(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return show(Decimal(value))
        raise TypeError(f"column {column.key}: expected a Decimal, got {value!r}")

    return write


def cell_writer(column: Column, currency: str) -> Writer:
    """How one column's cells are written; worked out once per column, not once per cell
    (a million-row register has fourteen million cells)."""
    kind = column.kind
    if kind == "money":
        unit = minor_unit(currency)
        return _numbers(column, lambda v: format(v.quantize(unit, rounding=ROUND_HALF_UP), "f"))
    if kind in ("decimal", "percent"):
        # As figured, to the place it was rounded to: 36.0 days, not 36.
        return _numbers(column, lambda v: format(v, "f"))

    def write(value: object) -> str:
        if value is None:
            return ""
        if kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            raise TypeError(f"column {column.key}: expected an int, got {value!r}")
        if kind == "date":
            if isinstance(value, date):
                return value.isoformat()
            raise TypeError(f"column {column.key}: expected a date, got {value!r}")
        return text_safe(str(value))

    return write


def csv_cell(value: object, column: Column, currency: str) -> str:
    """One cell as the CSV shows it."""
    return cell_writer(column, currency)(value)


def csv_stream(table: Table) -> Iterator[str]:
    """The file, a line at a time (each ending in CRLF, as RFC 4180 has it)."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([column.label for column in table.columns])
    yield line.text
    writers = [cell_writer(column, table.currency) for column in table.columns]
    totals = RunningTotals(table) if table.has_totals else None
    for row in table.rows:
        row_checked(table, row)
        if totals is not None:
            totals.add(row)
        writer.writerow([write(value) for write, value in zip(writers, row, strict=True)])
        yield line.text
    if totals is not None:
        writer.writerow(
            [
                # The word "Total" may sit in a date or number column: it is no cell value.
                value if isinstance(value, str) else write(value)
                for value, write in zip(totals.values(), writers, strict=True)
            ]
        )
        yield line.text


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    """A download that starts as soon as the first row is read."""
    response = StreamingHttpResponse(
        (text.encode("utf-8") for text in csv_stream(table)),
        content_type="text/csv; charset=utf-8",
    )
    name = filename if filename.endswith(".csv") else export_filename(filename, ext="csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

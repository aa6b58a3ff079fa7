"""The table every export writer reads: typed columns, checked rows, totals added as rows go."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from metrics.tables import Column, RunningTotals, Table, export_filename, row_checked

D = Decimal


def test_only_numbers_can_have_a_total() -> None:
    Column("amount", "Amount", "money", total=True)
    Column("count", "Count", "int", total=True)
    with pytest.raises(ValueError, match="a percent column cannot have a total"):
        Column("cei", "CEI", "percent", total=True)
    with pytest.raises(ValueError, match="a date column cannot have a total"):
        Column("due", "Due", "date", total=True)
    with pytest.raises(ValueError, match="unknown kind 'currency'"):
        Column("x", "X", "currency")  # type: ignore[arg-type]


def _table(rows: list[list[object]]) -> Table:
    return Table(
        title="T",
        columns=[
            Column("day", "Day", "date"),
            Column("n", "Count", "int", total=True),
            Column("amount", "Amount", "money", total=True),
            Column("note", "Note"),
        ],
        rows=rows,
        currency="JPY",
    )


def test_a_row_that_does_not_fit_the_columns_is_refused() -> None:
    table = _table([])
    with pytest.raises(ValueError, match="a row has 3 cells for 4 columns"):
        row_checked(table, [date(2027, 1, 1), 1, D(5)])
    with pytest.raises(TypeError, match="column amount got a float"):
        row_checked(table, [date(2027, 1, 1), 1, 5.5, ""])


def test_totals_add_up_as_rows_go_and_money_is_rounded_to_the_currency() -> None:
    table = _table([])
    totals = RunningTotals(table)
    # JPY has no minor unit: 100.4 + 200.4 = 300.8, rounded half-up to 301.
    totals.add([date(2027, 1, 1), 2, D("100.4"), "a"])
    totals.add([date(2027, 1, 2), 3, D("200.4"), "b"])
    totals.add([date(2027, 1, 3), None, None, "c"])
    # "Total" goes in the first column with no total of its own: the date column.
    assert totals.values() == ["Total", 5, D("301"), None]
    assert totals.count == 3


def test_export_filenames_are_plain() -> None:
    assert export_filename("Aging", "2027-03-31", ext="csv") == "aging-2027-03-31.csv"
    assert (
        export_filename("Riverside / Bakery: ünïcode", ext="pdf") == "riverside-bakery-unicode.pdf"
    )
    assert export_filename("Summit Café", "東京", ext="csv") == "summit-cafe.csv"
    assert export_filename("", ext="xlsx") == "export.xlsx"


def test_the_currency_is_named_only_when_a_column_holds_money() -> None:
    with_money = _table([])
    assert with_money.described() == [("Currency", "JPY")]
    counts = Table(
        title="Counts",
        columns=[Column("figure", "Figure"), Column("value", "Value", "decimal")],
        rows=[],
        currency="JPY",
        filters={"From": "2027-05-01"},
    )
    assert counts.described() == [("From", "2027-05-01")]

"""XLSX exports, opened with openpyxl as a spreadsheet would open them: typed cells, number
formats, a frozen header, totals as formulas over the data."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from metrics.export_xlsx import money_number_format, xlsx_bytes
from metrics.tables import Column, Table

D = Decimal

COLUMNS = [
    Column("due", "Due", "date"),
    Column("customer", "Customer"),
    Column("days", "Days late", "int", total=True),
    Column("share", "On time", "percent"),
    Column("amount", "Open", "money", total=True),
]
ROWS: list[list[object]] = [
    [date(2027, 3, 1), "Riverside Bakery", 30, D("87.5"), D("1234.50")],
    [date(2027, 2, 14), '=HYPERLINK("http://evil.test","x")', 45, None, D("-20.00")],
    [None, "Harbour Cafe", 2, D("100"), D("0.25")],
]


def _sheet(table: Table) -> Worksheet:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(table)))
    assert workbook.sheetnames == ["Report", "About"]
    return workbook["Report"]


def _table(rows: list[list[object]], currency: str = "GBP") -> Table:
    return Table(
        title="Aging detail",
        columns=COLUMNS,
        rows=iter(rows),
        currency=currency,
        filters={"As of": "2027-03-31", "Customer": "All"},
        subtitle="Open invoices by days past due.",
    )


def test_cells_are_typed_and_formatted() -> None:
    sheet = _sheet(_table(ROWS))
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Due", "Customer", "Days late", "On time", "Open"]
    assert values[1][0] == datetime(2027, 3, 1)  # a real date, not text
    assert values[1][2] == 30
    assert D(str(values[1][3])) == D("0.875")  # 87.5 % as the fraction a spreadsheet keeps
    assert D(str(values[1][4])) == D("1234.50")
    assert D(str(values[2][4])) == D("-20.00")
    first = sheet[2]
    assert first[0].number_format == "yyyy-mm-dd"
    assert first[3].number_format == "0.0%"
    assert first[4].number_format == '"£"#,##0.00;-"£"#,##0.00'


def test_text_that_looks_like_a_formula_stays_text() -> None:
    sheet = _sheet(_table(ROWS))
    cell = sheet["B3"]
    assert cell.value == '=HYPERLINK("http://evil.test","x")'
    assert cell.data_type == "s"


def test_header_frozen_and_filterable_totals_are_sum_formulas() -> None:
    sheet = _sheet(_table(ROWS))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    total_row = [cell.value for cell in sheet[5]]
    assert total_row == ["Total", None, "=SUM(C2:C4)", None, "=SUM(E2:E4)"]
    assert sheet["E5"].number_format == '"£"#,##0.00;-"£"#,##0.00'
    assert sheet["E5"].font.bold
    # What the formulas come to when the spreadsheet opens: 30 + 45 + 2 = 77 days and
    # 1234.50 - 20.00 + 0.25 = 1214.75.
    assert sum(int(str(sheet.cell(row=r, column=3).value)) for r in range(2, 5)) == 77
    assert sum(D(str(sheet.cell(row=r, column=5).value)) for r in range(2, 5)) == D("1214.75")


def test_columns_are_sized_to_what_they_hold() -> None:
    sheet = _sheet(_table(ROWS))
    # The formula text is the longest customer cell (34 characters), plus 2 of margin.
    assert sheet.column_dimensions["B"].width == 36
    # "Due" is short but a date needs room: 10 characters + 2.
    assert sheet.column_dimensions["A"].width == 12


def test_an_empty_report_still_has_a_header_and_a_zero_total() -> None:
    sheet = _sheet(_table([]))
    assert [cell.value for cell in sheet[1]] == ["Due", "Customer", "Days late", "On time", "Open"]
    assert [cell.value for cell in sheet[2]] == ["Total", None, 0, None, 0]


def test_the_about_sheet_says_what_the_report_is() -> None:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(_table(ROWS))))
    about = [[c.value for c in row if c.value is not None] for row in workbook["About"].iter_rows()]
    assert about[0] == ["Aging detail"]
    assert about[1] == ["Open invoices by days past due."]
    assert ["As of", "2027-03-31"] in about
    assert ["Customer", "All"] in about
    assert ["Currency", "GBP"] in about
    assert workbook.properties.title == "Aging detail"


def test_money_formats_follow_the_currency() -> None:
    assert money_number_format("USD") == '"$"#,##0.00;-"$"#,##0.00'
    assert money_number_format("JPY") == '"¥"#,##0;-"¥"#,##0'
    assert money_number_format("KWD") == '"KWD "#,##0.000;-"KWD "#,##0.000'

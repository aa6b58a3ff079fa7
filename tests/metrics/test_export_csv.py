"""CSV exports, read back with Python's csv module as an accountant's script would."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from metrics.export_csv import csv_response, csv_stream
from metrics.tables import Column, Table

D = Decimal

COLUMNS = [
    Column("number", "Invoice"),
    Column("customer", "Customer"),
    Column("due", "Due", "date"),
    Column("days", "Days late", "int", total=True),
    Column("qty", "Hours", "decimal", total=True),
    Column("share", "On time", "percent"),
    Column("amount", "Open", "money", total=True),
]


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _table(rows: object, currency: str = "USD") -> Table:
    return Table(
        title="Aging detail",
        columns=COLUMNS,
        rows=rows,  # type: ignore[arg-type]
        currency=currency,
        filters={"As of": "2027-03-31"},
    )


def test_header_plain_decimals_iso_dates_and_a_totals_row() -> None:
    rows = [
        ["INV-1", "Riverside Bakery", date(2027, 3, 1), 30, D("1.5"), D("87.5"), D("1234.5")],
        ["INV-2", "Café Ünïcode, Ltd", date(2027, 2, 14), 45, D("2.25"), None, D("-20")],
        ["INV-3", "Harbour", None, None, None, D("100.0"), D("0.005")],
    ]
    text = "".join(csv_stream(_table(rows)))
    assert _read(text) == [
        ["Invoice", "Customer", "Due", "Days late", "Hours", "On time", "Open"],
        ["INV-1", "Riverside Bakery", "2027-03-01", "30", "1.5", "87.5", "1234.50"],
        ["INV-2", "Café Ünïcode, Ltd", "2027-02-14", "45", "2.25", "", "-20.00"],
        ["INV-3", "Harbour", "", "", "", "100.0", "0.01"],  # a figure keeps its place
        # 30 + 45 = 75 days; 1.5 + 2.25 = 3.75 hours;
        # 1234.50 - 20.00 + 0.005 = 1214.505, rounded half-up to the cent: 1214.51.
        ["Total", "", "", "75", "3.75", "", "1214.51"],
    ]
    # UTF-8 with CRLF line ends, and no thousands separators anywhere.
    assert text.encode("utf-8").count(b"\r\n") == 5
    assert "1,234" not in text


def test_money_follows_the_currencys_minor_unit() -> None:
    rows = [
        ["A", "x", None, None, None, None, D("1250")],
        ["B", "y", None, None, None, None, D("0.4")],
    ]
    jpy = _read("".join(csv_stream(_table(rows, "JPY"))))
    kwd = _read("".join(csv_stream(_table([rows[0]], "KWD"))))
    # JPY: 1250 and 0.4 -> 0; the total 1250.4 -> 1250. KWD has three places.
    assert [r[-1] for r in jpy] == ["Open", "1250", "0", "1250"]
    assert [r[-1] for r in kwd] == ["Open", "1250.000", "1250.000"]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused() -> None:
    rows = [
        ['=HYPERLINK("http://x")', "+44 20", None, None, None, None, D("-5")],
        ["@SUM(A1)", "-minus", None, None, None, None, D("5")],
    ]
    read = _read("".join(csv_stream(_table(rows))))
    assert read[1][:2] == ['\'=HYPERLINK("http://x")', "'+44 20"]
    assert read[2][:2] == ["'@SUM(A1)", "'-minus"]
    # Numbers are never text, so a negative amount stays a number.
    assert read[1][-1] == "-5.00"


def test_a_table_without_totals_has_no_totals_row() -> None:
    table = Table("Plain", [Column("a", "A"), Column("b", "B", "money")], [["x", D(1)]], "USD")
    assert _read("".join(csv_stream(table))) == [["A", "B"], ["x", "1.00"]]


def test_rows_stream_one_at_a_time() -> None:
    """The header is out before any row is read, and each row before the next is read: a
    generator over a cursor is never gathered into a list."""
    pulled: list[int] = []

    def rows() -> Iterator[list[object]]:
        for n in range(3):
            pulled.append(n)
            yield [f"INV-{n}", "c", None, n, None, None, D(n)]

    stream = csv_stream(_table(rows()))
    assert next(stream).startswith("Invoice,") and pulled == []
    assert next(stream).startswith("INV-0,") and pulled == [0]
    assert next(stream).startswith("INV-1,") and pulled == [0, 1]
    # Days 0 + 1 + 2 = 3, amounts 3.00; no hours at all add up to 0.
    assert list(stream)[-1] == "Total,,,3,0,,3.00\r\n"


def test_a_float_never_reaches_the_file() -> None:
    rows = [["A", "x", None, None, None, None, 0.1]]
    with pytest.raises(TypeError, match="column amount got a float"):
        "".join(csv_stream(_table(rows)))


def test_the_response_streams_an_attachment() -> None:
    rows = [["INV-1", "Riverside", date(2027, 3, 1), 3, D(1), None, D("10")]]
    response = csv_response(_table(rows), "aging-2027-03-31.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aging-2027-03-31.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert _read(body)[-1] == ["Total", "", "", "3", "1", "", "10.00"]

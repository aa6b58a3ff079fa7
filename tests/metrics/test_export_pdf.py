"""PDF reports, read back with pdftotext and pdfinfo (poppler-utils) the way a reader sees
them: the brand and title, what the report was drawn with, the figures and the total, page
numbers, and charts drawn in."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from metrics import export_pdf
from metrics.export_pdf import PdfTooLarge, pdf_bytes
from metrics.tables import Column, Table
from tests.conftest import Tenant
from tests.invoicing.pdf_helpers import needs_poppler, pdf_page_size, pdf_pages, pdf_words

pytestmark = [needs_poppler, pytest.mark.django_db]

D = Decimal
MINUS = "\u2212"

COLUMNS = [
    Column("number", "Invoice"),
    Column("customer", "Customer"),
    Column("due", "Due", "date"),
    Column("days", "Days late", "int", total=True),
    Column("amount", "Open", "money", total=True),
]
CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 300 120" '
    'aria-labelledby="t"><title id="t">Aging buckets</title>'
    '<rect x="10" y="20" width="120" height="60" fill="currentColor"/>'
    '<text x="10" y="110" font-size="14">Current 1,234.50</text></svg>'
)


def _table(rows: list[list[object]], columns: list[Column] = COLUMNS) -> Table:
    return Table(
        title="Aging detail",
        columns=columns,
        rows=iter(rows),
        currency="GBP",
        filters={"As of": "2027-03-31", "Customer": "All customers"},
        subtitle="Open invoices by days past due.",
    )


def test_title_filters_figures_and_total(tenant: Tenant) -> None:
    tenant.org.brand_color = "#0f766e"
    tenant.org.save()
    rows = [
        ["INV-1", "Riverside Bakery", date(2027, 3, 1), 30, D("1234.50")],
        ["INV-2", "<b>Harbour</b> & Co", date(2027, 2, 14), 45, D("-20.00")],
    ]
    pdf = pdf_bytes(_table(rows), org=tenant.org)
    words = pdf_words(pdf)
    assert "Acme Plumbing" in words  # the organization's masthead
    assert "Aging detail" in words.title() or "AGING DETAIL" in words
    assert "As of: 2027-03-31" in words
    assert "Customer All customers" in words and "Currency GBP" in words
    assert "Open invoices by days past due." in words
    # Dates in the organization's locale (en-US), money with grouping and a real minus sign.
    assert "INV-1 Riverside Bakery Mar 1, 2027 30 1,234.50" in words
    assert f"INV-2 <b>Harbour</b> & Co Feb 14, 2027 45 {MINUS}20.00" in words
    # 30 + 45 = 75 days; 1,234.50 - 20.00 = 1,214.50.
    assert "Total 75 1,214.50" in words
    assert "Page 1 of 1" in words


def test_long_reports_run_over_pages_with_numbers_and_one_total(tenant: Tenant) -> None:
    rows: list[list[object]] = [
        [f"INV-{n:04d}", f"Customer {n}", date(2027, 1, 1), n, D("10.00")] for n in range(1, 181)
    ]
    pdf = pdf_bytes(_table(rows), org=tenant.org)
    pages = pdf_pages(pdf)
    assert pages >= 3
    words = pdf_words(pdf)
    assert f"Page 2 of {pages}" in words and f"Page {pages} of {pages}" in words
    # 1 + 2 + ... + 180 = 180 x 181 / 2 = 16,290 days; 180 x 10.00 = 1,800.00.
    assert "Total 16,290 1,800.00" in words
    # The total is printed once, at the end, not at the foot of every page.
    assert len(re.findall(r"Total 16,290", words.split("\n")[0])) == 1


def test_wide_reports_turn_to_landscape(tenant: Tenant) -> None:
    wide = [*COLUMNS, *(Column(f"m{i}", f"Month {i}", "money", total=True) for i in range(4))]
    pdf = pdf_bytes(
        _table([["INV-1", "R", None, 1, D(1), D(2), D(3), D(4), D(5)]], wide), org=tenant.org
    )
    width, height = pdf_page_size(pdf)
    assert width > height
    narrow = pdf_bytes(_table([["INV-1", "R", None, 1, D(1)]]), org=tenant.org)
    width, height = pdf_page_size(narrow)
    assert width < height


def test_charts_are_drawn_in(tenant: Tenant) -> None:
    pdf = pdf_bytes(_table([["INV-1", "R", None, 1, D(1)]]), org=tenant.org, charts=[CHART])
    assert "Current 1,234.50" in pdf_words(pdf)


def test_an_empty_report_says_so(tenant: Tenant) -> None:
    words = pdf_words(pdf_bytes(_table([]), org=tenant.org))
    assert "Nothing to show for these filters." in words


def test_too_many_rows_for_a_pdf_is_refused_with_what_to_do(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_pdf, "MAX_ROWS", 3)
    rows: list[list[object]] = [[f"INV-{n}", "R", None, 1, D(1)] for n in range(4)]
    with pytest.raises(
        PdfTooLarge, match="more than 3 rows, too many for a PDF; download it as CSV or XLSX"
    ):
        pdf_bytes(_table(rows), org=tenant.org)
    # Exactly the limit is fine.
    assert pdf_bytes(_table(rows[:3]), org=tenant.org).startswith(b"%PDF")


def test_figures_keep_their_place_and_counts_name_no_currency(tenant: Tenant) -> None:
    columns = [Column("figure", "Figure"), Column("value", "Value", "decimal")]
    rows = [["DSO", D("36.0")], ["Days to pay", D("1234.5")], ["Disputes", D(2)]]
    words = pdf_words(pdf_bytes(_table(rows, columns), org=tenant.org))
    assert "DSO 36.0" in words and "Days to pay 1,234.5" in words and "Disputes 2" in words
    assert "Currency" not in words

"""The aging, DSO and CEI pages and their downloads, on the hand-worked ledger of
tests/metrics/ledger.py ("today" 15 April 2027, USD):

aging on 15 Apr: Current 250 (D); 1-30 215 (C); 31-60 500 + 120 + 100 = 720 (B, I, K);
61-90 400 (A); total 1585, overdue 1335. Alpha: A 400 + B 500 + K 100 = 1000; Gamma: C 215 +
D 250 + I 120 = 585. On 31 Mar: 1200. DSO and CEI as worked in test_dso.py and test_cei.py.
"""

from __future__ import annotations

import csv
import io
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from arhub.roles import Role
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db
AGING = reverse("report_aging")


def page(tenant: Tenant, url: str, role: str = Role.OWNER) -> str:
    response = tenant.client(role).get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def download(tenant: Tenant, url: str, role: str = Role.ACCOUNTANT) -> bytes:
    response = tenant.client(role).get(url)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# ---- aging


def test_the_aging_page_shows_the_totals_buckets_and_customers(
    tenant: Tenant, ledger: Ledger
) -> None:
    html = page(tenant, AGING)
    assert "$1,585.00" in html and "$1,335.00" in html
    assert "$720.00" in html  # the 31-60 bucket
    # Largest total first: Alpha 1000, then Gamma 585.
    assert html.index("Alpha Ltd") < html.index("Gamma Inc")
    assert "$1,000.00" in html and "$585.00" in html
    assert "Beta GmbH" not in html  # its only invoice is in EUR


def test_the_aging_chart_is_an_svg_image_in_the_page(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING)
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    desc = root.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and "31\u201360: $720.00" in (desc.text or "")


def test_aging_as_of_a_past_day(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?as_of=2027-03-31")
    assert "$1,200.00" in html and "$1,585.00" not in html


def test_aging_in_another_currency(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?currency=EUR")
    assert "Beta GmbH" in html and "€700.00" in html and "Alpha Ltd" not in html


def test_aging_by_invoice(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?view=detail")
    for name in "ABCDIK":
        assert ledger.invoices[name].number in html
    assert ledger.invoices["L"].number not in html  # paid in full


def test_own_bucket_edges(tenant: Tenant, ledger: Ledger) -> None:
    # Edges 45: Current 250; 1-45: C 215 (15 days) + B, I, K (43 days) 720 = 935; 45+: A 400.
    html = page(tenant, AGING + "?edges=45")
    assert "1\u201345" in html and "$935.00" in html and "$400.00" in html


def test_another_organizations_invoices_never_show(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger
) -> None:
    stranger = CustomerFactory(organization=other_tenant.org, display_name="Zenith Secret Co")
    invoice_make(other_tenant.org, customer=stranger, currency="USD")
    html = page(tenant, AGING)
    assert "Zenith Secret Co" not in html and "$1,585.00" in html


# ---- who may download


def test_a_viewer_reads_the_report_but_gets_no_export_links(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING, Role.VIEWER)
    assert "$1,585.00" in html
    assert "format=" not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "nonsense"])
def test_a_viewer_is_refused_every_download(tenant: Tenant, ledger: Ledger, fmt: str) -> None:
    response = tenant.client(Role.VIEWER).get(AGING + f"?format={fmt}")
    assert response.status_code == 403


def test_an_accountant_gets_the_export_links(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?as_of=2027-03-31", Role.ACCOUNTANT)
    for fmt in ("csv", "xlsx", "pdf"):
        # The links keep the page's choices.
        assert f"?as_of=2027-03-31&amp;format={fmt}" in html


def test_aging_summary_as_csv(tenant: Tenant, ledger: Ledger) -> None:
    rows = csv_rows(download(tenant, AGING + "?format=csv"))
    header = rows[0]
    assert header[:6] == ["Customer", "Current", "1\u201330", "31\u201360", "61\u201390", "90+"]
    by_name = {row[0]: row for row in rows[1:]}
    # Alpha: B 500 + K 100 in 31-60, A 400 in 61-90.
    assert by_name["Alpha Ltd"][1:7] == ["0.00", "0.00", "600.00", "400.00", "0.00", "1000.00"]
    assert by_name["Total"][1:7] == ["250.00", "215.00", "720.00", "400.00", "0.00", "1585.00"]


def test_aging_detail_as_xlsx(tenant: Tenant, ledger: Ledger) -> None:
    body = download(tenant, AGING + "?view=detail&format=xlsx")
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    amounts = header.index("Open amount")
    numbers = {row[1]: row[amounts] for row in values[1:] if row[0] and row[0] != "Total"}
    # Six invoices with something open; C owes 300 - 100 credit + 15 fee = 215.
    assert len(numbers) == 6
    assert float(numbers[ledger.invoices["C"].number]) == 215.0


def test_aging_as_pdf_carries_the_chart(tenant: Tenant, ledger: Ledger) -> None:
    response = tenant.client(Role.ACCOUNTANT).get(AGING + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="' in response["Content-Disposition"]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Receivables by days past due" in text  # the chart's printed title
    assert "1,585.00" in text


def test_an_unknown_format_is_a_400_naming_it(tenant: Tenant, ledger: Ledger) -> None:
    response = tenant.client(Role.ACCOUNTANT).get(AGING + "?format=docx")
    assert response.status_code == 400
    assert response.content.decode().startswith("format: unknown format “docx”")


# ---- bad input


def test_a_future_as_of_is_an_error_on_its_field(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?as_of=2027-04-16")
    assert "As of: 2027-04-16 is in the future (today is 2027-04-15)." in html
    assert 'href="#id_as_of"' in html  # the summary links to the field
    assert "$1,585.00" not in html  # no figures for a bad form
    response = tenant.client(Role.ACCOUNTANT).get(AGING + "?as_of=2027-04-16&format=csv")
    assert response.status_code == 400
    assert (
        response.content.decode() == "as_of: 2027-04-16 is in the future (today is 2027-04-15).\n"
    )


def test_overlapping_edges_are_an_error_on_their_field(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?edges=60,30")
    assert "Bucket edges (days past due): Edges must increase" in html
    response = tenant.client(Role.ACCOUNTANT).get(AGING + "?edges=30,x&format=xlsx")
    assert response.status_code == 400
    assert response.content.decode().startswith("edges: “x” is not a whole number of days.")


def test_a_date_that_is_not_a_date(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?as_of=31/03/2027")
    assert "As of: Enter a valid date." in html


def test_a_currency_the_org_never_invoiced_in(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, AGING + "?currency=JPY")
    assert "Currency: Select a valid choice." in html


# ---- DSO


def test_the_dso_page_names_both_methods_with_their_figures(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, reverse("report_dso"))
    # 1585 / 1665 x 90 = 85.7; count-back 15 + 31 + 28 x 820 / 900 = 71.5; best 250 / 1665 x 90.
    assert "Simple method" in html and "85.7 days" in html
    assert "Count-back method" in html and "71.5 days" in html
    assert "Best possible DSO" in html and "13.5 days" in html
    assert (
        "receivables on the day \u00f7 credit sales of the period \u00d7 days in the period" in html
    )
    assert html.count("<svg") == 1


def test_dso_as_csv_has_a_row_per_month_end(tenant: Tenant, ledger: Ledger) -> None:
    rows = csv_rows(download(tenant, reverse("report_dso") + "?format=csv"))
    assert rows[0][:3] == ["Month end", "DSO, simple (90-day period)", "DSO, count-back"]
    data = rows[1:]
    assert len(data) == 12
    assert data[-1][:5] == ["2027-04-15", "85.7", "71.5", "1585.00", "1665.00"]
    # 31 Mar: 1200 / (Jan-Mar sales 3000) x 90 = 36.0.
    assert data[-2][:2] == ["2027-03-31", "36.0"]  # to the place it was rounded to


def test_a_period_too_short_for_dso(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, reverse("report_dso") + "?period_days=3")
    assert (
        "Period for the simple method (days): Ensure this value is greater than or equal to 7."
        in html
    )


# ---- CEI


def test_the_cei_page_for_a_chosen_month(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, reverse("report_cei") + "?start=2027-03-01&end=2027-03-31")
    # (2400 + 300 - 1200) / (2400 + 300 - 200) x 100 = 60.0.
    assert "60.0%" in html
    assert html.count("<svg") == 2  # by quarter and by month


def test_a_period_that_ends_before_it_starts(tenant: Tenant, ledger: Ledger) -> None:
    url = reverse("report_cei") + "?start=2027-04-10&end=2027-04-01"
    html = page(tenant, url)
    assert "To: the period ends (2027-04-01) before it starts (2027-04-10)." in html
    response = tenant.client(Role.ACCOUNTANT).get(url + "&format=pdf")
    assert response.status_code == 400
    assert response.content.decode().startswith("end: the period ends (2027-04-01)")


def test_a_period_ending_in_the_future(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, reverse("report_cei") + "?start=2027-04-01&end=2027-05-01")
    assert "To: 2027-05-01 is in the future (today is 2027-04-15)." in html


def test_cei_as_csv(tenant: Tenant, ledger: Ledger) -> None:
    url = reverse("report_cei") + "?start=2027-03-01&end=2027-03-31&format=csv"
    rows = csv_rows(download(tenant, url))
    by_period = {row[0]: row for row in rows[1:]}
    assert by_period["Chosen period"][3] == "60.0"  # to the place it was rounded to
    # Q1 2027: beginning 0, sales 3000, ending 1200 of which current 200 ->
    # (0 + 3000 - 1200) / (0 + 3000 - 200) x 100 = 64.3.
    assert by_period["Q1 2027"][3] == "64.3"


# ---- the index


def test_the_index_links_every_report(tenant: Tenant) -> None:
    html = page(tenant, reverse("reports"), Role.VIEWER)
    for name in ("report_aging", "report_dso", "report_cei"):
        assert f'href="{reverse(name)}"' in html
    assert "downloads are for" in html

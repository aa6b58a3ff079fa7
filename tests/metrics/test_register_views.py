"""The period report pages, the QuickBooks/Xero files and the customer statements, on the ledger
of tests/metrics/ledger.py ("today" 15 April 2027; the invoices and events are listed there)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from arhub.roles import Role
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db
MARCH = "?start=2027-03-01&end=2027-03-31"
APRIL = "?start=2027-04-01&end=2027-04-15"


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_register_shows_the_invoices_issued_in_the_period(
    tenant: Tenant, ledger: Ledger
) -> None:
    html = tenant.client().get(reverse("report_register") + MARCH).content.decode()
    # Issued in March: only C (1 March). B was issued in February, D in April.
    assert ledger.invoices["C"].number in html
    assert ledger.invoices["B"].number not in html and ledger.invoices["D"].number not in html
    assert "format=csv" in html


def test_payments_received_as_csv(tenant: Tenant, ledger: Ledger) -> None:
    response = tenant.client(Role.ACCOUNTANT).get(
        reverse("report_payments") + APRIL + "&format=csv"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    # Received in April: only L's 196.00, on 5 April.
    text = "\n".join(",".join(row) for row in rows[1:])
    assert "196.00" in text and ledger.invoices["L"].number in text
    assert ledger.invoices["A"].number not in text  # A's 600.00 came in March


@pytest.mark.parametrize(
    "name", ["report_register", "report_payments", "report_credit_notes", "report_adjustments"]
)
def test_a_viewer_reads_every_period_report_but_downloads_none(
    tenant: Tenant, ledger: Ledger, name: str
) -> None:
    client = tenant.client(Role.VIEWER)
    page = client.get(reverse(name) + MARCH)
    assert page.status_code == 200 and "format=" not in page.content.decode()
    assert client.get(reverse(name) + MARCH + "&format=xlsx").status_code == 403


def test_a_period_report_with_a_bad_period(tenant: Tenant, ledger: Ledger) -> None:
    url = reverse("report_credit_notes") + "?start=2027-03-31&end=2027-03-01"
    assert (
        "To: the period ends (2027-03-01) before it starts"
        in tenant.client().get(url).content.decode()
    )
    response = tenant.client(Role.ACCOUNTANT).get(url + "&format=csv")
    assert response.status_code == 400 and response.content.decode().startswith("end: ")


# ---- QuickBooks and Xero


def test_the_import_files_for_the_accountant(tenant: Tenant, ledger: Ledger) -> None:
    client = tenant.client(Role.ACCOUNTANT)
    page = client.get(reverse("report_accounting") + MARCH).content.decode()
    assert "file=xero-invoices&amp;format=csv" in page
    response = client.get(reverse("report_accounting") + MARCH + "&file=xero-invoices&format=csv")
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert header[0] == "*ContactName"


def test_import_files_are_csv_only_and_named(tenant: Tenant, ledger: Ledger) -> None:
    client = tenant.client(Role.ACCOUNTANT)
    url = reverse("report_accounting") + MARCH
    xlsx = client.get(url + "&file=xero-invoices&format=xlsx")
    assert xlsx.status_code == 400 and xlsx.content.decode().startswith("format: unknown format")
    unknown = client.get(url + "&file=sage&format=csv")
    assert unknown.status_code == 400 and unknown.content.decode().startswith("file: ")
    assert tenant.client(Role.VIEWER).get(url + "&file=xero-invoices&format=csv").status_code == 403


# ---- statements


def test_the_statements_page_lists_who_owes(tenant: Tenant, ledger: Ledger) -> None:
    html = tenant.client(Role.ACCOUNTANT).get(reverse("report_statements")).content.decode()
    # Alpha (A, B, K), Gamma (C, D, I) and Beta (H, in EUR) owe something.
    for customer in (ledger.alpha, ledger.gamma, ledger.beta):
        assert f"?customer={customer.pk}" in html
    assert "All 3 statements as a zip" in html


def test_one_statement_and_all_of_them(tenant: Tenant, ledger: Ledger) -> None:
    client = tenant.client(Role.ACCOUNTANT)
    one = client.get(reverse("report_statements") + f"?customer={ledger.alpha.pk}")
    assert one.status_code == 200 and one.content.startswith(b"%PDF")
    assert "statement-Alpha-Ltd-2027-04-15.pdf" in one["Content-Disposition"]
    every = client.get(reverse("report_statements") + "?all=1")
    assert every["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(body(every))).namelist()
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)


def test_another_organizations_customer_is_a_404(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger
) -> None:
    theirs = CustomerFactory(organization=other_tenant.org)
    client = tenant.client(Role.ACCOUNTANT)
    assert client.get(reverse("report_statements") + f"?customer={theirs.pk}").status_code == 404
    assert client.get(reverse("report_statements") + "?customer=abc").status_code == 404


def test_a_viewer_sees_the_list_but_downloads_nothing(tenant: Tenant, ledger: Ledger) -> None:
    client = tenant.client(Role.VIEWER)
    html = client.get(reverse("report_statements")).content.decode()
    assert "Alpha Ltd" in html and "?customer=" not in html and "?all=1" not in html
    assert client.get(reverse("report_statements") + "?all=1").status_code == 403
    assert (
        client.get(reverse("report_statements") + f"?customer={ledger.alpha.pk}").status_code == 403
    )

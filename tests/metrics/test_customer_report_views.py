"""One customer's page, /reports/customers/<id>/, on the hand-worked ledger of
tests/metrics/ledger.py ("today" 15 April 2027): Gamma owes C 215 (1-30, due 31 Mar), D 250
(Current, due 10 May) and I 120 (31-60, due 3 Mar): 585, of which 335 past due. On 31 March
Gamma owed only C's 200 (the fee came on 1 April, I's refund on 5 April), not yet due.
Gamma's one paid invoice is L, paid on 5 April, 4 days after issue, 26 before its due date.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from arhub.roles import Role
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.metrics.ledger import Ledger
from tests.metrics.test_report_views import csv_rows, download, page

pytestmark = pytest.mark.django_db


def url(ledger: Ledger, name: str = "gamma") -> str:
    return reverse("report_customer", args=[getattr(ledger, name).pk])


def test_what_the_customer_owes_by_bucket_and_invoice(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, url(ledger), Role.VIEWER)
    assert "<h1>Gamma Inc</h1>" in html
    assert "$585.00" in html and "$335.00" in html
    numbers = [ledger.invoices[name].number for name in ("I", "C", "D")]
    spots = [html.index(f">{number}</a>") for number in numbers]
    assert spots == sorted(spots)  # oldest due first
    assert ledger.invoices["A"].number not in html  # Alpha's
    assert "4.0" in html  # days to pay, over L
    assert "100.0%" in html  # L was paid on time
    assert "Download" not in html  # a viewer gets no download links


def test_as_of_a_past_day(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, url(ledger) + "?as_of=2027-03-31")
    assert "Owed on 31 Mar 2027" in html and "$200.00" in html
    assert ledger.invoices["D"].number not in html  # issued 10 April


def test_in_the_customer_own_currency(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, url(ledger, "beta"))
    assert "€700.00" in html and ledger.invoices["H"].number in html


def test_the_download_is_the_customer_aging_detail(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, url(ledger), Role.ACCOUNTANT)
    assert "Download these invoices" in html
    response = tenant.client(Role.ACCOUNTANT).get(url(ledger) + "?format=csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{tenant.org.slug}-aging-gamma-inc-2027-04-15-usd.csv"'
    )
    rows = csv_rows(download(tenant, url(ledger) + "?format=csv"))
    assert [row[1] for row in rows[1:-1]] == [ledger.invoices[n].number for n in ("I", "C", "D")]
    assert rows[-1][-1] == "585.00"
    assert tenant.client(Role.VIEWER).get(url(ledger) + "?format=csv").status_code == 403


def test_bad_input_is_an_error_on_its_field(tenant: Tenant, ledger: Ledger) -> None:
    html = page(tenant, url(ledger) + "?as_of=2027-04-16")
    assert "The report cannot be drawn with these values" in html
    assert "2027-04-16 is in the future" in html


def test_another_organization_customer_is_a_404(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger
) -> None:
    theirs = CustomerFactory(organization=other_tenant.org)
    response = tenant.client().get(reverse("report_customer", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_reports_link_to_the_customer_page(tenant: Tenant, ledger: Ledger) -> None:
    aging = page(tenant, reverse("report_aging") + "?edges=15,45")
    assert f'href="{url(ledger)}?' in aging and "edges=15%2C45" in aging
    customers = page(tenant, reverse("report_customers"))
    assert f'href="{url(ledger)}"' in customers  # nothing to carry over: no bare "?"
    past = page(tenant, reverse("report_customers") + "?as_of=2027-03-31")
    assert f'href="{url(ledger)}?as_of=2027-03-31"' in past


def test_the_customer_record_links_here(tenant: Tenant, ledger: Ledger) -> None:
    record = page(tenant, reverse("customer_detail", args=[ledger.gamma.pk]))
    assert f'href="{url(ledger)}"' in record


def test_a_customer_in_a_currency_not_yet_invoiced(tenant: Tenant, ledger: Ledger) -> None:
    newcomer = CustomerFactory(organization=tenant.org, display_name="Zurich AG", currency="CHF")
    html = page(tenant, reverse("report_customer", args=[newcomer.pk]))
    assert "The report cannot be drawn" not in html
    assert "Zurich AG owed nothing in CHF on 15 April 2027." in html

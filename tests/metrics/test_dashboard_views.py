"""The dashboard, on the hand-worked ledger of tests/metrics/ledger.py ("today" 15 April 2027,
USD): receivables 1585, overdue 1335, DSO 85.7 days (31 Mar: 36.0, so up 49.7), CEI March
60.0% and April so far 5.7%.

Collected in April: L's 196.00 received on 5 April, less I's 120.00 refunded on 5 April = 76.00.
Most overdue: Alpha 1000 (all of it), Gamma 335 (585 less D's 250 not yet due).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from arhub.models import NoticeKind
from arhub.roles import Role
from arhub.services.notices import notice_create
from disputes.models import Dispute, DisputeKind, DisputeReason, DisputeStatus
from payments.models import PaymentPlan, PlanOrigin, PlanStatus, PromiseStatus
from tests.conftest import Tenant
from tests.metrics.ledger import NOW, Ledger, at
from tests.metrics.ledger_factories import promise_row

# Until arhub/urls.py routes "dashboard" to metrics, these tests route it themselves.
pytestmark = pytest.mark.django_db


def dashboard(tenant: Tenant, query: str = "", role: str = Role.OWNER) -> str:
    response = tenant.client(role).get(reverse("dashboard") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_an_org_with_no_invoices_sees_how_to_start_not_zeros(tenant: Tenant) -> None:
    html = dashboard(tenant)
    assert "Your numbers start with your first invoice" in html
    assert "Getting started" in html
    assert "$0.00" not in html and "<svg" not in html


def test_the_tiles(tenant: Tenant, ledger: Ledger) -> None:
    html = dashboard(tenant)
    assert "$1,585.00" in html and "$1,335.00" in html
    assert "85.7 days" in html
    assert "up since last month end (slower)" in html and "49.7" in html
    assert "$76.00" in html  # collected this month
    assert "CEI, March" in html and "60.0%" in html and "April so far: 5.7%" in html


def test_both_charts_are_labelled_svg(tenant: Tenant, ledger: Ledger) -> None:
    html = dashboard(tenant)
    titles = []
    rest = html
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>") + len("</svg>")
        root = ET.fromstring(rest[start:end])
        assert root.get("role") == "img"
        titles.append(root.findtext("{http://www.w3.org/2000/svg}title"))
        rest = rest[end:]
    assert titles == [
        "Receivables by days past due, 15 Apr 2027",
        "DSO, simple method (90-day period), at each month end",
    ]


def test_the_most_overdue_customers_come_first(tenant: Tenant, ledger: Ledger) -> None:
    html = dashboard(tenant)
    section = html[html.index("Most overdue customers") :]
    assert section.index("Alpha Ltd") < section.index("Gamma Inc")
    assert "$335.00" in section


def test_another_currency(tenant: Tenant, ledger: Ledger) -> None:
    html = dashboard(tenant, "?currency=EUR")
    # Only H, 700 EUR, due 3 March: 43 days overdue.
    assert "in EUR" in html and "€700.00" in html and "$1,585.00" not in html
    # An unknown currency falls back to the default rather than failing the page.
    assert "$1,585.00" in dashboard(tenant, "?currency=XYZ")


def test_what_waits_on_the_owner(tenant: Tenant, ledger: Ledger) -> None:
    org, c = ledger.org, ledger.invoices["C"]
    with at(NOW):
        Dispute.objects.create(
            organization=org,
            invoice=c,
            customer=c.customer,
            kind=DisputeKind.CUSTOMER,
            reason=DisputeReason.WRONG_AMOUNT,
            status=DisputeStatus.OPEN,
            currency="USD",
            awaiting_owner_since=datetime(2027, 4, 12, 15, tzinfo=UTC),
        )
        PaymentPlan.objects.create(
            organization=org,
            customer=ledger.alpha,
            currency="USD",
            total=Decimal("1000.00"),
            status=PlanStatus.PROPOSED,
            origin=PlanOrigin.CUSTOMER,
        )
        promise_row(
            org,
            ledger.invoices["K"],
            status=PromiseStatus.BROKEN,
            at=datetime(2027, 4, 10, tzinfo=UTC),
        )
        # Broken more than 30 days ago: no longer news.
        promise_row(
            org,
            ledger.invoices["A"],
            status=PromiseStatus.BROKEN,
            at=datetime(2027, 3, 1, tzinfo=UTC),
        )
    html = dashboard(tenant)
    waiting = html[html.index("Waiting for your answer") : html.index("Broken promises")]
    assert f"Dispute on {c.number}" in waiting and "Payment plan request" in waiting
    broken = html[html.index("Broken promises") :]
    assert ledger.invoices["K"].number in broken
    assert ledger.invoices["A"].number not in broken


def test_the_notices_section_is_kept(tenant: Tenant, ledger: Ledger) -> None:
    notice_create(
        org=tenant.org,
        kind=NoticeKind.DISPUTE_OPENED,
        summary="Dana Reyes disputes INV-0042",
        path="/disputes/7/",
    )
    html = dashboard(tenant)
    assert "Waiting on you" in html and 'href="/disputes/7/"' in html
    assert f'action="{reverse("notices_read")}"' in html


def test_a_viewer_sees_the_dashboard(tenant: Tenant, ledger: Ledger) -> None:
    assert "$1,585.00" in dashboard(tenant, role=Role.VIEWER)

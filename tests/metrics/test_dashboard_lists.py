"""The dashboard's figures and short lists that are not aging, DSO or CEI, on the ledger of
tests/metrics/ledger.py (New York, USD; "today" 15 April 2027)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.dashboard_lists import (
    collected_between,
    currencies_in_use,
    issued_invoices_exist,
    plan_requests_waiting,
)
from payments.models import PaymentPlan, PlanOrigin, PlanStatus
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.ledger import Ledger

D = Decimal
pytestmark = pytest.mark.django_db


def test_collected_is_money_received_less_refunds(ledger: Ledger) -> None:
    org = ledger.org
    # April: L's 196.00 on 04-05, less the 120.00 refunded on I's payment on 04-05 = 76.00.
    assert collected_between(
        org=org, start=date(2027, 4, 1), end=date(2027, 4, 15), currency="USD"
    ) == D("76.00")
    # March: A's 600.00 on 03-10; B's 500.00 of 03-05 bounced, so it never counts.
    assert collected_between(
        org=org, start=date(2027, 3, 1), end=date(2027, 3, 31), currency="USD"
    ) == D("600.00")
    # February: I's 300.00 on 02-15 (its refund came in April).
    assert collected_between(
        org=org, start=date(2027, 2, 1), end=date(2027, 2, 28), currency="USD"
    ) == D("300.00")
    assert (
        collected_between(org=org, start=date(2027, 1, 1), end=date(2027, 4, 15), currency="EUR")
        == 0
    )


def test_collected_ignores_other_organizations(ledger: Ledger, other_tenant: Tenant) -> None:
    figure = collected_between(
        org=other_tenant.org, start=date(2027, 1, 1), end=date(2027, 4, 15), currency="USD"
    )
    assert figure == 0


def test_currencies_default_first(ledger: Ledger) -> None:
    assert currencies_in_use(org=ledger.org) == ["USD", "EUR"]


def test_only_an_issued_invoice_makes_figures(tenant: Tenant) -> None:
    assert not issued_invoices_exist(org=tenant.org)
    invoice_make(tenant.org, issue=False)
    assert not issued_invoices_exist(org=tenant.org)  # a draft is not yet a receivable
    invoice_make(tenant.org)
    assert issued_invoices_exist(org=tenant.org)


def test_a_shortlist_says_how_many_more(tenant: Tenant) -> None:
    customer = CustomerFactory(organization=tenant.org)
    for _ in range(7):
        PaymentPlan.objects.create(
            organization=tenant.org,
            customer=customer,
            currency="USD",
            total=D("100.00"),
            status=PlanStatus.PROPOSED,
            origin=PlanOrigin.CUSTOMER,
        )
    with CaptureQueriesContext(connection) as queries:
        found = plan_requests_waiting(org=tenant.org, limit=5)
    assert (len(found.rows), found.count, found.more) == (5, 7, 2)
    assert len(queries) == 2  # the first six, then a count

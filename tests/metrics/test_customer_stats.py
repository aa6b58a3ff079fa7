"""Customer payment figures on a hand-worked ledger (today is 30 June 2027, London).

Ada's GBP invoices (totals; no tax):

    inv   total  issued  due    paid                          days to pay     days late
    A1     100   01-01   01-31  01-25                         24              0 (on time)
    A2     200   02-01   03-03  100 on 03-01, 100 on 03-13    40 (28 + 12)    10
    A7     100   02-10   03-12  60 on 03-05; 40 on 04-20      60 (28+31+1)    30 (19 + 11)
                                (bounced); 40 on 04-11 (the
                                transfer, recorded after the
                                bounce: received before it)
    A3     300   04-01   05-01  05-21, with 80 over           50 (30 + 20)    20
    A8      80   06-05   07-05  A3's 80 of credit (received   0 (floored at   0 (on time)
                                05-21), applied today           the issue day)
    A4     400   05-15   06-14  150 on 06-20                  open 250
    A5      50   06-01   07-01                                open 50
    AE    1000   06-01   07-01  EUR: never in the GBP figures

Every payment is *recorded* today, so every paid_at is 30 June: a figure built on paid_at
would make A1 take 180 days, not 24.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.http import Http404

from arhub.models import Organization
from disputes.models import Dispute, DisputeKind, DisputeReason
from invoicing.models import Customer, Invoice
from metrics.customer_stats import (
    CustomerStats,
    customer_stats,
    customer_stats_list,
    trend_of,
)
from payments.models import PlanStatus, PromiseStatus
from payments.services import AllocationInput, payment_apply_credit, payment_reverse
from tests.conftest import Tenant
from tests.metrics.ledger_factories import (
    customer_make,
    issued,
    paid,
    plan_row,
    promise_row,
    utc,
)

TODAY = date(2027, 6, 30)


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(utc(2027, 6, 30), tick=False):
        yield


def _dispute(org: Organization, invoice: Invoice, opened: date) -> Dispute:
    return Dispute.objects.create(
        organization=org,
        invoice=invoice,
        customer_id=invoice.customer_id,
        kind=DisputeKind.CUSTOMER,
        reason=DisputeReason.QUALITY,
        currency=invoice.currency,
        opened_at=utc(opened.year, opened.month, opened.day),
    )


def ada_ledger(org: Organization) -> tuple[Customer, dict[str, Invoice]]:
    ada = customer_make(org, "Ada Lovelace Ltd")
    d = date
    inv = {
        "A1": issued(org, ada, "100.00", on=d(2027, 1, 1), due=d(2027, 1, 31)),
        "A2": issued(org, ada, "200.00", on=d(2027, 2, 1), due=d(2027, 3, 3)),
        "A7": issued(org, ada, "100.00", on=d(2027, 2, 10), due=d(2027, 3, 12)),
        "A3": issued(org, ada, "300.00", on=d(2027, 4, 1), due=d(2027, 5, 1)),
        "A4": issued(org, ada, "400.00", on=d(2027, 5, 15), due=d(2027, 6, 14)),
        "A5": issued(org, ada, "50.00", on=d(2027, 6, 1), due=d(2027, 7, 1)),
        "AE": issued(org, ada, "1000.00", on=d(2027, 6, 1), due=d(2027, 7, 1), currency="EUR"),
    }
    paid(org, ada, (inv["A1"], "100.00"), on=d(2027, 1, 25))
    paid(org, ada, (inv["A2"], "100.00"), on=d(2027, 3, 1))
    paid(org, ada, (inv["A2"], "100.00"), on=d(2027, 3, 13))
    paid(org, ada, (inv["A7"], "60.00"), on=d(2027, 3, 5))
    bounced = paid(org, ada, (inv["A7"], "40.00"), on=d(2027, 4, 20))
    payment_reverse(org=org, actor=None, payment=bounced, reason="cheque bounced")
    paid(org, ada, (inv["A7"], "40.00"), on=d(2027, 4, 11))
    over = paid(org, ada, (inv["A3"], "300.00"), on=d(2027, 5, 21), extra="80.00")
    paid(org, ada, (inv["A4"], "150.00"), on=d(2027, 6, 20))
    inv["A8"] = issued(org, ada, "80.00", on=d(2027, 6, 5), due=d(2027, 7, 5))
    payment_apply_credit(
        org=org, actor=None, payment=over, allocations=[AllocationInput(inv["A8"].pk, Decimal(80))]
    )
    # Broken promises: one in May (counts from then), one in EUR (never in GBP); a kept one.
    promise_row(org, inv["A4"], status=PromiseStatus.BROKEN, at=utc(2027, 5, 10))
    promise_row(org, inv["AE"], status=PromiseStatus.BROKEN, at=utc(2027, 6, 10))
    promise_row(org, inv["A3"], status=PromiseStatus.KEPT, at=utc(2027, 5, 21))
    plan_row(org, ada, status=PlanStatus.BROKEN, at=utc(2027, 4, 20))
    plan_row(org, ada, status=PlanStatus.COMPLETED, at=utc(2027, 4, 25))
    _dispute(org, inv["A2"], d(2027, 3, 20))
    _dispute(org, inv["A4"], d(2027, 6, 1))
    return ada, {key: Invoice.objects.get(pk=i.pk) for key, i in inv.items()}


def other_org_ledger(org: Organization) -> Customer:
    """Org B: a very late payer with open invoices and a broken plan; never in A's figures."""
    zed = customer_make(org, "Zed")
    late = issued(org, zed, "999.00", on=date(2027, 1, 1), due=date(2027, 1, 2))
    paid(org, zed, (late, "999.00"), on=date(2027, 6, 29))
    issued(org, zed, "5000.00", on=date(2027, 6, 1), due=date(2027, 6, 2))
    plan_row(org, zed, status=PlanStatus.BROKEN, at=utc(2027, 5, 1))
    return zed


@pytest.mark.django_db
def test_ada_as_of_today(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    ada, _ = ada_ledger(tenant.org)
    other_org_ledger(other_tenant.org)
    stats = customer_stats(org=tenant.org, customer_id=ada.pk, as_of=TODAY, currency="GBP")
    # Paid: A1 24/0, A2 40/10, A7 60/30, A3 50/20, A8 0/0.
    assert stats.paid_invoice_count == 5
    assert stats.avg_days_to_pay == Decimal("34.8")  # (24 + 40 + 60 + 50 + 0) / 5 = 174 / 5
    assert stats.avg_days_late == Decimal("12.0")  # (0 + 10 + 30 + 20 + 0) / 5 = 60 / 5
    assert stats.on_time_share == Decimal("40.0")  # A1 and A8: 2 of 5
    # Open: A4 400 - 150 = 250, A5 50; the EUR invoice is not in GBP.
    assert str(stats.open_balance) == "300.00"
    assert stats.oldest_open_due_date == date(2027, 6, 14)
    assert (stats.broken_promises, stats.broken_plans, stats.disputes) == (1, 1, 2)
    # Last 90 days (paid after 1 April): A7 30, A3 20, A8 0 -> 50 / 3 = 16.7 days late;
    # the 90 before (2 Jan - 1 April): A1 0, A2 10 -> 5.0. 16.7 >= 5.0 + 2: worse.
    assert stats.trend == "worse"
    assert (stats.customer_name, stats.currency, stats.as_of) == ("Ada Lovelace Ltd", "GBP", TODAY)


@pytest.mark.django_db
def test_todays_open_balance_is_the_stored_balance(tenant: Tenant, clock: None) -> None:
    ada, inv = ada_ledger(tenant.org)
    stored = sum(
        (i.balance_due for i in inv.values() if i.currency == "GBP" and i.status != "paid"),
        Decimal(0),
    )
    stats = customer_stats(org=tenant.org, customer_id=ada.pk, as_of=TODAY, currency="GBP")
    assert stats.open_balance == stored == Decimal("300.00")


@pytest.mark.django_db
def test_ada_as_of_a_past_day(tenant: Tenant, clock: None) -> None:
    ada, _ = ada_ledger(tenant.org)
    stats = customer_stats(
        org=tenant.org, customer_id=ada.pk, as_of=date(2027, 3, 10), currency="GBP"
    )
    # By 10 March only A1 was paid (A2's second half came on the 13th, A7's rest in April).
    assert stats.paid_invoice_count == 1
    assert (stats.avg_days_to_pay, stats.avg_days_late) == (Decimal("24.0"), Decimal("0.0"))
    assert stats.on_time_share == Decimal("100.0")
    # Open on 10 March: A2 200 - 100 = 100 (due 3 March) and A7 100 - 60 = 40 (due 12 March).
    assert stats.open_balance == Decimal("140.00")
    assert stats.oldest_open_due_date == date(2027, 3, 3)
    # The promise broke in May, the plan in April, the disputes were opened on 20 March and
    # 1 June: none had happened yet. One window empty: steady.
    assert (stats.broken_promises, stats.broken_plans, stats.disputes) == (0, 0, 0)
    assert stats.trend == "steady"


@pytest.mark.django_db
def test_list_orders_by_open_balance_and_keeps_to_the_org(
    tenant: Tenant, other_tenant: Tenant, clock: None
) -> None:
    ada, _ = ada_ledger(tenant.org)
    bo = customer_make(tenant.org, "Bo")
    issued(tenant.org, bo, "500.00", on=date(2027, 6, 10), due=date(2027, 7, 10))
    customer_make(tenant.org, "Nobody")  # no invoice: not listed
    other_org_ledger(other_tenant.org)

    rows = customer_stats_list(org=tenant.org, as_of=TODAY, currency="GBP")
    assert [(r.customer_name, r.open_balance) for r in rows] == [
        ("Bo", Decimal("500.00")),
        ("Ada Lovelace Ltd", Decimal("300.00")),
    ]
    bo_stats = rows[0]
    assert bo_stats == CustomerStats(
        customer_id=bo.pk,
        customer_name="Bo",
        as_of=TODAY,
        currency="GBP",
        paid_invoice_count=0,
        avg_days_to_pay=None,
        avg_days_late=None,
        on_time_share=None,
        open_balance=Decimal("500.00"),
        oldest_open_due_date=date(2027, 7, 10),
        broken_promises=0,
        broken_plans=0,
        disputes=0,
        trend="steady",
    )
    # The list's Ada is the single-customer Ada.
    assert rows[1] == customer_stats(
        org=tenant.org, customer_id=ada.pk, as_of=TODAY, currency="GBP"
    )
    assert [r.customer_name for r in customer_stats_list(
        org=tenant.org, as_of=TODAY, currency="GBP", limit=1
    )] == ["Bo"]  # fmt: skip


@pytest.mark.django_db
def test_list_is_a_fixed_number_of_queries(
    tenant: Tenant, clock: None, django_assert_max_num_queries: object
) -> None:
    for n in range(6):
        customer = customer_make(tenant.org, f"Customer {n}")
        invoice = issued(tenant.org, customer, "10.00", on=date(2027, 5, 1), due=date(2027, 5, 31))
        paid(tenant.org, customer, (invoice, "10.00"), on=date(2027, 6, 2))
        issued(tenant.org, customer, "20.00", on=date(2027, 6, 1), due=date(2027, 7, 1))
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        rows = customer_stats_list(org=tenant.org, as_of=TODAY, currency="GBP")
    assert len(rows) == 6
    assert {r.avg_days_late for r in rows} == {Decimal("2.0")}  # 2 June - 31 May


@pytest.mark.django_db
def test_another_orgs_customer_is_not_found(
    tenant: Tenant, other_tenant: Tenant, clock: None
) -> None:
    zed = other_org_ledger(other_tenant.org)
    with pytest.raises(Http404):
        customer_stats(org=tenant.org, customer_id=zed.pk, as_of=TODAY, currency="GBP")


@pytest.mark.django_db
def test_as_of_in_the_future_is_refused(tenant: Tenant, clock: None) -> None:
    ada = customer_make(tenant.org, "Ada")
    with pytest.raises(ValueError, match="as_of: 2027-07-01 is in the future"):
        customer_stats(org=tenant.org, customer_id=ada.pk, as_of=date(2027, 7, 1), currency="GBP")


@pytest.mark.parametrize(
    ("recent", "before", "trend"),
    [
        ("3.0", "5.0", "better"),  # 3 <= 5 - 2
        ("3.1", "5.0", "steady"),
        ("6.9", "5.0", "steady"),
        ("7.0", "5.0", "worse"),  # 7 >= 5 + 2
        (None, "5.0", "steady"),  # nothing paid lately: nothing to judge by
        ("5.0", None, "steady"),
    ],
)
def test_trend_margin(recent: str | None, before: str | None, trend: str) -> None:
    def value(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    assert trend_of(value(recent), value(before)) == trend

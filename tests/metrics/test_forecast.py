"""The cash forecast on a hand-made ledger, as of Wednesday 30 June 2027.

Weeks (Monday to Sunday): 1 = 28 Jun-4 Jul, 2 = 5-11 Jul, 3 = 12-18 Jul, 4 = 19-25 Jul,
5 = 26 Jul-1 Aug, ..., 9 = 23-29 Aug, 13 = 20-26 Sep.

    who       what                                    expected on            week  from
    Prompt    F1 100 due 07-06 (no history: 0 late)   07-06                  2     invoices
              F2 200 due 06-10                        passed: 06-30          1     invoices
    Slow      usual lateness: paid 7 and 14 days late, 10.5 -> 11 days (half up)
              S1 300 due 07-08                        07-19                  4     invoices
              S2 400 due 06-25                        07-06                  2     invoices
              S3  50 due 06-01                        06-12 passed: 06-30    1     invoices
              S4 1000 due 09-30                       10-11, after week 13   -
              S5 700 EUR                              not GBP                -
    Promiser  R1 250 due 06-15, promised 07-14 for    07-14                  3     promises 210
                 250; 40 paid since, open 210
              R2 300 due 06-20, 100 paid, open 200,   07-02                  1     promises 150
                 promised 150 on 07-02; the other 50  06-20 passed: 06-30    1     invoices 50
              R3 120 due 07-20, its promise broken    07-20                  4     invoices
              R4  80 due 06-01, promised 06-28 (open, in its grace days): 06-30  1  promises
    Planner   P1 800 in an active plan, 250 paid; its promise is left to the plan; instalments
              200 06-13 paid; 200 06-27 unpaid        06-30                  1     plans
              200 07-27, 50 paid                      07-27 (150)            5     plans
              200 08-27                               08-27                  9     plans
              Q1 300 due 07-06 in a plan only proposed: an invoice like any  2     invoices

    week 1: invoices 200 + 50 + 50 = 300, promises 150 + 80 = 230, plans 200 -> 730
    week 2: invoices 100 + 400 + 300 = 800;  week 3: promises 210;
    week 4: invoices 300 + 120 = 420;  week 5: plans 150;  week 9: plans 200
    next 4 weeks: 730 + 800 + 210 + 420 = 2160; 13 weeks: 2160 + 150 + 200 = 2510
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from arhub.models import Organization
from invoicing.models import Customer, Invoice
from metrics.forecast import WeekForecast, cash_forecast, forecast_total
from payments.models import (
    Instalment,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
)
from tests.conftest import Tenant
from tests.metrics.ledger_factories import customer_make, issued, paid, promise_row, utc

TODAY = date(2027, 6, 30)
D = date
ZERO = Decimal(0)


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(utc(2027, 6, 30), tick=False):
        yield


def _plan(
    org: Organization,
    customer: Customer,
    invoice: Invoice,
    status: str,
    instalments: list[tuple[date, str, str]],
) -> PaymentPlan:
    plan = PaymentPlan.objects.create(
        organization=org,
        customer=customer,
        currency="GBP",
        total=invoice.total,
        status=status,
        origin=PlanOrigin.OWNER,
    )
    PaymentPlanInvoice.objects.create(
        organization=org, plan=plan, invoice=invoice, balance_at_start=invoice.total
    )
    for seq, (due, amount, amount_paid) in enumerate(instalments, start=1):
        Instalment.objects.create(
            organization=org,
            plan=plan,
            seq=seq,
            due_date=due,
            amount=Decimal(amount),
            amount_paid=Decimal(amount_paid),
        )
    return plan


def ledger(org: Organization) -> None:
    prompt = customer_make(org, "Prompt")
    issued(org, prompt, "100.00", on=D(2027, 6, 6), due=D(2027, 7, 6))
    issued(org, prompt, "200.00", on=D(2027, 5, 11), due=D(2027, 6, 10))

    slow = customer_make(org, "Slow")
    h1 = issued(org, slow, "100.00", on=D(2027, 3, 1), due=D(2027, 3, 31))
    paid(org, slow, (h1, "100.00"), on=D(2027, 4, 7))  # 7 days late
    h2 = issued(org, slow, "100.00", on=D(2027, 4, 1), due=D(2027, 5, 1))
    paid(org, slow, (h2, "100.00"), on=D(2027, 5, 15))  # 14 days late
    issued(org, slow, "300.00", on=D(2027, 6, 8), due=D(2027, 7, 8))
    issued(org, slow, "400.00", on=D(2027, 5, 26), due=D(2027, 6, 25))
    issued(org, slow, "50.00", on=D(2027, 5, 2), due=D(2027, 6, 1))
    issued(org, slow, "1000.00", on=D(2027, 6, 30), due=D(2027, 9, 30))
    issued(org, slow, "700.00", on=D(2027, 6, 1), due=D(2027, 7, 1), currency="EUR")

    promiser = customer_make(org, "Promiser")
    r1 = issued(org, promiser, "250.00", on=D(2027, 5, 16), due=D(2027, 6, 15))
    promise_row(org, r1, status=PromiseStatus.OPEN, promised_date=D(2027, 7, 14))
    paid(org, promiser, (r1, "40.00"), on=D(2027, 6, 25))
    r2 = issued(org, promiser, "300.00", on=D(2027, 5, 21), due=D(2027, 6, 20))
    paid(org, promiser, (r2, "100.00"), on=D(2027, 6, 22))
    promise_row(
        org, r2, status=PromiseStatus.OPEN, promised_date=D(2027, 7, 2), amount=Decimal(150)
    )
    r3 = issued(org, promiser, "120.00", on=D(2027, 6, 20), due=D(2027, 7, 20))
    promise_row(org, r3, status=PromiseStatus.BROKEN, at=utc(2027, 6, 25))
    r4 = issued(org, promiser, "80.00", on=D(2027, 5, 2), due=D(2027, 6, 1))
    promise_row(org, r4, status=PromiseStatus.OPEN, promised_date=D(2027, 6, 28))

    planner = customer_make(org, "Planner")
    p1 = issued(org, planner, "800.00", on=D(2027, 4, 1), due=D(2027, 5, 1))
    paid(org, planner, (p1, "250.00"), on=D(2027, 6, 13))
    promise_row(org, p1, status=PromiseStatus.OPEN, promised_date=D(2027, 7, 10))
    _plan(
        org,
        planner,
        p1,
        PlanStatus.ACTIVE,
        [
            (D(2027, 6, 13), "200.00", "200.00"),
            (D(2027, 6, 27), "200.00", "0"),
            (D(2027, 7, 27), "200.00", "50.00"),
            (D(2027, 8, 27), "200.00", "0"),
        ],
    )
    q1 = issued(org, planner, "300.00", on=D(2027, 6, 6), due=D(2027, 7, 6))
    _plan(org, planner, q1, PlanStatus.PROPOSED, [(D(2027, 7, 1), "300.00", "0")])


def other_org_ledger(org: Organization) -> None:
    """Org B: an open invoice due next week, a promise and an active plan: never in A's."""
    zed = customer_make(org, "Zed")
    issued(org, zed, "5000.00", on=D(2027, 6, 6), due=D(2027, 7, 6))
    promised = issued(org, zed, "6000.00", on=D(2027, 6, 6), due=D(2027, 7, 6))
    promise_row(org, promised, status=PromiseStatus.OPEN, promised_date=D(2027, 7, 1))
    planned = issued(org, zed, "7000.00", on=D(2027, 6, 6), due=D(2027, 7, 6))
    _plan(org, zed, planned, PlanStatus.ACTIVE, [(D(2027, 7, 1), "7000.00", "0")])


def _week(start: date, invoices: str = "0", plans: str = "0", promises: str = "0") -> WeekForecast:
    parts = Decimal(invoices), Decimal(plans), Decimal(promises)
    return WeekForecast(
        start=start,
        end=D.fromordinal(start.toordinal() + 6),
        expected=sum(parts, ZERO),
        from_invoices=parts[0],
        from_plans=parts[1],
        from_promises=parts[2],
    )


@pytest.mark.django_db
def test_thirteen_weeks(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    ledger(tenant.org)
    other_org_ledger(other_tenant.org)
    weeks = cash_forecast(org=tenant.org, as_of=TODAY, currency="GBP")
    mondays = [D.fromordinal(D(2027, 6, 28).toordinal() + 7 * n) for n in range(13)]
    expected = [_week(monday) for monday in mondays]
    expected[0] = _week(mondays[0], invoices="300", plans="200", promises="230")
    expected[1] = _week(mondays[1], invoices="800")
    expected[2] = _week(mondays[2], promises="210")
    expected[3] = _week(mondays[3], invoices="420")
    expected[4] = _week(mondays[4], plans="150")
    expected[8] = _week(mondays[8], plans="200")
    assert weeks == expected
    # Money in the currency's minor unit, zeros too: "200.00", "0.00", never "200.000" or "0".
    assert {str(w.from_plans) for w in weeks} == {"200.00", "150.00", "0.00"}
    assert forecast_total(weeks) == Decimal("2160.00")  # 730 + 800 + 210 + 420
    assert forecast_total(weeks, count=13) == Decimal("2510.00")  # + 150 + 200


@pytest.mark.django_db
def test_four_weeks_are_the_first_four(tenant: Tenant, clock: None) -> None:
    ledger(tenant.org)
    four = cash_forecast(org=tenant.org, as_of=TODAY, currency="GBP", weeks=4)
    assert four == cash_forecast(org=tenant.org, as_of=TODAY, currency="GBP")[:4]
    assert [w.expected for w in four] == [Decimal(n) for n in ("730", "800", "210", "420")]


@pytest.mark.django_db
def test_other_currency(tenant: Tenant, clock: None) -> None:
    ledger(tenant.org)
    weeks = cash_forecast(org=tenant.org, as_of=TODAY, currency="eur", weeks=2)
    # S5: 700 EUR due 1 July; Slow's usual lateness is judged in EUR, where nothing was paid
    # yet: 0 days, so 1 July, week 1.
    assert [w.from_invoices for w in weeks] == [Decimal("700.00"), ZERO]


@pytest.mark.django_db
def test_bad_input(tenant: Tenant, clock: None) -> None:
    with pytest.raises(ValueError, match="as_of: 2027-07-01 is in the future"):
        cash_forecast(org=tenant.org, as_of=D(2027, 7, 1), currency="GBP")
    with pytest.raises(ValueError, match="weeks: at least one week"):
        cash_forecast(org=tenant.org, as_of=TODAY, currency="GBP", weeks=0)

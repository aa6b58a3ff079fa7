"""Cash forecast: the receipts to expect week by week, from what is open, the instalments of
active payment plans, and open promises to pay, with each customer's usual lateness.

- An open invoice (its open amount as of ``as_of``, ``metrics.receivables``) is expected on its
  due date plus its customer's average days late in this currency (``metrics.customer_stats``,
  rounded half-up to whole days; 0 for a customer with no paid invoice yet). When that day has
  passed already, the customer is later than usual and it is expected on ``as_of`` itself: in
  the first week, not spread over imagined later dates.
- An invoice in an active payment plan is not expected by itself: its plan's unpaid
  instalments are, each on its due date (on ``as_of`` when the date has passed and the plan is
  still active, that is within the plan's grace days).
- An invoice with an open promise is expected on the promised date (``as_of`` once passed, as
  above), for the smaller of the amount promised and what is open; anything open beyond what
  was promised (a late fee since) follows the invoice rule. A promise on an invoice in a plan
  is left to the plan.

Weeks run Monday to Sunday; the first is the week of ``as_of``, so it has only the days from
``as_of`` on. Plans and promises are read as they stand now (their history is not
reconstructed): the forecast is meant for today. Formula and worked example:
``metrics/formulas/forecast.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F

from arhub.models import Organization
from arhub.money import quantize
from metrics.customer_stats import avg_days_late_by_customer
from metrics.periods import as_of_check
from metrics.receivables import receivable_rows
from payments.models import (
    Instalment,
    PaymentPlanInvoice,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

ZERO = Decimal(0)
SOURCES = ("invoices", "plans", "promises")


@dataclass(frozen=True)
class WeekForecast:
    start: date  # a Monday
    end: date  # the Sunday after it
    expected: Decimal
    from_invoices: Decimal
    from_plans: Decimal
    from_promises: Decimal


@dataclass
class _Weeks:
    as_of: date
    count: int
    currency: str
    monday: date = field(init=False)
    sums: list[dict[str, Decimal]] = field(init=False)

    def __post_init__(self) -> None:
        self.monday = self.as_of - timedelta(days=self.as_of.weekday())
        zero = quantize(ZERO, self.currency)
        self.sums = [dict.fromkeys(SOURCES, zero) for _ in range(self.count)]

    def add(self, day: date, amount: Decimal, source: str) -> None:
        week = (max(day, self.as_of) - self.monday).days // 7
        if week < self.count:
            self.sums[week][source] += quantize(amount, self.currency)

    def result(self) -> list[WeekForecast]:
        weeks = []
        for index, sums in enumerate(self.sums):
            start = self.monday + timedelta(days=7 * index)
            weeks.append(
                WeekForecast(
                    start=start,
                    end=start + timedelta(days=6),
                    expected=sum(sums.values(), quantize(ZERO, self.currency)),
                    from_invoices=sums["invoices"],
                    from_plans=sums["plans"],
                    from_promises=sums["promises"],
                )
            )
        return weeks


def _whole_days(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cash_forecast(
    *, org: Organization, as_of: date, currency: str, weeks: int = 13
) -> list[WeekForecast]:
    """``weeks`` weeks of expected receipts in ``currency``, the first being ``as_of``'s."""
    as_of_check(org=org, as_of=as_of)
    if weeks < 1:
        raise ValueError("weeks: at least one week.")
    currency = currency.upper()
    out = _Weeks(as_of=as_of, count=weeks, currency=currency)
    planned = set(
        PaymentPlanInvoice.objects.for_org(org)
        .filter(plan__status=PlanStatus.ACTIVE, plan__currency=currency, released_at__isnull=True)
        .values_list("invoice_id", flat=True)
    )
    promised = {
        invoice_id: (day, amount)
        for invoice_id, day, amount in PromiseToPay.objects.for_org(org)
        .filter(status=PromiseStatus.OPEN, currency=currency)
        .values_list("invoice_id", "promised_date", "amount")
    }
    lateness = avg_days_late_by_customer(org=org, as_of=as_of, currency=currency)
    for row in receivable_rows(org=org, as_of=as_of, currency=currency):
        if row.invoice_id in planned:
            continue
        left = row.open_amount
        if row.invoice_id in promised:
            day, amount = promised[row.invoice_id]
            part = min(amount, left)
            out.add(day, part, "promises")
            left -= part
        if left > 0:
            late = _whole_days(lateness.get(row.customer_id, ZERO))
            due = row.due_date or row.issue_date
            out.add(due + timedelta(days=late), left, "invoices")
    instalments = (
        Instalment.objects.for_org(org)
        .filter(plan__status=PlanStatus.ACTIVE, plan__currency=currency)
        .filter(amount__gt=F("amount_paid"))
        .values_list("due_date", "amount", "amount_paid")
    )
    for day, amount, paid in instalments:
        out.add(day, amount - paid, "plans")
    return out.result()


def forecast_total(weeks: Sequence[WeekForecast], *, count: int = 4) -> Decimal:
    """What the first ``count`` weeks expect together (the "next 4 weeks" figure)."""
    return sum((week.expected for week in weeks[:count]), ZERO)

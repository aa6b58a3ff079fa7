"""When each of the demo's promises, plans and disputes happens on a given invoice
(``payments.demo_arrangements``, ``payments.demo_disputes``): every shape returns the story's
days, or None where they do not fit the invoice (its dates, its balance, what the business
allows, the reminders it must not cross: ``payments.demo_pool``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from invoicing.models import Invoice
from payments.demo_pool import (
    AFTER_DUE,
    BEFORE_DUE,
    Pool,
    due,
    issued,
    quiet_after,
    quiet_before,
)
from payments.models import PaymentSettings, PlanFrequency
from payments.plan_schedule import instalment_date


@dataclass(frozen=True)
class Promise:
    made: date
    promised: date
    settled: date  # paid (kept), or found broken by the sweep


@dataclass(frozen=True)
class PlanDays:
    asked: date
    frequency: str
    count: int
    start: date
    end: date = date.min  # paid off or broken; min while running


class ArrangementDays:
    def __init__(self, *, today: date, settings: PaymentSettings, pool: Pool) -> None:
        self.today, self.settings, self.pool = today, settings, pool

    def _splits(self, invoice: Invoice, count: int) -> bool:
        return invoice.balance_due >= self.settings.plan_min_instalment * count

    def _promise(self, invoice: Invoice, made: date, promised: int, settled: int) -> Promise | None:
        """Settled (paid, or found broken) ``settled`` days after it was made, by yesterday,
        and before the invoice's first reminder or after its last."""
        days = Promise(made, made + timedelta(days=promised), made + timedelta(days=settled))
        if days.settled > self.today - timedelta(days=1) or made <= issued(invoice):
            return None
        if quiet_before(invoice, days.settled) or quiet_after(invoice, made):
            return days
        return None

    def _after_reminders(self, invoice: Invoice, length: int) -> date:
        """The first day of a story of ``length`` days told after the invoice's last
        reminder, as recently as it can be."""
        recent = self.today - timedelta(days=length + 7)
        return max(due(invoice) + timedelta(days=AFTER_DUE), recent)

    def kept_late(self, invoice: Invoice) -> Promise | None:
        """After the last reminder: paid five days after promising, three before the date."""
        return self._promise(invoice, self._after_reminders(invoice, 5), 8, 5)

    def kept_early(self, invoice: Invoice) -> Promise | None:
        return self._promise(invoice, issued(invoice) + timedelta(days=2), 8, 5)

    def broken_late(self, invoice: Invoice) -> Promise | None:
        """Not paid by the promised date; the sweep finds it broken after the grace days."""
        broken = 6 + self.settings.promise_grace_days + 1
        return self._promise(invoice, self._after_reminders(invoice, broken), 6, broken)

    def broken_early(self, invoice: Invoice) -> Promise | None:
        broken = 6 + self.settings.promise_grace_days + 1
        return self._promise(invoice, issued(invoice) + timedelta(days=2), 6, broken)

    def completed_late(self, invoice: Invoice) -> PlanDays | None:
        """Three instalments every two weeks, asked for after the last reminder; the last two
        paid together on the second's day."""
        asked = self._after_reminders(invoice, 18)
        start = asked + timedelta(days=4)
        days = PlanDays(asked, PlanFrequency.FORTNIGHTLY, 3, start, start + timedelta(days=14))
        if self._splits(invoice, 3) and days.end < self.today and quiet_after(invoice, asked):
            return days
        return None

    def completed_early(self, invoice: Invoice) -> PlanDays | None:
        """Weekly, asked for the day after the invoice came, paid off before its first
        reminder."""
        asked = issued(invoice) + timedelta(days=1)
        start = asked + timedelta(days=3)
        days = PlanDays(asked, PlanFrequency.WEEKLY, 3, start, start + timedelta(days=7))
        if self._splits(invoice, 3) and days.end < self.today and quiet_before(invoice, days.end):
            return days
        return None

    def broken_plan_days(self, invoice: Invoice) -> PlanDays | None:
        """Weekly, the first paid, the second missed: broken before the first reminder, so the
        invoice's normal reminders take over."""
        if not self._splits(invoice, 3):
            return None
        asked = issued(invoice) + timedelta(days=1)
        start = asked + timedelta(days=3)
        broken = start + timedelta(days=7 + self.settings.plan_grace_days + 1)
        if quiet_before(invoice, broken) and broken <= self.today - timedelta(days=1):
            return PlanDays(asked, PlanFrequency.WEEKLY, 3, start, broken)
        return None

    def running_days(self, invoice: Invoice) -> PlanDays | None:
        """Asked for before the first reminder, some instalments paid, the next a week or two
        ahead (so no plan reminder of it has gone yet)."""
        soonest = issued(invoice) + timedelta(days=1)
        newest = min(due(invoice) - timedelta(days=BEFORE_DUE), self.today - timedelta(days=4))
        for frequency in (PlanFrequency.FORTNIGHTLY, PlanFrequency.MONTHLY):
            asked = newest
            while asked >= max(soonest, self.today - timedelta(days=50)):
                start = asked + timedelta(days=3)
                dates = [
                    instalment_date(start_date=start, frequency=frequency, index=n)
                    for n in range(6)
                ]
                paid = [d for d in dates if d < self.today]
                count = len(paid) + 2
                if (
                    paid
                    and dates[len(paid)] >= self.today + timedelta(days=7)
                    and count <= self.settings.plan_max_instalments
                    and self._splits(invoice, count)
                ):
                    return PlanDays(asked, frequency, count, start)
                asked -= timedelta(days=1)
        return None

    def asking_days(self, invoice: Invoice, days_ago: int) -> PlanDays | None:
        """Monthly from next week, in more instalments than the business starts plans with by
        itself (or for more than it does), so the owner decides."""
        settings = self.settings
        asked = self.today - timedelta(days=days_ago)
        if asked <= issued(invoice) or not self.pool.paid_before(invoice, asked):
            return None
        counts = range(settings.plan_max_instalments, 1, -1)
        for count in counts:
            over = (
                count > settings.plan_auto_max_instalments
                or invoice.balance_due > settings.plan_auto_max_balance
            )
            if over and self._splits(invoice, count):
                start = self.today + timedelta(days=9)
                return PlanDays(asked, PlanFrequency.MONTHLY, count, start)
        return None

    def asking_overdue(self, invoice: Invoice, days_ago: int) -> PlanDays | None:
        return self.asking_days(invoice, days_ago) if due(invoice) < self.today else None


@dataclass(frozen=True)
class Opened:
    on: date


class DisputeDays:
    """The day a dispute opened, where the story's days fit the invoice."""

    def __init__(self, *, today: date, zone: ZoneInfo) -> None:
        self.today, self.zone = today, zone

    def active(self, opened: date) -> Callable[[Invoice], Opened | None]:
        """Still open: opened after the invoice arrived and before its first reminder."""

        def fits(invoice: Invoice) -> Opened | None:
            if issued(invoice) < opened and quiet_before(invoice, opened):
                return Opened(opened)
            return None

        return fits

    def ended_late(self, length: int) -> Callable[[Invoice], Opened | None]:
        """Over in ``length`` days by yesterday, opened after the invoice's last reminder."""

        def fits(invoice: Invoice) -> Opened | None:
            opened = max(
                due(invoice) + timedelta(days=AFTER_DUE), self.today - timedelta(days=length + 8)
            )
            if quiet_after(invoice, opened) and opened + timedelta(days=length) < self.today:
                return Opened(opened)
            return None

        return fits

    def ended_early(self, length: int) -> Callable[[Invoice], Opened | None]:
        """Over in ``length`` days by yesterday, opened soon after the invoice came and over
        before its first reminder."""

        def fits(invoice: Invoice) -> Opened | None:
            opened = issued(invoice) + timedelta(days=2)
            end = opened + timedelta(days=length)
            if quiet_before(invoice, end) and end < self.today:
                return Opened(opened)
            return None

        return fits

    def after_paid(self, length: int) -> Callable[[Invoice], Opened | None]:
        """On an invoice paid off a few days before: no reminder to hold any more."""
        last = self.today - timedelta(days=1)

        def fits(invoice: Invoice) -> Opened | None:
            if invoice.paid_at is None:
                return None
            opened = invoice.paid_at.astimezone(self.zone).date() + timedelta(days=3)
            return Opened(opened) if opened + timedelta(days=length) <= last else None

        return fits

    def working_day(self, day: date) -> date:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

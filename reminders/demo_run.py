"""The demo's reminder history, made by the engine itself: the sweep and the sender run at each
past moment that matters, with the invoices as they stood that day (``demo_states``), so every
``Reminder``, ``ReminderBatch`` and ``Message`` is one the engine wrote, when it would have.

The moments are the ones a beat running every few minutes would have acted on: a few minutes
after each policy's window opens, in each time zone the customers live in, on the days the
window is open. A moment is passed over without a query when no invoice of that zone and policy
has a step whose day has come and that is not done yet, and no batch is waiting for it: the
sweep runs about once per message sent. The send task runs seconds after the sweep, here in
this process, and what became of each message is settled at once (``demo_outcomes``), as the
provider would have reported it. Nothing reaches a broker, a mail server or an SMS provider.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from django.db import transaction

from arhub.models import Organization
from invoicing.models import Customer
from reminders.demo_outcomes import Outcomes
from reminders.demo_states import InvoiceStates
from reminders.models import ReminderBatch, ReminderPolicy, ReminderStatus
from reminders.policies import customer_zone, policy_steps, policy_window
from reminders.schedule import Step, step_day
from reminders.sending import reminder_batch_send
from reminders.sweep import SweepResult, reminders_sweep
from reminders.windows import is_open, local_at

# A beat every few minutes: the first sweep inside a window comes this many seconds after it
# opens; the send task runs this many seconds after the sweep (and after the batch before).
BEAT_SECONDS = (40, 290)
WORKER_SECONDS = (2, 15)
# A real beat may hold the sweep's lock for a moment: wait this long for it, at most.
LOCK_TRIES, LOCK_PAUSE = 20, 0.5

# Told after each sweep, before its batches are sent: a story may pause something in between.
Hook = Callable[[SweepResult, datetime], None]


@dataclass(frozen=True)
class Moment:
    at: datetime
    day: date  # the local day where the zone is
    zone: str
    policy_id: int


@dataclass
class _Tracked:
    """An invoice's step days (none before it was issued) and how far the engine has got."""

    pk: int
    customer_id: int
    days: list[date]
    # The last day the sweep considers it (``sweep._candidates``: the latest step of any policy).
    reach: date
    done_through: date | None = None

    def waiting(self, day: date) -> bool:
        if day > self.reach:
            return False
        for step in self.days:
            if self.done_through is None or step > self.done_through:
                return step <= day
        return False


class Replay:
    def __init__(
        self,
        *,
        org: Organization,
        states: InvoiceStates,
        outcomes: Outcomes,
        default: ReminderPolicy,
        policy_of: dict[int, ReminderPolicy],
        pick: random.Random,
    ) -> None:
        self.org, self.states, self.outcomes, self.pick = org, states, outcomes, pick
        self.default = default
        self.policy_of = policy_of  # customer id -> their own policy, where not the default
        billed = {invoice.customer_id for invoice in states.invoices.values()}
        customers = Customer.objects.for_org(org).filter(pk__in=billed).order_by("pk")
        self.customers = {customer.pk: customer for customer in customers}
        policies = {default.pk: default} | {p.pk: p for p in policy_of.values()}
        self.steps: dict[int, list[Step]] = {pk: policy_steps(p) for pk, p in policies.items()}
        self.policies = policies
        self.held: set[int] = set()  # invoices paused by a story
        self.held_customers: set[int] = set()
        self.pending: dict[int, datetime] = {}  # batches put back to wait, and until when
        self.hooks: list[Hook] = []
        self.sweeps = 0

    def policy(self, customer_id: int) -> ReminderPolicy:
        return self.policy_of.get(customer_id, self.default)

    def zone(self, customer_id: int) -> str:
        return customer_zone(org=self.org, customer=self.customers[customer_id])

    def step_days(self, due: date, customer_id: int) -> list[date]:
        return [step_day(due, step) for step in self.steps[self.policy(customer_id).pk]]

    def run(self, first: date, last: date) -> None:
        """The engine at every moment that matters from ``first`` to ``last`` (local days),
        then the invoices as they are today."""
        groups = self._tracked()
        tracked = {t.pk: t for group in groups.values() for t in group}
        self.states.rewind()
        with _no_send_tasks(), _quiet_sweeps():
            for moment in self.moments(first, last):
                self.states.advance(moment.day)
                if not self._due(moment, groups.get((moment.zone, moment.policy_id), [])):
                    continue
                result = self._sweep(moment.at)
                for planned in result.planned:
                    item = tracked[planned.invoice_id]
                    day = planned.local_date
                    due = self.states.invoices[planned.invoice_id].due_date
                    if due is not None:
                        day = step_day(due, planned.step)
                    item.done_through = max(day, item.done_through or day)
                for hook in self.hooks:
                    hook(result, moment.at)
                self._send(result, moment.at)
        self.states.restore()

    def moments(self, first: date, last: date) -> list[Moment]:
        """Each zone's and policy's window opening, plus the beat's delay, on each day it
        opens, in time order."""
        found = []
        for zone, policy_id, customer_id in self._zone_policies():
            window = policy_window(
                self.policies[policy_id], org=self.org, customer=self.customers[customer_id]
            )
            day = first
            while day <= last:
                beat = timedelta(seconds=self.pick.randrange(*BEAT_SECONDS))
                at = local_at(window, day, window.opens) + beat
                if is_open(window, at):
                    found.append(Moment(at.astimezone(ZoneInfo("UTC")), day, zone, policy_id))
                day += timedelta(days=1)
        return sorted(found, key=lambda m: (m.at, m.zone, m.policy_id))

    def _zone_policies(self) -> list[tuple[str, int, int]]:
        """(zone, policy, a customer there on it) for each pair in use, in a fixed order."""
        seen: dict[tuple[str, int], int] = {}
        for pk in self.customers:
            seen.setdefault((self.zone(pk), self.policy(pk).pk), pk)
        return [(zone, policy_id, pk) for (zone, policy_id), pk in sorted(seen.items())]

    def _tracked(self) -> dict[tuple[str, int], list[_Tracked]]:
        latest = max((s.offset_days for steps in self.steps.values() for s in steps), default=0)
        groups: dict[tuple[str, int], list[_Tracked]] = defaultdict(list)
        for invoice in self.states.invoices.values():
            due, issued = invoice.due_date, invoice.issue_date
            if due is None or issued is None:
                continue
            customer_id = invoice.customer_id
            days = [d for d in self.step_days(due, customer_id) if d >= issued]
            reach = due + timedelta(days=latest + 1)
            key = (self.zone(customer_id), self.policy(customer_id).pk)
            groups[key].append(_Tracked(invoice.pk, customer_id, days, reach))
        return groups

    def _due(self, moment: Moment, group: list[_Tracked]) -> bool:
        if any(until <= moment.at for until in self.pending.values()):
            return True
        return any(
            item.waiting(moment.day)
            and self.states.owed(item.pk)
            and item.pk not in self.held
            and item.customer_id not in self.held_customers
            for item in group
        )

    def _sweep(self, at: datetime) -> SweepResult:
        for _ in range(LOCK_TRIES):
            result = reminders_sweep(now=at, org=self.org, enqueue=False)
            if result.ran:
                self.sweeps += 1
                return result
            time.sleep(LOCK_PAUSE)
        raise CommandError(
            "Another reminder sweep kept running (is beat running?); seed the demo again."
        )

    def _send(self, result: SweepResult, swept: datetime) -> None:
        # As a worker would take them, in the same order every run (the sweep numbers the
        # batches it makes in no fixed order): by customer, day and channel.
        rows = (
            ReminderBatch.objects.for_org(self.org)
            .filter(pk__in=[pk for _, pk in result.queued_batches])
            .values_list("pk", "customer_id", "local_date", "channel")
        )
        at = swept
        for batch_id, *_ in sorted(rows, key=lambda row: (row[1], row[2], row[3], row[0])):
            at += timedelta(seconds=self.pick.randrange(*WORKER_SECONDS))
            batch = reminder_batch_send(org=self.org, batch_id=batch_id, now=at)
            if batch is None:
                continue
            if batch.status == ReminderStatus.QUEUED:  # waits for its window, gap or cap
                self.pending[batch.pk] = batch.send_after
                continue
            self.pending.pop(batch.pk, None)
            if batch.message is not None:
                self.outcomes.settle(batch.message, at)


@contextmanager
def _no_send_tasks() -> Iterator[None]:
    """Messaging queues each message's send task for after the commit; the demo settles every
    message itself (``demo_outcomes``), so those callbacks are dropped: nothing reaches Celery.
    Only messaging's own are dropped; anything else registered meanwhile is kept. Inside an
    atomic block, so none runs at once whatever the caller's transaction."""
    with transaction.atomic():
        connection = transaction.get_connection()
        before = len(connection.run_on_commit)
        yield
        added = connection.run_on_commit[before:]
        del connection.run_on_commit[before:]
        connection.run_on_commit.extend(entry for entry in added if not _is_send(entry[1]))


def _is_send(callback: Callable[[], object]) -> bool:
    return getattr(callback, "__module__", "") == "arhub.messaging.services" and getattr(
        callback, "__qualname__", ""
    ).startswith("_enqueue_on_commit.")


@contextmanager
def _quiet_sweeps() -> Iterator[None]:
    """The sweep logs each run it plans something in; a few hundred of them are the demo's
    own business, not the operator's."""
    logger = logging.getLogger("reminders.sweep")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)

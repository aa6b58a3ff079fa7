"""The sweep: find the reminder steps that have come due, write them down, queue their sends.

Run by beat every few minutes. One sweep at a time across the whole system: a second one
started meanwhile (two beats by mistake) finds the advisory lock taken and does nothing.

For each organization, the outstanding invoices whose due dates put them inside some step's
reach (one indexed range query on the outstanding-invoice index) are checked against their
customer's policy in the customer's own calendar. When a step's day has come, the window is
open where the customer is and nothing holds the invoice (paid, paused, ...), one ``Reminder``
per channel is written (unique per invoice, step day and channel, so it can never happen twice)
into the customer's ``ReminderBatch`` for that local day and channel; earlier steps not done by
then are written as superseded, so after an outage the customer gets one catch-up. Then every
batch that is due (new, waiting for its window or gap, or whose send task was lost) is queued,
after commit. A batch claimed by a worker that died is put back: nothing of it was handed to
messaging (that happens in one transaction with its status), so sending it again is safe.

Each organization's payment plans and promises to pay send their own reminders in the same
sweep (``reminders.arrangement_sends``): the same cadence, lock and ``run_reminders --once``,
and no second beat entry to keep in step with this one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from arhub.models import Organization
from invoicing.models import OUTSTANDING_STATUSES, Invoice
from reminders.arrangement_sends import ArrangementSent, arrangements_send
from reminders.holds import invoice_holds
from reminders.models import (
    CustomerReminders,
    Reminder,
    ReminderBatch,
    ReminderPolicy,
    ReminderStatus,
)
from reminders.policies import customer_zone, policy_default, policy_steps, policy_window
from reminders.schedule import Step, channels_for, due_step, step_day
from reminders.windows import is_open

logger = logging.getLogger(__name__)

# pg_try_advisory_xact_lock key: "ARHR" (AR Hub Reminders).
SWEEP_LOCK = 0x41524852
# A batch claimed longer ago than this belongs to a worker that died.
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True)
class Planned:
    org_id: int
    customer_id: int
    invoice_id: int
    invoice_number: str
    step: Step
    channel: str
    local_date: date


@dataclass
class SweepResult:
    ran: bool = True
    planned: list[Planned] = field(default_factory=list)
    superseded: int = 0
    queued_batches: list[tuple[int, int]] = field(default_factory=list)
    reclaimed: int = 0
    # The plans' and promises' own messages written (or, in a dry run, that would be).
    arrangements: list[ArrangementSent] = field(default_factory=list)


def _lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SWEEP_LOCK])
        row = cursor.fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class _OrgPolicies:
    default: ReminderPolicy
    by_id: dict[int, ReminderPolicy]
    steps: dict[int, list[Step]]

    def reach(self) -> tuple[int, int]:
        offsets = [step.offset_days for steps in self.steps.values() for step in steps]
        return (min(offsets), max(offsets)) if offsets else (0, -1)


def _policies(org: Organization) -> _OrgPolicies:
    default = policy_default(org=org)
    policies = {policy.pk: policy for policy in ReminderPolicy.objects.for_org(org)}
    return _OrgPolicies(
        default=default,
        by_id=policies,
        steps={pk: policy_steps(policy) for pk, policy in policies.items()},
    )


# What the plan and the holds read of a candidate. Whole rows (three JSON columns each, and the
# customer's) made loading tens of thousands of candidates most of a sweep's time; a hold that
# needs another field adds it here, or each candidate costs a query of its own.
CANDIDATE_FIELDS = (
    "organization",
    "customer",
    "number",
    "status",
    "balance_due",
    "issue_date",
    "due_date",
    "customer__organization",
    "customer__timezone",
    "customer__preferred_channel",
)


def _candidates(org: Organization, policies: _OrgPolicies, now: datetime) -> list[Invoice]:
    """Outstanding invoices some step can reach today somewhere on Earth: the customer's day
    may be a day either side of UTC's."""
    low, high = policies.reach()
    if low > high:
        return []
    utc_today = now.astimezone(ZoneInfo("UTC")).date()
    return list(
        Invoice.objects.for_org(org)
        .filter(
            status__in=OUTSTANDING_STATUSES,
            balance_due__gt=0,
            due_date__gte=utc_today - timedelta(days=high + 1),
            due_date__lte=utc_today - timedelta(days=low - 1),
        )
        .select_related("customer")
        .only(*CANDIDATE_FIELDS)
        .order_by("due_date", "pk")
    )


def _done(org: Organization, invoice_ids: list[int]) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    rows = (
        Reminder.objects.for_org(org)
        .filter(invoice_id__in=invoice_ids)
        .values_list("invoice_id", "offset_days")
    )
    for invoice_id, offset in rows:
        done[invoice_id].add(offset)
    return done


def _customer_policies(org: Organization, customer_ids: set[int]) -> dict[int, int]:
    rows = (
        CustomerReminders.objects.for_org(org)
        .filter(customer_id__in=customer_ids, policy__isnull=False)
        .values_list("customer_id", "policy_id")
    )
    return dict(rows)


@dataclass(frozen=True)
class _Due:
    invoice: Invoice
    step: Step
    day: date
    superseded: tuple[Step, ...]
    channels: tuple[str, ...]
    local_date: date


def _due_for(
    org: Organization,
    invoice: Invoice,
    policies: _OrgPolicies,
    policy_id: int | None,
    done: set[int],
    now: datetime,
) -> _Due | None:
    """The step this invoice should get now, in its customer's calendar and window."""
    customer = invoice.customer
    if invoice.due_date is None:
        return None
    policy = policies.by_id.get(policy_id or policies.default.pk, policies.default)
    today = now.astimezone(ZoneInfo(customer_zone(org=org, customer=customer))).date()
    found = due_step(
        policies.steps[policy.pk],
        due_date=invoice.due_date,
        today=today,
        done=done,
        issued_on=invoice.issue_date,
    )
    if found is None or not is_open(policy_window(policy, org=org, customer=customer), now):
        return None
    channels = tuple(channels_for(found.step.channel, customer.preferred_channel))
    return _Due(invoice, found.step, found.day, found.superseded, channels, today)


BatchKey = tuple[int, date, str]


def _batches(org: Organization, dues: list[_Due], now: datetime) -> dict[BatchKey, ReminderBatch]:
    """Each (customer, local day, channel) batch the due steps go into, made where missing:
    three queries however many."""
    keys = {(due.invoice.customer_id, due.local_date, ch) for due in dues for ch in due.channels}
    ReminderBatch.objects.bulk_create(
        [
            ReminderBatch(
                organization=org,
                customer_id=customer_id,
                local_date=day,
                channel=channel,
                send_after=now,
                created_at=now,
                updated_at=now,
            )
            for customer_id, day, channel in keys
        ],
        ignore_conflicts=True,
    )
    found = ReminderBatch.objects.for_org(org).filter(
        customer_id__in={key[0] for key in keys}, local_date__in={key[1] for key in keys}
    )
    return {(b.customer_id, b.local_date, b.channel): b for b in found}


def _rows(
    org: Organization, due: _Due, batches: dict[BatchKey, ReminderBatch], now: datetime
) -> list[Reminder]:
    invoice, customer = due.invoice, due.invoice.customer
    rows = [
        Reminder(
            organization=org,
            invoice=invoice,
            customer=customer,
            step_id=due.step.step_id,
            offset_days=due.step.offset_days,
            tone=due.step.tone,
            channel=channel,
            batch=batches[(customer.pk, due.local_date, channel)],
            due_on=due.day,
            created_at=now,
        )
        for channel in due.channels
    ]
    reason = f"Superseded by the reminder of {due.day:%Y-%m-%d}; only the latest is sent."
    for old in due.superseded:
        for channel in channels_for(old.channel, customer.preferred_channel):
            rows.append(
                Reminder(
                    organization=org,
                    invoice=invoice,
                    customer=customer,
                    step_id=old.step_id,
                    offset_days=old.offset_days,
                    tone=old.tone,
                    channel=channel,
                    due_on=step_day(due.day - timedelta(days=due.step.offset_days), old),
                    status=ReminderStatus.SKIPPED,
                    status_reason=reason,
                    created_at=now,
                )
            )
    return rows


def _sweep_org(org: Organization, now: datetime, result: SweepResult, dry_run: bool) -> None:
    policies = _policies(org)
    invoices = _candidates(org, policies, now)
    if not invoices:
        return
    done = _done(org, [invoice.pk for invoice in invoices])
    own_policy = _customer_policies(org, {invoice.customer_id for invoice in invoices})
    dues = [
        due
        for invoice in invoices
        if (
            due := _due_for(
                org, invoice, policies, own_policy.get(invoice.customer_id), done[invoice.pk], now
            )
        )
        is not None
    ]
    # Holds are asked of the few with a step due, not of every candidate in reach.
    held = invoice_holds(org=org, invoices=[due.invoice for due in dues])
    dues = [due for due in dues if due.invoice.pk not in held]
    if not dues:
        return
    batches = {} if dry_run else _batches(org, dues, now)
    rows: list[Reminder] = []
    for due in dues:
        keys = [(due.invoice.customer_id, due.local_date, ch) for ch in due.channels]
        # That day's message on a channel has already gone: the step waits for tomorrow.
        if not dry_run and any(batches[k].status != ReminderStatus.QUEUED for k in keys):
            continue
        for channel in due.channels:
            result.planned.append(
                Planned(
                    org.pk,
                    due.invoice.customer_id,
                    due.invoice.pk,
                    due.invoice.number,
                    due.step,
                    channel,
                    due.local_date,
                )
            )
        result.superseded += len(due.superseded)
        if not dry_run:
            rows += _rows(org, due, batches, now)
    # A concurrent writer (a manual run that raced the lock's holder) loses quietly.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


def _reclaim(now: datetime) -> int:
    """Claims whose worker died: back in the queue. Nothing of them reached messaging."""
    return ReminderBatch.objects.filter(
        status=ReminderStatus.SENDING,
        message__isnull=True,
        updated_at__lt=now - STALE_CLAIM,
    ).update(status=ReminderStatus.QUEUED, updated_at=now)


def _due_batches(now: datetime, org: Organization | None) -> list[tuple[int, int]]:
    due = ReminderBatch.objects.filter(status=ReminderStatus.QUEUED, send_after__lte=now)
    if org is not None:
        due = due.filter(organization=org)
    return list(due.order_by("send_after", "pk").values_list("organization_id", "pk"))


def reminders_sweep(
    *,
    now: datetime | None = None,
    org: Organization | None = None,
    dry_run: bool = False,
    enqueue: bool = True,
) -> SweepResult:
    """One sweep over every organization (or one). With ``dry_run`` nothing is written: the
    result says what would be. With ``enqueue`` off the caller sends the due batches itself
    (``manage.py run_reminders --once``)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _lock():
            logger.info("Another reminder sweep is running; this one stops.")
            return SweepResult(ran=False)
        result = SweepResult()
        orgs = [org] if org is not None else list(Organization.objects.order_by("pk"))
        for each in orgs:
            _sweep_org(each, now, result, dry_run)
            result.arrangements += arrangements_send(org=each, now=now, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
            return result
        result.reclaimed = _reclaim(now)
        result.queued_batches = _due_batches(now, org)
        if enqueue:
            _enqueue_on_commit(result.queued_batches)
    if result.planned or result.arrangements:
        logger.info(
            "Reminder sweep: %d reminders planned, %d superseded, %d batches queued, "
            "%d plan and promise messages",
            len(result.planned),
            result.superseded,
            len(result.queued_batches),
            len(result.arrangements),
        )
    return result


def _enqueue_on_commit(batches: list[tuple[int, int]]) -> None:
    from reminders.tasks import reminder_batch_send_task

    def send() -> None:
        for org_id, batch_id in batches:
            reminder_batch_send_task.delay(org_id, batch_id)

    transaction.on_commit(send)

"""The dashboard's "reminders going out today": what the reminder sweep will send before the
owner's day ends, read without sending or writing anything.

Two kinds: reminders already written and queued for a send window that opens later today, and
steps whose moment (``reminders.next_send.plan_next``: the customer's policy, calendar and send
window) falls on the organization's today but which the sweep has not reached yet. Invoices a
hold stops (paid, paused, disputed, on a plan, promised) are left out, as the sweep leaves them.
A policy is read, never made: an organization that never needed its default policy gets the
built-in steps it would be made with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from arhub.models import Organization
from invoicing.models import OUTSTANDING_STATUSES, Invoice
from reminders.holds import invoice_holds
from reminders.models import CustomerReminders, Reminder, ReminderPolicy, ReminderStatus
from reminders.next_send import plan_next, step_words, tone_words
from reminders.policies import DEFAULT_POLICY_NAME, DEFAULT_STEPS, policy_steps, policy_window
from reminders.schedule import Step, channels_for


@dataclass(frozen=True)
class ReminderToday:
    invoice_id: int
    invoice_number: str
    customer_name: str
    step: str  # "3 days after the due date"
    tone: str
    channels: tuple[str, ...]
    at: datetime  # aware; the earliest it may go
    queued: bool  # already written, waiting for its window


def _policies(org: Organization) -> tuple[ReminderPolicy, dict[int, ReminderPolicy]]:
    policies = {policy.pk: policy for policy in ReminderPolicy.objects.for_org(org)}
    default = next((p for p in policies.values() if p.is_default), None)
    if default is None:
        default = ReminderPolicy(organization=org, name=DEFAULT_POLICY_NAME, is_default=True)
    return default, policies


def _steps(policy: ReminderPolicy) -> list[Step]:
    return policy_steps(policy) if policy.pk else list(DEFAULT_STEPS)


def _queued(org: Organization, day_end: datetime) -> list[ReminderToday]:
    rows = (
        Reminder.objects.for_org(org)
        .filter(
            status__in=(ReminderStatus.QUEUED, ReminderStatus.SENDING),
            batch__send_after__lt=day_end,
        )
        .select_related("invoice", "customer", "batch")
        .order_by("batch__send_after", "pk")
    )
    return [
        ReminderToday(
            invoice_id=row.invoice_id,
            invoice_number=row.invoice.number,
            customer_name=row.customer.display_name,
            step=step_words(row.offset_days),
            tone=tone_words(row.tone),
            channels=(row.channel,),
            at=row.batch.send_after if row.batch else row.created_at,
            queued=True,
        )
        for row in rows
    ]


def reminders_today(*, org: Organization, now: datetime | None = None) -> list[ReminderToday]:
    """Every reminder expected to go out from ``now`` to the end of the organization's day,
    soonest first."""
    now = now or timezone.now()
    zone = ZoneInfo(org.timezone)
    today = now.astimezone(zone).date()
    day_end = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    found = _queued(org, day_end)
    default, policies = _policies(org)
    steps_of = {pk: _steps(policy) for pk, policy in policies.items()}
    steps_of[default.pk or 0] = _steps(default)
    offsets = [step.offset_days for steps in steps_of.values() for step in steps]
    if not offsets:
        return found
    # A customer's day may be a day either side of the organization's.
    invoices = list(
        Invoice.objects.for_org(org)
        .filter(
            status__in=OUTSTANDING_STATUSES,
            balance_due__gt=0,
            due_date__gte=today - timedelta(days=max(offsets) + 1),
            due_date__lte=today - timedelta(days=min(offsets) - 1),
        )
        .select_related("customer")
        .order_by("due_date", "pk")
    )
    if not invoices:
        return found
    own_policy = dict(
        CustomerReminders.objects.for_org(org)
        .filter(customer_id__in={i.customer_id for i in invoices}, policy__isnull=False)
        .values_list("customer_id", "policy_id")
    )
    done: dict[int, set[int]] = {}
    for invoice_id, offset in (
        Reminder.objects.for_org(org)
        .filter(invoice_id__in=[i.pk for i in invoices])
        .values_list("invoice_id", "offset_days")
    ):
        done.setdefault(invoice_id, set()).add(offset)
    held = invoice_holds(org=org, invoices=invoices)
    for invoice in invoices:
        if invoice.pk in held or invoice.due_date is None:
            continue
        policy = policies.get(own_policy.get(invoice.customer_id, 0), default)
        plan = plan_next(
            steps_of[policy.pk or 0],
            due_date=invoice.due_date,
            issued_on=invoice.issue_date,
            done=done.get(invoice.pk, set()),
            window=policy_window(policy, org=org, customer=invoice.customer),
            now=now,
        )
        if plan is None or plan.at is None or plan.at >= day_end:
            continue
        found.append(
            ReminderToday(
                invoice_id=invoice.pk,
                invoice_number=invoice.number,
                customer_name=invoice.customer.display_name,
                step=step_words(plan.step.offset_days),
                tone=tone_words(plan.step.tone),
                channels=tuple(channels_for(plan.step.channel, invoice.customer.preferred_channel)),
                at=plan.at,
                queued=False,
            )
        )
    return sorted(found, key=lambda item: (item.at, item.invoice_number))

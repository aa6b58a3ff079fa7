"""One invoice's reminder timeline, for its page and the API: what was sent (each step, on which
channel, and what became of the message), and what comes next — which step, when (in the
customer's time and the owner's), by which channels — or why nothing will.

Read-only and a fixed number of queries however long the history: the invoice's reminders and
their digest partners in one, the customer's policy and its steps, the holds, and per channel
(at most two) the contact and its consent and suppression. The organization's default policy is
not made here (a page view writes nothing): until it exists, its built-in steps are used, which
is what ``policy_default`` will make.

While a payment plan or a promise holds the invoice, the timeline also says what the plan or the
promise sends next and when (``reminders.arrangement_next``), after the hold's sentence.

When the next one may go is worked out in ``reminders.next_send`` (pure): the earliest moment
the sweep may send it. The minimum gap and the daily cap may hold it a little longer; several
invoices due the same day go as one digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from arhub.models import MessageKind, Organization
from invoicing.models import Customer, Invoice
from reminders.arrangement_next import ArrangementItem, arrangement_item, arrangement_words
from reminders.channel_plans import CHANNEL_LABELS, ChannelPlan, channel_plans
from reminders.holds import Hold, invoice_hold
from reminders.models import (
    CustomerReminders,
    InvoiceReminderPause,
    Reminder,
    ReminderPolicy,
    ReminderStatus,
    ReminderStep,
)
from reminders.next_send import Moment, moment, plan_next, step_words, tone_words
from reminders.policies import DEFAULT_POLICY_NAME, DEFAULT_STEPS, customer_zone, policy_window
from reminders.schedule import Step, channels_for

# Holds after which nothing more will ever be sent (as opposed to a pause, which ends).
FINAL_HOLDS = frozenset({"paid", "closed"})
# Holds whose plan or promise sends its own messages instead.
ARRANGEMENT_HOLDS = frozenset({"on_plan", "promised"})
NO_MORE_STEPS = "No more steps in the policy: this invoice gets no further reminders."
NO_DUE_DATE = "The invoice has no due date, so no reminder is planned."
NO_WINDOW = "The send window does not open in the coming month."


# ---- The timeline


@dataclass(frozen=True)
class SentItem:
    """One reminder row: a step on a channel, and what became of it."""

    reminder_id: int
    offset_days: int
    step: str  # "3 days after the due date"
    tone: str
    tone_label: str
    channel: str
    channel_label: str
    due_on: date
    # The message's status when one was written (sent, delivered, bounced, suppressed,
    # skipped, failed, queued, sending), else the reminder's (queued, sending, skipped).
    status: str
    status_label: str
    reason: str
    # When the message went out (or was written); for one still queued, when it may go.
    when: Moment | None
    message_id: int | None
    # The other invoices in the same digest message.
    digest_with: tuple[str, ...]


@dataclass(frozen=True)
class NextItem:
    offset_days: int
    step: str
    tone: str
    tone_label: str
    day: date
    when: Moment | None
    overdue: bool
    channels: tuple[ChannelPlan, ...]

    @property
    def will_go(self) -> bool:
        return self.when is not None and any(not plan.blocked for plan in self.channels)


@dataclass(frozen=True)
class Timeline:
    policy_id: int | None  # None: the built-in default, not yet saved
    policy_name: str
    policy_is_own: bool  # the customer's own policy rather than the organization's default
    sent: tuple[SentItem, ...]
    # The step that comes next (what would come, while a pause holds it); None when nothing
    # more will ever be sent.
    next: NextItem | None
    hold: Hold | None
    invoice_pause: InvoiceReminderPause | None
    # Why the next reminder will not go, one sentence; "" when it will.
    held_reason: str
    customer_zone: str
    org_zone: str
    # What the plan or promise holding the invoice sends instead; None when neither does.
    arrangement: ArrangementItem | None = None

    @property
    def paused(self) -> bool:
        return self.invoice_pause is not None


def _policy_in_force(
    org: Organization, customer: Customer
) -> tuple[ReminderPolicy, list[Step], bool]:
    """The customer's own policy, else the organization's default, and their steps; without
    writing (the built-in default until the organization has saved one)."""
    own = (
        CustomerReminders.objects.for_org(org)
        .filter(customer=customer, policy__isnull=False)
        .select_related("policy")
        .first()
    )
    policy = own.policy if own is not None else None
    is_own = policy is not None
    if policy is None:
        policy = ReminderPolicy.objects.for_org(org).filter(is_default=True).first()
    if policy is None:
        return (
            ReminderPolicy(organization=org, name=DEFAULT_POLICY_NAME),
            list(DEFAULT_STEPS),
            False,
        )
    steps = [
        Step(
            offset_days=row.offset_days,
            channel=row.channel,
            tone=row.tone,
            attach_pdf=row.attach_pdf,
            step_id=row.pk,
        )
        for row in ReminderStep.objects.for_org(org).filter(policy=policy).order_by("offset_days")
    ]
    return policy, steps, is_own


def _sent_items(
    org: Organization, invoice: Invoice, zones: tuple[str, str], now: datetime
) -> tuple[list[SentItem], set[int]]:
    """The invoice's reminders, newest first, with the invoices sharing each digest: one
    query for both (the invoice's rows and every row of the batches they are in)."""
    own_batches = (
        Reminder.objects.for_org(org)
        .filter(invoice=invoice, batch__isnull=False)
        .values("batch_id")
    )
    rows = list(
        Reminder.objects.for_org(org)
        .filter(Q(invoice=invoice) | Q(batch_id__in=own_batches))
        .select_related("batch", "batch__message", "invoice")
        .order_by("-created_at", "-offset_days", "-pk")
    )
    partners: dict[int, list[str]] = {}
    for row in rows:
        if row.invoice_id != invoice.pk and row.batch_id is not None:
            partners.setdefault(row.batch_id, []).append(row.invoice.number)
    customer_zone_name, org_zone_name = zones

    def at(when: datetime | None) -> Moment | None:
        if when is None:
            return None
        return moment(when, customer_zone=customer_zone_name, org_zone=org_zone_name, now=now)

    items = []
    done: set[int] = set()
    for row in rows:
        if row.invoice_id != invoice.pk:
            continue
        done.add(row.offset_days)
        batch = row.batch
        message = batch.message if batch is not None else None
        digest_with: tuple[str, ...] = ()
        if message is not None:
            status, label, reason = (
                message.status,
                message.get_status_display(),
                message.status_reason,
            )
            when = at(message.sent_at or message.created_at)
            if message.kind == MessageKind.REMINDER_DIGEST and batch is not None:
                digest_with = tuple(sorted(set(partners.get(batch.pk, []))))
        elif row.status == ReminderStatus.SKIPPED:
            status, label, reason = row.status, row.get_status_display(), row.status_reason
            when = None
        else:
            # Written by the sweep, waiting for its window, the gap or a worker.
            status, label = row.status, row.get_status_display()
            reason = batch.status_reason if batch is not None else ""
            when = at(batch.send_after) if batch is not None else None
        items.append(
            SentItem(
                reminder_id=row.pk,
                offset_days=row.offset_days,
                step=step_words(row.offset_days),
                tone=row.tone,
                tone_label=tone_words(row.tone),
                channel=row.channel,
                channel_label=CHANNEL_LABELS.get(row.channel, row.channel),
                due_on=row.due_on,
                status=status,
                status_label=label,
                reason=reason,
                when=when,
                message_id=message.pk if message is not None else None,
                digest_with=digest_with,
            )
        )
    return items, done


def _why_not(
    hold: Hold | None,
    following: NextItem | None,
    finished: bool,
    arrangement: ArrangementItem | None = None,
) -> str:
    if hold is not None:
        if arrangement is not None:
            return f"{hold.reason} {arrangement_words(arrangement)}"
        return hold.reason
    if following is None:
        return NO_MORE_STEPS if finished else NO_DUE_DATE
    if following.when is None:
        return NO_WINDOW
    if not any(not plan.blocked for plan in following.channels):
        return " ".join(f"{plan.label}: {plan.blocked}" for plan in following.channels)
    return ""


def invoice_timeline(
    *, org: Organization, invoice: Invoice, now: datetime | None = None
) -> Timeline:
    """The invoice's reminders so far and the one to come (see the module's docstring)."""
    now = now or timezone.now()
    customer = invoice.customer
    zones = (customer_zone(org=org, customer=customer), org.timezone or "UTC")
    sent, done = _sent_items(org, invoice, zones, now)
    policy, steps, is_own = _policy_in_force(org, customer)
    hold = invoice_hold(org=org, invoice=invoice)
    pause = (
        InvoiceReminderPause.objects.for_org(org)
        .filter(invoice=invoice)
        .select_related("paused_by")
        .first()
    )
    following: NextItem | None = None
    plan = None
    window = policy_window(policy, org=org, customer=customer)
    if invoice.due_date is not None and (hold is None or hold.code not in FINAL_HOLDS):
        plan = plan_next(
            steps,
            due_date=invoice.due_date,
            issued_on=invoice.issue_date,
            done=done,
            window=window,
            now=now,
        )
    if plan is not None:
        channels = channels_for(plan.step.channel, customer.preferred_channel)
        following = NextItem(
            offset_days=plan.step.offset_days,
            step=step_words(plan.step.offset_days),
            tone=plan.step.tone,
            tone_label=tone_words(plan.step.tone),
            day=plan.day,
            when=moment(plan.at, customer_zone=zones[0], org_zone=zones[1], now=now)
            if plan.at is not None
            else None,
            overdue=plan.overdue,
            channels=channel_plans(org=org, customer=customer, channels=channels),
        )
    arrangement = None
    if hold is not None and hold.code in ARRANGEMENT_HOLDS:
        arrangement = arrangement_item(
            org=org, invoice=invoice, hold=hold, window=window, zones=zones, now=now
        )
    return Timeline(
        policy_id=policy.pk,
        policy_name=policy.name,
        policy_is_own=is_own,
        sent=tuple(sent),
        next=following,
        hold=hold,
        invoice_pause=pause,
        held_reason=_why_not(
            hold, following, finished=invoice.due_date is not None, arrangement=arrangement
        ),
        customer_zone=zones[0],
        org_zone=zones[1],
        arrangement=arrangement,
    )

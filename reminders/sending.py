"""Sending one batch: the customer's reminders for one local day on one channel, as one message.

The task claims the batch (queued → sending) with a conditional update, so two deliveries of
the task never both send it. Everything is asked again now, not trusted from the sweep: is each
invoice still owed and not held (paid, paused ...)? Is the window open where the customer is?
Has the minimum gap passed since the last message on this channel, and is the day's cap not
reached? A batch that must wait goes back to the queue with the moment it may go. Otherwise one
message is written through messaging (which checks consent and suppression and sends it exactly
once) in the same transaction that marks the batch sent: either both happen or neither, so a
worker killed in between leaves a claim the sweep can safely hand out again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arhub.messaging.channels import Attachment
from arhub.messaging.placeholders import format_amount, format_day, value_locale
from arhub.messaging.services import message_queue
from arhub.models import Channel, Message, MessageKind, MessageStatus, Organization
from invoicing.message_values import invoice_message_values
from invoicing.models import Invoice
from payments.statement_links import statement_link_url
from reminders.holds import invoice_holds
from reminders.models import Reminder, ReminderBatch, ReminderPolicy, ReminderStatus
from reminders.policies import customer_zone, policy_for_customer, policy_window
from reminders.windows import is_open, next_opening
from reminders.wording import digest_wording, reminder_wording

REMINDER_KINDS = (MessageKind.REMINDER, MessageKind.REMINDER_DIGEST)
# Messages that count for the gap and the cap: what went out, or is on its way.
COUNTED = (
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
)


@dataclass(frozen=True)
class Wait:
    until: datetime
    reason: str


def _claim(org: Organization, batch_id: int, now: datetime) -> bool:
    return (
        ReminderBatch.objects.for_org(org)
        .filter(pk=batch_id, status=ReminderStatus.QUEUED, send_after__lte=now)
        .update(status=ReminderStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
        == 1
    )


def _wait_for(
    org: Organization, batch: ReminderBatch, policy: ReminderPolicy, now: datetime
) -> Wait | None:
    """Why the batch cannot go at ``now``, and until when; None when it may."""
    window = policy_window(policy, org=org, customer=batch.customer)
    if not is_open(window, now):
        opening = next_opening(window, now) or now + timedelta(days=1)
        return Wait(opening, "Outside the send window where the customer is.")
    sent = Message.objects.for_org(org).filter(
        customer_id=batch.customer_id,
        channel=batch.channel,
        status__in=COUNTED,
        direction="out",
        # Only what went before ``now``: a replay at a past moment (seed_demo) must not wait
        # for messages that the customer gets later in the story.
        created_at__lte=now,
    )
    last = sent.order_by("-created_at").values_list("created_at", flat=True).first()
    gap = timedelta(hours=policy.min_gap_hours)
    if last is not None and now - last < gap:
        return Wait(last + gap, f"Less than {policy.min_gap_hours} hours since the last message.")
    zone = ZoneInfo(customer_zone(org=org, customer=batch.customer))
    local = now.astimezone(zone)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = sent.filter(kind__in=REMINDER_KINDS, created_at__gte=day_start).count()
    if today >= policy.daily_cap:
        tomorrow = next_opening(window, day_start + timedelta(days=1)) or now + timedelta(days=1)
        return Wait(tomorrow, f"Already {today} reminder(s) today, the most a day.")
    return None


def _days_overdue(invoice: Invoice, local_today: object) -> int:
    if invoice.due_date is None:
        return 0
    return max((local_today - invoice.due_date).days, 0)  # type: ignore[operator]


def _single_values(
    org: Organization, invoice: Invoice, channel: str, now: datetime
) -> dict[str, str]:
    zone = ZoneInfo(customer_zone(org=org, customer=invoice.customer))
    values = invoice_message_values(org=org, invoice=invoice, short_dates=channel == Channel.SMS)
    values["days_overdue"] = str(_days_overdue(invoice, now.astimezone(zone).date()))
    return values


def _digest_values(org: Organization, invoices: list[Invoice], channel: str) -> dict[str, str]:
    customer = invoices[0].customer
    locale = value_locale(org=org, language=customer.language)
    short = channel == Channel.SMS
    totals: dict[str, Decimal] = defaultdict(Decimal)
    lines = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.pk)):
        totals[invoice.currency] += invoice.balance_due
        owed = format_amount(invoice.balance_due, invoice.currency, locale=locale)
        due = format_day(invoice.due_date, locale=locale, short=short) if invoice.due_date else ""
        lines.append(f"{invoice.number}: {owed}" + (f", due {due}" if due else ""))
    total = " + ".join(
        format_amount(amount, currency, locale=locale)
        for currency, amount in sorted(totals.items())
    )
    return {
        "invoice_count": str(len(invoices)),
        "total_due": total,
        "invoice_list": "\n".join(lines),
        "statement_link": statement_link_url(org=org, customer=customer),
    }


def _hand_over(
    org: Organization, batch: ReminderBatch, live: list[Reminder], now: datetime
) -> Message:
    customer = batch.customer
    if len(live) == 1:
        reminder = live[0]
        wording = reminder_wording(
            org=org,
            step=reminder.step,
            tone=reminder.tone,
            channel=batch.channel,
            language=customer.language,
        )
        return message_queue(
            org=org,
            customer=customer,
            kind=MessageKind.REMINDER,
            channel=batch.channel,
            values=_single_values(org, reminder.invoice, batch.channel, now),
            invoice=reminder.invoice,
            wording=wording,
        )
    invoices = [reminder.invoice for reminder in live]
    return message_queue(
        org=org,
        customer=customer,
        kind=MessageKind.REMINDER_DIGEST,
        channel=batch.channel,
        values=_digest_values(org, invoices, batch.channel),
        wording=digest_wording(org=org, channel=batch.channel, language=customer.language),
    )


def _finish(batch: ReminderBatch, status: str, reason: str, now: datetime) -> ReminderBatch:
    batch.status, batch.status_reason, batch.updated_at = status, reason[:300], now
    batch.save(update_fields=["status", "status_reason", "updated_at", "message"])
    return batch


def reminder_batch_send(
    *, org: Organization, batch_id: int, now: datetime | None = None
) -> ReminderBatch | None:
    """Send one batch, or put it back with the moment it may go. None when there was nothing to
    do (another worker has it, it went already, or it is not due yet)."""
    now = now or timezone.now()
    if not _claim(org, batch_id, now):
        return None
    with transaction.atomic():
        batch = (
            ReminderBatch.objects.for_org(org)
            .select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=batch_id)
        )
        reminders = list(
            Reminder.objects.for_org(org)
            .filter(batch=batch, status=ReminderStatus.QUEUED)
            .select_related("invoice", "invoice__customer", "step")
            .order_by("invoice__due_date", "invoice_id")
        )
        held = invoice_holds(org=org, invoices=[r.invoice for r in reminders])
        for reminder in reminders:
            hold = held.get(reminder.invoice_id)
            if hold is not None:
                reminder.status, reminder.status_reason = ReminderStatus.SKIPPED, hold.reason
        live = [r for r in reminders if r.status == ReminderStatus.QUEUED]
        Reminder.objects.bulk_update(reminders, ["status", "status_reason"])
        if not live:
            reason = "; ".join(sorted({r.status_reason for r in reminders})) or "Nothing to send."
            return _finish(batch, ReminderStatus.SKIPPED, reason, now)
        policy = policy_for_customer(org=org, customer=batch.customer)
        wait = _wait_for(org, batch, policy, now)
        if wait is not None:
            batch.send_after = wait.until
            batch.save(update_fields=["send_after"])
            return _finish(batch, ReminderStatus.QUEUED, wait.reason, now)
        message = _hand_over(org, batch, live, now)
        Reminder.objects.filter(pk__in=[r.pk for r in live]).update(status=ReminderStatus.SENT)
        batch.message = message
        return _finish(batch, ReminderStatus.SENT, "", now)


def reminder_pdf_attachments(message: Message) -> list[Attachment]:
    """The invoice's PDF on a single-invoice reminder whose step asks for it (registered for
    the reminder kind in ``RemindersConfig.ready``)."""
    if message.channel != Channel.EMAIL or message.invoice_id is None:
        return []
    wants_pdf = Reminder.objects.filter(
        organization_id=message.organization_id,
        batch__message_id=message.pk,
        step__attach_pdf=True,
    ).exists()
    if not wants_pdf:
        return []
    from invoicing.sending import invoice_pdf_attachments

    return invoice_pdf_attachments(message)

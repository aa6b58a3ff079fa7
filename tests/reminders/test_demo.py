"""seed_demo's reminders: a history the engine itself wrote over the last months (sent,
delivered, bounced, suppressed, held back by a pause, digests, both policies), nothing sent for
an invoice from the day it was paid, nothing crossing organizations, upcoming steps on open
invoices, the same for the same seed and today, and nothing handed to Celery or a provider."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, F

from arhub.models import (
    AuditEvent,
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    Organization,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus, PayLink
from reminders.demo import HISTORY_DAYS, KEY_ACCOUNTS
from reminders.demo_states import STORED, InvoiceStates
from reminders.demo_stories import ON_HOLD, holiday_reason
from reminders.holds import invoice_holds
from reminders.models import (
    CustomerReminders,
    InvoiceReminderPause,
    Reminder,
    ReminderBatch,
    ReminderPolicy,
    ReminderStatus,
)
from reminders.policies import policy_for_customer, policy_steps
from reminders.schedule import next_step

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
KINDS = (MessageKind.REMINDER, MessageKind.REMINDER_DIGEST)


def seed(slug: str, *extra: str, seed: int = 5) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", str(seed), "--events", "0", "--customers", "40",
        "--today", TODAY.isoformat(), *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def story_start(org: Organization) -> datetime:
    return datetime.combine(TODAY, time(0), tzinfo=ZoneInfo(org.timezone))


def reminders_of(slug: str) -> list[tuple]:
    """Everything that tells the history, by names rather than row ids."""
    return list(
        Reminder.objects.filter(organization__slug=slug)
        .order_by("invoice__number", "offset_days", "channel")
        .values_list(
            "invoice__number", "offset_days", "tone", "channel", "due_on", "status",
            "status_reason", "created_at", "batch__local_date", "batch__status",
            "batch__message__status", "batch__message__created_at", "batch__message__sent_at",
            "batch__message__delivered_at", "batch__message__subject",
        )
    )  # fmt: skip


def messages_of(slug: str) -> list[tuple]:
    return list(
        Message.objects.filter(organization__slug=slug, kind__in=KINDS)
        .order_by("created_at", "customer__external_id", "channel")
        .values_list(
            "customer__external_id", "invoice__number", "kind", "channel", "status",
            "status_reason", "created_at", "sent_at", "delivered_at", "subject",
        )
    )  # fmt: skip


def test_the_demo_remembers_months_of_reminders_of_every_kind():
    report = seed("rem")
    org = Organization.objects.get(slug="rem")
    messages = Message.objects.for_org(org).filter(kind__in=KINDS)
    statuses = Counter(messages.values_list("status", flat=True))
    assert "reminder messages since" in report
    # Most delivered, some only sent (no report came), a couple bounced, some suppressed.
    assert statuses[MessageStatus.DELIVERED] > statuses[MessageStatus.SENT] > 0
    assert statuses[MessageStatus.BOUNCED] == 2
    assert statuses[MessageStatus.SUPPRESSED] > 0
    assert not statuses[MessageStatus.QUEUED] and not statuses[MessageStatus.SENDING]

    # Over the months before today, at the story's moments, not the clock's.
    first, last = messages.order_by("created_at")[0], messages.order_by("-created_at")[0]
    assert (last.created_at - first.created_at).days >= HISTORY_DAYS - 10
    assert last.created_at < story_start(org)
    assert first.created_at >= story_start(org) - timedelta(days=HISTORY_DAYS + 1)
    for message in messages.exclude(status__in=[MessageStatus.SUPPRESSED, "skipped"]):
        assert message.sent_at is not None and message.created_at < message.sent_at
        assert message.provider_message_id
        if message.channel == Channel.SMS:
            assert message.provider_message_id.startswith("SM")
    for message in messages.filter(status=MessageStatus.DELIVERED):
        assert message.sent_at < message.delivered_at < message.sent_at + timedelta(minutes=1)
    assert not Reminder.objects.for_org(org).filter(created_at__gte=story_start(org)).exists()

    # Texts where the customer takes them and agreed; none where there is no consent.
    texts = messages.filter(channel=Channel.SMS)
    assert texts.filter(status__in=[MessageStatus.DELIVERED, MessageStatus.SENT]).exists()
    assert texts.filter(status_reason="No recorded consent to text this number.").exists()

    # A hard bounce suppresses the address through messaging's own record of it, and what
    # messaging writes to that address afterwards is suppressed.
    for bounced in messages.filter(status=MessageStatus.BOUNCED):
        assert bounced.status_reason.startswith("550 5.1.1")
        suppression = Suppression.objects.for_org(org).get(message=bounced)
        assert (suppression.reason, suppression.scope) == (
            SuppressionReason.HARD_BOUNCE,
            SuppressionScope.ALL,
        )
        assert bounced.sent_at < suppression.created_at < story_start(org)
    after_bounce = messages.filter(status_reason__startswith="Hard bounce")
    assert after_bounce.exists()
    # An address that unsubscribed before the reminders began never gets one.
    unsubscribed = messages.filter(status_reason__startswith="Unsubscribed (reminders)")
    assert unsubscribed.exists()
    assert unsubscribed.first().recipient in set(
        Suppression.objects.for_org(org)
        .filter(reason=SuppressionReason.UNSUBSCRIBED, created_at__lt=first.created_at)
        .values_list("address", flat=True)
    )

    # Digests: one message for a customer's several invoices due the same day.
    digests = ReminderBatch.objects.for_org(org).annotate(n=Count("reminders")).filter(n__gt=1)
    # The customer billed three times on one day hears about all three in one message.
    assert digests.filter(n__gte=3).exists()
    assert all(b.message.kind == MessageKind.REMINDER_DIGEST for b in digests if b.message)
    assert messages.filter(kind=MessageKind.REMINDER_DIGEST).exists()


def test_the_demo_holds_back_a_disputed_invoice_and_a_customer_on_holiday():
    report = seed("held")
    org = Organization.objects.get(slug="held")
    skipped = Reminder.objects.for_org(org).filter(status=ReminderStatus.SKIPPED)

    pause = InvoiceReminderPause.objects.for_org(org).get()
    assert pause.reason == ON_HOLD and pause.invoice.status in OUTSTANDING_STATUSES
    assert f"invoice {pause.invoice.number} paused (on hold)" in report
    # Paused between the sweep that planned its reminder and the send, which skipped it.
    held = skipped.get(invoice=pause.invoice)
    assert held.status_reason == f"Paused by Dana Whitfield: {ON_HOLD}"
    assert held.created_at < pause.paused_at < story_start(org)
    assert (
        not Reminder.objects.for_org(org)
        .filter(invoice=pause.invoice, created_at__gt=pause.paused_at)
        .exists()
    )
    # Reminders went before the dispute.
    assert (
        Reminder.objects.for_org(org)
        .filter(invoice=pause.invoice, status=ReminderStatus.SENT)
        .exists()
    )

    away = CustomerReminders.objects.for_org(org).get(paused=True)
    assert (
        away.paused_reason
        == holiday_reason(TODAY)
        == ("On holiday until the 20th; agreed to pay on return")
    )
    assert skipped.filter(
        customer=away.customer, status_reason__endswith=holiday_reason(TODAY)
    ).exists()
    assert (
        not Reminder.objects.for_org(org)
        .filter(customer=away.customer, created_at__gt=away.paused_at)
        .exists()
    )
    # The pauses are audited at the story's moments.
    audited = AuditEvent.objects.for_org(org).filter(summary__startswith="Paused")
    assert sorted(e.created_at for e in audited) == sorted([pause.paused_at, away.paused_at])

    # Both policies are in use: two customers follow "Key accounts".
    key = ReminderPolicy.objects.for_org(org).get(name=KEY_ACCOUNTS.name)
    assert (key.window_start, key.window_end) == (time(10), time(16))
    assert CustomerReminders.objects.for_org(org).filter(policy=key).count() == 2
    by_policy = Counter(
        Reminder.objects.for_org(org)
        .exclude(step=None)
        .values_list("step__policy__name", flat=True)
    )
    assert by_policy[KEY_ACCOUNTS.name] > 0 and by_policy["Standard"] > by_policy[KEY_ACCOUNTS.name]
    # Key accounts hear from us no earlier than ten, where they are.
    for reminder in Reminder.objects.for_org(org).filter(
        step__policy=key, status=ReminderStatus.SENT
    ):
        local = reminder.batch.message.created_at.astimezone(ZoneInfo(reminder.customer.timezone))
        assert time(10) <= local.time() < time(16)


def test_nothing_is_sent_for_an_invoice_from_the_day_it_was_paid_and_open_ones_come_next():
    seed("paid")
    org = Organization.objects.get(slug="paid")
    zone = ZoneInfo(org.timezone)
    sent = Reminder.objects.for_org(org).filter(status=ReminderStatus.SENT)
    checked = 0
    for invoice in Invoice.objects.for_org(org).filter(
        status=InvoiceStatus.PAID, reminders__in=sent
    ):
        paid_on = invoice.paid_at.astimezone(zone).date()
        for reminder in sent.filter(invoice=invoice).select_related("batch"):
            assert reminder.batch.local_date < paid_on, invoice.number
            checked += 1
    assert checked > 10  # many invoices were reminded, then paid

    # Open invoices have their next step in the coming days (the invoice page shows it).
    owed = list(
        Invoice.objects.for_org(org)
        .filter(status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
        .select_related("customer")
    )
    held = invoice_holds(org=org, invoices=owed)
    coming = []
    for invoice in owed:
        if invoice.pk in held or invoice.due_date is None:
            continue
        steps = policy_steps(policy_for_customer(org=org, customer=invoice.customer))
        done = (
            Reminder.objects.for_org(org)
            .filter(invoice=invoice)
            .values_list("offset_days", flat=True)
        )
        upcoming = next_step(steps, due_date=invoice.due_date, today=TODAY, done=done)
        if upcoming is not None and upcoming[1] <= TODAY + timedelta(days=7):
            coming.append(invoice)
    assert len(coming) >= 3


def test_the_same_seed_and_today_give_the_same_reminders_in_their_own_organization():
    seed("one")
    seed("two")
    assert reminders_of("one") == reminders_of("two")
    assert messages_of("one") == messages_of("two")
    assert len(reminders_of("one")) > 50
    # Each org's reminders and messages are about its own customers and invoices.
    assert not Message.objects.exclude(customer__organization=F("organization")).exists()
    assert (
        not Message.objects.exclude(invoice=None)
        .exclude(invoice__organization=F("organization"))
        .exists()
    )
    assert not Reminder.objects.exclude(customer__organization=F("organization")).exists()
    assert not Reminder.objects.exclude(invoice__organization=F("organization")).exists()
    assert (
        not Reminder.objects.exclude(batch=None)
        .exclude(batch__organization=F("organization"))
        .exists()
    )
    assert not Reminder.objects.exclude(batch=None).exclude(batch__customer=F("customer")).exists()
    # Another seed tells another story.
    seed("three", seed=6)
    assert messages_of("three") != messages_of("one")
    # Reused as it is.
    before = len(messages_of("one"))
    assert "reusing" in seed("one", "--if-missing")
    assert len(messages_of("one")) == before


def test_the_replay_gives_every_invoice_back_as_it_was_and_nothing_is_sent(
    django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks() as callbacks:
        seed("quiet")
    org = Organization.objects.get(slug="quiet")
    # No send task was queued for after the commit, and nothing went out.
    assert not [c for c in callbacks if getattr(c, "__module__", "").startswith("arhub.messaging")]
    assert Message.objects.for_org(org).filter(kind__in=KINDS).count() > 50
    assert mail.outbox == [] and sms_outbox == []

    # The invoices' own records, replayed to the end, give the figures they have now: the
    # days in between were what the engine saw.
    states = InvoiceStates.load(org)
    now = {pk: {name: getattr(i, name) for name in STORED} for pk, i in states.invoices.items()}
    states.rewind()
    assert {i.status for i in states.invoices.values()} == {InvoiceStatus.OPEN}
    states.advance(date.max)
    for pk, invoice in states.invoices.items():
        for name in STORED[:-1]:
            assert getattr(invoice, name) == now[pk][name], (invoice.number, name)
    # Links the reminders made are dated in the story, and none of them opens an invoice
    # that was voided or written off since.
    links = PayLink.objects.for_org(org).filter(invoice__reminders__isnull=False).distinct()
    assert links.exists()
    assert not links.filter(created_at__gte=story_start(org)).exists()
    assert not links.filter(
        revoked_at=None, invoice__status__in=[InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE]
    ).exists()

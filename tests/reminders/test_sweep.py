"""The reminder engine with the clock moved by time_machine: each step once on its day inside
the window wherever the customer is (across DST changes), decent hours only, nothing for a
paid invoice, one digest for several invoices, one catch-up after an outage, holds, the gap,
and one sweep at a time."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from arhub.models import MessageKind, MessageStatus
from payments.services import payment_record
from reminders.models import (
    CustomerReminders,
    InvoiceReminderPause,
    Reminder,
    ReminderBatch,
    ReminderStatus,
)
from reminders.sweep import SWEEP_LOCK, reminders_sweep
from tests.conftest import Tenant
from tests.messaging_factories import MessageFactory
from tests.reminders.engine_helpers import (
    EVERY_DAY,
    customer_in,
    default_policy,
    invoice_due,
    local,
    reminder_messages,
    run_at,
)

pytestmark = pytest.mark.django_db

DEFAULT_OFFSETS = [-3, 0, 3, 7, 14, 30]


def sent_offsets(invoice_id: int) -> list[int]:
    return sorted(
        Reminder.objects.filter(invoice_id=invoice_id, status=ReminderStatus.SENT).values_list(
            "offset_days", flat=True
        )
    )


@pytest.mark.parametrize(
    ("zone", "due"),
    [
        ("Pacific/Auckland", date(2027, 3, 31)),  # DST ends there on 4 April
        ("Europe/London", date(2027, 3, 25)),  # DST starts there on 28 March
        ("America/New_York", date(2027, 3, 10)),  # DST starts there on 14 March
        ("America/Los_Angeles", date(2027, 10, 30)),  # DST ends there on 7 November
    ],
)
def test_each_default_step_fires_once_on_its_day(tenant: Tenant, zone: str, due: date) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    customer = customer_in(tenant.org, zone)
    invoice = invoice_due(tenant.org, customer, due)
    fired: dict[date, list[int]] = {}
    day = due - timedelta(days=5)
    while day <= due + timedelta(days=32):
        before = len(reminder_messages())
        # Twice a day, morning and afternoon: the second sweep must find nothing new.
        run_at(local(zone, day, time(9, 30)))
        run_at(local(zone, day, time(15, 45)))
        new = reminder_messages()[before:]
        if new:
            fired[day] = [m.pk for m in new]
        day += timedelta(days=1)
    step_days = {due + timedelta(days=offset) for offset in DEFAULT_OFFSETS}
    assert set(fired) == step_days
    # On the due day the step is email and SMS, but this customer prefers email: one message.
    assert all(len(pks) == 1 for pks in fired.values())
    assert sent_offsets(invoice.pk) == DEFAULT_OFFSETS
    for message in reminder_messages():
        assert message.status == MessageStatus.SENT, message.status_reason


@pytest.mark.parametrize(
    ("at", "sent"), [(time(7, 59), False), (time(8, 0), True), (time(21, 1), False)]
)
def test_nothing_goes_out_before_eight_or_after_nine_local(
    tenant: Tenant, at: time, sent: bool
) -> None:
    default_policy(tenant.org, window_start=time(8, 0), window_end=time(21, 0), weekdays=EVERY_DAY)
    zone = "Asia/Tokyo"
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), date(2027, 6, 14))
    run_at(local(zone, date(2027, 6, 14), at))
    assert bool(reminder_messages(invoice=invoice)) is sent


def test_a_weekend_step_waits_for_monday(tenant: Tenant) -> None:
    default_policy(tenant.org)  # Monday to Friday
    zone = "Europe/Berlin"
    due = date(2027, 6, 12)  # a Saturday
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    run_at(local(zone, due))
    run_at(local(zone, due + timedelta(days=1)))
    assert reminder_messages(invoice=invoice) == []
    run_at(local(zone, due + timedelta(days=2)))  # Monday
    assert sent_offsets(invoice.pk) == [0]


def test_a_paid_invoice_gets_nothing_further(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    run_at(local(zone, due - timedelta(days=3)))
    assert sent_offsets(invoice.pk) == [-3]
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=invoice.balance_due,
        currency=invoice.currency,
        method="bank_transfer",
        received_on=due - timedelta(days=1),
        notify=False,
    )
    for days in range(0, 35):
        run_at(local(zone, due + timedelta(days=days)))
    assert sent_offsets(invoice.pk) == [-3]


def test_a_payment_between_the_sweep_and_the_send_stops_the_reminder(tenant: Tenant) -> None:
    from reminders.sending import reminder_batch_send

    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    moment = local(zone, due)
    with time_machine.travel(moment, tick=False):
        result = reminders_sweep(enqueue=False)
        [(_, batch_id)] = result.queued_batches
        payment_record(
            org=tenant.org,
            actor=None,
            customer_id=invoice.customer_id,
            amount=invoice.balance_due,
            currency=invoice.currency,
            method="cash",
            received_on=due,
            notify=False,
        )
        batch = reminder_batch_send(org=tenant.org, batch_id=batch_id)
    assert batch is not None and batch.status == ReminderStatus.SKIPPED
    assert "Paid" in batch.status_reason
    assert reminder_messages() == []


def test_three_invoices_due_together_go_as_one_digest(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "America/Chicago"
    due = date(2027, 6, 10)
    customer = customer_in(tenant.org, zone)
    invoices = [invoice_due(tenant.org, customer, due, price=p) for p in ("100", "250", "75.5")]
    run_at(local(zone, due))
    [digest] = reminder_messages()
    assert digest.kind == MessageKind.REMINDER_DIGEST
    assert digest.subject == "A friendly reminder about 3 invoices"
    for invoice in invoices:
        assert invoice.number in digest.body_text
    assert "£425.50" in digest.body_text and "/statement/" in digest.body_text
    assert len(mail.outbox) == 1
    sent = Reminder.objects.filter(status=ReminderStatus.SENT)
    assert sorted(r.invoice_id for r in sent) == sorted(i.pk for i in invoices)


def test_an_outage_sends_one_catch_up_not_a_burst(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    run_at(local(zone, due))
    assert sent_offsets(invoice.pk) == [0]
    # Down from day 1 to day 7: steps +3 and +7 both came due meanwhile.
    run_at(local(zone, due + timedelta(days=8)))
    assert sent_offsets(invoice.pk) == [0, 7]
    superseded = Reminder.objects.get(invoice=invoice, offset_days=3)
    assert superseded.status == ReminderStatus.SKIPPED and "Superseded" in superseded.status_reason
    assert len(reminder_messages()) == 2


@pytest.mark.parametrize("what", ["invoice", "customer"])
def test_a_paused_invoice_or_customer_gets_no_reminder(tenant: Tenant, what: str) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    if what == "invoice":
        pause = InvoiceReminderPause.objects.create(organization=tenant.org, invoice=invoice)
    else:
        settings_row = CustomerReminders.objects.create(
            organization=tenant.org, customer=invoice.customer, paused=True
        )
    run_at(local(zone, due))
    assert reminder_messages() == []
    if what == "invoice":
        pause.delete()
    else:
        settings_row.paused = False
        settings_row.save()
    run_at(local(zone, due + timedelta(days=3)))
    assert sent_offsets(invoice.pk) == [3]


def test_a_reminder_waits_for_the_gap_after_the_last_message(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY, min_gap_hours=4)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    customer = customer_in(tenant.org, zone)
    invoice = invoice_due(tenant.org, customer, due)
    with time_machine.travel(local(zone, due, time(9, 0)), tick=False):
        MessageFactory(customer=customer, kind=MessageKind.INVOICE, status=MessageStatus.SENT)
    run_at(local(zone, due, time(10, 0)))
    assert reminder_messages() == []
    batch = ReminderBatch.objects.get()
    assert batch.status == ReminderStatus.QUEUED
    assert batch.send_after == local(zone, due, time(13, 0))
    assert "4 hours" in batch.status_reason
    run_at(local(zone, due, time(13, 5)))
    assert sent_offsets(invoice.pk) == [0]


def test_sms_goes_on_the_due_day_to_a_customer_who_prefers_both_and_agreed(
    tenant: Tenant, sms_outbox: list
) -> None:
    from arhub.messaging.consent import sms_consent_record

    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "America/New_York"
    due = date(2027, 6, 10)
    customer = customer_in(tenant.org, zone, preferred="both", phone="+12125550123")
    sms_consent_record(
        org=tenant.org, phone="+12125550123", method="owner", recorded_by=tenant.owner.user
    )
    invoice = invoice_due(tenant.org, customer, due)
    run_at(local(zone, due))
    channels = sorted(m.channel for m in reminder_messages(invoice=invoice))
    assert channels == ["email", "sms"]
    assert len(sms_outbox) == 1 and invoice.number in sms_outbox[0].body


def test_the_final_step_attaches_the_invoice_and_sounds_final(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    run_at(local(zone, due + timedelta(days=30)))
    [message] = reminder_messages()
    assert message.subject == f"Final reminder: invoice {invoice.number}"
    [email] = mail.outbox
    assert [a[0] for a in email.attachments] == [f"invoice-{invoice.number}.pdf"]


def test_no_organization_gets_another_organizations_reminders(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    zone = "Europe/London"
    due = date(2027, 6, 10)
    for each in (tenant, other_tenant):
        default_policy(each.org, weekdays=EVERY_DAY)
        invoice_due(each.org, customer_in(each.org, zone), due)
    run_at(local(zone, due))
    messages = reminder_messages()
    assert len(messages) == 2
    for message in messages:
        assert message.customer.organization_id == message.organization_id
        assert message.invoice.organization_id == message.organization_id
        assert (
            message.sender.startswith(message.organization.name)
            or message.organization.name in message.body_text
        )


def test_a_dry_run_writes_nothing(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    with time_machine.travel(local(zone, due), tick=False):
        result = reminders_sweep(dry_run=True)
    assert [(p.invoice_id, p.step.offset_days) for p in result.planned] == [(invoice.pk, 0)]
    assert not Reminder.objects.exists() and not ReminderBatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_while_one_runs_does_nothing(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])
            holding.set()
            release.wait(10)
            cursor.execute("COMMIT")
        connections["default"].close()

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    assert holding.wait(10)
    try:
        with time_machine.travel(local(zone, due), tick=False):
            assert reminders_sweep(enqueue=False).ran is False
        assert not Reminder.objects.exists()
    finally:
        release.set()
        thread.join()
    with time_machine.travel(local(zone, due), tick=False):
        assert len(reminders_sweep(enqueue=False).planned) == 1
    assert connection.vendor == "postgresql"


def test_a_claim_whose_worker_died_is_handed_out_again(tenant: Tenant) -> None:
    from datetime import timedelta as td

    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), due)
    with time_machine.travel(local(zone, due), tick=False):
        reminders_sweep(enqueue=False)
    # A worker claimed the batch and was killed before handing anything to messaging.
    ReminderBatch.objects.update(status=ReminderStatus.SENDING)
    run_at(local(zone, due) + td(minutes=5))
    assert reminder_messages() == []  # too soon to call it dead
    result = run_at(local(zone, due) + td(minutes=20))
    assert result.reclaimed == 1
    assert sent_offsets(invoice.pk) == [0]
    assert Decimal(len(mail.outbox)) == 1


def test_a_digest_honours_a_reminders_unsubscribe_and_the_reminders_contact(
    tenant: Tenant,
) -> None:
    from arhub.messaging.consent import suppression_add

    default_policy(tenant.org, weekdays=EVERY_DAY)
    zone = "Europe/London"
    due = date(2027, 6, 10)
    customer = customer_in(tenant.org, zone)
    primary = customer.contacts.get()
    primary.receives_reminders = False
    primary.save()
    ap = customer.contacts.create(
        organization=tenant.org,
        name="Accounts",
        email="payables@example.test",
        is_primary=False,
        receives_reminders=True,
    )
    for price in ("100", "200"):
        invoice_due(tenant.org, customer, due, price=price)
    run_at(local(zone, due))
    [digest] = reminder_messages()
    assert digest.kind == MessageKind.REMINDER_DIGEST and digest.recipient == ap.email
    suppression_add(
        org=tenant.org, channel="email", address=ap.email, scope="reminders", reason="unsubscribed"
    )
    run_at(local(zone, due + timedelta(days=3)))
    later = reminder_messages()[1]
    assert later.status == MessageStatus.SUPPRESSED

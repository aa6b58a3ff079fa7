"""Queueing and sending: the rows, the checks at queue and at send time, the claim, retries, the
stale sweep, and a real Celery worker riding out a mail server outage."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from arhub.messaging import services
from arhub.messaging.channels import TransientSendError
from arhub.messaging.consent import sms_consent_revoke
from arhub.messaging.placeholders import format_amount
from arhub.messaging.services import message_queue, message_send, messages_requeue_stale
from arhub.messaging.sms import sms_length
from arhub.messaging.tasks import message_send_task
from arhub.models import (
    Channel,
    ConsentMethod,
    Message,
    MessageKind,
    MessageStatus,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from tests.arhub.messaging.test_channels import RaisingBackend
from tests.messaging_factories import (
    MessageFactory,
    MessageTemplateFactory,
    MessagingContactFactory,
    MessagingCustomerFactory,
    SmsConsentFactory,
    SuppressionFactory,
)
from tests.smtp_server import Inbox, free_port

REMINDER = {
    "invoice_number": "INV-0042",
    "amount_due": "£80.00",
    "due_date": "12 March 2026",
    "days_overdue": "0",
    "pay_link": "https://arhub.example/pay/abc/",
}


@pytest.fixture
def enqueued(monkeypatch):
    """What would have been put on the broker, instead of putting it there."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(message_send_task, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def customer(tenant):
    return MessagingCustomerFactory(organization=tenant.org, display_name="Bright Dental")


def remind(org, customer, channel=Channel.EMAIL, **kwargs) -> Message:
    return message_queue(
        org=org,
        customer=customer,
        kind=MessageKind.REMINDER,
        channel=channel,
        values=REMINDER,
        **kwargs,
    )


# ---- Queueing


@pytest.mark.django_db
def test_a_queued_message_holds_exactly_what_will_be_sent_and_is_enqueued_on_commit(
    tenant, customer, enqueued, django_capture_on_commit_callbacks
):
    MessagingContactFactory(customer=customer, name="Maria", email="maria@bright.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = remind(tenant.org, customer)
        assert enqueued == []  # nothing reaches the broker before the row is committed
    assert len(callbacks) == 1
    assert enqueued == [(tenant.org.pk, message.pk)]

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.recipient == "maria@bright.test"
    assert message.sender.endswith("<billing@localhost>")
    assert message.subject == "A friendly reminder about invoice INV-0042"
    assert message.body_text.startswith(
        "Hi Maria,\n\nThis is a friendly reminder about invoice INV-0042 for £80.00, due on "
        "12 March 2026."
    )
    assert "Thanks,\nAcme Plumbing" in message.body_text
    assert "/u/" in message.body_text  # the unsubscribe footer
    assert "<p>Hi Maria,</p>" in message.body_html
    assert message.contact is not None and message.contact.name == "Maria"


@pytest.mark.django_db
def test_the_owners_wording_in_the_customers_language_is_used(tenant, customer, enqueued):
    customer.language = "es"
    customer.save()
    MessagingContactFactory(customer=customer, name="Lucía", email="lucia@bright.test")
    MessageTemplateFactory(
        organization=tenant.org,
        language="es",
        subject="Recordatorio {invoice_number}",
        body="Hola {contact_name}, {amount_due}. {{gracias}}",
    )
    MessageTemplateFactory(organization=tenant.org, language="en", body="English, not this")
    message = remind(tenant.org, customer)
    assert message.subject == "Recordatorio INV-0042"
    assert message.body_text.startswith("Hola Lucía, £80.00. {gracias}")
    assert "Recibe este correo porque es cliente de Acme Plumbing" in message.body_text


@pytest.mark.django_db
def test_a_customer_in_spanish_gets_the_spanish_default(tenant, customer, enqueued):
    customer.language = "es"
    customer.save()
    MessagingContactFactory(customer=customer, name="Lucía")
    message = remind(tenant.org, customer)
    assert message.subject == "Un recordatorio amable sobre la factura INV-0042"


@pytest.mark.django_db
def test_values_are_escaped_in_html(tenant, enqueued):
    customer = MessagingCustomerFactory(organization=tenant.org, display_name="<b>Evil</b> & Co")
    MessagingContactFactory(customer=customer, name="")
    message = remind(tenant.org, customer)
    assert "<b>Evil</b>" not in message.body_html
    assert "Hi &lt;b&gt;Evil&lt;/b&gt; &amp; Co," in message.body_html
    assert "Hi <b>Evil</b> & Co," in message.body_text  # the text part is plain text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MessageKind.REMINDER, "reminders@bright.test"),
        (MessageKind.INVOICE, "invoices@bright.test"),
        (MessageKind.DISPUTE_UPDATE, "boss@bright.test"),  # other kinds: the primary contact
    ],
)
def test_each_kind_goes_to_the_contact_marked_for_it(tenant, customer, enqueued, kind, expected):
    MessagingContactFactory(
        customer=customer,
        email="boss@bright.test",
        is_primary=True,
        receives_invoices=False,
        receives_reminders=False,
    )
    MessagingContactFactory(
        customer=customer,
        email="reminders@bright.test",
        is_primary=False,
        receives_invoices=False,
    )
    MessagingContactFactory(
        customer=customer,
        email="invoices@bright.test",
        is_primary=False,
        receives_reminders=False,
    )
    values = {
        **REMINDER,
        "invoice_total": "£80.00",
    }
    message = message_queue(
        org=tenant.org, customer=customer, kind=kind, channel=Channel.EMAIL, values=values
    )
    assert message.recipient == expected


@pytest.mark.django_db
def test_the_primary_contact_when_nobody_is_marked(tenant, customer, enqueued):
    MessagingContactFactory(
        customer=customer,
        email="boss@bright.test",
        receives_reminders=False,
        receives_invoices=False,
    )
    assert remind(tenant.org, customer).recipient == "boss@bright.test"


@pytest.mark.django_db
def test_a_suppressed_address_is_written_as_suppressed_and_not_enqueued(
    tenant, customer, enqueued, django_capture_on_commit_callbacks
):
    MessagingContactFactory(customer=customer, email="maria@bright.test")
    SuppressionFactory(
        organization=tenant.org,
        address="MARIA@bright.test",
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.UNSUBSCRIBED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = remind(tenant.org, customer)
    assert message.status == MessageStatus.SUPPRESSED
    assert message.status_reason.startswith("Unsubscribed (reminders) on ")
    assert message.body_text  # the wording is kept, for the timeline
    assert enqueued == []


@pytest.mark.django_db
def test_unsubscribing_from_reminders_does_not_stop_the_invoice(tenant, customer, enqueued):
    MessagingContactFactory(customer=customer, email="maria@bright.test")
    SuppressionFactory(
        organization=tenant.org,
        address="maria@bright.test",
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.UNSUBSCRIBED,
    )
    message = message_queue(
        org=tenant.org,
        customer=customer,
        kind=MessageKind.INVOICE,
        channel=Channel.EMAIL,
        values={**REMINDER, "invoice_total": "£80.00"},
    )
    assert message.status == MessageStatus.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "channel", "reason"),
    [
        ("no_email", Channel.EMAIL, "No email address for this customer."),
        ("no_phone", Channel.SMS, "No mobile number for this customer."),
        ("no_consent", Channel.SMS, "No recorded consent to text this number."),
        ("prefers_sms", Channel.EMAIL, "The customer prefers text messages."),
        ("prefers_email", Channel.SMS, "The customer prefers email."),
    ],
)
def test_skipped_with_a_reason(tenant, customer, enqueued, setup, channel, reason):
    MessagingContactFactory(
        customer=customer,
        email="" if setup == "no_email" else "maria@bright.test",
        phone="" if setup == "no_phone" else "+14155550123",
    )
    if setup != "no_consent":
        SmsConsentFactory(organization=tenant.org, phone="+14155550123")
    if setup.startswith("prefers_"):
        customer.preferred_channel = setup.removeprefix("prefers_")
        customer.save()
    message = remind(tenant.org, customer, channel=channel)
    assert (message.status, message.status_reason) == (MessageStatus.SKIPPED, reason)
    assert enqueued == []


@pytest.mark.django_db
def test_wording_that_needs_a_value_the_sender_lacks_is_skipped_not_sent_with_a_gap(
    tenant, customer, enqueued
):
    MessagingContactFactory(customer=customer)
    message = message_queue(
        org=tenant.org,
        customer=customer,
        kind=MessageKind.REMINDER,
        channel=Channel.EMAIL,
        values={"invoice_number": "INV-1"},
    )
    assert message.status == MessageStatus.SKIPPED
    assert message.status_reason.startswith("The wording could not be filled in: No value for")
    assert "{amount_due}" in message.status_reason


@pytest.mark.django_db
def test_an_sms_with_consent_is_queued(tenant, customer, enqueued):
    MessagingContactFactory(customer=customer, phone="+14155550123")
    SmsConsentFactory(organization=tenant.org, phone="+14155550123")
    message = remind(tenant.org, customer, channel=Channel.SMS)
    assert message.status == MessageStatus.QUEUED
    assert (message.subject, message.body_html) == ("", "")
    assert message.body_text.startswith("Acme Plumbing reminder: Hi ")


@pytest.mark.django_db
def test_a_spanish_amount_keeps_the_text_in_the_gsm_alphabet(tenant, customer, enqueued):
    # Babel writes "1.250,00\xa0€"; the no-break space alone would make the text UCS-2.
    customer.language = "es"
    customer.save()
    MessagingContactFactory(
        customer=customer, name="Inés", phone="+14155550123"
    )  # é is GSM, í is not
    SmsConsentFactory(organization=tenant.org, phone="+14155550123")
    amount = format_amount(Decimal("1250"), "EUR", locale="es")
    assert "\xa0" in amount
    values = {**REMINDER, "amount_due": amount, "due_date": "12 mar 2026"}
    message = message_queue(
        org=tenant.org,
        customer=customer,
        kind=MessageKind.REMINDER,
        channel=Channel.SMS,
        values=values,
    )
    assert "1.250,00 €" in message.body_text
    assert not sms_length(message.body_text).unicode


@pytest.mark.django_db
def test_another_tenants_customer_or_contact_is_refused(tenant, other_tenant, customer):
    foreign = MessagingCustomerFactory(organization=other_tenant.org)
    with pytest.raises(ValueError, match="another organization"):
        remind(tenant.org, foreign)
    with pytest.raises(ValueError, match="another customer"):
        remind(tenant.org, customer, contact=MessagingContactFactory(customer=foreign))


# ---- Sending


@pytest.fixture
def queued(tenant, customer, enqueued) -> Message:
    MessagingContactFactory(customer=customer, name="Maria", email="maria@bright.test")
    message = remind(tenant.org, customer)
    mail.outbox = []
    return message


@pytest.mark.django_db
def test_send_marks_the_row_sent_with_the_providers_id(tenant, queued):
    sent = message_send(org=tenant.org, message_id=queued.pk)
    assert sent is not None
    assert sent.status == MessageStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert sent.provider_message_id.endswith("@localhost")
    (email,) = mail.outbox
    assert email.body == queued.body_text and email.subject == queued.subject


@pytest.mark.django_db
def test_two_sends_of_one_message_send_it_once(tenant, queued):
    first = message_send(org=tenant.org, message_id=queued.pk)
    second = message_send(org=tenant.org, message_id=queued.pk)
    assert first is not None and first.status == MessageStatus.SENT
    assert second is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_another_organization_cannot_send_the_message(tenant, other_tenant, queued):
    assert message_send(org=other_tenant.org, message_id=queued.pk) is None
    assert Message.objects.get(pk=queued.pk).status == MessageStatus.QUEUED
    assert mail.outbox == []


class SlowCountingBackend(BaseEmailBackend):
    """Holds each send for a moment, so concurrent senders overlap."""

    sent = 0
    lock = threading.Lock()

    def send_messages(self, email_messages):
        time.sleep(0.2)
        with SlowCountingBackend.lock:
            SlowCountingBackend.sent += len(email_messages)
        return len(email_messages)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_claim_a_message_exactly_once(tenant, settings, enqueued):
    settings.EMAIL_BACKEND = f"{__name__}.SlowCountingBackend"
    SlowCountingBackend.sent = 0
    customer = MessagingCustomerFactory(organization=tenant.org)
    MessagingContactFactory(customer=customer)
    message = remind(tenant.org, customer)
    start = threading.Barrier(4)
    results: list[object] = []

    def worker() -> None:
        start.wait()
        try:
            results.append(message_send(org=tenant.org, message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SlowCountingBackend.sent == 1
    assert sum(result is not None for result in results) == 1
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


@pytest.mark.django_db
def test_a_stop_after_queueing_is_honoured_at_send_time(tenant, queued):
    SuppressionFactory(
        organization=tenant.org,
        address="maria@bright.test",
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.COMPLAINT,
    )
    result = message_send(org=tenant.org, message_id=queued.pk)
    assert result is not None and result.status == MessageStatus.SUPPRESSED
    assert result.status_reason.startswith("Spam complaint (everything)")
    assert mail.outbox == []


@pytest.mark.django_db
def test_consent_revoked_after_queueing_is_honoured_at_send_time(
    tenant, customer, enqueued, sms_outbox
):
    MessagingContactFactory(customer=customer, phone="+14155550123")
    SmsConsentFactory(organization=tenant.org, phone="+14155550123", method=ConsentMethod.PAY_PAGE)
    message = remind(tenant.org, customer, channel=Channel.SMS)
    assert message.status == MessageStatus.QUEUED
    sms_consent_revoke(org=tenant.org, phone="+14155550123")
    result = message_send(org=tenant.org, message_id=message.pk)
    assert result is not None
    assert (result.status, result.status_reason) == (
        MessageStatus.SKIPPED,
        "No recorded consent to text this number.",
    )
    assert sms_outbox == []


@pytest.mark.django_db
def test_an_sms_goes_out_through_the_backend(tenant, customer, enqueued, sms_outbox):
    MessagingContactFactory(customer=customer, phone="+14155550123")
    SmsConsentFactory(organization=tenant.org, phone="+14155550123")
    message = remind(tenant.org, customer, channel=Channel.SMS)
    sent = message_send(org=tenant.org, message_id=message.pk)
    assert sent is not None and sent.status == MessageStatus.SENT
    (text,) = sms_outbox
    assert (text.to, text.body, text.sid) == (
        "+14155550123",
        message.body_text,
        sent.provider_message_id,
    )


@pytest.mark.django_db
def test_a_transient_failure_puts_the_message_back_in_the_queue(tenant, queued, settings):
    settings.EMAIL_BACKEND = f"{RaisingBackend.__module__}.RaisingBackend"
    RaisingBackend.error = ConnectionRefusedError(111, "Connection refused")
    with pytest.raises(TransientSendError):
        message_send(org=tenant.org, message_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == MessageStatus.QUEUED
    assert queued.attempts == 1
    assert "could not be reached" in queued.status_reason


@pytest.mark.django_db
def test_a_message_failing_for_too_long_is_given_up_visibly(tenant, queued, settings):
    settings.EMAIL_BACKEND = f"{RaisingBackend.__module__}.RaisingBackend"
    RaisingBackend.error = TimeoutError("timed out")
    Message.objects.filter(pk=queued.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    result = message_send(org=tenant.org, message_id=queued.pk)
    assert result is not None and result.status == MessageStatus.FAILED
    assert result.status_reason.startswith(f"Gave up after {services.MAX_ATTEMPTS} attempts")


@pytest.mark.django_db
def test_a_hard_bounce_fails_the_message_and_suppresses_the_address(tenant, queued, settings):
    settings.EMAIL_BACKEND = f"{RaisingBackend.__module__}.RaisingBackend"
    RaisingBackend.error = smtplib.SMTPRecipientsRefused(
        {"maria@bright.test": (550, b"5.1.1 user unknown")}
    )
    result = message_send(org=tenant.org, message_id=queued.pk)
    assert result is not None and result.status == MessageStatus.FAILED
    assert "550 5.1.1 user unknown" in result.status_reason
    suppression = Suppression.objects.get(organization=tenant.org)
    assert (suppression.address, suppression.scope, suppression.reason, suppression.message_id) == (
        "maria@bright.test",
        SuppressionScope.ALL,
        SuppressionReason.HARD_BOUNCE,
        queued.pk,
    )


class ReportFirstBackend(BaseEmailBackend):
    """A provider so quick that its delivery report lands before the send returns."""

    message_id = 0

    def send_messages(self, email_messages):
        Message.objects.filter(pk=self.message_id).update(status=MessageStatus.DELIVERED)
        return len(email_messages)


@pytest.mark.django_db
def test_a_delivery_report_that_came_first_is_not_overwritten(tenant, queued, settings):
    settings.EMAIL_BACKEND = f"{__name__}.ReportFirstBackend"
    ReportFirstBackend.message_id = queued.pk
    result = message_send(org=tenant.org, message_id=queued.pk)
    assert result is not None
    assert result.status == MessageStatus.DELIVERED
    assert result.provider_message_id and result.sent_at is not None


# ---- The stale sweep


@pytest.mark.django_db
def test_the_sweep_requeues_what_nobody_is_working_on(
    tenant, enqueued, django_capture_on_commit_callbacks
):
    customer = MessagingCustomerFactory(organization=tenant.org)
    old = timezone.now() - timedelta(minutes=20)
    stuck_queued = MessageFactory(customer=customer, status=MessageStatus.QUEUED)
    stuck_sending = MessageFactory(customer=customer, status=MessageStatus.SENDING)
    fresh = MessageFactory(customer=customer, status=MessageStatus.QUEUED)
    done = MessageFactory(customer=customer, status=MessageStatus.SENT)
    inbound = MessageFactory(customer=customer, status=MessageStatus.QUEUED, direction="in")
    Message.objects.filter(pk__in=[stuck_queued.pk, stuck_sending.pk, done.pk, inbound.pk]).update(
        updated_at=old
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert messages_requeue_stale() == 2
    assert sorted(enqueued) == sorted(
        [(tenant.org.pk, stuck_queued.pk), (tenant.org.pk, stuck_sending.pk)]
    )
    assert Message.objects.get(pk=stuck_sending.pk).status == MessageStatus.QUEUED
    assert Message.objects.get(pk=done.pk).status == MessageStatus.SENT
    assert fresh.pk not in {pk for _, pk in enqueued}

    # Each requeued row gets a fresh window: the next sweep leaves it to its task.
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_requeue_stale() == 0
    later = timezone.now() + timedelta(minutes=16)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert messages_requeue_stale() == 3  # now the fresh one is stale too


@pytest.mark.django_db
def test_a_text_whose_worker_died_mid_send_is_never_sent_again(
    tenant, enqueued, django_capture_on_commit_callbacks
):
    customer = MessagingCustomerFactory(organization=tenant.org)
    text = MessageFactory(customer=customer, status=MessageStatus.SENDING, channel="sms")
    queued_text = MessageFactory(customer=customer, status=MessageStatus.QUEUED, channel="sms")
    Message.objects.filter(pk__in=[text.pk, queued_text.pk]).update(
        updated_at=timezone.now() - timedelta(minutes=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_requeue_stale() == 1
    assert enqueued == [(tenant.org.pk, queued_text.pk)]  # a text never sent may still go
    failed = Message.objects.get(pk=text.pk)
    assert failed.status == MessageStatus.FAILED
    assert "not sent again" in failed.status_reason


# ---- A real worker


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_mail_server_outage_is_ridden_out_by_the_worker(tenant, settings, monkeypatch, worker):
    port = free_port()  # the mail server is down: nothing listens here yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    # Seconds instead of half-minutes between retries; read by the task when it fails.
    monkeypatch.setattr(message_send_task, "retry_backoff", 1)
    customer = MessagingCustomerFactory(organization=tenant.org)
    MessagingContactFactory(customer=customer, name="Maria", email="maria@bright.test")

    message = remind(tenant.org, customer)  # committed at once: the task is on Redis now

    def failed_once() -> bool:
        row = Message.objects.get(pk=message.pk)
        return row.attempts >= 1 and row.status == MessageStatus.QUEUED

    wait_for(failed_once)
    assert "could not be reached" in Message.objects.get(pk=message.pk).status_reason

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        wait_for(lambda: Message.objects.get(pk=message.pk).status == MessageStatus.SENT)
    finally:
        controller.stop()
    row = Message.objects.get(pk=message.pk)
    assert row.attempts >= 2
    assert row.status_reason == ""
    (received,) = inbox.messages
    assert received["Subject"] == "A friendly reminder about invoice INV-0042"
    assert received["Message-ID"] == f"<{row.provider_message_id}>"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_sends_once(tenant, worker):
    customer = MessagingCustomerFactory(organization=tenant.org)
    MessagingContactFactory(customer=customer)
    message = remind(tenant.org, customer)  # the first task
    message_send_task.delay(tenant.org.pk, message.pk)  # and a duplicate
    wait_for(lambda: Message.objects.get(pk=message.pk).status == MessageStatus.SENT)
    time.sleep(0.5)  # give the duplicate its chance
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1

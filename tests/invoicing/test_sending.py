"""Sending an invoice: issue, then one message per invoice contact through the channels, with
the PDF attached and the pay link in the body; SMS only where preferred and consented."""

from __future__ import annotations

import pytest
from django.core import mail

from arhub.messaging.services import message_send
from arhub.messaging.tasks import message_send_task
from arhub.models import Channel, Message, MessageKind, MessageStatus
from invoicing.invoice_services import InvoiceStateError, invoice_void
from invoicing.models import InvoiceStatus
from invoicing.send_tasks import invoice_send_task
from invoicing.sending import invoice_send
from tests.invoicing.invoice_factories import invoice_make
from tests.messaging_factories import (
    MessagingContactFactory,
    MessagingCustomerFactory,
    SmsConsentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Invoice-send tasks put on the "broker" (kept here), and message sends run at once."""
    calls: list[tuple] = []
    monkeypatch.setattr(invoice_send_task, "delay", lambda *args: calls.append(args))
    monkeypatch.setattr(
        message_send_task,
        "delay",
        lambda org_id, message_id: message_send(
            org=Message.objects.get(pk=message_id).organization, message_id=message_id
        ),
    )
    return calls


@pytest.fixture
def customer(tenant):
    customer = MessagingCustomerFactory(
        organization=tenant.org, display_name="Bright Dental", preferred_channel="email"
    )
    MessagingContactFactory(
        customer=customer, name="Maria", email="maria@bright.test", is_primary=True
    )
    MessagingContactFactory(
        customer=customer, name="Accounts", email="ap@bright.test", is_primary=False
    )
    MessagingContactFactory(
        customer=customer,
        name="Dr Lee",
        email="lee@bright.test",
        is_primary=False,
        receives_invoices=False,
    )
    return customer


def run(queued) -> None:
    while queued:
        invoice_send_task(*queued.pop(0))


def test_send_issues_the_draft_and_emails_each_invoice_contact(
    tenant, customer, queued, django_capture_on_commit_callbacks
):
    draft = invoice_make(
        tenant.org, customer=customer, issue=False, lines=[("Check-up", "1", "80")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = invoice_send(org=tenant.org, actor=tenant.user(), invoice=draft)
    assert sent.status == InvoiceStatus.OPEN and sent.number and sent.last_sent_at
    assert mail.outbox == []  # the request only queued the work
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    assert sorted(m.to[0] for m in mail.outbox) == ["ap@bright.test", "maria@bright.test"]
    email = next(m for m in mail.outbox if m.to == ["maria@bright.test"])
    assert sent.number in email.subject
    assert "Hi Maria" in email.body and "/pay/p" in email.body and "£80.00" in email.body
    (name, content, mimetype) = email.attachments[0]
    assert (name.endswith(".pdf"), mimetype, content[:5]) == (True, "application/pdf", b"%PDF-")
    rows = Message.objects.filter(invoice=sent, kind=MessageKind.INVOICE)
    assert {r.status for r in rows} == {MessageStatus.SENT} and rows.count() == 2


def test_a_resend_is_recorded_and_a_redelivered_task_sends_once(
    tenant, customer, queued, django_capture_on_commit_callbacks
):
    invoice = invoice_make(tenant.org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)
    (args,) = queued
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send_task(*args)
        invoice_send_task(*args)  # acks_late: the broker may deliver it again
    assert len(mail.outbox) == 2
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    assert len(mail.outbox) == 4
    assert Message.objects.filter(invoice=invoice).count() == 4


def test_sms_goes_only_where_preferred_and_consented(
    tenant, queued, sms_outbox, django_capture_on_commit_callbacks
):
    customer = MessagingCustomerFactory(organization=tenant.org, preferred_channel="both")
    contact = MessagingContactFactory(customer=customer, name="Sam", phone="+14155550123")
    SmsConsentFactory(organization=tenant.org, phone="+14155550123", customer=customer)
    invoice = invoice_make(tenant.org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    assert [m.to for m in mail.outbox] == [[contact.email]]
    (text,) = sms_outbox
    assert text.to == "+14155550123" and "/pay/p" in text.body

    no_consent = MessagingCustomerFactory(organization=tenant.org, preferred_channel="both")
    MessagingContactFactory(customer=no_consent, phone="+14155550999")
    other = invoice_make(tenant.org, customer=no_consent)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=other)
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    sms_row = Message.objects.get(invoice=other, channel=Channel.SMS)
    assert sms_row.status == MessageStatus.SKIPPED and "consent" in sms_row.status_reason
    assert len(sms_outbox) == 1


def test_void_invoices_are_not_sent(tenant, customer, queued, django_capture_on_commit_callbacks):
    invoice = invoice_make(tenant.org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)
    invoice_void(org=tenant.org, actor=None, invoice=invoice)  # voided before the worker ran
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    assert mail.outbox == [] and not Message.objects.filter(invoice=invoice).exists()
    with pytest.raises(InvoiceStateError, match="void invoice is not sent"):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)


def test_a_customer_without_an_address_gets_a_skipped_row_not_silence(
    tenant, queued, django_capture_on_commit_callbacks
):
    customer = MessagingCustomerFactory(organization=tenant.org, preferred_channel="email")
    invoice = invoice_make(tenant.org, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_send(org=tenant.org, actor=None, invoice=invoice)
    with django_capture_on_commit_callbacks(execute=True):
        run(queued)
    row = Message.objects.get(invoice=invoice)
    assert row.status == MessageStatus.SKIPPED and "No email address" in row.status_reason

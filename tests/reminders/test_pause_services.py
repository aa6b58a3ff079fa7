"""reminders.pause_services: pausing and resuming an invoice's reminders and a customer's,
choosing a customer's policy; each audited, refused cleanly, kept inside the organization, and
honoured by the engine (the sweep plans nothing; a reminder already queued is skipped)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from arhub.models import AuditAction, AuditEvent
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_void
from reminders.models import (
    CustomerReminders,
    InvoiceReminderPause,
    Reminder,
    ReminderPolicy,
    ReminderStatus,
)
from reminders.pause_services import (
    customer_reminders_pause,
    customer_reminders_resume,
    customer_reminders_set_policy,
    invoice_reminders_pause,
    invoice_reminders_resume,
)
from reminders.sending import reminder_batch_send
from reminders.sweep import reminders_sweep
from tests.invoicing.invoice_factories import invoice_make
from tests.reminders.engine_helpers import (
    customer_in,
    invoice_due,
    local,
    reminder_messages,
    run_at,
)

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
DUE = date(2027, 3, 14)
STEP_DAY = local(AUCKLAND, date(2027, 3, 11), time(10, 0))  # "3 days before", in the window


def open_invoice(tenant):
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        return invoice_due(tenant.org, customer_in(tenant.org, AUCKLAND), DUE)


def audits(org, kind: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_org(org)
        .filter(action=AuditAction.SETTINGS_CHANGED, data__reminders=kind)
        .order_by("pk")
    )


# ---- an invoice


def test_pause_records_who_why_and_audits(tenant):
    invoice = open_invoice(tenant)
    owner = tenant.owner.user
    pause = invoice_reminders_pause(
        org=tenant.org, actor=owner, invoice=invoice, reason="  Paying on the 20th  "
    )
    assert (pause.invoice_id, pause.paused_by, pause.reason) == (
        invoice.pk,
        owner,
        "Paying on the 20th",
    )
    (event,) = audits(tenant.org, "invoice_paused")
    assert event.actor == owner
    assert event.summary == f"Paused reminders for invoice {invoice.number}: Paying on the 20th"
    assert event.data == {
        "reminders": "invoice_paused",
        "invoice": invoice.pk,
        "reason": "Paying on the 20th",
    }


def test_pausing_again_changes_the_reason(tenant):
    invoice = open_invoice(tenant)
    invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="first")
    invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="second")
    assert InvoiceReminderPause.objects.get(invoice=invoice).reason == "second"
    assert InvoiceReminderPause.objects.count() == 1


def test_a_reason_is_optional_but_not_long(tenant):
    invoice = open_invoice(tenant)
    with pytest.raises(ValidationError) as raised:
        invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="x" * 301)
    assert "at most 300" in raised.value.message_dict["reason"][0]
    assert not InvoiceReminderPause.objects.exists() and not audits(tenant.org, "invoice_paused")
    assert invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="")


def test_only_an_open_invoice_can_be_paused(tenant):
    draft = invoice_make(tenant.org, issue=False)
    with pytest.raises(ValidationError) as raised:
        invoice_reminders_pause(org=tenant.org, actor=None, invoice=draft, reason="")
    assert "is draft" in raised.value.message_dict["invoice"][0]
    void = invoice_make(tenant.org)
    invoice_void(org=tenant.org, actor=None, invoice=void, reason="Twice")
    with pytest.raises(ValidationError) as raised:
        invoice_reminders_pause(org=tenant.org, actor=None, invoice=void, reason="")
    assert raised.value.message_dict["invoice"] == [
        f"Invoice {void.number} is void: it gets no reminders, so there is nothing to pause."
    ]
    assert not InvoiceReminderPause.objects.exists()


def test_resume_deletes_the_pause_and_audits_once(tenant):
    invoice = open_invoice(tenant)
    invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="")
    owner = tenant.owner.user
    assert invoice_reminders_resume(org=tenant.org, actor=owner, invoice=invoice, reason="Paid")
    assert not InvoiceReminderPause.objects.exists()
    assert invoice_reminders_resume(org=tenant.org, actor=owner, invoice=invoice) is False
    (event,) = audits(tenant.org, "invoice_resumed")
    assert event.summary == f"Resumed reminders for invoice {invoice.number}: Paid"


def test_another_organizations_invoice_is_not_found(tenant, other_tenant):
    theirs = open_invoice(other_tenant)
    with pytest.raises(NotInOrganization):
        invoice_reminders_pause(org=tenant.org, actor=None, invoice=theirs, reason="")
    invoice_reminders_pause(org=other_tenant.org, actor=None, invoice=theirs, reason="")
    with pytest.raises(NotInOrganization):
        invoice_reminders_resume(org=tenant.org, actor=None, invoice=theirs)
    assert InvoiceReminderPause.objects.filter(invoice=theirs).exists()


def test_the_sweep_plans_nothing_for_a_paused_invoice_and_resumes_with_one(tenant):
    invoice = open_invoice(tenant)
    invoice_reminders_pause(org=tenant.org, actor=None, invoice=invoice, reason="")
    run_at(STEP_DAY)
    assert not Reminder.objects.exists() and reminder_messages() == []
    invoice_reminders_resume(org=tenant.org, actor=None, invoice=invoice)
    # A week on: only the latest step whose day has come goes, never the ones missed.
    run_at(local(AUCKLAND, date(2027, 3, 18), time(10, 0)))
    (message,) = reminder_messages()
    sent = Reminder.objects.get(status=ReminderStatus.SENT)
    assert sent.offset_days == 3 and message.invoice_id == invoice.pk


def test_a_reminder_already_queued_is_skipped_with_the_pause(tenant):
    invoice = open_invoice(tenant)
    with time_machine.travel(STEP_DAY, tick=False):
        result = reminders_sweep(enqueue=False)
    assert result.queued_batches
    invoice_reminders_pause(
        org=tenant.org, actor=tenant.owner.user, invoice=invoice, reason="Cheque in the post"
    )
    with time_machine.travel(STEP_DAY, tick=False):
        for _, batch_id in result.queued_batches:
            reminder_batch_send(org=tenant.org, batch_id=batch_id)
    reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.SKIPPED
    assert reminder.status_reason.endswith(": Cheque in the post")
    assert reminder_messages() == []


# ---- a customer


def test_a_customer_paused_gets_no_reminder_until_resumed(tenant):
    invoice = open_invoice(tenant)
    customer = invoice.customer
    row = customer_reminders_pause(
        org=tenant.org, actor=tenant.owner.user, customer=customer, reason="Away until the 20th"
    )
    assert row.paused and row.paused_reason == "Away until the 20th" and row.paused_at
    run_at(STEP_DAY)
    assert reminder_messages() == []
    resumed = customer_reminders_resume(org=tenant.org, actor=None, customer=customer)
    assert resumed is not None and not resumed.paused and resumed.paused_reason == ""
    assert customer_reminders_resume(org=tenant.org, actor=None, customer=customer) is None
    run_at(local(AUCKLAND, date(2027, 3, 12), time(10, 0)))
    assert len(reminder_messages()) == 1
    assert [e.summary for e in audits(tenant.org, "customer_paused")] == [
        f"Paused all reminders to {customer.display_name}: Away until the 20th"
    ]
    assert len(audits(tenant.org, "customer_resumed")) == 1


def test_set_policy_own_then_back_to_default(tenant):
    invoice = open_invoice(tenant)
    customer = invoice.customer
    strict = ReminderPolicy.objects.create(organization=tenant.org, name="Strict")
    row = customer_reminders_set_policy(
        org=tenant.org, actor=None, customer=customer, policy_id=strict.pk
    )
    assert (
        row.policy == strict and CustomerReminders.objects.get(customer=customer).policy == strict
    )
    # The same again changes nothing and is not audited twice.
    customer_reminders_set_policy(
        org=tenant.org, actor=None, customer=customer, policy_id=strict.pk
    )
    customer_reminders_set_policy(org=tenant.org, actor=None, customer=customer, policy_id=None)
    assert CustomerReminders.objects.get(customer=customer).policy is None
    assert [e.summary for e in audits(tenant.org, "customer_policy")] == [
        f"{customer.display_name} now follows the Strict reminder policy",
        f"{customer.display_name} now follows the default reminder policy",
    ]


def test_another_organizations_policy_or_customer_is_not_found(tenant, other_tenant):
    mine = open_invoice(tenant).customer
    theirs = open_invoice(other_tenant).customer
    their_policy = ReminderPolicy.objects.create(organization=other_tenant.org, name="Theirs")
    with pytest.raises(NotInOrganization) as raised:
        customer_reminders_set_policy(
            org=tenant.org, actor=None, customer=mine, policy_id=their_policy.pk
        )
    assert raised.value.field == "policy"
    with pytest.raises(NotInOrganization):
        customer_reminders_pause(org=tenant.org, actor=None, customer=theirs, reason="")
    assert not CustomerReminders.objects.exists()

"""Shared by the reminder engine tests: a customer somewhere on Earth, invoices due on a given
day, running the sweep and the sends at a given local moment (time_machine moves the clock),
and reading back what went out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from arhub.messaging import sms
from arhub.messaging.services import message_send
from arhub.models import Message, MessageKind, Organization
from invoicing.models import Customer, Invoice
from reminders.models import ReminderPolicy
from reminders.policies import policy_default
from reminders.sending import reminder_batch_send
from reminders.sweep import SweepResult, reminders_sweep
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def customer_in(
    org: Organization, zone: str, *, preferred: str = "email", phone: str = ""
) -> Customer:
    customer: Customer = CustomerFactory(
        organization=org, timezone=zone, preferred_channel=preferred, language="en"
    )
    ContactFactory(customer=customer, email=f"ap{customer.pk}@example.test", phone=phone)
    return customer


def invoice_due(
    org: Organization, customer: Customer, due: date, *, price: str = "120.00"
) -> Invoice:
    """An invoice issued well before ``due`` (so every step, even "3 days before", may go)."""
    return invoice_make(
        org,
        customer=customer,
        issue_date=due - timedelta(days=30),
        due_date=due,
        lines=(("Boiler service", "1", price),),
    )


def default_policy(org: Organization, **changes: object) -> ReminderPolicy:
    policy = policy_default(org=org)
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def local(zone: str, day: date, at: time = time(10, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


def run_at(moment: datetime, org: Organization | None = None) -> SweepResult:
    """One sweep at ``moment``, then every due batch and its messages sent, as the worker
    would, with the clock at ``moment``."""
    with time_machine.travel(moment, tick=False):
        result = reminders_sweep(enqueue=False, org=org)
        orgs = {o.pk: o for o in Organization.objects.all()}
        for org_id, batch_id in result.queued_batches:
            batch = reminder_batch_send(org=orgs[org_id], batch_id=batch_id)
            if batch is not None and batch.message_id is not None:
                message_send(org=orgs[org_id], message_id=batch.message_id)
    return result


def reminder_messages(**filters: object) -> list[Message]:
    return list(
        Message.objects.filter(
            kind__in=[MessageKind.REMINDER, MessageKind.REMINDER_DIGEST], **filters
        ).order_by("pk")
    )


def outboxes_clear() -> None:
    mail.outbox.clear()
    sms.outbox.clear()

"""Short-hands for the metrics tests of customer behaviour: invoices issued on a given day,
payments received on a given day, and arrangements, disputes and reminders written straight to
their tables with the timestamps a test needs (the services stamp "now").

Every helper takes the organization and keeps what it makes inside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from arhub.models import Channel, Message, MessageKind, MessageStatus, Organization
from disputes.models import Dispute, DisputeKind, DisputeMessage, DisputeReason
from invoicing.models import Customer, Invoice
from payments.models import (
    Payment,
    PaymentMethod,
    PaymentPlan,
    PlanOrigin,
    PromiseToPay,
)
from payments.services import AllocationInput, payment_record
from reminders.models import Reminder, ReminderBatch, ReminderStatus, Tone
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def customer_make(org: Organization, name: str) -> Customer:
    customer = CustomerFactory(organization=org, display_name=name)
    ContactFactory(customer=customer)
    return customer


def issued(
    org: Organization,
    customer: Customer,
    amount: str,
    *,
    on: date,
    due: date,
    currency: str = "",
) -> Invoice:
    """An invoice of one line of ``amount`` (no tax), issued on ``on`` and due on ``due``."""
    return invoice_make(
        org,
        customer=customer,
        lines=(("Work", "1", amount),),
        issue_date=on,
        due_date=due,
        currency=currency,
    )


def paid(
    org: Organization,
    customer: Customer,
    *parts: tuple[Invoice, str],
    on: date,
    extra: str = "0",
) -> Payment:
    """A payment received ``on`` that day, applied as ``parts`` say, ``extra`` left unapplied."""
    total = sum((Decimal(amount) for _, amount in parts), Decimal(extra))
    return payment_record(
        org=org,
        actor=None,
        customer_id=customer.pk,
        amount=total,
        currency=parts[0][0].currency if parts else customer.currency,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=on,
        allocations=[AllocationInput(invoice.pk, Decimal(amount)) for invoice, amount in parts],
        notify=False,
    )


def promise_row(
    org: Organization, invoice: Invoice, *, status: str, at: datetime | None = None, **more: object
) -> PromiseToPay:
    """A promise in ``status``, stamped ``at`` in the field that status has (kept_at, ...)."""
    fields: dict[str, object] = {
        "organization": org,
        "invoice": invoice,
        "customer_id": invoice.customer_id,
        "promised_date": more.pop("promised_date", date(2027, 5, 1)),
        "amount": more.pop("amount", invoice.balance_due or invoice.total),
        "currency": invoice.currency,
        "status": status,
        **more,
    }
    if at is not None:
        fields[f"{status}_at"] = at
    return PromiseToPay.objects.create(**fields)


def plan_row(
    org: Organization, customer: Customer, *, status: str, at: datetime, currency: str = "GBP"
) -> PaymentPlan:
    """A plan that ended in ``status`` (completed, broken, cancelled) at ``at``."""
    return PaymentPlan.objects.create(
        organization=org,
        customer=customer,
        currency=currency,
        total=Decimal("300.00"),
        status=status,
        origin=PlanOrigin.CUSTOMER,
        **{f"{status}_at": at},
    )


def dispute_row(org: Organization, invoice: Invoice, opened: datetime, **fields: Any) -> Dispute:
    """A dispute of the invoice opened at ``opened`` (a customer's unless ``kind`` says)."""
    return Dispute.objects.create(
        organization=org,
        invoice=invoice,
        customer_id=invoice.customer_id,
        kind=fields.pop("kind", DisputeKind.CUSTOMER),
        reason=DisputeReason.WRONG_AMOUNT,
        currency=invoice.currency,
        opened_at=opened,
        **fields,
    )


def dispute_say(
    org: Organization, dispute: Dispute, author: str, at: datetime, internal: bool = False
) -> None:
    """A message in the dispute's thread from ``author`` at ``at``."""
    DisputeMessage.objects.create(
        organization=org, dispute=dispute, author=author, body="…", internal=internal, created_at=at
    )


def reminder_sent(
    org: Organization,
    invoice: Invoice,
    offset_days: int,
    *,
    at: datetime,
    sent_at: datetime | None = None,
    message_status: str = MessageStatus.DELIVERED,
    status: str = ReminderStatus.SENT,
) -> Reminder:
    """A reminder for step ``offset_days`` whose message was created at ``at`` (and sent at
    ``sent_at``, or never confirmed when None), in the customer's batch of that day."""
    batch = ReminderBatch.objects.filter(
        organization=org, customer_id=invoice.customer_id, local_date=at.date()
    ).first()
    if batch is None:
        batch = _batch(org, invoice, at, sent_at, message_status, status)
    return Reminder.objects.create(
        organization=org,
        invoice=invoice,
        customer_id=invoice.customer_id,
        offset_days=offset_days,
        tone=Tone.FRIENDLY,
        channel=Channel.EMAIL,
        batch=batch,
        due_on=at.date(),
        status=status,
    )


def _batch(
    org: Organization,
    invoice: Invoice,
    at: datetime,
    sent_at: datetime | None,
    message_status: str,
    status: str,
) -> ReminderBatch:
    message = Message.objects.create(
        organization=org,
        customer_id=invoice.customer_id,
        invoice=invoice,
        channel=Channel.EMAIL,
        kind=MessageKind.REMINDER,
        recipient="payer@customer.test",
        body_text="A friendly reminder.",
        status=message_status,
        created_at=at,
        sent_at=sent_at,
    )
    return ReminderBatch.objects.create(
        organization=org,
        customer_id=invoice.customer_id,
        channel=Channel.EMAIL,
        local_date=at.date(),
        status=status,
        message=message,
        updated_at=at,
    )

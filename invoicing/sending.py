"""Sending an invoice: issue it if it is a draft, then email it (PDF attached, pay link in the
body) to the customer's invoice contacts, and text the pay link when the customer prefers SMS.

The request only records the wish and queues a task after commit; the task writes one Message
per recipient through the message channels (which check consent and suppression and send in
their own tasks), so "Send" returns at once and every attempt is on the timeline.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from arhub.messaging.channels import Attachment
from arhub.messaging.selectors import message_contact_for
from arhub.messaging.services import message_queue
from arhub.models import Channel, Message, MessageKind, Organization, User
from invoicing.invoice_services import InvoiceStateError, invoice_issue
from invoicing.message_values import invoice_message_values
from invoicing.models import Contact, Invoice, InvoiceStatus, PreferredChannel

SENDABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


def invoice_send(*, org: Organization, actor: User | None, invoice: Invoice) -> Invoice:
    """Issue (when a draft) and queue the invoice's messages. Sending again is a resend,
    recorded like the first."""
    with transaction.atomic():
        issued = invoice_issue(org=org, actor=actor, invoice=invoice)
        if issued.status not in SENDABLE:
            raise InvoiceStateError(
                {"status": f"A {issued.get_status_display().lower()} invoice is not sent."}
            )
        requested_at = timezone.now()
        Invoice.objects.filter(pk=issued.pk).update(last_sent_at=requested_at)
        issued.last_sent_at = requested_at
        _enqueue_on_commit(org_id=org.pk, invoice_id=issued.pk, requested_at=requested_at)
    return issued


def _enqueue_on_commit(*, org_id: int, invoice_id: int, requested_at: datetime) -> None:
    from invoicing.send_tasks import invoice_send_task

    transaction.on_commit(
        lambda: invoice_send_task.delay(org_id, invoice_id, requested_at.isoformat())
    )


def invoice_recipients(*, invoice: Invoice, channel: str) -> list[Contact]:
    """Every contact marked to receive invoices with an address on the channel; else the one
    the message log would pick (the primary contact)."""
    field = "email" if channel == Channel.EMAIL else "phone"
    marked = list(
        Contact.objects.filter(customer_id=invoice.customer_id, receives_invoices=True)
        .exclude(**{field: ""})
        .order_by("-is_primary", "pk")
    )
    if marked:
        return marked
    fallback = message_contact_for(
        customer=invoice.customer, kind=MessageKind.INVOICE, channel=channel
    )
    return [fallback] if fallback is not None else []


def invoice_messages_queue(
    *, org: Organization, invoice_id: int, requested_at: datetime
) -> list[Message]:
    """Write and queue the messages of one send. A second delivery of the same task finds the
    messages it wrote and writes nothing; an invoice voided meanwhile is not sent."""
    with transaction.atomic():
        invoice = (
            Invoice.objects.for_org(org)
            .select_for_update()
            .select_related("customer")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None or invoice.status not in SENDABLE:
            return []
        done = Message.objects.for_org(org).filter(
            invoice=invoice, kind=MessageKind.INVOICE, created_at__gte=requested_at
        )
        if done.exists():
            return []
        customer = invoice.customer
        channels = [Channel.EMAIL]
        if customer.preferred_channel in (PreferredChannel.SMS, PreferredChannel.BOTH):
            channels.append(Channel.SMS)
        if customer.preferred_channel == PreferredChannel.SMS:
            channels.remove(Channel.EMAIL)
        messages = []
        for channel in channels:
            values = invoice_message_values(
                org=org, invoice=invoice, short_dates=channel == Channel.SMS
            )
            recipients: list[Contact | None] = [
                *invoice_recipients(invoice=invoice, channel=channel)
            ] or [None]
            for contact in recipients:
                messages.append(
                    message_queue(
                        org=org,
                        customer=customer,
                        kind=MessageKind.INVOICE,
                        channel=channel,
                        values=values,
                        contact=contact,
                        recipient="" if contact is None else None,
                        invoice=invoice,
                    )
                )
        return messages


def invoice_pdf_attachments(message: Message) -> list[Attachment]:
    """The invoice's PDF on its email, rendered at send time (registered in AppConfig.ready)."""
    if message.channel != Channel.EMAIL or message.invoice_id is None:
        return []
    from invoicing.pdf import invoice_pdf, invoice_pdf_filename

    invoice = Invoice.objects.for_org(message.organization).get(pk=message.invoice_id)
    return [
        Attachment(
            name=invoice_pdf_filename(invoice),
            content=invoice_pdf(org=message.organization, invoice=invoice),
            mimetype="application/pdf",
        )
    ]

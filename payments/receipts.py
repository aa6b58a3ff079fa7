"""Thanking the customer for a payment: one receipt message with the receipt PDF attached.

Recording a payment only queues a task after commit (``receipt_queue_on_commit``); the task
writes the message through ``message_queue``, which checks consent and suppression and sends in
its own task, so recording stays fast and the receipt is on the customer's timeline. The task
looks again when it runs: a payment reversed meanwhile (a bounced cheque) is not thanked for,
receipts turned off since are not sent, and a second delivery of the task finds the receipt it
wrote and writes nothing. The PDF is rendered when the email goes (``receipt_pdf``), from the
database, like the invoice PDF.
"""

from __future__ import annotations

from django.db import transaction

from arhub.messaging.placeholders import format_amount, format_day, value_locale
from arhub.messaging.services import message_queue
from arhub.models import Channel, Message, MessageKind, Organization
from invoicing.models import Customer, PreferredChannel
from payments.models import Payment
from payments.selectors import customer_balance_owed, payment_settings_get
from payments.statement_links import statement_link_url


def receipt_queue_on_commit(*, org: Organization, payment: Payment) -> None:
    """Once the payment is committed, queue the task that thanks the customer for it."""
    # Imported here: the task module imports this one.
    from payments.tasks import payment_receipt_task

    org_id, payment_id = org.pk, payment.pk
    transaction.on_commit(lambda: payment_receipt_task.delay(org_id, payment_id))


def receipt_channels(customer: Customer) -> list[str]:
    """Email, text or both, as the customer prefers (as invoices go); consent is the message
    service's business."""
    if customer.preferred_channel == PreferredChannel.SMS:
        return [Channel.SMS]
    if customer.preferred_channel == PreferredChannel.BOTH:
        return [Channel.EMAIL, Channel.SMS]
    return [Channel.EMAIL]


def receipt_values(
    *, org: Organization, payment: Payment, short_dates: bool = False
) -> dict[str, str]:
    """The receipt's placeholders, written the way the customer reads them."""
    customer = payment.customer
    locale = value_locale(org=org, language=customer.language)
    owed = customer_balance_owed(org=org, customer_id=customer.pk, currency=payment.currency)
    return {
        "payment_amount": format_amount(payment.amount, payment.currency, locale=locale),
        "payment_date": format_day(payment.received_on, locale=locale, short=short_dates),
        "balance_due": format_amount(owed, payment.currency, locale=locale),
        "statement_link": statement_link_url(org=org, customer=customer),
    }


def receipt_messages_queue(*, org: Organization, payment_id: int) -> list[Message]:
    """Write and queue the receipt of one payment, once."""
    with transaction.atomic():
        # The payment's lock makes a duplicate delivery of the task wait, then find the receipt.
        payment = (
            Payment.objects.for_org(org)
            .select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=payment_id)
            .first()
        )
        if payment is None or payment.is_reversed:
            return []
        if not payment_settings_get(org=org).send_receipts:
            return []
        if Message.objects.for_org(org).filter(payment=payment, kind=MessageKind.RECEIPT).exists():
            return []
        return [
            message_queue(
                org=org,
                customer=payment.customer,
                kind=MessageKind.RECEIPT,
                channel=channel,
                values=receipt_values(org=org, payment=payment, short_dates=channel == Channel.SMS),
                payment=payment,
            )
            for channel in receipt_channels(payment.customer)
        ]

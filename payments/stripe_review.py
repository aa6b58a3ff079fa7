"""The owner's decision on a Stripe event that was set aside: record the money as the
customer's credit, or dismiss the event with a note. Both are audited and close the event.

Recording takes the same locks in the same order as applying an event (the event row, the
PaymentIntent's lock, the checkout), so it cannot record a payment a webhook is recording at
that moment; a payment already recorded for the intent is linked instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.models import AuditAction, Organization, User
from arhub.money import money_format
from arhub.services.audit import audit_record
from invoicing.invoice_input import NotInOrganization
from invoicing.models import Customer
from payments.models import (
    CheckoutStatus,
    Payment,
    PaymentSettings,
    StripeEvent,
    StripeEventStatus,
)
from payments.stripe_facts import PAID_TYPES, FactsMissing, paid_facts
from payments.stripe_outcomes import intent_lock
from payments.stripe_payments import checkout_of, stripe_payment_record


class ReviewRefused(ValidationError):
    """The event cannot be closed this way; the message says why."""


def _claim(org: Organization, event: StripeEvent) -> StripeEvent:
    locked = StripeEvent.objects.for_org(org).select_for_update().filter(pk=event.pk).first()
    if locked is None:
        raise NotInOrganization("event", f"Stripe event {event.pk} does not exist.")
    if locked.status != StripeEventStatus.QUARANTINED:
        raise ReviewRefused({"status": "This event was already reviewed; nothing was changed."})
    return locked


def _close(
    org: Organization,
    actor: User | None,
    event: StripeEvent,
    resolution: str,
    payment: Payment | None,
) -> None:
    event.status = StripeEventStatus.RESOLVED
    event.resolution = resolution[:300]
    event.resolved_by = actor
    event.payment = payment or event.payment
    event.processed_at = event.processed_at or timezone.now()
    event.save(update_fields=["status", "resolution", "resolved_by", "payment", "processed_at"])
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.STRIPE_EVENT_RESOLVED,
        summary=f"Stripe event {event.event_id}: {resolution}",
        data={
            "event": event.pk,
            "stripe_event": event.event_id,
            "type": event.type,
            "payment": event.payment_id,
            "reason": event.status_reason,
        },
    )


def stripe_event_record_credit(
    *,
    org: Organization,
    actor: User | None,
    event: StripeEvent,
    customer_id: int | None = None,
) -> Payment:
    """Record the money of a set-aside payment event as the customer's credit (all of it
    unapplied, to be applied later). ``customer_id`` is needed when the event does not name a
    checkout of this organization; it is ignored when it does."""
    with transaction.atomic():
        locked = _claim(org, event)
        if locked.type not in PAID_TYPES:
            raise ReviewRefused(
                {"event": "Only a payment can be recorded as credit; dismiss this."}
            )
        try:
            facts = paid_facts(locked.type, locked.payload)
        except FactsMissing as exc:
            raise ReviewRefused({"event": f"{exc} Dismiss it, and record it by hand."}) from None
        live = PaymentSettings.objects.for_org(org).filter(stripe_livemode=True).exists()
        if live and not locked.livemode:
            raise ReviewRefused(
                {"event": "A test-mode payment is not real money; dismiss it instead."}
            )
        intent_lock(org, facts.payment_intent)
        checkout = checkout_of(org, facts)
        if checkout is not None:
            customer_id = checkout.customer_id
        if customer_id is None:
            raise ReviewRefused({"customer": "Choose the customer who paid."})
        if not Customer.objects.for_org(org).filter(pk=customer_id).exists():
            raise NotInOrganization("customer", f"Customer {customer_id} does not exist.")
        payment, recorded = stripe_payment_record(
            org=org, facts=facts, customer_id=customer_id, allocations=[]
        )
        if checkout is not None and checkout.status != CheckoutStatus.COMPLETED:
            checkout.status = CheckoutStatus.COMPLETED
            checkout.save(update_fields=["status"])
        shown = money_format(payment.amount, payment.currency, org.locale)
        resolution = (
            f"Recorded {shown} as customer credit (payment {payment.pk})."
            if recorded
            else f"Already recorded as payment {payment.pk}; linked to it."
        )
        _close(org, actor, locked, resolution, payment)
    return payment


def stripe_event_dismiss(
    *, org: Organization, actor: User | None, event: StripeEvent, note: str
) -> StripeEvent:
    """Close a set-aside event without recording anything, saying why (e.g. refunded in
    Stripe)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say why, e.g. “refunded in Stripe”."})
    if len(note) > 300:
        raise ValidationError({"note": "A note has at most 300 characters."})
    with transaction.atomic():
        locked = _claim(org, event)
        _close(org, actor, locked, f"Dismissed: {note}", None)
    return locked

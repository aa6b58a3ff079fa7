"""Reads for the owner's review of Stripe events that were set aside: what each says (kind,
amount, customer, when, Stripe's ids) in a form a page can show, in a fixed number of queries
however many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.http import Http404

from arhub.models import Organization
from arhub.money import money_format
from invoicing.models import Customer, Invoice
from payments.models import (
    CheckoutSession,
    Payment,
    PaymentSettings,
    StripeEvent,
    StripeEventStatus,
)
from payments.stripe_facts import (
    PAID_TYPES,
    FactsMissing,
    charge_refund_facts,
    dispute_facts,
    event_created,
    event_object,
    paid_facts,
    payment_intent_of,
    stripe_id,
)

LIST_LIMIT = 100
KINDS = {
    "checkout.session.completed": "Card or bank payment",
    "checkout.session.async_payment_succeeded": "Bank payment",
    "payment_intent.succeeded": "Card or bank payment",
    "charge.refunded": "Refund",
    "charge.dispute.created": "Chargeback",
}


@dataclass
class ReviewItem:
    event: StripeEvent
    kind: str
    amount: Decimal | None = None
    currency: str = ""
    amount_text: str = "—"
    happened_at: datetime | None = None
    payment_intent: str = ""
    # The Checkout Session, charge or dispute id, whichever the event is about.
    object_id: str = ""
    checkout: CheckoutSession | None = None
    customer: Customer | None = None
    payment: Payment | None = None
    invoices: list[Invoice] = field(default_factory=list)
    # The organization's Stripe connection is live (a test-mode payment is then no money).
    live_org: bool = False

    @property
    def is_payment(self) -> bool:
        return self.event.type in PAID_TYPES and self.amount is not None

    @property
    def mode_differs(self) -> bool:
        """Live money in a test-mode connection, or test money in a live one: worth a badge."""
        return self.event.livemode != self.live_org

    @property
    def is_test_money_in_live(self) -> bool:
        return not self.event.livemode and self.live_org


def _checkout_pk(org: Organization, event: StripeEvent) -> int | None:
    """Our checkout's id, only when the event says it is this organization's."""
    if event.type not in PAID_TYPES:
        return None
    metadata = event_object(event.payload).get("metadata")
    if not isinstance(metadata, dict) or str(metadata.get("arhub_org")) != str(org.pk):
        return None
    ref = str(
        metadata.get("arhub_checkout")
        or event_object(event.payload).get("client_reference_id")
        or ""
    )
    return int(ref) if ref.isdigit() and len(ref) <= 18 else None


def _item(org: Organization, event: StripeEvent) -> ReviewItem:
    item = ReviewItem(event=event, kind=KINDS.get(event.type, event.type))
    obj = event_object(event.payload)
    item.object_id = stripe_id(obj.get("id"))
    item.payment_intent = payment_intent_of(event.type, event.payload)
    try:
        item.happened_at = event_created(event.payload)
        if event.type in PAID_TYPES:
            facts = paid_facts(event.type, event.payload)
            item.amount, item.currency = facts.amount, facts.currency
        elif event.type == "charge.refunded":
            refund = charge_refund_facts(event.payload)
            item.amount, item.currency = refund.amount_refunded, refund.currency
        elif event.type == "charge.dispute.created":
            dispute = dispute_facts(event.payload)
            item.amount, item.currency = dispute.amount, dispute.currency
    except FactsMissing:
        pass
    if item.amount is not None:
        item.amount_text = money_format(item.amount, item.currency, org.locale)
    return item


def _items(org: Organization, events: list[StripeEvent]) -> list[ReviewItem]:
    items = [_item(org, event) for event in events]
    wanted = {event.pk: _checkout_pk(org, event) for event in events}
    checkouts = (
        CheckoutSession.objects.for_org(org)
        .select_related("customer")
        .in_bulk([pk for pk in wanted.values() if pk is not None])
    )
    intents = {item.payment_intent for item in items if item.payment_intent}
    payments = {
        payment.stripe_payment_intent: payment
        for payment in Payment.objects.for_org(org)
        .filter(stripe_payment_intent__in=intents)
        .select_related("customer")
    }
    live = bool(
        PaymentSettings.objects.for_org(org).values_list("stripe_livemode", flat=True).first()
    )
    for item in items:
        pk = wanted[item.event.pk]
        item.checkout = checkouts.get(pk) if pk is not None else None
        item.payment = item.event.payment or payments.get(item.payment_intent)
        if item.checkout is not None:
            item.customer = item.checkout.customer
        elif item.payment is not None:
            item.customer = item.payment.customer
        item.live_org = live
    return items


def stripe_review_list(*, org: Organization, reviewed: bool = False) -> list[ReviewItem]:
    """Events waiting for the owner (or, with ``reviewed``, the ones reviewed), newest first."""
    status = StripeEventStatus.RESOLVED if reviewed else StripeEventStatus.QUARANTINED
    events = list(
        StripeEvent.objects.for_org(org)
        .filter(status=status)
        .select_related("payment", "resolved_by")
        .order_by("-received_at", "-pk")[:LIST_LIMIT]
    )
    return _items(org, events)


def stripe_review_waiting(*, org: Organization, limit: int = 100) -> int:
    """How many events wait for review, up to ``limit``: read off the quarantine index without
    a COUNT, for a banner on a busy list."""
    waiting = StripeEvent.objects.for_org(org).filter(status=StripeEventStatus.QUARANTINED)
    return len(waiting.values_list("pk", flat=True)[:limit])


def stripe_review_get(*, org: Organization, event_pk: int) -> ReviewItem:
    """One event set aside or reviewed, with the invoices of its checkout; 404 otherwise,
    another organization's included."""
    event = (
        StripeEvent.objects.for_org(org)
        .filter(
            pk=event_pk,
            status__in=[StripeEventStatus.QUARANTINED, StripeEventStatus.RESOLVED],
        )
        .select_related("payment", "resolved_by")
        .first()
    )
    if event is None:
        raise Http404("No such Stripe event.")
    (item,) = _items(org, [event])
    if item.checkout is not None:
        ids = [part.get("invoice") for part in item.checkout.allocations if isinstance(part, dict)]
        item.invoices = list(
            Invoice.objects.for_org(org).filter(pk__in=[i for i in ids if isinstance(i, int)])
        )
    return item

"""What happens to a Stripe payment after it is recorded: refunds and chargebacks.

``charge.refunded`` takes the refunded money back through ``payment_refund``, once per Stripe
refund id. From API version 2022-11-15 Stripe renders the charge without its list of refunds;
then only the running total (``amount_refunded``) is known, and what it adds to the refunds
already recorded is taken back under an id made of the charge and that total. Either way no
more is taken back than the charge's ``amount_refunded``, so neither a repeat nor a mix of both
renderings takes the same money back twice.

``charge.dispute.created`` flags the payment with the bank's reason and opens a chargeback
dispute (``disputes.services.dispute_open``, once per Stripe dispute id) on the invoice the
payment was applied to first.

An event about a payment not recorded yet (Stripe does not promise any order) waits, and the
stale sweep tries it again, for ``WAIT_FOR_PAYMENT``; after that it goes to the owner.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from arhub.models import Organization
from arhub.money import ZERO, money_format
from disputes.models import DisputeKind, DisputeReason
from disputes.services import dispute_open
from payments.models import Payment, PaymentAllocation, PaymentRefund, PaymentSettings, StripeEvent
from payments.refund_services import payment_refund
from payments.stripe_amounts import to_stripe_amount
from payments.stripe_facts import (
    ChargeRefundFacts,
    DisputeFacts,
    FactsMissing,
    charge_refund_facts,
    dispute_facts,
)
from payments.stripe_outcomes import Outcome, applied, intent_lock, quarantined, waiting
from payments.stripe_payments import NOTHING_RECORDED, mode_problem

WAIT_FOR_PAYMENT = timedelta(hours=1)
# Refunds Stripe has not given up on: a pending one is already counted in amount_refunded.
LIVE_REFUND = frozenset({"succeeded", "pending", "requires_action"})


def _payment_or_wait(
    org: Organization, event: StripeEvent, intent: str, what: str
) -> Outcome | Payment:
    payment = (
        Payment.objects.for_org(org)
        .select_for_update()
        .filter(stripe_payment_intent=intent)
        .first()
    )
    if payment is not None:
        return payment
    if event.received_at > timezone.now() - WAIT_FOR_PAYMENT:
        return waiting(f"Waiting for the payment this {what} is about to be recorded.")
    return quarantined(
        f"Stripe reports a {what} on a payment AR Hub has no record of "
        f"(PaymentIntent {intent}). {NOTHING_RECORDED}"
    )


def _stripe_refunded(org: Organization, payment: Payment) -> Decimal:
    total = (
        PaymentRefund.objects.for_org(org)
        .filter(payment=payment)
        .exclude(stripe_refund="")
        .aggregate(total=Sum("amount"))["total"]
    )
    return total if total is not None else ZERO


def _refunds_to_record(
    org: Organization, payment: Payment, facts: ChargeRefundFacts
) -> list[tuple[str, Decimal]]:
    """(Stripe refund id, amount) pairs not recorded yet, within ``amount_refunded``."""
    left = facts.amount_refunded - _stripe_refunded(org, payment)
    if facts.refunds is None:
        if left <= 0:
            return []
        units = to_stripe_amount(facts.amount_refunded, facts.currency)
        return [(f"{facts.charge_id or payment.stripe_payment_intent}:{units}", left)]
    known = set(
        PaymentRefund.objects.for_org(org)
        .filter(stripe_refund__in=[refund.refund_id for refund in facts.refunds])
        .values_list("stripe_refund", flat=True)
    )
    found: list[tuple[str, Decimal]] = []
    # Stripe lists the newest first; take them in the order they happened.
    for refund in reversed(facts.refunds):
        if refund.refund_id in known or refund.status not in LIVE_REFUND or left <= 0:
            continue
        part = min(refund.amount, left)
        found.append((refund.refund_id, part))
        left -= part
    return found


def refund_event_apply(
    *, org: Organization, event: StripeEvent, payment_settings: PaymentSettings | None
) -> Outcome:
    try:
        facts = charge_refund_facts(event.payload)
    except FactsMissing as exc:
        return quarantined(f"{exc} {NOTHING_RECORDED}")
    problem = mode_problem(event, payment_settings)
    if problem:
        return quarantined(problem)
    intent_lock(org, facts.payment_intent)
    found = _payment_or_wait(org, event, facts.payment_intent, "refund")
    if isinstance(found, Outcome):
        return found
    payment = found
    if facts.currency != payment.currency:
        return quarantined(
            f"Stripe refunded in {facts.currency}, but the payment was in {payment.currency}. "
            f"{NOTHING_RECORDED}",
            payment,
        )
    todo = _refunds_to_record(org, payment, facts)
    if not todo:
        return applied(payment, "Already recorded: nothing more was refunded.")
    try:
        # All of the event's refunds or none: the owner reviews one whole event.
        with transaction.atomic():
            for refund_id, amount in todo:
                payment_refund(
                    org=org,
                    actor=None,
                    payment=payment,
                    amount=amount,
                    reason=f"Refunded in Stripe ({refund_id})",
                    stripe_refund=refund_id,
                )
    except ValidationError as exc:
        return quarantined(f"{' '.join(exc.messages)} {NOTHING_RECORDED}", payment)
    total = sum((amount for _, amount in todo), ZERO)
    shown = money_format(total, payment.currency, org.locale)
    return applied(payment, f"Took back {shown} refunded in Stripe.")


def dispute_event_apply(
    *, org: Organization, event: StripeEvent, payment_settings: PaymentSettings | None
) -> Outcome:
    try:
        facts = dispute_facts(event.payload)
    except FactsMissing as exc:
        return quarantined(f"{exc} {NOTHING_RECORDED}")
    problem = mode_problem(event, payment_settings)
    if problem:
        return quarantined(problem)
    intent_lock(org, facts.payment_intent)
    found = _payment_or_wait(org, event, facts.payment_intent, "chargeback")
    if isinstance(found, Outcome):
        return found
    payment = found
    if payment.chargeback_at is None:
        payment.chargeback_at = facts.created
        payment.chargeback_reason = facts.reason
        payment.save(update_fields=["chargeback_at", "chargeback_reason"])
    return applied(
        payment,
        f"The customer's bank opened a chargeback ({facts.reason.replace('_', ' ')}). "
        + _chargeback_dispute_open(org, payment, facts),
    )


# Stripe's dispute reasons that match one of ours; the rest are "something else", with the
# bank's own reason kept beside it.
_STRIPE_REASONS = {
    "duplicate": DisputeReason.DUPLICATE,
    "product_not_received": DisputeReason.NOT_RECEIVED,
    "product_unacceptable": DisputeReason.QUALITY,
}


def _chargeback_dispute_open(org: Organization, payment: Payment, facts: DisputeFacts) -> str:
    """Open the chargeback's dispute on the invoice the payment went to first (once per Stripe
    dispute); what happened, for the event's note."""
    first = (
        PaymentAllocation.objects.for_org(org)
        .filter(payment=payment)
        .select_related("invoice")
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return "The payment was not applied to an invoice, so no dispute was opened."
    invoice = first.invoice
    try:
        with transaction.atomic():
            dispute = dispute_open(
                org=org,
                invoice=invoice,
                reason=_STRIPE_REASONS.get(facts.reason, DisputeReason.OTHER),
                message="",
                kind=DisputeKind.CHARGEBACK,
                amount=facts.amount if facts.currency == invoice.currency else None,
                bank_reason=facts.reason,
                evidence_due_by=facts.evidence_due_by,
                stripe_dispute_id=facts.dispute_id,
                stripe_charge_id=facts.charge_id,
            )
    except ValidationError as exc:
        return f"No dispute was opened on invoice {invoice.number}: {' '.join(exc.messages)}"
    return f"Dispute {dispute.pk} is open on invoice {invoice.number}."

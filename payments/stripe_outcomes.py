"""What applying one Stripe event came to, and the lock every event about one payment takes.

Shared by the handlers (``stripe_payments``, ``stripe_charges``) and the dispatcher
(``stripe_events``), which writes the outcome onto the event row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from arhub.models import Organization
from payments.models import Payment, StripeEventStatus


@dataclass(frozen=True)
class Outcome:
    status: StripeEventStatus
    # In plain words for the owner: why it was ignored, quarantined, or what was done.
    reason: str = ""
    payment: Payment | None = None


def applied(payment: Payment, reason: str) -> Outcome:
    return Outcome(StripeEventStatus.APPLIED, reason, payment)


def ignored(reason: str, payment: Payment | None = None) -> Outcome:
    return Outcome(StripeEventStatus.IGNORED, reason, payment)


def quarantined(reason: str, payment: Payment | None = None) -> Outcome:
    return Outcome(StripeEventStatus.QUARANTINED, reason, payment)


def waiting(reason: str) -> Outcome:
    """Nothing to do yet (the payment it is about is not recorded yet); the stale sweep tries
    the event again."""
    return Outcome(StripeEventStatus.RECEIVED, reason)


def intent_lock(org: Organization, payment_intent: str) -> None:
    """Serialise, until the transaction ends, everything done about one PaymentIntent: the
    checkout and intent events of one payment, its refunds and its chargeback. Taken after the
    event row and before any checkout, payment or invoice row, so the lock order holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"arhub-stripe-intent:{org.pk}:{payment_intent}"],
        )

"""What a stored Stripe event says, read from its JSON payload into typed facts.

Stripe objects arrive as they were rendered for the account's API version: an expandable field
(``payment_intent``) may be an id or an object, lists may be absent. Everything here tolerates
that and says in plain words what is missing (``FactsMissing``), so a malformed event is
quarantined with a reason instead of failing the task again and again. Amounts come in whole
minor units and leave as ``Decimal`` in the currency's unit (``payments.stripe_amounts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from arhub.locales import is_currency
from payments.stripe_amounts import from_stripe_amount

# The keys every Checkout Session we create carries in its metadata (and its PaymentIntent's).
META_ORG = "arhub_org"
META_CHECKOUT = "arhub_checkout"
META_INVOICES = "arhub_invoices"

SESSION_TYPES = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)
INTENT_TYPES = frozenset({"payment_intent.succeeded"})
PAID_TYPES = SESSION_TYPES | INTENT_TYPES


class FactsMissing(Exception):
    """The event lacks something we need; the message says what, for the owner."""


def event_object(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def stripe_id(value: Any) -> str:
    """An expandable field's id: Stripe sends the id, or the whole object once expanded."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def stripe_time(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def event_created(payload: dict[str, Any]) -> dt.datetime:
    """When Stripe created the event (when the money moved, for a payment)."""
    created = stripe_time(payload.get("created"))
    if created is None:
        raise FactsMissing("Stripe did not say when this happened.")
    return created


def _money(units: Any, currency: Any) -> tuple[Decimal, str]:
    code = currency.upper() if isinstance(currency, str) else ""
    if not is_currency(code):
        raise FactsMissing("Stripe did not say which currency was paid.")
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise FactsMissing("Stripe did not say how much was paid.")
    return from_stripe_amount(units, code), code


def _metadata(obj: dict[str, Any]) -> dict[str, str]:
    raw = obj.get("metadata")
    if not isinstance(raw, dict):
        return {}
    return {str(key): str(value) for key, value in raw.items() if value is not None}


@dataclass(frozen=True)
class PaidFacts:
    """A payment Stripe says is paid, from a Checkout Session or a PaymentIntent event."""

    payment_intent: str
    session_id: str  # blank for a payment_intent.* event
    amount: Decimal
    currency: str
    metadata: dict[str, str]
    client_reference_id: str
    created: dt.datetime

    @property
    def has_our_metadata(self) -> bool:
        return any(key in self.metadata for key in (META_ORG, META_CHECKOUT, META_INVOICES))

    @property
    def org_ref(self) -> str:
        return self.metadata.get(META_ORG, "")

    @property
    def checkout_ref(self) -> str:
        return self.metadata.get(META_CHECKOUT, "") or self.client_reference_id

    @property
    def invoice_refs(self) -> list[str]:
        raw = self.metadata.get(META_INVOICES, "")
        return [part.strip() for part in raw.split(",") if part.strip()]


def session_paid(payload: dict[str, Any]) -> bool:
    """Whether a Checkout Session event says the money is in (``payment_status=paid``)."""
    return event_object(payload).get("payment_status") == "paid"


def paid_facts(event_type: str, payload: dict[str, Any]) -> PaidFacts:
    obj = event_object(payload)
    if event_type in SESSION_TYPES:
        intent = stripe_id(obj.get("payment_intent"))
        session_id = stripe_id(obj.get("id"))
        amount, currency = _money(obj.get("amount_total"), obj.get("currency"))
        reference = obj.get("client_reference_id")
    elif event_type in INTENT_TYPES:
        intent = stripe_id(obj.get("id"))
        session_id = ""
        amount, currency = _money(obj.get("amount_received"), obj.get("currency"))
        reference = None
    else:
        raise ValueError(f"{event_type} is not a payment event")
    if not intent:
        raise FactsMissing("Stripe did not say which PaymentIntent this payment is.")
    return PaidFacts(
        payment_intent=intent,
        session_id=session_id,
        amount=amount,
        currency=currency,
        metadata=_metadata(obj),
        client_reference_id=reference if isinstance(reference, str) else "",
        created=event_created(payload),
    )


def payment_intent_of(event_type: str, payload: dict[str, Any]) -> str:
    """The PaymentIntent an event is about, or blank: for grouping events of one payment."""
    obj = event_object(payload)
    if event_type.startswith("payment_intent."):
        return stripe_id(obj.get("id"))
    return stripe_id(obj.get("payment_intent"))


@dataclass(frozen=True)
class RefundFacts:
    refund_id: str
    amount: Decimal
    status: str


@dataclass(frozen=True)
class ChargeRefundFacts:
    charge_id: str
    payment_intent: str
    currency: str
    # Every refund the charge lists; None when the charge was rendered without its refunds
    # (API versions from 2022-11-15 leave them out), and only the running total is known.
    refunds: list[RefundFacts] | None
    amount_refunded: Decimal


def charge_refund_facts(payload: dict[str, Any]) -> ChargeRefundFacts:
    charge = event_object(payload)
    intent = stripe_id(charge.get("payment_intent"))
    if not intent:
        raise FactsMissing("Stripe did not say which payment was refunded.")
    currency = charge.get("currency")
    code = currency.upper() if isinstance(currency, str) else ""
    if not is_currency(code):
        raise FactsMissing("Stripe did not say the currency of the refund.")
    total = charge.get("amount_refunded")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise FactsMissing("Stripe did not say how much was refunded.")
    listed = charge.get("refunds")
    refunds: list[RefundFacts] | None = None
    if isinstance(listed, dict) and isinstance(listed.get("data"), list):
        refunds = []
        for item in listed["data"]:
            units = item.get("amount") if isinstance(item, dict) else None
            refund_id = stripe_id(item.get("id")) if isinstance(item, dict) else ""
            if not refund_id or isinstance(units, bool) or not isinstance(units, int):
                raise FactsMissing("Stripe listed a refund without its id or amount.")
            refunds.append(
                RefundFacts(
                    refund_id=refund_id,
                    amount=from_stripe_amount(units, code),
                    status=str(item.get("status") or ""),
                )
            )
    return ChargeRefundFacts(
        charge_id=stripe_id(charge.get("id")),
        payment_intent=intent,
        currency=code,
        refunds=refunds,
        amount_refunded=from_stripe_amount(total, code),
    )


@dataclass(frozen=True)
class DisputeFacts:
    dispute_id: str
    payment_intent: str
    reason: str
    amount: Decimal | None
    currency: str
    created: dt.datetime
    # For the dispute record (disputes.services.dispute_open): the charge and the day the
    # bank wants the evidence by.
    charge_id: str = ""
    evidence_due_by: dt.datetime | None = None


def dispute_facts(payload: dict[str, Any]) -> DisputeFacts:
    dispute = event_object(payload)
    intent = stripe_id(dispute.get("payment_intent"))
    if not intent:
        raise FactsMissing("Stripe did not say which payment the chargeback is on.")
    currency = dispute.get("currency")
    code = currency.upper() if isinstance(currency, str) else ""
    units = dispute.get("amount")
    amount = (
        from_stripe_amount(units, code)
        if is_currency(code) and isinstance(units, int) and not isinstance(units, bool)
        else None
    )
    created = stripe_time(dispute.get("created")) or event_created(payload)
    evidence = dispute.get("evidence_details")
    return DisputeFacts(
        dispute_id=stripe_id(dispute.get("id")),
        payment_intent=intent,
        reason=str(dispute.get("reason") or "not given")[:100],
        amount=amount,
        currency=code if amount is not None else "",
        created=created,
        charge_id=stripe_id(dispute.get("charge")),
        evidence_due_by=stripe_time(evidence.get("due_by")) if isinstance(evidence, dict) else None,
    )

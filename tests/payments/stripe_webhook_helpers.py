"""Stripe webhook events for tests: an organization connected to Stripe, our checkout rows,
event payloads shaped as Stripe renders them, signed with the stripe library's own function."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal
from typing import Any

import stripe
from django.test import Client

from arhub.models import Organization
from arhub.secret_box import secret_encrypt
from invoicing.models import Customer, Invoice
from payments.models import CheckoutSession, PaymentSettings, StripeEvent, StripeEventStatus
from payments.stripe_amounts import to_stripe_amount
from payments.stripe_events import stripe_event_apply

WEBHOOK_SECRET = "whsec_acme_test_signing_secret_4242"
OTHER_SECRET = "whsec_zenith_test_signing_secret_9999"

_ids = itertools.count(1)


def stripe_connect(
    org: Organization, *, secret: str = WEBHOOK_SECRET, live: bool = False
) -> PaymentSettings:
    key = "sk_live_arhub_test_key_0000" if live else "sk_test_arhub_test_key_0000"
    settings, _ = PaymentSettings.objects.update_or_create(
        organization=org,
        defaults={
            "stripe_secret_key": secret_encrypt(key),
            "stripe_webhook_secret": secret_encrypt(secret),
            "stripe_key_hint": key[-4:],
            "stripe_livemode": live,
        },
    )
    return settings


def signature_header(
    payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{t}.{payload}", secret)
    return f"t={t},v1={signature}"


def webhook_url(org: Organization) -> str:
    return f"/webhooks/stripe/{org.slug}/"


def webhook_post(
    client: Client,
    org: Organization,
    payload: str | dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    header: str | None = None,
) -> Any:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(
        webhook_url(org),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header or signature_header(body, secret, timestamp)},
    )


def checkout_make(
    org: Organization,
    customer: Customer,
    parts: list[tuple[Invoice, str | Decimal]],
    *,
    session_id: str = "",
) -> CheckoutSession:
    """Our row for a Checkout Session over ``parts`` ((invoice, amount) pairs)."""
    n = next(_ids)
    amounts = [(invoice, Decimal(amount)) for invoice, amount in parts]
    return CheckoutSession.objects.create(
        organization=org,
        customer=customer,
        allocations=[{"invoice": invoice.pk, "amount": str(amount)} for invoice, amount in amounts],
        amount=sum((amount for _, amount in amounts), Decimal(0)),
        currency=amounts[0][0].currency,
        idempotency_key=f"test-checkout-{n}",
        stripe_session_id=session_id or f"cs_test_{n:06d}",
    )


def checkout_metadata(checkout: CheckoutSession) -> dict[str, str]:
    invoices = ",".join(str(part["invoice"]) for part in checkout.allocations)
    return {
        "arhub_org": str(checkout.organization_id),
        "arhub_checkout": str(checkout.pk),
        "arhub_invoices": invoices,
    }


def event_make(
    event_type: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    livemode: bool = False,
    created: int | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_test_{next(_ids):08d}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()) if created is None else created,
        "livemode": livemode,
        "type": event_type,
        "data": {"object": obj},
    }


def session_object(
    checkout: CheckoutSession,
    *,
    payment_intent: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    payment_status: str = "paid",
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    currency = currency or checkout.currency
    return {
        "id": checkout.stripe_session_id,
        "object": "checkout.session",
        "amount_total": to_stripe_amount(checkout.amount if amount is None else amount, currency),
        "currency": currency.lower(),
        "client_reference_id": str(checkout.pk),
        "metadata": checkout_metadata(checkout) if metadata is None else metadata,
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete",
    }


def intent_object(
    checkout: CheckoutSession,
    *,
    payment_intent: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    currency = currency or checkout.currency
    units = to_stripe_amount(checkout.amount if amount is None else amount, currency)
    return {
        "id": payment_intent,
        "object": "payment_intent",
        "amount": units,
        "amount_received": units,
        "currency": currency.lower(),
        "metadata": checkout_metadata(checkout) if metadata is None else metadata,
        "status": "succeeded",
    }


def success_events(
    checkout: CheckoutSession, *, payment_intent: str, **options: Any
) -> list[dict[str, Any]]:
    """The three events that each say one payment is paid."""
    session = session_object(checkout, payment_intent=payment_intent, **options)
    return [
        event_make("checkout.session.completed", session),
        event_make("checkout.session.async_payment_succeeded", session),
        event_make(
            "payment_intent.succeeded",
            intent_object(checkout, payment_intent=payment_intent, **options),
        ),
    ]


def charge_object(
    *,
    payment_intent: str,
    currency: str,
    amount_refunded: Decimal,
    refunds: list[tuple[str, Decimal]] | None,
    charge_id: str = "ch_test_0001",
) -> dict[str, Any]:
    """A refunded charge; ``refunds`` None renders it as API versions since 2022-11-15 do,
    without its list of refunds. The list is newest first, as Stripe sends it."""
    charge: dict[str, Any] = {
        "id": charge_id,
        "object": "charge",
        "payment_intent": payment_intent,
        "currency": currency.lower(),
        "amount_refunded": to_stripe_amount(amount_refunded, currency),
        "refunded": True,
    }
    if refunds is not None:
        charge["refunds"] = {
            "object": "list",
            "data": [
                {
                    "id": refund_id,
                    "object": "refund",
                    "amount": to_stripe_amount(amount, currency),
                    "status": "succeeded",
                }
                for refund_id, amount in reversed(refunds)
            ],
        }
    return charge


def dispute_object(*, payment_intent: str, reason: str = "fraudulent") -> dict[str, Any]:
    return {
        "id": "dp_test_0001",
        "object": "dispute",
        "amount": 1000,
        "currency": "gbp",
        "payment_intent": payment_intent,
        "reason": reason,
        "created": 1_800_000_000,
        "status": "needs_response",
    }


def store(org: Organization, event: dict[str, Any]) -> StripeEvent:
    """The event as the webhook stores it, without the HTTP round trip."""
    from payments.stripe_events import stripe_event_receive

    pk = stripe_event_receive(org=org, event=event, body=json.dumps(event))
    assert pk is not None, "the event was stored already"
    return StripeEvent.objects.get(pk=pk)


def deliver(org: Organization, event: dict[str, Any]) -> StripeEvent:
    """Store and apply one event, as the webhook and its task would."""
    stored = store(org, event)
    stripe_event_apply(org=org, event_pk=stored.pk)
    stored.refresh_from_db()
    return stored


def apply_received(org: Organization) -> None:
    for pk in StripeEvent.objects.filter(
        organization=org, status=StripeEventStatus.RECEIVED
    ).values_list("pk", flat=True):
        stripe_event_apply(org=org, event_pk=pk)

"""Isolation sweep entries for the Stripe webhook and Payments, Review.

The webhook has no session: an organization is reached by its slug and proven by its own
signing secret. A's secret never opens B's endpoint, and an event A's endpoint accepts that
names B's organization or B's invoice is quarantined in A, never applied, and changes nothing
of B's, through the request and through applying it.

The review pages are ordinary dashboard pages: B's events set aside are a 404 for A, and never
listed. Each event is built around a customer named after its organization, so B's showing
anywhere is caught by the sweep's marker check.
"""

from __future__ import annotations

import json
from typing import Any

from django.core import mail
from django.test import Client

from payments.models import CheckoutSession, Payment, StripeEvent, StripeEventStatus
from payments.stripe_events import stripe_event_apply
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    b_snapshot,
    check_b_untouched,
    check_no_leak,
    request_as_a,
)
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    checkout_metadata,
    deliver,
    event_make,
    session_object,
    signature_header,
    stripe_connect,
    webhook_url,
)


def _secret(tenant: Tenant) -> str:
    return f"whsec_isolation_{tenant.org.slug}"


def _checkout(tenant: Tenant) -> CheckoutSession:
    stripe_connect(tenant.org, secret=_secret(tenant))
    invoice = new_invoice(tenant)
    return checkout_make(tenant.org, invoice.customer, [(invoice, invoice.balance_due)])


def new_quarantined(tenant: Tenant) -> StripeEvent:
    """A payment in EUR for the tenant's GBP invoice: set aside for review."""
    checkout = _checkout(tenant)
    session = session_object(
        checkout, payment_intent=f"pi_iso_{tenant.org.pk}_{checkout.pk}", currency="EUR"
    )
    event = deliver(tenant.org, event_make("checkout.session.completed", session))
    assert event.status == StripeEventStatus.QUARANTINED, event.status_reason
    return event


def quarantined_unchanged(built: StripeEvent) -> None:
    current = StripeEvent.objects.get(pk=built.pk)
    assert (current.organization_id, current.status, current.payment_id) == (
        built.organization_id,
        StripeEventStatus.QUARANTINED,
        None,
    ), "org B's Stripe event changed"
    assert not Payment.objects.filter(organization_id=built.organization_id).exists(), (
        "a payment was recorded in org B"
    )


# ---- the webhook


def _post(world: World, slug_org: Any, event: dict[str, Any], secret: str, where: str) -> Any:
    body = json.dumps(event)
    before, outbox_from = b_snapshot(world), len(mail.outbox)
    response = Client().post(
        webhook_url(slug_org),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(body, secret)},
    )
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    check_no_leak(response, world.b_markers(), where)
    check_b_untouched(world, before, outbox_from, where)
    return response


def _apply_all(world: World, where: str) -> None:
    before, outbox_from = b_snapshot(world), len(mail.outbox)
    for event in StripeEvent.objects.filter(
        organization=world.a.org, status=StripeEventStatus.RECEIVED
    ):
        stripe_event_apply(org=world.a.org, event_pk=event.pk)
    check_b_untouched(world, before, outbox_from, where)


def sweep_stripe_webhook(world: World, found: FoundRoute, route: Route) -> None:
    a_checkout = _checkout(world.a)
    b_checkout = _checkout(world.b)
    b_invoice_id = b_checkout.allocations[0]["invoice"]

    # A's secret on B's endpoint, and no signature at all: refused, nothing stored for B.
    b_event = event_make(
        "checkout.session.completed", session_object(b_checkout, payment_intent="pi_iso_b")
    )
    for secret in (_secret(world.a), "whsec_guess"):
        response = _post(world, world.b.org, b_event, secret, "POST B's webhook with A's secret")
        assert response.status_code == 400
    assert not StripeEvent.objects.filter(organization=world.b.org).exists()

    # Events A's endpoint accepts but that point at B: quarantined in A, nothing of B moves.
    attacks = {
        "B's organization and checkout": checkout_metadata(b_checkout),
        "B's invoice under A's checkout": {
            **checkout_metadata(a_checkout),
            "arhub_invoices": str(b_invoice_id),
        },
        "B's organization with A's checkout id": {
            **checkout_metadata(a_checkout),
            "arhub_org": str(world.b.org.pk),
        },
    }
    for n, (what, metadata) in enumerate(attacks.items()):
        session = session_object(a_checkout, payment_intent=f"pi_iso_attack_{n}", metadata=metadata)
        event = event_make("checkout.session.completed", session)
        where = f"POST A's webhook naming {what}"
        response = _post(world, world.a.org, event, _secret(world.a), where)
        assert response.status_code == 200, f"{where}: {response.status_code}"
        _apply_all(world, f"applying the event naming {what}")
        stored = StripeEvent.objects.get(organization=world.a.org, event_id=event["id"])
        assert stored.status == StripeEventStatus.QUARANTINED, f"{where}: {stored.status}"
        assert not Payment.objects.filter(organization=world.a.org).exists(), where

    # Control: A's own event on A's endpoint is applied.
    event = event_make(
        "checkout.session.completed", session_object(a_checkout, payment_intent="pi_iso_a")
    )
    assert _post(world, world.a.org, event, _secret(world.a), "control").status_code == 200
    _apply_all(world, "applying A's own event")
    assert Payment.objects.filter(organization=world.a.org).count() == 1


# ---- the review list


def sweep_stripe_review_list(world: World, found: FoundRoute, route: Route) -> None:
    b_event = new_quarantined(world.b)
    new_quarantined(world.a)
    for who, make_client in a_clients(world, found):
        for query in ("", "?show=reviewed"):
            url = f"/payments/review/{query}"
            response = request_as_a(world, make_client(), "GET", url, None, who)
            assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"
            assert b_event.event_id not in response.content.decode(), (
                f"GET {url} as {who} lists org B's Stripe event"
            )


def _pk(event: StripeEvent) -> dict[str, int]:
    return {"pk": event.pk}


ROUTES: dict[str, Route] = {
    "stripe_webhook": Route("custom", custom=sweep_stripe_webhook),
    "stripe_review": Route("custom", custom=sweep_stripe_review_list),
    "stripe_review_detail": Route(
        "object", build=new_quarantined, kwargs=_pk, unchanged=quarantined_unchanged
    ),
    "stripe_review_credit": Route(
        "object",
        build=new_quarantined,
        kwargs=_pk,
        unchanged=quarantined_unchanged,
        data={"POST": {}},
        expect={"POST": {302}},
    ),
    "stripe_review_dismiss": Route(
        "object",
        build=new_quarantined,
        kwargs=_pk,
        unchanged=quarantined_unchanged,
        data={"POST": {"note": "Refunded in Stripe"}},
        expect={"POST": {302}},
    ),
}

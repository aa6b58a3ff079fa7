"""Payments, Review: the owner sees each Stripe event set aside with its reason, amount,
customer, date and Stripe ids, and closes it by recording the money as customer credit or by
dismissing it with a note; both audited, both need the operate permission."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from invoicing.models import Invoice
from payments.models import CheckoutStatus, Payment, PaymentMethod, StripeEvent, StripeEventStatus
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    checkout_metadata,
    deliver,
    event_make,
    intent_object,
    session_object,
    stripe_connect,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tenant):
    """A 120.00 payment in EUR for GBP invoices: quarantined for its currency."""
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org, display_name="Harbour Café")
    invoice = invoice_make(tenant.org, customer=customer, lines=(("Work", "1", "120.00"),))
    checkout = checkout_make(tenant.org, customer, [(invoice, "120.00")])
    session = session_object(checkout, payment_intent="pi_review_eur", currency="EUR")
    event = deliver(tenant.org, event_make("checkout.session.completed", session))
    assert event.status == StripeEventStatus.QUARANTINED
    return event, customer, invoice, checkout


def test_the_list_shows_the_reason_amount_customer_date_and_stripe_ids(tenant, setup):
    event, _, _, _ = setup
    response = tenant.client(Role.VIEWER).get("/payments/review/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour Café" in html
    assert "€120.00" in html
    assert "paid in EUR" in html
    assert "pi_review_eur" in html and event.event_id in html
    assert f"/payments/review/{event.pk}/" in html


def test_the_list_is_empty_when_nothing_waits(tenant):
    response = tenant.client().get("/payments/review/")
    assert response.status_code == 200
    assert "Nothing to review" in response.content.decode()


def test_the_detail_page_shows_the_event_and_both_actions(tenant, setup):
    event, _, invoice, _ = setup
    html = tenant.client().get(f"/payments/review/{event.pk}/").content.decode()
    assert "Why it is waiting for you" in html
    assert invoice.number in html
    assert "Record as customer credit" in html
    assert "Dismiss" in html
    viewer = tenant.client(Role.VIEWER).get(f"/payments/review/{event.pk}/").content.decode()
    assert "Record as customer credit</button>" not in viewer
    assert "needs an owner, admin or billing colleague" in viewer


def test_record_as_customer_credit(tenant, setup):
    event, customer, invoice, checkout = setup
    response = tenant.client(Role.BILLING).post(f"/payments/review/{event.pk}/credit/")
    assert response.status_code == 302
    payment = Payment.objects.get(organization=tenant.org)
    assert (payment.amount, payment.currency, payment.method) == (
        Decimal("120.00"),
        "EUR",
        PaymentMethod.STRIPE,
    )
    assert payment.customer_id == customer.pk
    assert payment.unapplied_amount == payment.amount
    assert response["Location"] == f"/payments/{payment.pk}/"
    assert payment.stripe_payment_intent == "pi_review_eur"
    assert not payment.allocations.exists()
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("120.00")
    event.refresh_from_db()
    assert (event.status, event.payment_id, event.resolved_by) == (
        StripeEventStatus.RESOLVED,
        payment.pk,
        tenant.user(Role.BILLING),
    )
    assert "customer credit" in event.resolution
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.COMPLETED
    audit = AuditEvent.objects.get(
        organization=tenant.org, action=AuditAction.STRIPE_EVENT_RESOLVED
    )
    assert audit.actor == tenant.user(Role.BILLING)
    assert audit.data["payment"] == payment.pk
    # The reviewed list shows it, with the outcome.
    html = tenant.client().get("/payments/review/?show=reviewed").content.decode()
    assert "customer credit" in html


def test_a_later_event_of_the_same_payment_links_to_the_credit(tenant, setup):
    event, _, _, checkout = setup
    tenant.client().post(f"/payments/review/{event.pk}/credit/")
    intent = intent_object(checkout, payment_intent="pi_review_eur", currency="EUR")
    later = deliver(tenant.org, event_make("payment_intent.succeeded", intent))
    assert later.status == StripeEventStatus.APPLIED
    assert Payment.objects.filter(organization=tenant.org).count() == 1


def test_dismiss_needs_a_note(tenant, setup):
    event, _, _, _ = setup
    client = tenant.client()
    response = client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "  "})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    event.refresh_from_db()
    assert event.status == StripeEventStatus.QUARANTINED

    response = client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "Refunded in Stripe"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.resolution) == (
        StripeEventStatus.RESOLVED,
        "Dismissed: Refunded in Stripe",
    )
    assert not Payment.objects.exists()
    audit = AuditEvent.objects.get(
        organization=tenant.org, action=AuditAction.STRIPE_EVENT_RESOLVED
    )
    assert "Refunded in Stripe" in audit.summary


def test_an_event_already_reviewed_is_not_reviewed_again(tenant, setup):
    event, _, _, _ = setup
    client = tenant.client()
    client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "Test"})
    response = client.post(f"/payments/review/{event.pk}/credit/", follow=True)
    assert response.redirect_chain == [(f"/payments/review/{event.pk}/", 302)]
    assert "already reviewed" in response.content.decode()
    assert not Payment.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_EVENT_RESOLVED).count() == 1


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_cannot_act(tenant, setup, role):
    event, _, _, _ = setup
    client = tenant.client(role)
    assert client.post(f"/payments/review/{event.pk}/credit/").status_code == 403
    assert client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.status == StripeEventStatus.QUARANTINED
    assert not Payment.objects.exists()


def test_without_a_known_checkout_the_owner_finds_and_picks_the_customer(tenant, other_tenant):
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org, display_name="Lighthouse Books")
    CustomerFactory(organization=other_tenant.org, display_name="Lighthouse Bakery")
    invoice = invoice_make(tenant.org, customer=customer, lines=(("Work", "1", "80.00"),))
    checkout = checkout_make(tenant.org, customer, [(invoice, "80.00")])
    metadata = {**checkout_metadata(checkout), "arhub_org": str(other_tenant.org.pk)}
    event = deliver(
        tenant.org,
        event_make(
            "payment_intent.succeeded",
            intent_object(checkout, payment_intent="pi_lost", metadata=metadata),
        ),
    )
    assert event.status == StripeEventStatus.QUARANTINED
    client = tenant.client()

    response = client.post(f"/payments/review/{event.pk}/credit/")
    assert response.status_code == 400
    assert "Choose the customer" in response.content.decode()

    html = client.get(f"/payments/review/{event.pk}/?find=lighthouse").content.decode()
    assert "Lighthouse Books" in html
    assert "Lighthouse Bakery" not in html

    foreign = CustomerFactory(organization=other_tenant.org)
    response = client.post(f"/payments/review/{event.pk}/credit/", {"customer": foreign.pk})
    assert response.status_code == 404
    assert not Payment.objects.exists()

    response = client.post(f"/payments/review/{event.pk}/credit/", {"customer": customer.pk})
    assert response.status_code == 302
    assert Payment.objects.get().customer_id == customer.pk


def test_a_test_mode_payment_in_a_live_organization_can_only_be_dismissed(tenant):
    stripe_connect(tenant.org, live=True)
    customer = CustomerFactory(organization=tenant.org)
    invoice = invoice_make(tenant.org, customer=customer, lines=(("Work", "1", "10.00"),))
    checkout = checkout_make(tenant.org, customer, [(invoice, "10.00")])
    event = deliver(
        tenant.org,
        event_make("checkout.session.completed", session_object(checkout, payment_intent="pi_t")),
    )
    client = tenant.client()
    html = client.get(f"/payments/review/{event.pk}/").content.decode()
    assert "not real money" in html
    response = client.post(f"/payments/review/{event.pk}/credit/")
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_refund_set_aside_can_be_dismissed_not_recorded(tenant):
    stripe_connect(tenant.org)
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from payments.stripe_events import stripe_event_apply
    from tests.payments.stripe_webhook_helpers import charge_object, store

    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        event = store(
            tenant.org,
            event_make(
                "charge.refunded",
                charge_object(
                    payment_intent="pi_gone",
                    currency="GBP",
                    amount_refunded=Decimal("5.00"),
                    refunds=None,
                ),
            ),
        )
    stripe_event_apply(org=tenant.org, event_pk=event.pk)
    client = tenant.client()
    html = client.get(f"/payments/review/{event.pk}/").content.decode()
    assert "Record as customer credit</button>" not in html
    assert client.post(f"/payments/review/{event.pk}/credit/").status_code == 400
    assert client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "ok"}).status_code == 302


def test_events_that_are_not_set_aside_have_no_review_page(tenant, setup):
    applied = StripeEvent.objects.create(
        organization=tenant.org, event_id="evt_fine", type="x", payload={}, status="applied"
    )
    assert tenant.client().get(f"/payments/review/{applied.pk}/").status_code == 404
    assert tenant.client().post(f"/payments/review/{applied.pk}/credit/").status_code == 404


def test_another_organizations_event_is_a_404(tenant, other_tenant, setup):
    event, _, _, _ = setup
    client = other_tenant.client()
    assert client.get(f"/payments/review/{event.pk}/").status_code == 404
    assert client.post(f"/payments/review/{event.pk}/credit/").status_code == 404
    assert client.post(f"/payments/review/{event.pk}/dismiss/", {"note": "x"}).status_code == 404
    assert "pi_review_eur" not in client.get("/payments/review/").content.decode()
    event.refresh_from_db()
    assert event.status == StripeEventStatus.QUARANTINED

"""Payments, Review through a real browser: the list and an event's page at desktop width and on
a 375 px phone (screenshots in var/screenshots/stripe-review-*.png for a person to look at), and
closing two events with the keyboard alone: one recorded as a customer's credit after finding
the customer, one dismissed with a note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.services.accounts import user_signup
from payments.models import Payment, StripeEvent, StripeEventStatus
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
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

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def seed() -> tuple[StripeEvent, StripeEvent]:
    """Two payments set aside: one in the wrong currency from a known customer, one naming an
    organization that is not this one (so the customer is not known)."""
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="GBP",
        timezone="Europe/London",
    )
    stripe_connect(org)
    customer = CustomerFactory(
        organization=org, display_name="Harbour Tiles Wholesale Distribution Ltd", currency="GBP"
    )
    ContactFactory(customer=customer)
    invoice = invoice_make(org, customer=customer, lines=(("Showroom fitting", "1", "1480.00"),))
    checkout = checkout_make(org, customer, [(invoice, invoice.total)])
    wrong_currency = deliver(
        org,
        event_make(
            "checkout.session.completed",
            session_object(checkout, payment_intent="pi_3QxHarbourTilesEUR0042", currency="EUR"),
        ),
    )
    other = checkout_make(org, customer, [(invoice, "200.00")])
    metadata = {**checkout_metadata(other), "arhub_org": "999999"}
    lost = deliver(
        org,
        event_make(
            "payment_intent.succeeded",
            intent_object(other, payment_intent="pi_3QxLostOrg0099", metadata=metadata),
        ),
    )
    assert wrong_currency.status == lost.status == StripeEventStatus.QUARANTINED
    return wrong_currency, lost


def watch(page: Page) -> list[str]:
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.mark.django_db(transaction=True)
def test_the_review_pages_fit_desktop_and_phone(new_page: Callable[..., Page]) -> None:
    wrong_currency, lost = seed()
    pages: list[tuple[str, dict[str, Any]]] = [("desktop", {}), ("phone", PHONE_375)]
    for kind, options in pages:
        page = new_page("desktop", **options)
        console = watch(page)
        log_in(page, EMAIL, PASSWORD)
        page.goto("/payments/review/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Stripe payments to review")
        expect(page.get_by_text("The customer paid in EUR")).to_be_visible()
        helpers.check_page(page, f"stripe-review-list-{kind}", console)
        page.goto(f"/payments/review/{wrong_currency.pk}/")
        expect(page.get_by_role("heading", name="Record as customer credit")).to_be_visible()
        helpers.check_page(page, f"stripe-review-detail-{kind}", console)
        page.goto(f"/payments/review/{lost.pk}/?find=harbour")
        expect(page.get_by_role("group", name="Choose the customer")).to_be_visible()
        helpers.check_page(page, f"stripe-review-find-{kind}", console)


@pytest.mark.django_db(transaction=True)
def test_close_both_with_the_keyboard(new_page: Callable[..., Page]) -> None:
    wrong_currency, lost = seed()
    page = new_page("desktop", **PHONE_375)
    console = watch(page)
    log_in(page, EMAIL, PASSWORD)

    page.goto(f"/payments/review/{lost.pk}/")
    page.get_by_label("Who paid?").focus()
    page.keyboard.type("harbour")
    page.keyboard.press("Enter")
    radio = page.get_by_label("Harbour Tiles Wholesale Distribution Ltd")
    expect(radio).to_be_checked()  # the only match is chosen for you
    radio.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record as customer credit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("as credit for Harbour Tiles")
    payment = Payment.objects.get(stripe_payment_intent="pi_3QxLostOrg0099")
    assert payment.unapplied_amount == payment.amount
    helpers.shoot(page, "stripe-review-after-credit-phone")  # the payment's own page

    page.goto(f"/payments/review/{wrong_currency.pk}/")
    page.get_by_label("Why dismiss it?").focus()
    page.keyboard.type("Refunded in Stripe: paid in euros by mistake")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stripe payments to review")
    expect(page.get_by_text("Nothing to review")).to_be_visible()
    wrong_currency.refresh_from_db()
    assert wrong_currency.status == StripeEventStatus.RESOLVED
    page.goto("/payments/review/?show=reviewed")
    expect(page.get_by_text("Dismissed: Refunded in Stripe")).to_be_visible()
    helpers.check_page(page, "stripe-review-reviewed-phone", console)

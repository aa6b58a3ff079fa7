"""Paying online from the pay page: the "Pay" form starts a Stripe Checkout (against the local
stand-in) and redirects to it, part payments follow the organization's rules with the errors on
the field, Stripe being down shows the other ways to pay, and Stripe's return and cancel pages
bring the customer back with a notice (or say nothing to anyone else)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from arhub.models import Organization
from payments.models import CheckoutSession
from tests.conftest import Tenant
from tests.payments.pay_page_helpers import (
    accept_transfer_and_cheque,
    connect_stripe,
    discounted_invoice,
    noon,
    open_pay_page,
    pay_part,
    plain_invoice,
    text,
)
from tests.stripe_server import StripeStandIn

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Card payment is briefly unavailable"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    accept_transfer_and_cheque(tenant.org)
    return tenant.org


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False) as traveller:
        yield traveller


def unit_amounts(stripe_api: StripeStandIn) -> list[str]:
    [create] = stripe_api.checkout_creates()
    return [item["price_data"]["unit_amount"] for item in create.params["line_items"]]


def test_pay_redirects_to_checkout_with_the_amount_due_today(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    invoice = discounted_invoice(org)
    client = Client()
    target, page = open_pay_page(client, org, invoice)
    html = page.content.decode()
    assert "Pay £294.00" in text(page)
    assert "Card, Apple Pay, Google Pay or Link." in text(page)
    # The form may end up at Stripe's Checkout (the stand-in's origin here), nowhere else.
    policy = page["Content-Security-Policy"]
    assert re.search(r"form-action 'self' " + re.escape(stripe_api.url), policy), policy
    assert '<form method="post" class="pay-now">' in html

    response = client.post(target, {"pay": "full"})
    assert response.status_code == 302
    row = CheckoutSession.objects.for_org(org).get()
    assert response["Location"] == row.url
    assert row.url.startswith(stripe_api.url + "/checkout/")
    assert row.amount == Decimal("294.00")
    assert row.allocations == [{"invoice": invoice.pk, "amount": "294.00"}]
    assert unit_amounts(stripe_api) == ["29400"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_discount_is_payable_on_its_last_day_but_not_the_day_after(
    org: Organization, stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    invoice = discounted_invoice(org)
    client = Client()
    with time_machine.travel(noon(date(2027, 3, 11)), tick=False):
        target, _ = open_pay_page(client, org, invoice)
        assert client.post(target, {"pay": "full"}).status_code == 302
    with time_machine.travel(noon(date(2027, 3, 12)), tick=False):
        target, _ = open_pay_page(client, org, invoice)  # the next day: the link again
        assert client.post(target, {"pay": "full"}).status_code == 302
    amounts = [row.amount for row in CheckoutSession.objects.for_org(org).order_by("pk")]
    assert amounts == [Decimal("294.00"), Decimal("300.00")]


def test_a_different_amount_when_part_payments_are_allowed(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org, allow_partial=True, partial_minimum=Decimal("20"))
    invoice = plain_invoice(org)
    client = Client()
    target, page = open_pay_page(client, org, invoice)
    assert "Pay a different amount" in text(page)
    assert "At least £20.00 and at most £300.00." in text(page)

    response = client.post(target, {"pay": "other", "amount": "120,50"})
    assert response.status_code == 302
    assert CheckoutSession.objects.for_org(org).get().amount == Decimal("120.50")
    assert unit_amounts(stripe_api) == ["12050"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Enter the amount you want to pay."),
        ("twelve", "Enter the amount as a number"),
        ("0", "Enter an amount more than zero."),
        ("10.001", "without extra decimals"),
        ("300.01", "Only £300.00 is owed on this invoice."),
        ("19.99", "The smallest payment we can take is £20.00."),
    ],
)
def test_an_amount_the_rules_refuse_is_shown_on_the_field(
    org: Organization, stripe_api: StripeStandIn, clock: object, amount: str, message: str
) -> None:
    connect_stripe(org, allow_partial=True, partial_minimum=Decimal("20"))
    client = Client()
    target, _ = open_pay_page(client, org, plain_invoice(org))
    response = client.post(target, {"pay": "other", "amount": amount})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in text(response)
    # The error summary comes first and takes the focus; the field points at its error.
    assert 'id="error-summary" role="alert" tabindex="-1" autofocus' in html
    assert '<a href="#pay-amount">' in html
    assert 'aria-describedby="pay-amount-help pay-amount-error"' in html
    assert 'aria-invalid="true"' in html
    assert '<details class="pay-other" open>' in html
    assert f'value="{amount}"' in html
    assert not CheckoutSession.objects.exists()
    assert stripe_api.checkout_creates() == []


def test_without_part_payments_only_the_full_amount_is_offered(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org, allow_partial=False)
    client = Client()
    target, page = open_pay_page(client, org, plain_invoice(org))
    assert "Pay a different amount" not in text(page)
    # A hand-made post for part of it still pays... the full amount, nothing less.
    response = client.post(target, {"pay": "other", "amount": "10.00"})
    assert response.status_code == 302
    assert CheckoutSession.objects.for_org(org).get().amount == Decimal("300.00")


def test_a_part_paid_invoice_pays_what_is_left(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    invoice = plain_invoice(org)
    pay_part(org, invoice, "100.00")
    client = Client()
    target, page = open_pay_page(client, org, invoice)
    assert "Pay £200.00" in text(page)
    client.post(target, {"pay": "full"})
    assert unit_amounts(stripe_api) == ["20000"]


def test_stripe_down_shows_the_other_ways_to_pay(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    client = Client()
    target, _ = open_pay_page(client, org, plain_invoice(org))
    stripe_api.fail_with = 500
    response = client.post(target, {"pay": "full"})
    assert response.status_code == 200
    page, html = text(response), response.content.decode()
    assert (
        f"{UNAVAILABLE} — you can pay by bank transfer or cheque below, "
        "or try again in a few minutes." in page
    )
    assert 'id="card-unavailable" role="alert"' in html
    assert "Barclays Sort code 20-00-00" in page and "Make it payable to" in page
    # Trying again once Stripe is back works, with the same session key.
    stripe_api.fail_with = None
    assert client.post(target, {"pay": "full"}).status_code == 302
    keys = {r.headers["Idempotency-Key"] for r in stripe_api.checkout_creates()}
    assert len(keys) == 1


def test_a_refused_key_is_unavailable_too(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org, key="sk_test_not_a_key_stripe_knows")
    client = Client()
    target, _ = open_pay_page(client, org, plain_invoice(org))
    assert UNAVAILABLE in text(client.post(target, {"pay": "full"}))


def test_without_stripe_there_is_no_pay_button_and_posts_change_nothing(
    org: Organization, clock: object
) -> None:
    client = Client()
    target, page = open_pay_page(client, org, plain_invoice(org))
    assert "Pay £" not in text(page)
    assert "form-action 'self';" in page["Content-Security-Policy"] + ";"
    response = client.post(target, {"pay": "full"})
    assert response.status_code == 200
    assert not CheckoutSession.objects.exists()


def test_a_paid_invoice_cannot_be_paid_again(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    invoice = plain_invoice(org)
    client = Client()
    target, _ = open_pay_page(client, org, invoice)
    pay_part(org, invoice, "300.00")
    response = client.post(target, {"pay": "full"})
    assert response.status_code == 200
    assert "Paid in full" in text(response)
    assert stripe_api.checkout_creates() == []


# ---- Stripe's return and cancel pages


def checkout_started(
    client: Client, org: Organization, stripe_api: StripeStandIn
) -> tuple[str, CheckoutSession]:
    invoice = plain_invoice(org)
    target, _ = open_pay_page(client, org, invoice)
    client.post(target, {"pay": "full"})
    return target, CheckoutSession.objects.for_org(org).latest("pk")


def test_coming_back_from_checkout_says_the_payment_is_being_confirmed(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    client = Client()
    target, row = checkout_started(client, org, stripe_api)
    response = client.get(reverse("checkout_return", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == target
    page = client.get(target)
    assert "Thank you — your payment is being confirmed." in text(page)
    assert 'role="status"' in page.content.decode()
    # Said once: the next visit is quiet (the receipt follows once Stripe confirms).
    assert "being confirmed" not in text(client.get(target))
    # The return is not proof of payment: the invoice still owes the same.
    assert "Amount due today £300.00" in text(client.get(target))


def test_stepping_back_from_checkout_says_no_payment_was_made(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    client = Client()
    target, row = checkout_started(client, org, stripe_api)
    response = client.get(reverse("checkout_cancel", args=[row.pk]))
    assert response["Location"] == target
    assert "No payment was made." in text(client.get(target))


def test_anyone_else_coming_back_gets_a_page_that_names_nothing(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    connect_stripe(org)
    row = checkout_started(Client(), org, stripe_api)[1]
    # Another browser with a grant of its own, for another invoice of the same business.
    other = Client()
    open_pay_page(other, org, plain_invoice(org))
    for name, heading in (("checkout_return", "Thank you"), ("checkout_cancel", "No payment")):
        for client in (Client(), other):
            response = client.get(reverse(name, args=[row.pk]))
            assert response.status_code == 200
            page = text(response)
            assert heading in page
            assert org.name not in page and "INV-" not in page
            assert response["Cache-Control"] == "no-store"
    assert client.get(reverse("checkout_return", args=[999999])).status_code == 200


def test_the_form_works_as_browsers_send_it_and_refuses_other_sites(
    org: Organization, stripe_api: StripeStandIn, clock: object
) -> None:
    """Under no-referrer a browser's POST says ``Origin: null``, which Django's CSRF check
    refuses; the pay page relies on its session-bound key and Sec-Fetch-Site instead."""
    connect_stripe(org)
    client = Client(enforce_csrf_checks=True)
    target, _ = open_pay_page(client, org, plain_invoice(org))
    browser = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    for site in ("cross-site", "same-site"):
        response = client.post(target, {"pay": "full"}, headers={**browser, "Sec-Fetch-Site": site})
        assert response.status_code == 200
        assert "Pay £300.00" in text(response)
    assert not CheckoutSession.objects.exists()
    assert client.post(target, {"pay": "full"}, headers=browser).status_code == 302
    assert CheckoutSession.objects.count() == 1
    # Another site's form cannot know the key, and without the session cookie (SameSite=Lax)
    # the key opens nothing.
    assert Client().post(target, {"pay": "full"}, headers=browser).status_code == 404

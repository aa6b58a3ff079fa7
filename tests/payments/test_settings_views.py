"""Settings -> Payments in the dashboard: owners and admins only, the Stripe connection against
the local stand-in (never a secret in a page), the pay-page settings with errors at their
field, and the links to where the other payment details live."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from invoicing.models import InvoiceSettings
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from tests.conftest import Tenant
from tests.stripe_server import TEST_KEY

pytestmark = pytest.mark.django_db

URL = "/settings/payments/"
CONNECT = "/settings/payments/stripe/"
TEST = "/settings/payments/stripe/test/"
DISCONNECT = "/settings/payments/stripe/disconnect/"
WEBHOOK = "whsec_acme_view_signing_secret_3131"
REFUSED_KEY = "sk_test_arhub_key_stripe_refuses_2020"

SETTINGS_FORM = {
    "card_enabled": "on",
    "bank_debit_enabled": "on",
    "allow_partial": "on",
    "partial_minimum": "10",
    "cheque_payable_to": "Acme Plumbing Ltd",
    "cheque_address": "1 Pipe Street\nLeeds LS1 1AA",
    "send_receipts": "on",
}


def text(response: Any) -> str:
    return unescape(response.content.decode())


def visible(response: Any) -> str:
    """The page's words, tags removed, spaces collapsed."""
    main = text(response)
    main = main[main.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def connect(
    tenant: Tenant, key: str = TEST_KEY, webhook: str = WEBHOOK, client: Client | None = None
) -> Any:
    return (client or tenant.client()).post(
        CONNECT, {"stripe_secret_key": key, "stripe_webhook_secret": webhook}
    )


def assert_no_secret(response: Any, *secrets: str) -> None:
    body = text(response)
    for secret in secrets or (TEST_KEY, WEBHOOK, REFUSED_KEY):
        assert secret not in body


# --------------------------------------------------------------------------------------------
# Who may see and change it


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_see_the_page(tenant, role):
    response = tenant.client(role).get(URL)
    assert response.status_code == 200
    assert 'aria-current="page">Payments</a>' in text(response)


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_other_roles_get_403_everywhere_and_change_nothing(tenant, stripe_api, role):
    client = tenant.client(role)
    assert client.get(URL).status_code == 403
    for url, data in [
        (URL, SETTINGS_FORM),
        (CONNECT, {"stripe_secret_key": TEST_KEY, "stripe_webhook_secret": WEBHOOK}),
        (TEST, {}),
        (DISCONNECT, {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()
    assert stripe_api.requests == []


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.OWNER, True), (Role.ADMIN, True), (Role.BILLING, False), (Role.VIEWER, False)],
)
def test_only_those_who_may_open_it_see_the_tab(tenant, role, shown):
    page = text(tenant.client(role).get("/settings/"))
    assert ('href="/settings/payments/"' in page) is shown


# --------------------------------------------------------------------------------------------
# Stripe


def test_not_connected_page_explains_where_to_find_everything(tenant, settings):
    settings.SITE_URL = "https://ar.example.com"
    response = tenant.client().get(URL)
    words = visible(response)
    assert "Stripe is not connected" in words
    assert f"https://ar.example.com/webhooks/stripe/{tenant.org.slug}/" in words
    assert "Developers → API keys" in words and "Developers → Webhooks" in words
    assert "checkout.session.completed" in words and "charge.refunded" in words
    assert "Test connection" not in words
    page = text(response)
    assert 'type="password" name="stripe_secret_key"' in page
    assert 'autocomplete="off"' in page
    # A page view writes nothing.
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


def test_connect_then_the_page_shows_the_account_never_the_key(tenant, stripe_api):
    client = tenant.client()
    response = connect(tenant, client=client)
    assert response.status_code == 302 and response["Location"] == URL
    # Django's error reports would show these two as stars.
    assert set(response.wsgi_request.sensitive_post_parameters) == {
        "stripe_secret_key",
        "stripe_webhook_secret",
    }
    page = client.get(URL)
    words = visible(page)
    assert "Connected to Acme Plumbing Ltd (test mode), key ending 4242." in words
    assert "Connected to Acme Plumbing Ltd (test mode). Customers can now pay online" in words
    assert "Test connection" in words and "Disconnect Stripe" in words
    assert "Leave it empty to keep the saved one" in words
    assert "Where to find them in Stripe, and your webhook address" in words
    for name in ("stripe_secret_key", "stripe_webhook_secret"):
        [tag] = re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", text(page))
        assert "value=" not in tag
    assert_no_secret(page)


def test_a_refused_key_comes_back_at_its_field_without_the_value(tenant, stripe_api):
    response = connect(tenant, key=REFUSED_KEY)
    assert response.status_code == 200
    page = text(response)
    assert 'id="error-summary"' in page and "autofocus" in page
    assert '<a href="#id_stripe_secret_key">Secret key: Stripe refused this secret key' in page
    assert 'aria-invalid="true"' in page
    assert_no_secret(response)
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


def test_malformed_secrets_are_named_and_stripe_is_not_called(tenant, stripe_api):
    response = connect(tenant, key="pk_live_publishable_4444", webhook="not-a-secret")
    words = visible(response)
    assert "This is your publishable key" in words
    assert "A webhook signing secret starts with whsec_" in words
    assert stripe_api.requests == []
    assert_no_secret(response, "pk_live_publishable_4444", "not-a-secret")


def test_stripe_down_while_connecting_says_try_again(tenant, stripe_api):
    stripe_api.fail_with = 503
    response = connect(tenant)
    assert response.status_code == 200
    assert "Stripe could not be reached, so nothing was saved" in visible(response)
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


def test_replacing_the_webhook_secret_alone(tenant, stripe_api):
    connect(tenant)
    client = tenant.client()
    response = connect(tenant, key="", webhook="whsec_rotated_view_0001", client=client)
    assert response.status_code == 302
    page = client.get(URL)
    assert "Saved and checked. Connected to Acme Plumbing Ltd (test mode)." in visible(page)


def test_test_connection_shows_its_result_as_a_status(tenant, stripe_api):
    connect(tenant)
    client = tenant.client()
    response = client.post(TEST, follow=True)
    page = text(response)
    status = page[page.index('role="status"') :]
    assert "The connection works. Connected to Acme Plumbing Ltd (test mode)." in status
    assert "Last checked" in visible(response)

    stripe_api.fail_with = 500
    response = client.post(TEST, follow=True)
    words = visible(response)
    assert "The connection does not work. Stripe could not be reached." in words
    assert "Last checked" in words and "Please try again in a minute" in words


def test_test_connection_without_stripe_says_so(tenant):
    response = tenant.client().post(TEST, follow=True)
    assert "Stripe is not connected" in visible(response)


def test_disconnect(tenant, stripe_api):
    connect(tenant)
    response = tenant.client().post(DISCONNECT, follow=True)
    words = visible(response)
    assert "Stripe is disconnected and the keys are deleted" in words
    assert "Stripe is not connected" in words
    assert not payment_settings_get(org=tenant.org).stripe_connected
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_DISCONNECTED).count() == 1


# --------------------------------------------------------------------------------------------
# What the pay page offers


def test_settings_save(tenant):
    client = tenant.client()
    response = client.post(URL, SETTINGS_FORM)
    assert response.status_code == 302
    saved = payment_settings_get(org=tenant.org)
    assert saved.partial_minimum == Decimal("10.00")
    assert (saved.bank_debit_enabled, saved.late_fees_enabled, saved.send_receipts) == (
        True,
        False,
        True,
    )
    assert saved.cheque_address == "1 Pipe Street\nLeeds LS1 1AA"
    page = client.get(URL)
    assert "Payment settings saved" in visible(page)
    assert 'name="partial_minimum" value="10"' in text(page)


@pytest.mark.parametrize(
    ("minimum", "words"),
    [
        ("-5", "Enter zero (no minimum) or more."),
        ("1.005", "Use at most 2 decimal places, as GBP has."),
        ("ten", "Enter a number."),
    ],
)
def test_a_bad_minimum_is_named_at_its_field_and_nothing_is_saved(tenant, minimum, words):
    response = tenant.client().post(URL, {**SETTINGS_FORM, "partial_minimum": minimum})
    assert response.status_code == 200
    page = text(response)
    assert f'<a href="#id_partial_minimum">Smallest part payment: {words}</a>' in page
    assert 'id="error-summary"' in page
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


def test_an_empty_minimum_means_no_minimum(tenant):
    tenant.client().post(URL, {**SETTINGS_FORM, "partial_minimum": ""})
    assert payment_settings_get(org=tenant.org).partial_minimum == Decimal(0)


def test_the_page_links_to_bank_details_and_payment_terms(tenant):
    tenant.org.address_line1 = "1 Pipe Street"
    tenant.org.city = "Leeds"
    tenant.org.postal_code = "LS1 1AA"
    tenant.org.save()
    words = visible(tenant.client().get(URL))
    assert "You have not added bank details yet" in words
    assert "Settings → Invoices" in words and "Settings → Payment terms" in words
    assert "USD (ACH), EUR (SEPA), GBP (Bacs) and AUD (BECS)" in words
    assert f"cheques are made payable to {tenant.org.name} and mailed" in words
    assert "1 Pipe Street Leeds LS1 1AA" in words
    page = text(tenant.client().get(URL))
    assert 'href="/settings/invoices/"' in page and 'href="/settings/payment-terms/"' in page

    InvoiceSettings.objects.create(
        organization=tenant.org,
        accepted_methods=["bank_transfer"],
        payment_instructions="Barclays 20-00-00 12345678",
    )
    words = visible(tenant.client().get(URL))
    assert "Pay pages show your bank details and the invoice number" in words

"""Checkout Sessions through the official stripe client against the local stand-in
(tests/stripe_server.py): parameters, idempotency, attempts, failures and the amount rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from arhub.secret_box import secret_encrypt
from invoicing.models import Invoice
from payments.checkout import CheckoutLine, checkout_start, payment_method_types
from payments.models import CheckoutSession, PaymentSettings
from payments.stripe_client import (
    StripeKeyRefused,
    StripeNotConnected,
    StripeUnavailable,
    stripe_account_check,
)
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.stripe_server import LIVE_KEY, TEST_KEY, StripeStandIn

pytestmark = pytest.mark.django_db

NOON = datetime(2027, 3, 10, 12, tzinfo=ZoneInfo("UTC"))


def connect(tenant: Tenant, key: str = TEST_KEY, **options: object) -> PaymentSettings:
    return PaymentSettings.objects.create(
        organization=tenant.org,
        stripe_secret_key=secret_encrypt(key),
        stripe_webhook_secret=secret_encrypt("whsec_test"),
        **options,
    )


def invoice_for(tenant: Tenant, *, currency: str = "USD", price: str = "150.00", **fields: object):
    customer = CustomerFactory(organization=tenant.org, currency=currency, language="en")
    ContactFactory(customer=customer, email="payer@example.test", is_primary=True)
    return invoice_make(
        tenant.org,
        customer=customer,
        currency=currency,
        issue_date=date(2027, 3, 1),
        lines=(("Boiler service", "2", price),),
        **fields,
    )


@pytest.fixture
def now() -> object:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def start(tenant: Tenant, *lines: tuple[Invoice, str]) -> CheckoutSession:
    customer = lines[0][0].customer
    return checkout_start(
        org=tenant.org,
        customer=customer,
        lines=[CheckoutLine(invoice=inv, amount=Decimal(amount)) for inv, amount in lines],
    )


def test_a_session_carries_amounts_metadata_and_return_addresses(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    invoice = invoice_for(tenant)
    row = start(tenant, (invoice, "300.00"))

    [seen] = stripe_api.checkout_creates()
    assert seen.headers["Idempotency-Key"] == row.idempotency_key
    assert seen.headers["Authorization"] == f"Bearer {TEST_KEY}"
    params = seen.params
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "30000"
    assert params["line_items"][0]["price_data"]["currency"] == "usd"
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == (
        f"Invoice {invoice.number}"
    )
    expected_meta = {
        "arhub_org": str(tenant.org.pk),
        "arhub_checkout": str(row.pk),
        "arhub_invoices": str(invoice.pk),
    }
    assert params["metadata"] == expected_meta
    assert params["payment_intent_data"]["metadata"] == expected_meta
    assert params["client_reference_id"] == str(row.pk)
    assert params["customer_email"] == "payer@example.test"
    assert params["success_url"].endswith(f"/pay/checkout/{row.pk}/return/")
    assert params["cancel_url"].endswith(f"/pay/checkout/{row.pk}/cancel/")
    assert params["payment_method_types"] == ["card", "link"]

    stored = CheckoutSession.objects.get(pk=row.pk)
    assert stored.url == f"{stripe_api.url}/checkout/{stored.stripe_session_id}"
    assert stored.allocations == [{"invoice": invoice.pk, "amount": "300.00"}]
    assert (stored.amount, stored.currency, stored.livemode) == (Decimal("300.00"), "USD", False)


def test_a_second_click_reuses_the_session_without_calling_stripe(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    invoice = invoice_for(tenant)
    first = start(tenant, (invoice, "300.00"))
    again = start(tenant, (invoice, "300.00"))
    assert again.pk == first.pk and again.url == first.url
    assert len(stripe_api.checkout_creates()) == 1


def test_another_amount_or_an_hour_later_is_a_new_attempt(
    tenant: Tenant, stripe_api: StripeStandIn, now: time_machine.Traveller
) -> None:
    connect(tenant)
    invoice = invoice_for(tenant)
    first = start(tenant, (invoice, "300.00"))
    part = start(tenant, (invoice, "100.00"))
    assert part.pk != first.pk and part.attempt == 1
    now.shift(timedelta(hours=1, minutes=1))
    later = start(tenant, (invoice, "300.00"))
    assert later.attempt == 2
    assert later.idempotency_key == first.idempotency_key[:-1] + "2"
    assert len({r.headers["Idempotency-Key"] for r in stripe_api.checkout_creates()}) == 3


def test_stripe_down_raises_unavailable_and_the_retry_uses_the_same_key(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    invoice = invoice_for(tenant)
    stripe_api.fail_with = 500
    with pytest.raises(StripeUnavailable):
        start(tenant, (invoice, "300.00"))
    [failed] = CheckoutSession.objects.all()
    assert failed.url == ""

    stripe_api.fail_with = None
    row = start(tenant, (invoice, "300.00"))
    assert row.pk == failed.pk and row.url
    keys = [r.headers["Idempotency-Key"] for r in stripe_api.checkout_creates()]
    assert set(keys) == {failed.idempotency_key}


def test_nothing_listening_is_unavailable(tenant: Tenant, settings: object, now: object) -> None:
    from tests.smtp_server import free_port

    settings.STRIPE_API_BASE_URL = f"http://127.0.0.1:{free_port()}"  # type: ignore[attr-defined]
    connect(tenant)
    invoice = invoice_for(tenant)
    with pytest.raises(StripeUnavailable):
        start(tenant, (invoice, "300.00"))


def test_a_refused_key_says_so(tenant: Tenant, stripe_api: StripeStandIn, now: object) -> None:
    connect(tenant, key="sk_test_not_a_key_stripe_knows")
    invoice = invoice_for(tenant)
    with pytest.raises(StripeKeyRefused):
        start(tenant, (invoice, "300.00"))


def test_without_stripe_there_is_no_online_payment(tenant: Tenant, now: object) -> None:
    invoice = invoice_for(tenant)
    with pytest.raises(StripeNotConnected):
        start(tenant, (invoice, "300.00"))
    connect(tenant, card_enabled=False, bank_debit_enabled=False)
    with pytest.raises(StripeNotConnected):
        start(tenant, (invoice, "300.00"))


def test_live_keys_make_live_sessions(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant, key=LIVE_KEY)
    row = start(tenant, (invoice_for(tenant), "300.00"))
    assert row.livemode is True


def test_several_invoices_in_one_session(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    first = invoice_for(tenant)
    second = invoice_make(
        tenant.org,
        customer=first.customer,
        issue_date=date(2027, 3, 2),
        lines=(("Valve", "1", "45.50"),),
    )
    row = start(tenant, (first, "300.00"), (second, "45.50"))
    [seen] = stripe_api.checkout_creates()
    assert [item["price_data"]["unit_amount"] for item in seen.params["line_items"]] == [
        "30000",
        "4550",
    ]
    assert seen.params["metadata"]["arhub_invoices"] == f"{first.pk},{second.pk}"
    assert row.amount == Decimal("345.50")


def test_yen_has_no_minor_unit(tenant: Tenant, stripe_api: StripeStandIn, now: object) -> None:
    connect(tenant)
    invoice = invoice_for(tenant, currency="JPY", price="15000")
    start(tenant, (invoice, "30000"))
    [seen] = stripe_api.checkout_creates()
    assert seen.params["line_items"][0]["price_data"]["unit_amount"] == "30000"
    assert seen.params["line_items"][0]["price_data"]["currency"] == "jpy"


def test_the_early_payment_discount_is_payable_in_its_window(
    tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    terms = PaymentTermsFactory(
        organization=tenant.org, name="2/10 net 30", discount_percent=2, discount_days=10
    )
    invoice = invoice_for(tenant, payment_terms_id=terms.pk)
    row = start(tenant, (invoice, "294.00"))  # 300 less 2%, paid on day 9
    assert row.amount == Decimal("294.00")


@pytest.mark.parametrize(
    ("options", "amount", "message"),
    [
        ({"allow_partial": False}, "100.00", "is paid in full: $300.00"),
        ({"partial_minimum": Decimal("50")}, "49.99", "smallest payment we can take is $50.00"),
        ({}, "300.01", "Only $300.00 is owed"),
        ({}, "0", "more than zero"),
        ({}, "10.001", "without extra decimals"),
    ],
)
def test_amounts_the_invoice_does_not_allow_are_refused(
    tenant: Tenant,
    stripe_api: StripeStandIn,
    now: object,
    options: dict[str, object],
    amount: str,
    message: str,
) -> None:
    connect(tenant, **options)
    invoice = invoice_for(tenant)
    with pytest.raises(ValidationError) as caught:
        start(tenant, (invoice, amount))
    assert message in caught.value.message_dict["lines[0]"][0]
    assert not CheckoutSession.objects.exists()
    assert stripe_api.checkout_creates() == []


def test_another_customers_or_organizations_invoice_cannot_be_paid_here(
    tenant: Tenant, other_tenant: Tenant, stripe_api: StripeStandIn, now: object
) -> None:
    connect(tenant)
    mine = invoice_for(tenant)
    someone_else = invoice_for(tenant)
    foreign = invoice_for(other_tenant)
    for stranger in (someone_else, foreign):
        with pytest.raises(ValidationError) as caught:
            checkout_start(
                org=tenant.org,
                customer=mine.customer,
                lines=[
                    CheckoutLine(invoice=mine, amount=Decimal("300.00")),
                    CheckoutLine(invoice=stranger, amount=Decimal("300.00")),
                ],
            )
        assert "cannot be paid here" in caught.value.message_dict["lines[1]"][0]
    assert stripe_api.checkout_creates() == []


def test_bank_debit_is_offered_in_its_currency_only() -> None:
    settings_row = PaymentSettings(card_enabled=True, bank_debit_enabled=True)
    assert payment_method_types(settings_row, "EUR") == ["card", "link", "sepa_debit"]
    assert payment_method_types(settings_row, "JPY") == ["card", "link"]
    settings_row.card_enabled = False
    assert payment_method_types(settings_row, "USD") == ["us_bank_account"]


def test_the_connection_check_names_the_account(stripe_api: StripeStandIn) -> None:
    account = stripe_account_check(TEST_KEY)
    assert (account.id, account.name, account.livemode) == (
        "acct_standin",
        "Acme Plumbing Ltd",
        False,
    )
    with pytest.raises(StripeKeyRefused):
        stripe_account_check("sk_test_wrong")

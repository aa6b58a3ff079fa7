"""Settings -> Payments services: the pay-page settings, and connecting Stripe against the local
stand-in of its API. The secrets must never show up anywhere but encrypted in their column: not
in the raw row, an audit row, a log line (ours or the stripe library's) or an error message."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from arhub.models import AuditAction, AuditEvent
from arhub.secret_box import secret_decrypt
from payments import settings_services
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from payments.settings_services import (
    PaymentSettingsInput,
    payment_settings_update,
    stripe_connect,
    stripe_disconnect,
    stripe_test_connection,
)
from payments.stripe_client import StripeNotConnected, StripeUnavailable
from tests.conftest import Tenant
from tests.stripe_server import LIVE_KEY, TEST_KEY, StripeStandIn

pytestmark = pytest.mark.django_db

WEBHOOK = "whsec_acme_settings_signing_secret_7777"
NEW_WEBHOOK = "whsec_acme_settings_rotated_secret_8888"
LIVE_WEBHOOK = "whsec_acme_settings_live_secret_5555"
UNKNOWN_KEY = "sk_test_arhub_key_stripe_does_not_know_0000"
SECRETS = (TEST_KEY, LIVE_KEY, WEBHOOK, NEW_WEBHOOK, LIVE_WEBHOOK, UNKNOWN_KEY)
NOON = datetime(2027, 3, 10, 12, tzinfo=ZoneInfo("UTC"))


def saved(tenant: Tenant) -> PaymentSettings | None:
    return PaymentSettings.objects.filter(organization=tenant.org).first()


def raw_row(tenant: Tenant) -> str:
    """The organization's row exactly as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_to_json(t)::text FROM {PaymentSettings._meta.db_table} t "
            "WHERE organization_id = %s",
            [tenant.org.pk],
        )
        found = cursor.fetchone()
    return found[0] if found else ""


def audit_text(tenant: Tenant) -> str:
    rows = AuditEvent.objects.filter(organization=tenant.org).values("summary", "data")
    return json.dumps([{**row} for row in rows], default=str)


def assert_no_secret_in(text: str, where: str) -> None:
    shown = [secret for secret in SECRETS if secret in text]
    assert not shown, f"{where} contains a secret: {shown}"


def connect(tenant: Tenant, key: str = TEST_KEY, webhook: str = WEBHOOK) -> PaymentSettings:
    return stripe_connect(
        org=tenant.org, actor=tenant.owner.user, secret_key=key, webhook_secret=webhook
    )


# --------------------------------------------------------------------------------------------
# What the pay page offers


def settings_input(**changes: object) -> PaymentSettingsInput:
    base = PaymentSettingsInput(
        allow_partial=True,
        partial_minimum=Decimal("5"),
        send_receipts=False,
        late_fees_enabled=False,
        cheque_payable_to="  Acme Plumbing Ltd  ",
        cheque_address="1 Pipe Street\nLeeds LS1 1AA",
        card_enabled=True,
        bank_debit_enabled=True,
    )
    return PaymentSettingsInput(**{**base.__dict__, **changes})


def test_update_saves_quantizes_and_audits_the_fields_changed(tenant):
    assert tenant.org.default_currency == "GBP"
    done = payment_settings_update(org=tenant.org, actor=tenant.owner.user, data=settings_input())
    row = saved(tenant)
    assert row is not None and row.pk == done.pk
    assert row.partial_minimum == Decimal("5.00")
    assert (row.send_receipts, row.late_fees_enabled, row.bank_debit_enabled) == (
        False,
        False,
        True,
    )
    assert row.cheque_payable_to == "Acme Plumbing Ltd"
    event = AuditEvent.objects.get(organization=tenant.org, action=AuditAction.SETTINGS_CHANGED)
    assert set(event.data["fields"]) == {
        "partial_minimum",
        "send_receipts",
        "late_fees_enabled",
        "cheque_payable_to",
        "cheque_address",
        "bank_debit_enabled",
    }
    assert event.actor == tenant.owner.user

    # The same values again change nothing and leave no second audit row.
    payment_settings_update(org=tenant.org, actor=tenant.owner.user, data=settings_input())
    assert AuditEvent.objects.filter(action=AuditAction.SETTINGS_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("currency", "minimum", "words"),
    [
        ("GBP", "-1", "zero"),
        ("GBP", "1.005", "at most 2 decimal places, as GBP has"),
        ("KWD", "1.0005", "at most 3 decimal places, as KWD has"),
        ("JPY", "1.5", "whole number"),
        ("GBP", "1e16", "smaller"),
    ],
)
def test_a_bad_minimum_is_named_and_nothing_is_saved(tenant, currency, minimum, words):
    tenant.org.default_currency = currency
    tenant.org.save()
    with pytest.raises(ValidationError) as caught:
        payment_settings_update(
            org=tenant.org,
            actor=tenant.owner.user,
            data=settings_input(partial_minimum=Decimal(minimum), cheque_payable_to="x" * 201),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"partial_minimum", "cheque_payable_to"}
    assert words in errors["partial_minimum"][0]
    assert saved(tenant) is None
    assert not AuditEvent.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_a_whole_minimum_in_a_currency_without_decimals(tenant):
    tenant.org.default_currency = "JPY"
    tenant.org.save()
    payment_settings_update(
        org=tenant.org, actor=None, data=settings_input(partial_minimum=Decimal("500"))
    )
    assert payment_settings_get(org=tenant.org).partial_minimum == Decimal(500)


def test_a_long_cheque_address_is_refused(tenant):
    with pytest.raises(ValidationError) as caught:
        payment_settings_update(
            org=tenant.org, actor=None, data=settings_input(cheque_address="x" * 1001)
        )
    assert "1,000 characters" in caught.value.message_dict["cheque_address"][0]


# --------------------------------------------------------------------------------------------
# Connecting Stripe


def test_connect_checks_the_key_with_stripe_then_stores_it_encrypted(
    tenant, stripe_api: StripeStandIn
):
    with time_machine.travel(NOON, tick=False):
        done = connect(tenant)
    [seen] = stripe_api.requests
    assert (seen.method, seen.path) == ("GET", "/v1/account")
    assert seen.headers["Authorization"] == f"Bearer {TEST_KEY}"

    assert secret_decrypt(done.stripe_secret_key) == TEST_KEY
    assert secret_decrypt(done.stripe_webhook_secret) == WEBHOOK
    assert (done.stripe_key_hint, done.stripe_livemode) == ("4242", False)
    assert done.stripe_account_name == "Acme Plumbing Ltd"
    assert done.stripe_connected_at == NOON == done.stripe_checked_at
    assert done.stripe_check_ok
    assert done.stripe_check_message == "Connected to Acme Plumbing Ltd (test mode)."

    row = raw_row(tenant)
    assert "stripe_secret_key" in row and "4242" in row
    assert_no_secret_in(row, "the database row")

    event = AuditEvent.objects.get(organization=tenant.org, action=AuditAction.STRIPE_CONNECTED)
    assert event.summary == "Connected Stripe account Acme Plumbing Ltd (test mode)"
    assert event.data["livemode"] is False
    assert event.data["replaced"] == ["secret_key", "webhook_secret"]
    assert_no_secret_in(audit_text(tenant), "the audit rows")


def test_a_live_key_is_live_mode(tenant, stripe_api):
    done = connect(tenant, key=LIVE_KEY)
    assert (done.stripe_livemode, done.stripe_key_hint) == (True, "9999")


def test_secrets_are_stripped_of_the_spaces_a_copy_brings(tenant, stripe_api):
    done = connect(tenant, key=f"  {TEST_KEY}\n", webhook=f"\t{WEBHOOK} ")
    assert secret_decrypt(done.stripe_secret_key) == TEST_KEY
    assert secret_decrypt(done.stripe_webhook_secret) == WEBHOOK


def test_a_key_stripe_refuses_saves_nothing_and_says_so(tenant, stripe_api):
    with pytest.raises(ValidationError) as caught:
        connect(tenant, key=UNKNOWN_KEY)
    message = caught.value.message_dict["stripe_secret_key"][0]
    assert "Stripe refused this secret key, so nothing was saved" in message
    assert_no_secret_in(str(caught.value), "the error")
    assert len(stripe_api.requests) == 1
    assert saved(tenant) is None
    assert not AuditEvent.objects.filter(action=AuditAction.STRIPE_CONNECTED).exists()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_stripe_answering_errors_saves_nothing_and_says_try_again(tenant, stripe_api, status):
    stripe_api.fail_with = status
    with pytest.raises(StripeUnavailable) as caught:
        connect(tenant)
    assert "nothing was saved" in str(caught.value)
    assert "try again" in str(caught.value)
    assert saved(tenant) is None


def test_stripe_unreachable_saves_nothing(tenant, settings):
    settings.STRIPE_API_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings.STRIPE_TIMEOUT = 2
    with pytest.raises(StripeUnavailable):
        connect(tenant)
    assert saved(tenant) is None


@pytest.mark.parametrize(
    ("key", "webhook", "field", "words"),
    [
        ("pk_test_arhub_publishable_key_1234", WEBHOOK, "stripe_secret_key", "publishable"),
        (WEBHOOK, WEBHOOK, "stripe_secret_key", "webhook signing secret box"),
        ("hello", WEBHOOK, "stripe_secret_key", "starts with sk_live_ or sk_test_"),
        ("sk_test_with spaces_inside_1234", WEBHOOK, "stripe_secret_key", "starts with sk_"),
        ("sk_test_short", WEBHOOK, "stripe_secret_key", "starts with sk_"),
        (TEST_KEY, TEST_KEY, "stripe_webhook_secret", "This is an API key"),
        (TEST_KEY, "whsec", "stripe_webhook_secret", "starts with whsec_"),
        (TEST_KEY, "", "stripe_webhook_secret", "Enter the webhook signing secret"),
        ("", WEBHOOK, "stripe_secret_key", "Enter your Stripe secret key"),
    ],
)
def test_malformed_secrets_are_named_before_stripe_is_called(
    tenant, stripe_api, key, webhook, field, words
):
    with pytest.raises(ValidationError) as caught:
        connect(tenant, key=key, webhook=webhook)
    errors = caught.value.message_dict
    assert words in errors[field][0]
    for message in [m for messages in errors.values() for m in messages]:
        for value in (key, webhook):
            if len(value) > 6:
                assert value not in message
    assert stripe_api.requests == []
    assert saved(tenant) is None


def test_a_restricted_key_is_taken(tenant, stripe_api):
    restricted = "rk_test_arhub_restricted_key_6543"
    stripe_api.keys.add(restricted)
    done = connect(tenant, key=restricted)
    assert (done.stripe_key_hint, done.stripe_livemode) == ("6543", False)


# --------------------------------------------------------------------------------------------
# Replacing one secret


def test_replacing_only_the_webhook_secret_rechecks_the_saved_key(tenant, stripe_api):
    first = connect(tenant)
    stored_key = first.stripe_secret_key
    done = stripe_connect(
        org=tenant.org, actor=tenant.owner.user, secret_key="", webhook_secret=NEW_WEBHOOK
    )
    assert secret_decrypt(done.stripe_webhook_secret) == NEW_WEBHOOK
    assert done.stripe_secret_key == stored_key
    assert done.stripe_connected_at == first.stripe_connected_at
    assert [r.headers["Authorization"] for r in stripe_api.requests] == [f"Bearer {TEST_KEY}"] * 2
    latest = AuditEvent.objects.filter(action=AuditAction.STRIPE_CONNECTED).latest("pk")
    assert latest.summary == "Replaced the Stripe webhook signing secret"
    assert latest.data["replaced"] == ["webhook_secret"]


def test_replacing_the_webhook_secret_is_refused_when_the_saved_key_no_longer_works(
    tenant, stripe_api
):
    connect(tenant)
    stripe_api.keys.discard(TEST_KEY)  # rolled in Stripe's dashboard
    with pytest.raises(ValidationError) as caught:
        stripe_connect(org=tenant.org, actor=None, webhook_secret=NEW_WEBHOOK)
    assert "refused this saved secret key" in caught.value.message_dict["stripe_secret_key"][0]
    assert secret_decrypt(payment_settings_get(org=tenant.org).stripe_webhook_secret) == WEBHOOK


def test_replacing_only_the_key_keeps_the_webhook_secret(tenant, stripe_api):
    connect(tenant)
    other = "sk_test_arhub_second_test_key_1111"
    stripe_api.keys.add(other)
    done = stripe_connect(org=tenant.org, actor=None, secret_key=other)
    assert secret_decrypt(done.stripe_secret_key) == other
    assert secret_decrypt(done.stripe_webhook_secret) == WEBHOOK
    assert done.stripe_key_hint == "1111"


def test_a_key_of_the_other_mode_needs_that_mode_s_webhook_secret(tenant, stripe_api):
    connect(tenant)
    with pytest.raises(ValidationError) as caught:
        stripe_connect(org=tenant.org, actor=None, secret_key=LIVE_KEY)
    assert "live mode" in caught.value.message_dict["stripe_webhook_secret"][0]
    assert len(stripe_api.requests) == 1
    done = stripe_connect(
        org=tenant.org, actor=None, secret_key=LIVE_KEY, webhook_secret=LIVE_WEBHOOK
    )
    assert done.stripe_livemode


def test_nothing_entered_while_connected_is_named(tenant, stripe_api):
    connect(tenant)
    with pytest.raises(ValidationError) as caught:
        stripe_connect(org=tenant.org, actor=None)
    assert "new secret key or a new webhook signing secret" in str(caught.value)


def test_a_saved_key_that_can_no_longer_be_decrypted_asks_for_it_again(
    tenant, stripe_api, settings
):
    connect(tenant)
    settings.ENCRYPTION_KEYS = ["ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="]
    with pytest.raises(ValidationError) as caught:
        stripe_connect(org=tenant.org, actor=None, webhook_secret=NEW_WEBHOOK)
    assert "Enter your secret key again" in caught.value.message_dict["stripe_secret_key"][0]
    checked = stripe_test_connection(org=tenant.org)
    assert not checked.stripe_check_ok
    assert "Enter your secret key again" in checked.stripe_check_message


# --------------------------------------------------------------------------------------------
# Test connection, disconnect


def test_test_connection_records_success(tenant, stripe_api):
    connect(tenant)
    stripe_api.account_name = "Acme Plumbing & Heating"
    later = datetime(2027, 3, 11, 9, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(later, tick=False):
        done = stripe_test_connection(org=tenant.org)
    assert done.stripe_check_ok
    assert done.stripe_checked_at == later
    assert done.stripe_account_name == "Acme Plumbing & Heating"
    assert done.stripe_check_message == "Connected to Acme Plumbing & Heating (test mode)."


def test_test_connection_records_stripe_down(tenant, stripe_api):
    connect(tenant)
    stripe_api.fail_with = 500
    done = stripe_test_connection(org=tenant.org)
    assert not done.stripe_check_ok
    assert "could not be reached" in done.stripe_check_message
    assert done.stripe_account_name == "Acme Plumbing Ltd"  # kept from the last good check
    # The connection itself stays: a blip at Stripe is no reason to forget the keys.
    assert payment_settings_get(org=tenant.org).stripe_connected


def test_test_connection_records_a_refused_key(tenant, stripe_api):
    connect(tenant)
    stripe_api.keys.discard(TEST_KEY)
    done = stripe_test_connection(org=tenant.org)
    assert not done.stripe_check_ok
    assert "refused the saved key" in done.stripe_check_message


def test_test_connection_without_stripe(tenant):
    with pytest.raises(StripeNotConnected):
        stripe_test_connection(org=tenant.org)
    assert saved(tenant) is None


def test_disconnect_forgets_the_secrets_and_is_audited(tenant, stripe_api):
    connect(tenant)
    done = stripe_disconnect(org=tenant.org, actor=tenant.owner.user)
    assert not done.stripe_connected
    assert (done.stripe_secret_key, done.stripe_webhook_secret, done.stripe_key_hint) == (
        "",
        "",
        "",
    )
    assert done.stripe_account_name == "" and done.stripe_checked_at is None
    event = AuditEvent.objects.get(action=AuditAction.STRIPE_DISCONNECTED)
    assert event.summary == "Disconnected Stripe account Acme Plumbing Ltd (test mode)"
    assert_no_secret_in(raw_row(tenant), "the database row")

    # Again: nothing to forget, nothing audited.
    stripe_disconnect(org=tenant.org, actor=tenant.owner.user)
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_DISCONNECTED).count() == 1


def test_other_settings_survive_connecting_and_disconnecting(tenant, stripe_api):
    payment_settings_update(org=tenant.org, actor=None, data=settings_input())
    connect(tenant)
    stripe_disconnect(org=tenant.org, actor=None)
    row = saved(tenant)
    assert row is not None
    assert (row.partial_minimum, row.bank_debit_enabled) == (Decimal("5.00"), True)


# --------------------------------------------------------------------------------------------
# Logs


def test_no_secret_reaches_any_log(tenant, stripe_api, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="stripe")
    connect(tenant)
    stripe_test_connection(org=tenant.org)
    stripe_connect(org=tenant.org, actor=None, webhook_secret=NEW_WEBHOOK)
    with pytest.raises(ValidationError):
        connect(tenant, key=UNKNOWN_KEY, webhook=LIVE_WEBHOOK)
    stripe_api.fail_with = 500
    stripe_test_connection(org=tenant.org)
    with pytest.raises(StripeUnavailable):
        connect(tenant, key=LIVE_KEY, webhook=LIVE_WEBHOOK)

    # The stripe library did log its requests at DEBUG, so the check below looked at them.
    assert any(record.name == "stripe" for record in caplog.records)
    assert any("/v1/account" in record.getMessage() for record in caplog.records)
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )
    assert_no_secret_in(logged, "the log")


def test_a_webhook_secret_checked_against_a_key_replaced_meanwhile_is_not_saved(
    tenant, stripe_api, monkeypatch
):
    """Someone disconnects while Stripe is being asked about the old key: the new signing
    secret must not land on a row without that key."""
    connect(tenant)
    real_check = settings_services._account_of

    def check_then_disconnect(current, secret_key):
        account = real_check(current, secret_key)
        stripe_disconnect(org=tenant.org, actor=None)
        return account

    monkeypatch.setattr(settings_services, "_account_of", check_then_disconnect)
    with pytest.raises(ValidationError) as caught:
        stripe_connect(org=tenant.org, actor=None, webhook_secret=NEW_WEBHOOK)
    assert "nothing was saved" in caught.value.message_dict["stripe_secret_key"][0]
    row = payment_settings_get(org=tenant.org)
    assert row.stripe_webhook_secret == "" and not row.stripe_connected

"""``/api/v1/organization/payments/`` and ``test-connection/``: every role reads, owners and
admins write; the Stripe secrets are write-only, checked with the local stand-in before
anything is saved, and never in a response, an audit row or a log line."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import pytest

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from arhub.secret_box import secret_decrypt
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from tests.conftest import Tenant
from tests.stripe_server import LIVE_KEY, TEST_KEY, StripeStandIn

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization/payments/"
TEST_URL = "/api/v1/organization/payments/test-connection/"
WEBHOOK = "whsec_acme_api_signing_secret_6060"
NEW_WEBHOOK = "whsec_acme_api_rotated_secret_7070"
REFUSED_KEY = "sk_test_arhub_api_key_stripe_refuses_1919"
SECRETS = (TEST_KEY, LIVE_KEY, WEBHOOK, NEW_WEBHOOK, REFUSED_KEY)

READ_FIELDS = {
    "allow_partial",
    "partial_minimum",
    "send_receipts",
    "late_fees_enabled",
    "cheque_payable_to",
    "cheque_address",
    "card_enabled",
    "bank_debit_enabled",
    "stripe",
}
STRIPE_FIELDS = {
    "connected",
    "livemode",
    "account_name",
    "key_hint",
    "connected_at",
    "checked_at",
    "check_ok",
    "check_message",
    "webhook_url",
}


def patch(tenant: Tenant, body: dict[str, Any], role: str = Role.OWNER) -> Any:
    return tenant.api(role).patch(URL, body, content_type="application/json")


def connect(tenant: Tenant) -> Any:
    response = patch(tenant, {"stripe_secret_key": TEST_KEY, "stripe_webhook_secret": WEBHOOK})
    assert response.status_code == 200, response.json()
    return response


def assert_no_secret(text: str, where: str) -> None:
    shown = [secret for secret in SECRETS if secret in text]
    assert not shown, f"{where} shows {shown}"


# --------------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("role", list(Role.values))
def test_every_role_reads_and_no_secret_is_shown(tenant, stripe_api, role):
    connect(tenant)
    response = tenant.api(role).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == READ_FIELDS
    assert set(data["stripe"]) == STRIPE_FIELDS
    assert data["stripe"]["connected"] is True
    assert data["stripe"]["key_hint"] == "4242"
    assert data["stripe"]["account_name"] == "Acme Plumbing Ltd"
    assert data["stripe"]["webhook_url"].endswith(f"/webhooks/stripe/{tenant.org.slug}/")
    body = response.content.decode()
    assert_no_secret(body, "GET")
    stored = PaymentSettings.objects.get(organization=tenant.org)
    assert stored.stripe_secret_key not in body and stored.stripe_webhook_secret not in body


def test_defaults_before_anything_is_saved(tenant):
    data = tenant.api().get(URL).json()
    assert data["allow_partial"] is True
    assert data["partial_minimum"] == "1.00"  # in the default currency's minor units (GBP)
    assert data["stripe"] == {
        "connected": False,
        "livemode": False,
        "account_name": "",
        "key_hint": "",
        "connected_at": None,
        "checked_at": None,
        "check_ok": False,
        "check_message": "",
        "webhook_url": data["stripe"]["webhook_url"],
    }
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


# --------------------------------------------------------------------------------------------
# Who may write


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_only_owners_and_admins_write(tenant, stripe_api, role):
    body = {"allow_partial": False, "stripe_secret_key": TEST_KEY, "stripe_webhook_secret": WEBHOOK}
    assert patch(tenant, body, role).status_code == 403
    assert tenant.api(role).post(TEST_URL).status_code == 403
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()
    assert stripe_api.requests == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_admins_change_only_the_fields_sent(tenant, role):
    response = patch(tenant, {"partial_minimum": "2.5", "late_fees_enabled": False}, role)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["partial_minimum"] == "2.50"
    assert data["late_fees_enabled"] is False
    assert data["send_receipts"] is True and data["allow_partial"] is True
    saved = payment_settings_get(org=tenant.org)
    assert saved.partial_minimum == Decimal("2.50")
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert set(event.data["fields"]) == {"partial_minimum", "late_fees_enabled"}


# --------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"partial_minimum": "-1"}, "partial_minimum", "zero"),
        ({"partial_minimum": "1.005"}, "partial_minimum", "at most 2 decimal places"),
        ({"partial_minimum": 0.1}, "partial_minimum", "not exact"),
        ({"partial_minimum": "ten"}, "partial_minimum", "not a number"),
        ({"allow_partial": "perhaps"}, "allow_partial", "boolean"),
        ({"cheque_payable_to": "x" * 201}, "cheque_payable_to", "200 characters"),
        ({"minimum": "5"}, "minimum", "Unknown field"),
        (
            {"stripe_secret_key": "pk_test_publishable_key_0000", "stripe_webhook_secret": WEBHOOK},
            "stripe_secret_key",
            "publishable",
        ),
        (
            {"stripe_secret_key": TEST_KEY, "stripe_webhook_secret": "secret"},
            "stripe_webhook_secret",
            "starts with whsec_",
        ),
        ({"stripe_secret_key": TEST_KEY}, "stripe_webhook_secret", "Enter the webhook"),
        ({"stripe_secret_key": ""}, "stripe_secret_key", "send both as empty strings"),
        ({"stripe_webhook_secret": ""}, "stripe_webhook_secret", "send both as empty strings"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_nothing_is_saved(
    tenant, stripe_api, body, field, words
):
    response = patch(tenant, {**body, "send_receipts": False})
    assert response.status_code == 400
    errors = response.json()
    assert words in errors[field][0], errors
    assert_no_secret(response.content.decode(), "the 400")
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()
    assert stripe_api.requests == []


def test_every_refused_field_is_named_at_once(tenant, stripe_api):
    response = patch(
        tenant,
        {
            "partial_minimum": "-1",
            "stripe_secret_key": "nonsense",
            "stripe_webhook_secret": "nonsense",
        },
    )
    assert set(response.json()) == {
        "partial_minimum",
        "stripe_secret_key",
        "stripe_webhook_secret",
    }


# --------------------------------------------------------------------------------------------
# Stripe


def test_connect_with_both_secrets(tenant, stripe_api: StripeStandIn):
    response = connect(tenant)
    data = response.json()["stripe"]
    assert data["connected"] and data["check_ok"]
    assert (data["livemode"], data["key_hint"]) == (False, "4242")
    assert data["check_message"] == "Connected to Acme Plumbing Ltd (test mode)."
    assert_no_secret(response.content.decode(), "the PATCH answer")
    [seen] = stripe_api.requests
    assert seen.path == "/v1/account"
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_CONNECTED).count() == 1


def test_a_refused_key_saves_nothing_not_even_the_other_settings(tenant, stripe_api):
    response = patch(
        tenant,
        {
            "allow_partial": False,
            "stripe_secret_key": REFUSED_KEY,
            "stripe_webhook_secret": WEBHOOK,
        },
    )
    assert response.status_code == 400
    assert "Stripe refused this secret key" in response.json()["stripe_secret_key"][0]
    assert_no_secret(response.content.decode(), "the 400")
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.STRIPE_CONNECTED, AuditAction.SETTINGS_CHANGED]
    ).exists()


def test_stripe_down_is_503_and_saves_nothing(tenant, stripe_api):
    stripe_api.fail_with = 500
    response = patch(
        tenant,
        {"allow_partial": False, "stripe_secret_key": TEST_KEY, "stripe_webhook_secret": WEBHOOK},
    )
    assert response.status_code == 503
    assert "try again" in response.json()["detail"]
    assert not PaymentSettings.objects.filter(organization=tenant.org).exists()


def test_secrets_and_settings_in_one_patch(tenant, stripe_api):
    response = patch(
        tenant,
        {
            "bank_debit_enabled": True,
            "stripe_secret_key": LIVE_KEY,
            "stripe_webhook_secret": WEBHOOK,
        },
    )
    data = response.json()
    assert data["bank_debit_enabled"] is True
    assert data["stripe"]["livemode"] is True


def test_replace_only_the_webhook_secret(tenant, stripe_api):
    connect(tenant)
    response = patch(tenant, {"stripe_webhook_secret": NEW_WEBHOOK})
    assert response.status_code == 200
    assert len(stripe_api.requests) == 2  # the saved key, checked again
    saved = payment_settings_get(org=tenant.org)
    assert secret_decrypt(saved.stripe_webhook_secret) == NEW_WEBHOOK
    assert secret_decrypt(saved.stripe_secret_key) == TEST_KEY


def test_both_empty_disconnects(tenant, stripe_api):
    connect(tenant)
    response = patch(tenant, {"stripe_secret_key": "", "stripe_webhook_secret": ""})
    assert response.status_code == 200
    assert response.json()["stripe"]["connected"] is False
    saved = payment_settings_get(org=tenant.org)
    assert saved.stripe_secret_key == "" and saved.stripe_webhook_secret == ""
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_DISCONNECTED).count() == 1


def test_test_connection(tenant, stripe_api):
    connect(tenant)
    response = tenant.api().post(TEST_URL)
    assert response.status_code == 200
    assert response.json()["stripe"]["check_ok"] is True

    stripe_api.fail_with = 500
    response = tenant.api(Role.ADMIN).post(TEST_URL)
    assert response.status_code == 200
    stripe = response.json()["stripe"]
    assert stripe["check_ok"] is False
    assert "could not be reached" in stripe["check_message"]
    assert stripe["connected"] is True


def test_test_connection_without_stripe_is_400(tenant):
    response = tenant.api().post(TEST_URL)
    assert response.status_code == 400
    assert "not connected" in response.json()["stripe_secret_key"][0]


def test_no_secret_in_audit_rows_or_logs(tenant, stripe_api, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="stripe")
    connect(tenant)
    tenant.api().post(TEST_URL)
    patch(tenant, {"stripe_webhook_secret": NEW_WEBHOOK})
    patch(tenant, {"stripe_secret_key": REFUSED_KEY})
    stripe_api.fail_with = 500
    patch(tenant, {"stripe_secret_key": LIVE_KEY, "stripe_webhook_secret": WEBHOOK})
    assert any(record.name == "stripe" for record in caplog.records)
    logged = "\n".join(f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records)
    assert_no_secret(logged, "the log")
    audit = AuditEvent.objects.filter(organization=tenant.org).values("summary", "data")
    assert_no_secret(json.dumps(list(audit), default=str), "the audit rows")


# --------------------------------------------------------------------------------------------
# The schema


def test_schema_documents_the_routes_and_marks_the_secrets_write_only(client):
    schema = client.get("/api/schema/?format=json").json()
    path = schema["paths"]["/api/v1/organization/payments/"]
    assert set(path) >= {"get", "patch"}
    assert "503" in path["patch"]["responses"]
    assert "post" in schema["paths"]["/api/v1/organization/payments/test-connection/"]
    components = schema["components"]["schemas"]
    ref = path["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = components[ref.rsplit("/", 1)[1]]["properties"]
    for name in ("stripe_secret_key", "stripe_webhook_secret"):
        assert request[name]["writeOnly"] is True
    response_ref = path["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    output = components[response_ref["$ref"].rsplit("/", 1)[1]]["properties"]
    assert "stripe_secret_key" not in output and "stripe" in output

"""``/api/v1/organization/payments/``: the organization's payment settings and its Stripe
connection, and ``test-connection/``.

Every role may read them: the Stripe secrets are write-only, and what is shown of the account
(its name, the mode, the key's last four characters) is what the dashboard shows. Changing
them is a settings right (owner, admin), as on the dashboard, through the same services, so
both refuse the same things in the same words. A write that sends Stripe secrets is checked
with Stripe first, and nothing of it (the other settings included) is saved when Stripe
refuses the key or cannot be reached.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError as DjangoValidationError
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.models import Organization
from arhub.money import quantize
from arhub.roles import Perm
from invoicing.api import OptionsMetadata
from invoicing.invoice_serializers import ExactDecimalField, api_errors, service_errors, validated
from invoicing.serializers import MONEY_SCHEMA, StrictInput
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from payments.settings_selectors import stripe_webhook_url
from payments.settings_services import (
    payment_settings_input,
    payment_settings_update,
    payment_settings_validate,
    stripe_connect,
    stripe_disconnect,
    stripe_test_connection,
)
from payments.stripe_client import StripeNotConnected, StripeUnavailable
from payments.stripe_keys import KEY_FIELD, WEBHOOK_FIELD, stripe_secrets_check

WRITES = {"PATCH": Perm.MANAGE_SETTINGS, "PUT": Perm.MANAGE_SETTINGS, "POST": Perm.MANAGE_SETTINGS}


class StripeUnreachable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Stripe could not be reached, so nothing was saved. Please try again."
    default_code = "stripe_unavailable"


# ---- output


class StripeStatusOutput(serializers.Serializer):
    """Context: ``org``."""

    connected = serializers.BooleanField(source="stripe_connected")
    livemode = serializers.BooleanField(
        source="stripe_livemode", help_text="True for a live key, false for a test key."
    )
    account_name = serializers.CharField(source="stripe_account_name")
    key_hint = serializers.CharField(
        source="stripe_key_hint", help_text="The secret key's last four characters."
    )
    connected_at = serializers.DateTimeField(source="stripe_connected_at", allow_null=True)
    checked_at = serializers.DateTimeField(
        source="stripe_checked_at",
        allow_null=True,
        help_text="When the key was last checked with Stripe (on connecting, or test-connection).",
    )
    check_ok = serializers.BooleanField(source="stripe_check_ok")
    check_message = serializers.CharField(source="stripe_check_message")
    webhook_url = serializers.SerializerMethodField(
        help_text="The endpoint to add in Stripe's dashboard (Developers → Webhooks)."
    )

    def get_webhook_url(self, payment_settings: PaymentSettings) -> str:
        return stripe_webhook_url(org=self.context["org"])


class PaymentSettingsOutput(serializers.Serializer):
    """Context: ``org``."""

    allow_partial = serializers.BooleanField()
    partial_minimum = serializers.SerializerMethodField()
    send_receipts = serializers.BooleanField()
    late_fees_enabled = serializers.BooleanField()
    cheque_payable_to = serializers.CharField()
    cheque_address = serializers.CharField()
    card_enabled = serializers.BooleanField()
    bank_debit_enabled = serializers.BooleanField()
    stripe = StripeStatusOutput(source="*")

    @extend_schema_field(MONEY_SCHEMA)
    def get_partial_minimum(self, payment_settings: PaymentSettings) -> str:
        org: Organization = self.context["org"]
        return f"{quantize(payment_settings.partial_minimum, org.default_currency):f}"


# ---- input

MINIMUM_HELP = (
    "The smallest part payment, in each invoice's own currency (5 is USD 5 on a USD invoice "
    "and EUR 5 on a EUR invoice); `0` for none. At most as many decimals as the "
    "organization's default currency has."
)


def _secret(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=300, help_text=help_text
    )


class PaymentSettingsInputSerializer(StrictInput):
    output_only = frozenset({"stripe"})

    allow_partial = serializers.BooleanField(
        required=False, help_text="Customers may pay part of an invoice from the pay page."
    )
    partial_minimum = ExactDecimalField(required=False, help_text=MINIMUM_HELP)
    send_receipts = serializers.BooleanField(
        required=False, help_text="Thank the customer with a receipt for every payment."
    )
    late_fees_enabled = serializers.BooleanField(
        required=False, help_text="Charge the late fees each invoice's payment terms describe."
    )
    cheque_payable_to = serializers.CharField(
        required=False, allow_blank=True, help_text="Empty: the organization's legal name."
    )
    cheque_address = serializers.CharField(
        required=False, allow_blank=True, help_text="Empty: the organization's own address."
    )
    card_enabled = serializers.BooleanField(
        required=False, help_text="Cards and wallets through Stripe Checkout."
    )
    bank_debit_enabled = serializers.BooleanField(
        required=False,
        help_text="Bank debit through Stripe for invoices in USD, EUR, GBP and AUD.",
    )
    stripe_secret_key = _secret(
        "Write-only. A secret (`sk_live_…`, `sk_test_…`) or restricted (`rk_…`) key: connects "
        "Stripe, or replaces the saved key. Checked with Stripe before it is saved."
    )
    stripe_webhook_secret = _secret(
        "Write-only. The webhook endpoint's signing secret (`whsec_…`). Either secret may be "
        'sent alone to replace only it; `""` for both disconnects Stripe.'
    )


def _output(org: Organization, payment_settings: PaymentSettings) -> Response:
    return Response(PaymentSettingsOutput(payment_settings, context={"org": org}).data)


@sensitive_variables("secret_key", "webhook_secret")
def _secret_errors(
    current: PaymentSettings, secret_key: str | None, webhook_secret: str | None
) -> dict[str, list[str]]:
    if secret_key is None and webhook_secret is None:
        return {}
    if secret_key == "" and webhook_secret == "":
        return {}  # disconnect
    if not secret_key and not webhook_secret:
        field = KEY_FIELD if secret_key == "" else WEBHOOK_FIELD
        return {
            field: [
                "An empty secret on its own changes nothing: send both as empty strings to "
                "disconnect Stripe, or send the new value to replace it."
            ]
        }
    try:
        stripe_secrets_check(
            current=current, secret_key=secret_key or "", webhook_secret=webhook_secret or ""
        )
    except DjangoValidationError as exc:
        return service_errors(exc)
    return {}


@extend_schema(tags=["organization"])
class PaymentSettingsApi(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PaymentSettingsOutput
    required_perms = WRITES
    http_method_names = ["get", "patch", "options", "head"]

    @extend_schema(
        operation_id="organization_payments_retrieve",
        summary="Payment settings",
        description="What the pay page offers, receipts, late fees, and the Stripe connection "
        "(never its secrets). Every role may read them.",
    )
    def get(self, request: Request) -> Response:
        return _output(self.org, payment_settings_get(org=self.org))

    @extend_schema(
        operation_id="organization_payments_partial_update",
        summary="Change payment settings, connect or disconnect Stripe",
        description="Only the fields given change. Sending `stripe_secret_key` and/or "
        "`stripe_webhook_secret` connects Stripe or replaces the one sent; the key (the saved "
        "one, when only the signing secret is sent) is checked with Stripe first. Both as "
        '`""` disconnects Stripe and deletes them. Needs the settings right (owner, admin). '
        "Errors are 400 by field, and nothing is saved when any field is refused (a key "
        "Stripe refuses included).",
        request=PaymentSettingsInputSerializer,
        responses={
            200: PaymentSettingsOutput,
            503: OpenApiResponse(
                description="Stripe could not be reached to check the key; nothing was saved."
            ),
        },
    )
    @sensitive_variables("attrs", "secret_key", "webhook_secret")
    def patch(self, request: Request) -> Response:
        attrs = validated(PaymentSettingsInputSerializer(data=request.data))
        secret_key: str | None = attrs.pop(KEY_FIELD, None)
        webhook_secret: str | None = attrs.pop(WEBHOOK_FIELD, None)
        current = payment_settings_get(org=self.org)
        data = replace(payment_settings_input(current), **attrs)
        # Every refusal at once, before Stripe is called or anything is written.
        errors = _secret_errors(current, secret_key, webhook_secret)
        try:
            payment_settings_validate(org=self.org, data=data)
        except DjangoValidationError as exc:
            errors = {**service_errors(exc), **errors}
        if errors:
            raise serializers.ValidationError(errors)
        actor = self.membership.user
        with api_errors():
            if secret_key == "" and webhook_secret == "":
                stripe_disconnect(org=self.org, actor=actor)
            elif secret_key or webhook_secret:
                try:
                    stripe_connect(
                        org=self.org,
                        actor=actor,
                        secret_key=secret_key or "",
                        webhook_secret=webhook_secret or "",
                    )
                except StripeUnavailable:
                    raise StripeUnreachable() from None
            if attrs:
                payment_settings_update(org=self.org, actor=actor, data=data)
        return _output(self.org, payment_settings_get(org=self.org))


@extend_schema(tags=["organization"])
class PaymentSettingsTestApi(OrgApiMixin, generics.GenericAPIView):
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PaymentSettingsOutput
    required_perms = WRITES
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="organization_payments_test_connection",
        summary="Test the Stripe connection",
        description="Checks the saved key with Stripe again and records the outcome in "
        "`stripe.check_ok`, `stripe.check_message` and `stripe.checked_at` (a key Stripe "
        "refuses, or Stripe unreachable, is an outcome: 200 with `check_ok: false`). 400 when "
        "Stripe is not connected. Needs the settings right (owner, admin).",
        request=None,
        responses=PaymentSettingsOutput,
    )
    def post(self, request: Request) -> Response:
        try:
            done = stripe_test_connection(org=self.org)
        except StripeNotConnected:
            raise serializers.ValidationError(
                {
                    KEY_FIELD: [
                        "Stripe is not connected: send stripe_secret_key and "
                        "stripe_webhook_secret to /api/v1/organization/payments/ first."
                    ]
                }
            ) from None
        return _output(self.org, done)

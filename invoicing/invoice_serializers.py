"""Input shapes and errors of the invoices API (``invoicing.invoice_api*``).

Inputs check types and shapes; the services (``invoicing.invoice_input``) check meaning, so the
dashboard and the API refuse the same things with the same words. Every error is reported by a
flat key naming the field as the client sent it: ``lines[2].unit_price``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from arhub.money import MoneyInputError, decimal_from_input
from invoicing.invoice_input import NotInOrganization
from invoicing.models import DiscountKind
from invoicing.serializers import StrictInput

DECIMAL_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "example": "12.50",
    "description": 'A decimal string ("12.50"). A JSON number is taken only when it is exact '
    "in binary (12, 12.5); 0.1 is not, so it is refused.",
}
# A number past this many integer digits fits none of our columns.
MAX_INTEGER_DIGITS = 15


# ---- decimals


@extend_schema_field(DECIMAL_SCHEMA)
class ExactDecimalField(serializers.Field):
    """A decimal taken exactly as sent: strings ("12.50") and JSON numbers that convert
    exactly (``arhub.money.decimal_from_input``); 0.1 as a JSON number is refused, since the
    client's float was never 0.1. With ``decimal_places``, more significant decimals are
    refused, never rounded (trailing zeros are fine); without, the service checks them (a
    currency's minor units, a rate's four decimals) in its own words."""

    default_error_messages = {
        "places": "Use at most {places} decimal places.",
        "too_large": "This number is too large.",
    }

    def __init__(self, *, decimal_places: int | None = None, **kwargs: Any) -> None:
        self.decimal_places = decimal_places
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            value = decimal_from_input(data, field="value")
        except MoneyInputError as exc:
            message = str(exc).removeprefix("value: ")
            raise serializers.ValidationError(message[:1].upper() + message[1:]) from None
        if value.adjusted() >= MAX_INTEGER_DIGITS:
            self.fail("too_large")
        if self.decimal_places is None:
            return value
        step = Decimal(1).scaleb(-self.decimal_places)
        if value != value.quantize(step):
            self.fail("places", places=self.decimal_places)
        return value.quantize(step)

    def to_representation(self, value: Decimal) -> str:
        return plain(value)


def plain(value: Decimal) -> str:
    """``2``, ``1.5``, ``0.0125``: no exponent and no trailing zeros."""
    return f"{value.normalize():f}"


# ---- errors


class FieldNotFound(APIException):
    """404 for an id in the body that names nothing in this organization, keyed by the field
    like a 400: ``{"lines[0].tax_rates": ["Tax rate 12 does not exist."]}``."""

    status_code = 404
    default_detail = "Not found."
    default_code = "not_found"


# Service field names that the API spells differently.
_SERVICE_KEYS = {"tax_rate_ids": "tax_rates", NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY}


def _api_key(key: str) -> str:
    head, dot, last = key.rpartition(".")
    return f"{head}{dot}{_SERVICE_KEYS.get(last, last)}"


def not_found(exc: NotInOrganization) -> FieldNotFound:
    return FieldNotFound({_api_key(exc.field): [exc.message]})


def service_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError keyed as the API names fields."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        errors.setdefault(_api_key(key), []).extend(messages)
    return errors


def flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat keys: ``{"lines": {"2": {"unit_price": [...]}}}`` becomes
    ``{"lines[2].unit_price": [...]}``, the shape the services' errors have too."""
    errors: dict[str, list[str]] = {}

    def add(key: str, messages: list[str]) -> None:
        errors.setdefault(key or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)

    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = str(key)
            if not prefix:
                full = name
            elif name.isdigit():
                full = f"{prefix}[{name}]"
            elif name == api_settings.NON_FIELD_ERRORS_KEY:
                full = prefix
            else:
                full = f"{prefix}.{name}"
            for inner, messages in flat_errors(value, full).items():
                add(inner, messages)
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        for index, item in enumerate(detail):
            if item:
                for inner, messages in flat_errors(item, f"{prefix}[{index}]").items():
                    add(inner, messages)
    elif isinstance(detail, list):
        add(prefix, [str(item) for item in detail])
    else:
        add(prefix, [str(detail)])
    return errors


@contextmanager
def api_errors() -> Iterator[None]:
    """Turns what the services raise into API answers: a ValidationError (InvoiceStateError
    included) into a 400 by field, an id not in the organization into a 404."""
    try:
        yield
    except NotInOrganization as exc:
        raise not_found(exc) from exc
    except DjangoValidationError as exc:
        raise serializers.ValidationError(service_errors(exc)) from exc


def validated(serializer: serializers.Serializer) -> dict[str, Any]:
    """The serializer's data, or a 400 with flat keys."""
    if not serializer.is_valid():
        raise serializers.ValidationError(flat_errors(serializer.errors))
    return dict(serializer.validated_data)


# ---- invoice input

LINE_OUTPUT_ONLY = frozenset(
    {"id", "position", "amount", "invoice_discount", "tax_amount", "taxes"}
)
INVOICE_OUTPUT_ONLY = frozenset(
    {
        "id",
        "number",
        "status",
        "customer_name",
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "amount_paid",
        "amount_credited",
        "amount_discounted",
        "fees_total",
        "balance_due",
        "is_overdue",
        "pay_url",
        "pdf_url",
        "tax_breakdown",
        "terms",
        "terms_sentence",
        "void_reason",
        "created_at",
        "updated_at",
        "issued_at",
        "last_sent_at",
        "paid_at",
        "voided_at",
        "written_off_at",
    }
)


class LineInputSerializer(StrictInput):
    output_only = LINE_OUTPUT_ONLY

    kind = serializers.CharField(
        max_length=10, required=False, default="item", help_text="item, shipping or fee"
    )
    description = serializers.CharField(max_length=500, allow_blank=True)
    quantity = ExactDecimalField(decimal_places=4)
    unit = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="hours, kg, each…"
    )
    unit_price = ExactDecimalField(decimal_places=4)
    discount_percent = ExactDecimalField(
        decimal_places=2, required=False, default=Decimal(0), help_text="0 to 100"
    )
    tax_rates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of this organization's tax rates.",
    )


@extend_schema_field(LineInputSerializer(many=True))
class LinesField(serializers.Field):
    """The lines, each checked in full even in a PATCH: a PATCH replaces every line, so a line
    without a price is a mistake, not a field left as it was."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        lines = LineInputSerializer(data=data, many=True)
        if not lines.is_valid():
            raise serializers.ValidationError(lines.errors)
        return list(lines.validated_data)

    def to_representation(self, value: Any) -> Any:
        return value


class InvoiceInputSerializer(StrictInput):
    """A draft invoice's fields. `lines` replaces every line."""

    output_only = INVOICE_OUTPUT_ONLY

    customer = serializers.IntegerField(help_text="A customer of this organization.")
    currency = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="ISO 4217; blank or left out: the customer's currency.",
    )
    issue_date = serializers.DateField(
        required=False, allow_null=True, help_text="Null: the day it is issued."
    )
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="A fixed due date. Null: the payment terms give it at issue.",
    )
    payment_terms = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Named payment terms of this organization. Null: the customer's terms (or "
        "the organization's default).",
    )
    po_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Shown to the customer."
    )
    memo = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Internal; never shown."
    )
    discount_kind = serializers.ChoiceField(choices=DiscountKind.choices, required=False)
    discount_value = ExactDecimalField(
        decimal_places=4,
        required=False,
        help_text="A percentage, or an amount in the invoice's currency.",
    )
    lines = LinesField(help_text="Every line; on a PATCH, given lines replace them all.")


class ReasonInputSerializer(StrictInput):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CreditNoteInputSerializer(StrictInput):
    amount = ExactDecimalField(
        required=False,
        allow_null=True,
        help_text="Tax included, in the invoice's currency. Left out or null: all that is "
        "left to credit.",
    )
    reason = serializers.CharField(help_text="Printed on the credit note.")

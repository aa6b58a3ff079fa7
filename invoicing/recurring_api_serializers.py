"""Input and output shapes of ``/api/v1/recurring-invoices/``.

Inputs check types and shapes only; ``invoicing.recurring_input`` checks meaning, so the API and
the dashboard refuse the same things in the same words. Quantities, prices and percentages go
through ``arhub.money.decimal_from_input``: a decimal string or an exact JSON number is taken,
a float that is not exactly the decimal it prints as (``0.1``) is a 400.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from arhub.money import MoneyInputError, decimal_from_input
from invoicing.invoice_input import LineData
from invoicing.models import Frequency, LineKind, RecurringInvoice
from invoicing.recurring_input import RecurringData
from invoicing.recurring_schedule import Schedule, upcoming
from invoicing.serializers import StrictInput

DECIMAL_SCHEMA = {"type": "string", "format": "decimal", "example": "150.00"}


@extend_schema_field(DECIMAL_SCHEMA)
class ExactDecimalField(serializers.Field):
    """A decimal string ("150.00") or an exact JSON number; inexact floats are refused."""

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return decimal_from_input(data, field=self.field_name or "value")
        except MoneyInputError as exc:
            # The message starts with the field's name, which the error's key already says.
            message = str(exc)
            prefix = f"{self.field_name}: "
            raise serializers.ValidationError(message.removeprefix(prefix)) from exc

    def to_representation(self, value: Any) -> str:
        return str(value)


class LineListSerializer(serializers.ListSerializer):
    # Errors by position ({"1": {...}}) whatever DRF version, as the customers API does.

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, list) and detail and all(isinstance(e, dict) for e in detail):
                raise serializers.ValidationError(
                    {str(index): errors for index, errors in enumerate(detail) if errors}
                ) from exc
            raise


class RecurringLineSerializer(StrictInput):
    """One line of every invoice the template makes."""

    class Meta:
        list_serializer_class = LineListSerializer

    kind = serializers.ChoiceField(choices=LineKind.choices, required=False, default="item")
    description = serializers.CharField(max_length=500, allow_blank=True)
    quantity = ExactDecimalField(help_text='e.g. "1" or "2.5"; at most 4 decimals')
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    unit_price = ExactDecimalField(help_text='Before tax, e.g. "150.00"; at most 4 decimals')
    discount_percent = ExactDecimalField(required=False, default=Decimal(0))
    tax_rate_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=10
    )


class RecurringInputSerializer(StrictInput):
    """A recurring invoice's fields. On PATCH, any of them; `lines` replaces all the lines."""

    output_only = frozenset(
        {
            "id",
            "customer_name",
            "status",
            "issued_count",
            "next_date",
            "upcoming_dates",
            "created_at",
            "updated_at",
        }
    )

    customer = serializers.IntegerField(help_text="A customer of this organization.")
    name = serializers.CharField(max_length=200, allow_blank=True, help_text="Monthly retainer")
    currency = serializers.CharField(
        max_length=8, required=False, allow_blank=True, help_text="ISO 4217; blank: the customer's."
    )
    lines = RecurringLineSerializer(many=True, max_length=500)  # type: ignore[call-arg]
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    day_of_month = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="1-31 for monthly, quarterly and yearly (29-31 fall on the last day of "
        "shorter months); blank: the start date's day. Ignored when weekly.",
    )
    start_date = serializers.DateField(help_text="The first period is on or after it.")
    end_date = serializers.DateField(required=False, allow_null=True)
    max_count = serializers.IntegerField(
        required=False, allow_null=True, help_text="Stop after this many invoices."
    )
    payment_terms = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Named terms of this organization; null: the customer's terms at each issue.",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    po_number = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    auto_send = serializers.BooleanField(
        required=False, default=True, help_text="Email each invoice as soon as it is issued."
    )


INPUT_TO_DATA = {"customer": "customer_id", "payment_terms": "payment_terms_id"}


def data_from_input(attrs: dict[str, Any], base: RecurringData | None) -> RecurringData:
    """The service's input: the fields given over ``base`` (the template as saved, for PATCH)."""
    values: dict[str, Any] = dict(vars(base)) if base is not None else {}
    for key, value in attrs.items():
        if key == "lines":
            values["lines"] = [LineData(**line) for line in value]
        else:
            values[INPUT_TO_DATA.get(key, key)] = value
    return RecurringData(**values)


class RecurringOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    name = serializers.CharField()
    currency = serializers.CharField()
    lines = serializers.SerializerMethodField()
    frequency = serializers.CharField()
    day_of_month = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    max_count = serializers.IntegerField(allow_null=True)
    payment_terms = serializers.IntegerField(source="payment_terms_id", allow_null=True)
    notes = serializers.CharField()
    po_number = serializers.CharField()
    auto_send = serializers.BooleanField()
    status = serializers.CharField(help_text="active, paused or finished")
    issued_count = serializers.IntegerField()
    next_date = serializers.DateField(
        allow_null=True, help_text="The next period to issue; null once finished."
    )
    upcoming_dates = serializers.SerializerMethodField(help_text="The next five periods")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "description": {"type": "string"},
                    "quantity": DECIMAL_SCHEMA,
                    "unit": {"type": "string"},
                    "unit_price": DECIMAL_SCHEMA,
                    "discount_percent": DECIMAL_SCHEMA,
                    "tax_rate_ids": {"type": "array", "items": {"type": "integer"}},
                },
            },
        }
    )
    def get_lines(self, template: RecurringInvoice) -> list[dict[str, Any]]:
        return list(template.lines)

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "date"}})
    def get_upcoming_dates(self, template: RecurringInvoice) -> list[str]:
        if template.status != "active":
            return []
        dates = upcoming(Schedule.of(template), template.next_date, issued=template.issued_count)
        return [day.isoformat() for day in dates]


def recurring_errors(exc: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError in the API's shape: ``lines[2].unit_price`` becomes
    ``{"lines": {"2": {"unit_price": [...]}}}``."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    errors: dict[str, Any] = {}
    nested: dict[str, dict[str, list[str]]] = {}
    for key, messages in exc.message_dict.items():
        if key.startswith("lines[") and "]." in key:
            index, _, field = key[len("lines[") :].partition("].")
            nested.setdefault(index, {}).setdefault(field, []).extend(messages)
        elif key == NON_FIELD_ERRORS:
            errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
        else:
            errors.setdefault(key, []).extend(messages)
    if nested:
        whole = errors.pop("lines", None)
        errors["lines"] = dict(sorted(nested.items(), key=lambda item: int(item[0])))
        if whole:
            errors["lines"][api_settings.NON_FIELD_ERRORS_KEY] = whole
    return errors

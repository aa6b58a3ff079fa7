"""Input and output shapes of ``/api/v1/promises/`` (``payments.promise_api``).

Inputs check types and shapes; ``payments.promise_services`` checks meaning (the date within the
organization's limit, an invoice that can take a promise), so the dashboard, the pay page and
the API refuse the same things with the same words.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from invoicing.invoice_api_output import MoneyOutput
from invoicing.serializers import StrictInput
from payments.models import PromiseStatus, PromiseToPay


class PromiseStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PromiseStatus.choices, **kwargs)


class PromiseFilters(serializers.Serializer):
    status = PromiseStatusField(required=False)
    invoice = serializers.IntegerField(required=False, help_text="An invoice's id")
    customer = serializers.IntegerField(required=False, help_text="A customer's id")


class PromiseInputSerializer(StrictInput):
    invoice = serializers.IntegerField(
        help_text="An open invoice of this organization with something owed, not in a live "
        "payment plan and without an open promise."
    )
    promised_date = serializers.DateField(
        help_text="From the organization's today up to `promise_max_days` ahead "
        "(Settings → Payments)."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The customer's words, if any."
    )


class PromiseCancelInputSerializer(StrictInput):
    # Blank or missing reaches the service, which says what a reason looks like.
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the promise is withdrawn, e.g. “recorded on the wrong invoice”. Required.",
    )


class PromiseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    promised_date = serializers.DateField()
    amount = MoneyOutput(help_text="The invoice's balance when the promise was made")
    currency = serializers.CharField()
    status = PromiseStatusField()
    note = serializers.CharField()
    made_by = serializers.SerializerMethodField(
        help_text="`customer` when made on the pay page; else the member who recorded it"
    )
    created_at = serializers.DateTimeField()
    kept_at = serializers.DateTimeField(allow_null=True)
    broken_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_made_by(self, promise: PromiseToPay) -> str:
        if promise.created_by_id is None:
            return "customer"
        return promise.created_by.email if promise.created_by else ""

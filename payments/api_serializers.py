"""Input and output shapes of the payments API (``payments.api``).

Inputs check types and shapes only; ``payments.services`` checks meaning (amounts within the
currency's minor units, allocations against the invoices' balances), so the dashboard and the
API refuse the same things with the same words. Errors use the invoices API's flat keys:
``allocations[1].amount``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.invoice_api_output import MoneyOutput
from invoicing.invoice_serializers import ExactDecimalField
from invoicing.serializers import MONEY_SCHEMA, StrictInput, money_text
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus

# ---- input


class AllocationInputSerializer(StrictInput):
    invoice = serializers.IntegerField(help_text="An issued invoice of the payment's customer.")
    amount = ExactDecimalField(help_text="In the payment's currency, at most what is owed.")


class AllocationsInput(StrictInput):
    allocations = AllocationInputSerializer(
        many=True,
        required=False,
        help_text="Where the money goes. Left out: the customer's open invoices in the "
        "payment's currency, oldest due first. `[]`: kept as the customer's credit.",
    )


class PaymentInputSerializer(AllocationsInput):
    customer = serializers.IntegerField(help_text="A customer of this organization.")
    amount = ExactDecimalField(help_text="More than zero, in the currency's minor units.")
    currency = serializers.CharField(max_length=8, help_text="ISO 4217, e.g. USD.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    received_on = serializers.DateField()
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Cheque number, bank reference …",
    )


class ReverseInputSerializer(StrictInput):
    # Blank or missing reaches the service, which says what a reason looks like.
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the money was taken back, e.g. “cheque bounced”. Required.",
    )


# ---- output


class AllocationOutput(serializers.Serializer):
    """Context: ``currency`` (the payment's)."""

    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    amount = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField(
        help_text="Early-payment discount allowed on the invoice because this payment came in "
        "its window (recorded as a discount allowed, not a short payment); given back when "
        "the payment is reversed"
    )
    created_at = serializers.DateTimeField()
    reversed_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when the payment was reversed; the invoice owes it again."
    )

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount(self, allocation: PaymentAllocation) -> str:
        return money_text(allocation.amount, self.context["currency"])

    @extend_schema_field(MONEY_SCHEMA)
    def get_discount(self, allocation: PaymentAllocation) -> str:
        return money_text(allocation.discount, self.context["currency"])


# Named PaymentStatusEnum in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
class StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PaymentStatus.choices, **kwargs)


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    amount = MoneyOutput()
    currency = serializers.CharField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    received_on = serializers.DateField()
    reference = serializers.CharField()
    status = StatusField()
    unapplied_amount = MoneyOutput(
        help_text="Not applied to any invoice: the customer's credit. Zero once reversed."
    )
    reversed_at = serializers.DateTimeField(allow_null=True)
    reversal_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    allocations = serializers.SerializerMethodField(
        help_text="Reversed ones included, oldest first"
    )

    @extend_schema_field(AllocationOutput(many=True))
    def get_allocations(self, payment: Payment) -> Any:
        # Prefetched with their invoices (``payments.api.with_allocations``).
        context = {"currency": payment.currency}
        return AllocationOutput(payment.allocations.all(), many=True, context=context).data

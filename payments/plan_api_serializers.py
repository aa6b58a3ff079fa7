"""Input and output shapes of the payment-plans API (``payments.plan_api``).

Inputs check types and shapes only; the plan services check meaning (limits, dates, amounts
adding up), so the dashboard and the API refuse the same things with the same words. Amounts
are decimal strings, refused as inexact JSON floats (``ExactDecimalField``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from arhub.money import ZERO
from invoicing.invoice_api_output import MoneyOutput
from invoicing.invoice_serializers import ExactDecimalField
from invoicing.serializers import MONEY_SCHEMA, StrictInput, money_text
from payments.models import (
    Instalment,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanFrequency,
    PlanOrigin,
    PlanStatus,
)

# ---- input


class PlanFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    customer = serializers.IntegerField(required=False, help_text="A customer's id")


class InstalmentInput(StrictInput):
    due_date = serializers.DateField()
    amount = ExactDecimalField(help_text="More than zero, in the plan's currency.")


class PlanTermsInput(StrictInput):
    count = serializers.IntegerField(
        required=False, min_value=1, help_text="How many instalments, with `frequency`."
    )
    frequency = serializers.ChoiceField(choices=PlanFrequency.choices, required=False)
    start_date = serializers.DateField(
        required=False, help_text="The first instalment's due date; not in the past."
    )
    instalments = InstalmentInput(
        many=True,
        required=False,
        help_text="Instead of count, frequency and start date: each instalment, dates "
        "strictly later each time, adding up exactly to what the invoices owe.",
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="A note to the customer, sent with the offer.",
    )


class PlanOfferInput(PlanTermsInput):
    customer = serializers.IntegerField(help_text="A customer of this organization.")
    invoices = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        help_text="Open invoices of that customer, in one currency, in no other live plan.",
    )


class PlanDeclineInput(StrictInput):
    # Blank reaches the service, which says what a message looks like.
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why, in your words: the customer gets it. Required.",
    )


class PlanCancelInput(StrictInput):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="Required."
    )


class InstalmentMoveInput(StrictInput):
    due_date = serializers.DateField(
        help_text="After the previous instalment, before the next; not in the past."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="Required."
    )


# ---- output


class InstalmentOutput(serializers.Serializer):
    """Context: ``currency`` (the plan's)."""

    id = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="1 for the first")
    due_date = serializers.DateField()
    amount = serializers.SerializerMethodField()
    amount_paid = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def _money(self, amount: Any) -> str:
        return money_text(amount, self.context["currency"])

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount(self, row: Instalment) -> str:
        return self._money(row.amount)

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount_paid(self, row: Instalment) -> str:
        return self._money(row.amount_paid)

    @extend_schema_field(MONEY_SCHEMA)
    def get_remaining(self, row: Instalment) -> str:
        return self._money(row.remaining)


class PlanInvoiceOutput(serializers.Serializer):
    """Context: ``currency`` (the plan's)."""

    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    balance_at_start = serializers.SerializerMethodField(
        help_text="What the invoice owed when the plan was set up"
    )
    balance_due = serializers.SerializerMethodField(help_text="What it owes now")
    released_at = serializers.DateTimeField(
        allow_null=True, help_text="When the plan ended and the invoice left it"
    )

    @extend_schema_field(MONEY_SCHEMA)
    def get_balance_at_start(self, link: PaymentPlanInvoice) -> str:
        return money_text(link.balance_at_start, self.context["currency"])

    @extend_schema_field(MONEY_SCHEMA)
    def get_balance_due(self, link: PaymentPlanInvoice) -> str:
        return money_text(link.invoice.balance_due, self.context["currency"])


class NextDueOutput(serializers.Serializer):
    instalment = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = serializers.CharField(help_text="What is left of it, a decimal string")


class PlanOutput(serializers.Serializer):
    """Context: none; instalments and invoices prefetched (``payments.plan_api``)."""

    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    currency = serializers.CharField()
    total = MoneyOutput(help_text="What the invoices owed when the plan was set up")
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    origin = serializers.ChoiceField(choices=PlanOrigin.choices)
    frequency = serializers.CharField(help_text="Blank for a schedule given instalment by one")
    auto_approved = serializers.BooleanField()
    customer_note = serializers.CharField()
    owner_message = serializers.CharField()
    counter_to = serializers.IntegerField(
        source="counter_to_id", allow_null=True, help_text="The request this offer answers"
    )
    amount_paid = serializers.SerializerMethodField()
    amount_remaining = serializers.SerializerMethodField()
    next_due = serializers.SerializerMethodField(help_text="The first instalment not paid")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    activated_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    broken_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    ended_reason = serializers.CharField()
    invoices = serializers.SerializerMethodField()
    instalments = serializers.SerializerMethodField()

    def _rows(self, plan: PaymentPlan) -> list[Instalment]:
        return list(plan.instalments.all())

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount_paid(self, plan: PaymentPlan) -> str:
        paid = sum((row.amount_paid for row in self._rows(plan)), ZERO)
        return money_text(paid, plan.currency)

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount_remaining(self, plan: PaymentPlan) -> str:
        left = sum((row.remaining for row in self._rows(plan)), ZERO)
        return money_text(left, plan.currency)

    @extend_schema_field(NextDueOutput(allow_null=True))
    def get_next_due(self, plan: PaymentPlan) -> dict[str, Any] | None:
        upcoming = next((row for row in self._rows(plan) if row.remaining > 0), None)
        if upcoming is None:
            return None
        return {
            "instalment": upcoming.pk,
            "due_date": upcoming.due_date.isoformat(),
            "amount": money_text(upcoming.remaining, plan.currency),
        }

    @extend_schema_field(PlanInvoiceOutput(many=True))
    def get_invoices(self, plan: PaymentPlan) -> Any:
        context = {"currency": plan.currency}
        return PlanInvoiceOutput(plan.plan_invoices.all(), many=True, context=context).data

    @extend_schema_field(InstalmentOutput(many=True))
    def get_instalments(self, plan: PaymentPlan) -> Any:
        context = {"currency": plan.currency}
        return InstalmentOutput(self._rows(plan), many=True, context=context).data

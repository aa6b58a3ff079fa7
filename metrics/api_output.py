"""The reports API's answers: every amount a decimal string in the answer's ``currency`` with its
minor units ("1585.00", JPY "1585"), dates ``YYYY-MM-DD``, days and percentages to one place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.serializers import MONEY_SCHEMA, money_text


@extend_schema_field(MONEY_SCHEMA)
class Money(serializers.Field):
    """An amount in the answer's currency (``context["currency"]``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return money_text(value, self.context["currency"])


class AgingBucketOutput(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    low = serializers.IntegerField(allow_null=True, help_text="Days past due, inclusive.")
    high = serializers.IntegerField(allow_null=True, help_text="Days past due, inclusive.")
    amount = Money()
    count = serializers.IntegerField(help_text="Invoices in the bucket.")


class CustomerAgingOutput(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField()
    amounts = serializers.ListField(
        child=Money(), help_text="One per bucket, in the order of `buckets`."
    )
    total = Money()
    oldest_due_date = serializers.DateField(allow_null=True)


class AgingOutput(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    edges = serializers.CharField()
    total = Money()
    overdue = Money()
    invoice_count = serializers.IntegerField()
    buckets = AgingBucketOutput(many=True)
    customers = CustomerAgingOutput(many=True, help_text="Largest total first.")


class DsoFigureOutput(serializers.Serializer):
    method = serializers.CharField()
    days = serializers.DecimalField(max_digits=9, decimal_places=1)
    as_of = serializers.DateField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    receivables = Money()
    credit_sales = Money()


class DsoOutput(DsoFigureOutput):
    currency = serializers.CharField()
    trend = DsoFigureOutput(many=True, help_text="The same figure at each of 12 month ends.")


class CeiFigureOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Null when nothing was collectable in the period.",
    )
    beginning = Money()
    credit_sales = Money()
    ending = Money()
    ending_current = Money()


class CeiOutput(CeiFigureOutput):
    currency = serializers.CharField()
    months = CeiFigureOutput(many=True, help_text="The 12 months up to `end`.")
    quarters = CeiFigureOutput(many=True, help_text="The 4 quarters up to `end`.")


class CustomerStatsOutput(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField(source="customer_name")
    paid_invoice_count = serializers.IntegerField()
    avg_days_to_pay = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    avg_days_late = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    on_time_share = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="Percent paid by the due date."
    )
    open_balance = Money()
    oldest_open_due_date = serializers.DateField(allow_null=True)
    broken_promises = serializers.IntegerField()
    broken_plans = serializers.IntegerField()
    disputes = serializers.IntegerField()
    trend = serializers.CharField(help_text="`better`, `worse` or `steady`.")


class CustomersOutput(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    results = CustomerStatsOutput(many=True, help_text="Largest open balance first.")


class WeekOutput(serializers.Serializer):
    start = serializers.DateField(help_text="A Monday.")
    end = serializers.DateField()
    expected = Money()
    from_invoices = Money()
    from_plans = Money()
    from_promises = Money()


class ForecastOutput(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    next_4_weeks = Money()
    weeks = WeekOutput(many=True)


def _one_place(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text=help_text
    )


class DisputeStatsOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Disputes opened in the period, chargebacks too.")
    invoices_issued = serializers.IntegerField()
    rate = _one_place("Disputes per 100 invoices issued; null when none were issued.")
    answered = serializers.IntegerField(help_text="Of those, how many had a reply (ever).")
    avg_hours_to_first_reply = _one_place("Null when none was answered.")
    resolved = serializers.IntegerField()
    avg_days_to_resolution = _one_place("Null when none was resolved.")


class ArrangementStatsOutput(serializers.Serializer):
    promises_kept = serializers.IntegerField()
    promises_broken = serializers.IntegerField()
    promises_kept_rate = _one_place("Percent; null when no promise came due.")
    plans_completed = serializers.IntegerField()
    plans_broken = serializers.IntegerField()
    plans_completed_rate = _one_place("Percent; null when no plan ended.")


class StepCountOutput(serializers.Serializer):
    offset_days = serializers.IntegerField(help_text="Days after the due date; negative before.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField(help_text="Invoices for which it was the last reminder.")


class ReminderEffectOutput(serializers.Serializer):
    paid_count = serializers.IntegerField(help_text="Invoices paid in the period.")
    no_reminder = serializers.IntegerField(help_text="Of those, paid with no reminder sent.")
    steps = StepCountOutput(many=True, help_text="In step order.")
    top_step = serializers.IntegerField(
        allow_null=True, help_text="The `offset_days` most often last before payment."
    )


class ActivityOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    disputes = DisputeStatsOutput()
    arrangements = ArrangementStatsOutput(help_text="Promises and plans that ended in the period.")
    reminders = ReminderEffectOutput()


class OpenInvoiceOutput(serializers.Serializer):
    invoice = serializers.IntegerField(source="invoice_id")
    number = serializers.CharField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    days_past_due = serializers.IntegerField(help_text="0 or less is not yet due.")
    bucket = serializers.CharField()
    open_amount = Money()


class CustomerReportOutput(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    edges = serializers.CharField()
    stats = CustomerStatsOutput()
    total = Money()
    overdue = Money()
    invoice_count = serializers.IntegerField()
    buckets = AgingBucketOutput(many=True)
    invoices = OpenInvoiceOutput(many=True, help_text="Oldest due first.")

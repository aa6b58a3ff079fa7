"""``/api/v1/invoices/<id>/late-fees/`` and ``…/late-fees/<fee_id>/waive/``: an invoice's late
fees, and forgiving one with a reason.

The fees are charged by the daily sweep (``payments.late_fee_services``), never through the
API. An invoice or fee of another organization (or a fee of another invoice) is a 404.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from invoicing.api import OptionsMetadata
from invoicing.invoice_selectors import invoice_get
from invoicing.invoice_serializers import api_errors, validated
from invoicing.models import LateFee
from invoicing.serializers import MONEY_SCHEMA, StrictInput, money_text
from payments.late_fee_services import late_fee_waive


class LateFeeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    currency = serializers.CharField(source="invoice.currency")
    period_start = serializers.DateField(help_text="The first day of the period it is for")
    charged_on = serializers.DateField()
    amount = serializers.SerializerMethodField()
    basis = serializers.SerializerMethodField(
        help_text="The unpaid amount it was worked out on; zero for a flat fee"
    )
    rule = serializers.CharField(help_text="How it was worked out, in the customer's language")
    waived_at = serializers.DateTimeField(allow_null=True)
    waive_reason = serializers.CharField()

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount(self, fee: LateFee) -> str:
        return money_text(fee.amount, fee.invoice.currency)

    @extend_schema_field(MONEY_SCHEMA)
    def get_basis(self, fee: LateFee) -> str:
        return money_text(fee.basis, fee.invoice.currency)


class WaiveInputSerializer(StrictInput):
    # Blank or missing reaches the service, which says what a reason looks like.
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the fee is forgiven, e.g. “first late payment, as a courtesy”. Required.",
    )


class _LateFeeApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = LateFeeOutput


@extend_schema(tags=["invoices"])
class LateFeeListApi(_LateFeeApiView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(
        operation_id="invoices_late_fees_list",
        summary="An invoice's late fees",
        description="Oldest period first, waived ones included (with `waived_at` and "
        "`waive_reason`). The invoice's `fees_total` is the sum of those not waived.",
        responses=LateFeeOutput(many=True),
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        fees = (
            LateFee.objects.for_org(self.org)
            .filter(invoice=invoice)
            .select_related("invoice")
            .order_by("period_start", "pk")
        )
        return Response(LateFeeOutput(fees, many=True).data)


@extend_schema(tags=["invoices"])
class LateFeeWaiveApi(_LateFeeApiView):
    @extend_schema(
        operation_id="invoices_late_fees_waive",
        summary="Waive a late fee",
        description="The invoice owes the fee no more; the fee stays on record, marked waived, "
        "and the waiver is in the audit log. A reason is required (400 under `reason` "
        "without one); a fee already waived, or already paid, answers 400 under `fee`.",
        request=WaiveInputSerializer,
        responses=LateFeeOutput,
    )
    def post(self, request: Request, invoice_id: int, fee_id: int) -> Response:
        fee = get_object_or_404(
            LateFee.objects.for_org(self.org).select_related("invoice"),
            pk=fee_id,
            invoice_id=invoice_id,
        )
        reason = validated(WaiveInputSerializer(data=request.data))["reason"]
        with api_errors():
            done = late_fee_waive(org=self.org, actor=self.membership.user, fee=fee, reason=reason)
        data: Any = LateFeeOutput(done).data
        return Response(data)

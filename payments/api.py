"""The payments API: ``/api/v1/payments/``, one payment, and its ``reverse/`` and
``apply-credit/`` actions.

Views are thin, as in the invoices API: they check the request's shape
(``payments.api_serializers``), look the payment up inside the caller's organization (another
tenant's id is a 404 before the body is read) and call ``payments.services``, whose
ValidationErrors become 400s by field and whose ``NotInOrganization`` (a customer or invoice id
of another organization, or of none) becomes a 404 naming the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub import keyset
from arhub.api import OrgApiMixin
from arhub.keyset import Keyset
from arhub.models import Organization
from invoicing.api import OptionsMetadata
from invoicing.api_pagination import KeysetPagination
from invoicing.invoice_serializers import api_errors, validated
from payments.api_serializers import (
    AllocationsInput,
    PaymentInputSerializer,
    PaymentOutput,
    ReverseInputSerializer,
    StatusField,
)
from payments.models import Payment, PaymentAllocation, PaymentMethod
from payments.selectors import payment_get, payment_list
from payments.services import (
    AllocationInput,
    payment_apply_credit,
    payment_record,
    payment_reverse,
)

ERRORS_DESCRIPTION = (
    "Errors are 400 with messages per field, each key naming the field as sent: "
    '`{"amount": ["…"], "allocations[1].amount": ["…"]}`. Nothing is saved when any field is '
    'refused. Amounts are strings (`"12.50"`); a JSON number is taken only when it is exact '
    "in binary (`12`, `12.5`), so `0.1` is refused. An id in the body that is not this "
    "organization's (`customer`, an allocation's `invoice`) answers 404 in the same shape: "
    '`{"allocations[0].invoice": ["Invoice 12 does not exist."]}`.'
)


def _received_on(value: Any) -> date:
    return date.fromisoformat(keyset.text(value))


class PaymentPagination(KeysetPagination):
    """Newest received first, ties by the newest id: the received-on indexes' order."""

    ordering_param = None
    orderings = {
        "-received": Keyset(
            "-received",
            "received_on",
            descending=True,
            ties_descending=True,
            parse=_received_on,
        )
    }
    default_ordering = "-received"


def with_allocations(org: Organization, payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """One query for every allocation (and its invoice) of the payments, however many."""
    allocations = PaymentAllocation.objects.for_org(org).select_related("invoice").order_by("pk")
    return payments.prefetch_related(Prefetch("allocations", queryset=allocations))


def payment_output(org: Organization, payment: Payment) -> dict[str, Any]:
    """The payment as the detail route shows it, read afresh with its allocations."""
    fresh = with_allocations(org, Payment.objects.for_org(org).select_related("customer")).get(
        pk=payment.pk
    )
    data: dict[str, Any] = PaymentOutput(fresh).data
    return data


def _allocations(attrs: dict[str, Any]) -> list[AllocationInput] | None:
    if "allocations" not in attrs:
        return None
    return [
        AllocationInput(invoice_id=entry["invoice"], amount=entry["amount"])
        for entry in attrs["allocations"]
    ]


class PaymentFilters(serializers.Serializer):
    customer = serializers.IntegerField(required=False, help_text="A customer's id")
    invoice = serializers.IntegerField(
        required=False, help_text="An invoice's id: payments with an allocation to it"
    )
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    status = StatusField(required=False)


class PaymentApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PaymentOutput

    def payment(self, payment_id: int) -> Payment:
        return payment_get(org=self.org, payment_id=payment_id)

    def output(self, payment: Payment, code: int = status.HTTP_200_OK) -> Response:
        return Response(payment_output(self.org, payment), status=code)


@extend_schema(tags=["payments"])
class PaymentListCreateApi(PaymentApiView):
    """GET lists payments; POST records one."""

    pagination_class = PaymentPagination

    def get_queryset(self) -> QuerySet[Payment]:
        filters = validated(PaymentFilters(data=self.request.query_params))
        payments = payment_list(org=self.org, customer_id=filters.get("customer"))
        if "invoice" in filters:
            paid_to = PaymentAllocation.objects.for_org(self.org).filter(
                invoice_id=filters["invoice"]
            )
            payments = payments.filter(pk__in=paid_to.values("payment_id"))
        if "method" in filters:
            payments = payments.filter(method=filters["method"])
        if "status" in filters:
            payments = payments.filter(status=filters["status"])
        return with_allocations(self.org, payments)

    @extend_schema(
        operation_id="payments_list",
        summary="List payments",
        description="Newest received first, with their allocations. Filters combine.",
        parameters=[PaymentFilters],
        responses=PaymentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PaymentOutput(page, many=True).data)

    @extend_schema(
        operation_id="payments_create",
        summary="Record a payment",
        description="Applies it to the customer's invoices as `allocations` say (or "
        "automatically when they are left out); what is not applied is kept as the "
        "customer's credit (`unapplied_amount`). " + ERRORS_DESCRIPTION,
        request=PaymentInputSerializer,
        responses={201: PaymentOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(PaymentInputSerializer(data=request.data))
        amount: Decimal = attrs["amount"]
        with api_errors():
            payment = payment_record(
                org=self.org,
                actor=self.membership.user,
                customer_id=attrs["customer"],
                amount=amount,
                currency=attrs["currency"],
                method=attrs["method"],
                received_on=attrs["received_on"],
                reference=attrs["reference"],
                allocations=_allocations(attrs),
            )
        return self.output(payment, status.HTTP_201_CREATED)


@extend_schema(tags=["payments"])
class PaymentDetailApi(PaymentApiView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(
        operation_id="payments_retrieve",
        summary="One payment",
        description="With its allocations (reversed ones included) and what is left unapplied.",
    )
    def get(self, request: Request, payment_id: int) -> Response:
        return self.output(self.payment(payment_id))


@extend_schema(tags=["payments"])
class PaymentReverseApi(PaymentApiView):
    @extend_schema(
        operation_id="payments_reverse",
        summary="Reverse a payment",
        description="For money taken back (a bounced cheque): its invoices owe again what it "
        "paid, and the payment and its allocations stay on record, marked reversed. A reason "
        "is required; a payment reversed already answers 400 under `status`.",
        request=ReverseInputSerializer,
        responses=PaymentOutput,
    )
    def post(self, request: Request, payment_id: int) -> Response:
        payment = self.payment(payment_id)
        reason = validated(ReverseInputSerializer(data=request.data))["reason"]
        with api_errors():
            done = payment_reverse(
                org=self.org, actor=self.membership.user, payment=payment, reason=reason
            )
        return self.output(done)


@extend_schema(tags=["payments"])
class PaymentApplyCreditApi(PaymentApiView):
    @extend_schema(
        operation_id="payments_apply_credit",
        summary="Apply a payment's unapplied amount",
        description="To the customer's invoices, as `allocations` say or automatically when "
        "they are left out. A reversed or fully applied payment answers 400. " + ERRORS_DESCRIPTION,
        request=AllocationsInput,
        responses=PaymentOutput,
    )
    def post(self, request: Request, payment_id: int) -> Response:
        payment = self.payment(payment_id)
        attrs = validated(AllocationsInput(data=request.data))
        with api_errors():
            done = payment_apply_credit(
                org=self.org,
                actor=self.membership.user,
                payment=payment,
                allocations=_allocations(attrs),
            )
        return self.output(done)

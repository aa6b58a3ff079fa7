"""``/api/v1/payment-plans/``: payment plans listed, offered to a customer, read one by one, and
decided on: ``approve/``, ``decline/``, ``counter/``, ``cancel/``, and
``instalments/<id>/move/``.

Views are thin: they check the request's shape (``payments.plan_api_serializers``), look the
plan up inside the caller's organization (another tenant's plan is a 404 before the body is
read) and call ``payments.plan_services``, whose ValidationErrors become 400s by field. A
customer or invoice id in the body that is not this organization's is a 400 under
``customer`` or ``invoices``, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.keyset import Keyset, aware_datetime
from arhub.models import Organization
from invoicing.api import OptionsMetadata
from invoicing.api_pagination import KeysetPagination
from invoicing.invoice_serializers import api_errors, service_errors, validated
from invoicing.models import Customer, Invoice
from payments.models import Instalment, PaymentPlan, PaymentPlanInvoice
from payments.plan_api_serializers import (
    InstalmentMoveInput,
    PlanCancelInput,
    PlanDeclineInput,
    PlanFilters,
    PlanOfferInput,
    PlanOutput,
    PlanTermsInput,
)
from payments.plan_selectors import plan_get, plan_list
from payments.plan_services import (
    instalment_move,
    plan_approve,
    plan_cancel,
    plan_counter,
    plan_decline,
    plan_offer,
)

ERRORS_DESCRIPTION = (
    "Errors are 400 with messages per field (`count`, `frequency`, `start_date`, "
    "`instalments`, `invoices`, `message`, `status` for a plan in the wrong state). Nothing is "
    'saved when any field is refused. Amounts are decimal strings (`"120.50"`).'
)
TERMS_DESCRIPTION = (
    "Give `count`, `frequency` and `start_date` (equal instalments, the last ones taking the "
    "rounding), or `instalments` `[{due_date, amount}]` adding up exactly to what the invoices "
    "owe. The organization's limits for customers do not bind you here."
)


class PlanPagination(KeysetPagination):
    """Newest first, ties by the newest id."""

    ordering_param = None
    orderings = {
        "-created": Keyset(
            "-created", "created_at", descending=True, ties_descending=True, parse=aware_datetime
        )
    }
    default_ordering = "-created"


def with_details(org: Organization, plans: QuerySet[PaymentPlan]) -> QuerySet[PaymentPlan]:
    """Every plan's instalments and invoices in two queries, however many plans."""
    rows = Instalment.objects.for_org(org).order_by("due_date", "seq")
    links = PaymentPlanInvoice.objects.for_org(org).select_related("invoice").order_by("pk")
    return plans.prefetch_related(Prefetch("instalments", queryset=rows)).prefetch_related(
        Prefetch("plan_invoices", queryset=links)
    )


def _terms(attrs: dict[str, Any]) -> dict[str, Any]:
    instalments: list[tuple[date, Decimal]] | None = None
    if "instalments" in attrs:
        instalments = [(row["due_date"], row["amount"]) for row in attrs["instalments"]]
    return {
        "count": attrs.get("count"),
        "frequency": attrs.get("frequency"),
        "start_date": attrs.get("start_date"),
        "instalments": instalments,
        "message": attrs["message"],
    }


@contextmanager
def _renamed(**keys: str) -> Iterator[None]:
    """A service's field keys as this API spells them (``new_date`` is ``due_date``)."""
    try:
        yield
    except DjangoValidationError as exc:
        errors = service_errors(exc)
        raise serializers.ValidationError(
            {keys.get(key, key): messages for key, messages in errors.items()}
        ) from exc


class PlanApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PlanOutput

    def plan(self, plan_id: int) -> PaymentPlan:
        return plan_get(org=self.org, plan_id=plan_id)

    def output(self, plan: PaymentPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = with_details(self.org, PaymentPlan.objects.for_org(self.org)).select_related(
            "customer"
        )
        data: Any = PlanOutput(fresh.get(pk=plan.pk)).data
        return Response(data, status=code)


@extend_schema(tags=["payment-plans"])
class PlanListCreateApi(PlanApiView):
    """GET lists payment plans; POST offers one to a customer."""

    pagination_class = PlanPagination

    def get_queryset(self) -> QuerySet[PaymentPlan]:
        filters = validated(PlanFilters(data=self.request.query_params))
        plans = plan_list(org=self.org, status=filters.get("status"))
        if "customer" in filters:
            plans = plans.filter(customer_id=filters["customer"])
        return with_details(self.org, plans)

    @extend_schema(
        operation_id="payment_plans_list",
        summary="List payment plans",
        description="Newest first, with their instalments and invoices. Filters combine.",
        parameters=[PlanFilters],
        responses=PlanOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PlanOutput(page, many=True).data)

    @extend_schema(
        operation_id="payment_plans_create",
        summary="Offer a customer a payment plan",
        description="The plan is proposed; the customer is told and accepts it on the pay "
        "page. " + TERMS_DESCRIPTION + " " + ERRORS_DESCRIPTION,
        request=PlanOfferInput,
        responses={201: PlanOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(PlanOfferInput(data=request.data))
        customer = Customer.objects.for_org(self.org).filter(pk=attrs["customer"]).first()
        if customer is None:
            raise serializers.ValidationError(
                {"customer": [f"Customer {attrs['customer']} does not exist."]}
            )
        wanted = list(dict.fromkeys(attrs["invoices"]))
        invoices = list(Invoice.objects.for_org(self.org).filter(pk__in=wanted))
        missing = sorted(set(wanted) - {invoice.pk for invoice in invoices})
        if missing:
            raise serializers.ValidationError(
                {"invoices": [f"Invoice {missing[0]} does not exist."]}
            )
        with api_errors():
            plan = plan_offer(
                org=self.org,
                actor=self.membership.user,
                customer=customer,
                invoices=invoices,
                **_terms(attrs),
            )
        return self.output(plan, status.HTTP_201_CREATED)


@extend_schema(tags=["payment-plans"])
class PlanDetailApi(PlanApiView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(
        operation_id="payment_plans_retrieve",
        summary="One payment plan",
        description="With its instalments (what each owes and has been paid), its invoices, "
        "what is paid so far and the next instalment due.",
    )
    def get(self, request: Request, plan_id: int) -> Response:
        return self.output(self.plan(plan_id))


@extend_schema(tags=["payment-plans"])
class PlanApproveApi(PlanApiView):
    @extend_schema(
        operation_id="payment_plans_approve",
        summary="Approve a customer's request",
        description="The plan starts and the customer is told. Only a proposed plan the "
        "customer asked for; any other answers 400 under `status`.",
        request=None,
        responses=PlanOutput,
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = self.plan(plan_id)
        with api_errors():
            done = plan_approve(org=self.org, actor=self.membership.user, plan=plan)
        return self.output(done)


@extend_schema(tags=["payment-plans"])
class PlanDeclineApi(PlanApiView):
    @extend_schema(
        operation_id="payment_plans_decline",
        summary="Decline a customer's request",
        description="With a message the customer gets; the invoices go back to the normal "
        "reminders. " + ERRORS_DESCRIPTION,
        request=PlanDeclineInput,
        responses=PlanOutput,
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = self.plan(plan_id)
        message = validated(PlanDeclineInput(data=request.data))["message"]
        with api_errors():
            done = plan_decline(
                org=self.org, actor=self.membership.user, plan=plan, message=message
            )
        return self.output(done)


@extend_schema(tags=["payment-plans"])
class PlanCounterApi(PlanApiView):
    @extend_schema(
        operation_id="payment_plans_counter",
        summary="Answer a request with other terms",
        description="The request is declined and replaced by your offer on the same invoices "
        "(answered here, with `counter_to` naming the request); the customer accepts it on the "
        "pay page. " + TERMS_DESCRIPTION + " " + ERRORS_DESCRIPTION,
        request=PlanTermsInput,
        responses={201: PlanOutput},
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = self.plan(plan_id)
        attrs = validated(PlanTermsInput(data=request.data))
        with api_errors():
            offer = plan_counter(
                org=self.org, actor=self.membership.user, plan=plan, **_terms(attrs)
            )
        return self.output(offer, status.HTTP_201_CREATED)


@extend_schema(tags=["payment-plans"])
class PlanCancelApi(PlanApiView):
    @extend_schema(
        operation_id="payment_plans_cancel",
        summary="Cancel a plan",
        description="A proposed or active plan; the customer is told and the invoices go back "
        "to the normal reminders. A reason is required.",
        request=PlanCancelInput,
        responses=PlanOutput,
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = self.plan(plan_id)
        reason = validated(PlanCancelInput(data=request.data))["reason"]
        with api_errors():
            done = plan_cancel(org=self.org, actor=self.membership.user, plan=plan, reason=reason)
        return self.output(done)


@extend_schema(tags=["payment-plans"])
class InstalmentMoveApi(PlanApiView):
    @extend_schema(
        operation_id="payment_plans_instalment_move",
        summary="Move one instalment to another date",
        description="An unpaid instalment of a live plan, to a date after the previous "
        "instalment's and before the next one's, not in the past. Who moved it and why are "
        "kept. Answers the plan.",
        request=InstalmentMoveInput,
        responses=PlanOutput,
    )
    def post(self, request: Request, plan_id: int, instalment_id: int) -> Response:
        plan = self.plan(plan_id)
        instalment = get_object_or_404(
            Instalment.objects.for_org(self.org).filter(plan=plan), pk=instalment_id
        )
        attrs = validated(InstalmentMoveInput(data=request.data))
        with _renamed(new_date="due_date"):
            instalment_move(
                org=self.org,
                actor=self.membership.user,
                instalment=instalment,
                new_date=attrs["due_date"],
                reason=attrs["reason"],
            )
        return self.output(plan)

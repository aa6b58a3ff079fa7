"""``/api/v1/promises/``: promises to pay, listed, made on the customer's word, read one by one
and cancelled with a reason.

Views are thin: they check the request's shape (``payments.promise_api_serializers``), look
the promise or invoice up inside the caller's organization and call
``payments.promise_services``, whose ValidationErrors become 400s by field. A promise of
another organization is a 404; an invoice id of another organization in the body is a 400
under ``invoice``, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.keyset import Keyset, aware_datetime
from invoicing.api import OptionsMetadata
from invoicing.api_pagination import KeysetPagination
from invoicing.invoice_serializers import api_errors, validated
from invoicing.models import Invoice
from payments.models import PromiseToPay
from payments.promise_api_serializers import (
    PromiseCancelInputSerializer,
    PromiseFilters,
    PromiseInputSerializer,
    PromiseOutput,
)
from payments.promise_selectors import promise_get, promise_list
from payments.promise_services import promise_cancel, promise_make

ERRORS_DESCRIPTION = (
    "Errors are 400 with messages per field: `promised_date` past or beyond the limit (the "
    "message names the last allowed date), `invoice` paid, void, in a payment plan, already "
    "promised, or not this organization's. Nothing is saved when any field is refused."
)


class PromisePagination(KeysetPagination):
    """Newest made first, ties by the newest id."""

    ordering_param = None
    orderings = {
        "-created": Keyset(
            "-created", "created_at", descending=True, ties_descending=True, parse=aware_datetime
        )
    }
    default_ordering = "-created"


class PromiseApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PromiseOutput

    def output(self, promise: PromiseToPay, code: int = status.HTTP_200_OK) -> Response:
        fresh = promise_get(org=self.org, promise_id=promise.pk)
        data: Any = PromiseOutput(fresh).data
        return Response(data, status=code)


@extend_schema(tags=["promises"])
class PromiseListCreateApi(PromiseApiView):
    """GET lists promises; POST records one on the customer's word."""

    pagination_class = PromisePagination

    def get_queryset(self) -> QuerySet[PromiseToPay]:
        filters = validated(PromiseFilters(data=self.request.query_params))
        return promise_list(
            org=self.org,
            status=filters.get("status"),
            invoice_id=filters.get("invoice"),
            customer_id=filters.get("customer"),
        )

    @extend_schema(
        operation_id="promises_list",
        summary="List promises to pay",
        description="Newest made first. Filters combine.",
        parameters=[PromiseFilters],
        responses=PromiseOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PromiseOutput(page, many=True).data)

    @extend_schema(
        operation_id="promises_create",
        summary="Record a promise to pay",
        description="The customer told you the date by which they will pay the invoice's whole "
        "balance; reminders about it hold until then, and the customer gets a short "
        "confirmation. " + ERRORS_DESCRIPTION,
        request=PromiseInputSerializer,
        responses={201: PromiseOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(PromiseInputSerializer(data=request.data))
        invoice = Invoice.objects.for_org(self.org).filter(pk=attrs["invoice"]).first()
        if invoice is None:
            raise serializers.ValidationError(
                {"invoice": [f"Invoice {attrs['invoice']} does not exist."]}
            )
        with api_errors():
            promise = promise_make(
                org=self.org,
                invoice=invoice,
                promised_date=attrs["promised_date"],
                note=attrs["note"],
                actor=self.membership.user,
            )
        return self.output(promise, status.HTTP_201_CREATED)


@extend_schema(tags=["promises"])
class PromiseDetailApi(PromiseApiView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(operation_id="promises_retrieve", summary="One promise to pay")
    def get(self, request: Request, promise_id: int) -> Response:
        return self.output(promise_get(org=self.org, promise_id=promise_id))


@extend_schema(tags=["promises"])
class PromiseCancelApi(PromiseApiView):
    @extend_schema(
        operation_id="promises_cancel",
        summary="Cancel a promise to pay",
        description="Only an open promise; reminders resume. A reason is required (400 under "
        "`reason` without one); a promise already kept, broken or cancelled answers 400 under "
        "`status`.",
        request=PromiseCancelInputSerializer,
        responses=PromiseOutput,
    )
    def post(self, request: Request, promise_id: int) -> Response:
        promise = promise_get(org=self.org, promise_id=promise_id)
        reason = validated(PromiseCancelInputSerializer(data=request.data))["reason"]
        with api_errors():
            done = promise_cancel(
                org=self.org, actor=self.membership.user, promise=promise, reason=reason
            )
        return self.output(done)

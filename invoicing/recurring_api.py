"""The recurring invoices API: ``/api/v1/recurring-invoices/`` and the pause, resume and
finish actions. Thin: shapes are checked by ``recurring_api_serializers``, lookups happen
inside the caller's organization (another tenant's id is a 404, in the URL or in the body) and
the services decide the rest."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.models import User
from invoicing.api import OptionsMetadata
from invoicing.invoice_input import NotInOrganization
from invoicing.models import RecurringInvoice, RecurringStatus
from invoicing.recurring_api_serializers import (
    RecurringInputSerializer,
    RecurringOutputSerializer,
    data_from_input,
    recurring_errors,
)
from invoicing.recurring_input import recurring_data_of
from invoicing.recurring_selectors import recurring_get, recurring_list
from invoicing.recurring_services import (
    recurring_create,
    recurring_delete,
    recurring_finish,
    recurring_pause,
    recurring_resume,
    recurring_update,
)

ERRORS = (
    "Errors are 400 with messages per field. Errors in `lines` are keyed by position (from "
    '0): `{"lines": {"1": {"unit_price": ["…"]}}}`. Quantities and prices are decimal strings '
    '("150.00"); a JSON number is accepted only when it is exact, so `0.1` is refused. A '
    "`customer`, `payment_terms` or tax rate id that is not this organization's answers 404, "
    "as if it did not exist. Edits apply to future invoices only."
)


def _call(service: Any, **kwargs: Any) -> Any:
    """A service call with its errors in the API's terms."""
    try:
        return service(**kwargs)
    except NotInOrganization as exc:
        raise NotFound(exc.message) from exc
    except DjangoValidationError as exc:
        raise ValidationError(recurring_errors(exc)) from exc


class RecurringApiView(OrgApiMixin, generics.GenericAPIView):
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = RecurringOutputSerializer

    def _template(self, recurring_id: int) -> RecurringInvoice:
        return recurring_get(org=self.org, template_id=recurring_id)

    def _output(self, template: RecurringInvoice, code: int = status.HTTP_200_OK) -> Response:
        template = recurring_get(org=self.org, template_id=template.pk)
        return Response(RecurringOutputSerializer(template).data, status=code)

    @property
    def actor(self) -> User:
        return self.membership.user


@extend_schema(tags=["recurring invoices"])
class RecurringListCreateApi(RecurringApiView):
    """GET lists the recurring invoices, newest first; POST adds one."""

    def get_queryset(self) -> QuerySet[RecurringInvoice]:
        params = self.request.query_params
        wanted = params.get("status") or None
        if wanted is not None and wanted not in RecurringStatus.values:
            raise ValidationError({"status": ["Use active, paused or finished."]})
        customer = params.get("customer") or None
        if customer is not None and not customer.isdigit():
            raise ValidationError({"customer": ["A customer id is a number."]})
        return recurring_list(
            org=self.org, status=wanted, customer_id=int(customer) if customer else None
        )

    @extend_schema(
        operation_id="recurring_invoices_list",
        summary="List recurring invoices",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=RecurringStatus.values),
            OpenApiParameter("customer", OpenApiTypes.INT),
        ],
        responses=RecurringOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RecurringOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="recurring_invoices_create",
        summary="Add a recurring invoice",
        description="It starts active. The first invoice is issued on the first date of the "
        "schedule on or after `start_date` (a past start date issues the periods already "
        "due, at most 12). " + ERRORS,
        request=RecurringInputSerializer,
        responses={201: RecurringOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = RecurringInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = _call(
            recurring_create,
            org=self.org,
            actor=self.actor,
            data=data_from_input(serializer.validated_data, None),
        )
        return self._output(template, status.HTTP_201_CREATED)


@extend_schema(tags=["recurring invoices"])
class RecurringDetailApi(RecurringApiView):
    """GET, PATCH and DELETE one recurring invoice."""

    http_method_names = ["get", "patch", "delete", "options", "head"]

    @extend_schema(operation_id="recurring_invoices_retrieve", summary="One recurring invoice")
    def get(self, request: Request, recurring_id: int) -> Response:
        return Response(RecurringOutputSerializer(self._template(recurring_id)).data)

    @extend_schema(
        operation_id="recurring_invoices_partial_update",
        summary="Change a recurring invoice",
        description="Invoices already issued never change. A changed schedule continues after "
        "the last period issued. A finished one cannot be changed. " + ERRORS,
        request=RecurringInputSerializer(partial=True),
        responses=RecurringOutputSerializer,
    )
    def patch(self, request: Request, recurring_id: int) -> Response:
        template = self._template(recurring_id)
        serializer = RecurringInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = data_from_input(serializer.validated_data, recurring_data_of(template))
        template = _call(
            recurring_update, org=self.org, actor=self.actor, template=template, data=data
        )
        return self._output(template)

    @extend_schema(
        operation_id="recurring_invoices_destroy",
        summary="Delete a recurring invoice",
        description="Only while nothing has been issued from it; after that, `finish/` it.",
        responses={204: None},
    )
    def delete(self, request: Request, recurring_id: int) -> Response:
        template = self._template(recurring_id)
        _call(recurring_delete, org=self.org, actor=self.actor, template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ActionApi(RecurringApiView):
    http_method_names = ["post", "options"]
    service: Any = None

    def post(self, request: Request, recurring_id: int) -> Response:
        template = self._template(recurring_id)
        template = _call(type(self).service, org=self.org, actor=self.actor, template=template)
        return self._output(template)


@extend_schema_view(
    post=extend_schema(
        tags=["recurring invoices"],
        operation_id="recurring_invoices_pause",
        summary="Pause",
        description="Nothing is issued while paused.",
        request=None,
        responses=RecurringOutputSerializer,
    )
)
class RecurringPauseApi(_ActionApi):
    service = staticmethod(recurring_pause)


@extend_schema_view(
    post=extend_schema(
        tags=["recurring invoices"],
        operation_id="recurring_invoices_resume",
        summary="Resume",
        description="Issuing starts again from the next period on or after today; periods that "
        "fell while it was paused are skipped.",
        request=None,
        responses=RecurringOutputSerializer,
    )
)
class RecurringResumeApi(_ActionApi):
    service = staticmethod(recurring_resume)


@extend_schema_view(
    post=extend_schema(
        tags=["recurring invoices"],
        operation_id="recurring_invoices_finish",
        summary="Finish",
        description="Stop for good; the invoices it issued keep their link to it.",
        request=None,
        responses=RecurringOutputSerializer,
    )
)
class RecurringFinishApi(_ActionApi):
    service = staticmethod(recurring_finish)

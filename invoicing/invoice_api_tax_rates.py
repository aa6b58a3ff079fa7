"""Tax rates in the API: ``/api/v1/tax-rates/`` and one rate.

The writes are the dashboard's (``invoicing.settings_services``), so both refuse the same
things in the same words: a rate on an invoice is retired (``is_active: false``), not deleted,
and keeps its percentage. Changing them is a settings right, as on the dashboard.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.roles import Perm
from invoicing.api import OptionsMetadata
from invoicing.invoice_api_pagination import ByNamePagination
from invoicing.invoice_serializers import ExactDecimalField, api_errors, plain, validated
from invoicing.models import TaxRate
from invoicing.serializers import StrictInput
from invoicing.settings_selectors import tax_rate_get
from invoicing.settings_services import (
    TaxRateInput,
    tax_rate_create,
    tax_rate_delete,
    tax_rate_set_active,
    tax_rate_update,
)

SETTINGS_WRITES = {
    "POST": Perm.MANAGE_SETTINGS,
    "PUT": Perm.MANAGE_SETTINGS,
    "PATCH": Perm.MANAGE_SETTINGS,
    "DELETE": Perm.MANAGE_SETTINGS,
}


class TaxRateInputSerializer(StrictInput):
    output_only = frozenset({"id", "created_at"})

    name = serializers.CharField(max_length=60, help_text="e.g. VAT, State sales tax")
    percent = ExactDecimalField(help_text="0 to 100, at most 4 decimals: `20`, `8.875`")
    registration_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="Printed beside the tax"
    )
    is_active = serializers.BooleanField(
        required=False, default=True, help_text="False retires it: no longer offered"
    )


class TaxRateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    percent = serializers.SerializerMethodField()
    registration_number = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_percent(self, rate: TaxRate) -> str:
        return plain(rate.percent)


class TaxRateFilters(serializers.Serializer):
    is_active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only active or retired rates"
    )


class TaxRateApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = TaxRateOutput
    pagination_class = ByNamePagination
    required_perms = SETTINGS_WRITES


def _output(rate: TaxRate, code: int = status.HTTP_200_OK) -> Response:
    return Response(TaxRateOutput(rate).data, status=code)


@extend_schema(tags=["tax rates"])
class TaxRateListCreateApi(TaxRateApiView):
    @extend_schema(
        operation_id="tax_rates_list",
        summary="List tax rates",
        description="By name.",
        parameters=[TaxRateFilters],
        responses=TaxRateOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = validated(TaxRateFilters(data=request.query_params))
        rates = TaxRate.objects.for_org(self.org)
        if filters.get("is_active") is not None:
            rates = rates.filter(is_active=filters["is_active"])
        page = self.paginate_queryset(rates)
        return self.get_paginated_response(TaxRateOutput(page, many=True).data)

    @extend_schema(
        operation_id="tax_rates_create",
        summary="Add a tax rate",
        description="Names are unique in the organization, whatever their case. Needs the "
        "settings right (owner, admin). Errors are 400 by field.",
        request=TaxRateInputSerializer,
        responses={201: TaxRateOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(TaxRateInputSerializer(data=request.data))
        actor = self.membership.user
        with api_errors(), transaction.atomic():
            rate = tax_rate_create(
                org=self.org,
                actor=actor,
                data=TaxRateInput(
                    name=attrs["name"],
                    percent=attrs["percent"],
                    registration_number=attrs.get("registration_number", ""),
                ),
            )
            if not attrs["is_active"]:
                rate = tax_rate_set_active(org=self.org, actor=actor, rate=rate, active=False)
        return _output(rate, status.HTTP_201_CREATED)


@extend_schema(tags=["tax rates"])
class TaxRateDetailApi(TaxRateApiView):
    http_method_names = ["get", "patch", "delete", "options", "head"]

    @extend_schema(operation_id="tax_rates_retrieve", summary="One tax rate")
    def get(self, request: Request, tax_rate_id: int) -> Response:
        return _output(tax_rate_get(org=self.org, rate_id=tax_rate_id))

    @extend_schema(
        operation_id="tax_rates_partial_update",
        summary="Change or retire a tax rate",
        description="`is_active: false` retires it: invoices that have it keep it, new ones "
        "cannot choose it. The percentage of a rate already on invoices stays (400 under "
        "`percent`): retire it and add a new rate.",
        request=TaxRateInputSerializer(partial=True),
        responses=TaxRateOutput,
    )
    def patch(self, request: Request, tax_rate_id: int) -> Response:
        rate = tax_rate_get(org=self.org, rate_id=tax_rate_id)
        attrs: dict[str, Any] = validated(TaxRateInputSerializer(data=request.data, partial=True))
        actor = self.membership.user
        # Both changes or neither.
        with api_errors(), transaction.atomic():
            if attrs.keys() & {"name", "percent", "registration_number"}:
                rate = tax_rate_update(
                    org=self.org,
                    actor=actor,
                    rate=rate,
                    data=TaxRateInput(
                        name=attrs.get("name", rate.name),
                        percent=attrs.get("percent", rate.percent),
                        registration_number=attrs.get(
                            "registration_number", rate.registration_number
                        ),
                    ),
                )
            if "is_active" in attrs:
                rate = tax_rate_set_active(
                    org=self.org, actor=actor, rate=rate, active=attrs["is_active"]
                )
        return _output(rate)

    @extend_schema(
        operation_id="tax_rates_destroy",
        summary="Delete an unused tax rate",
        description="A rate on any invoice or recurring invoice is retired instead (400 "
        "under `non_field_errors`).",
        responses={204: None},
    )
    def delete(self, request: Request, tax_rate_id: int) -> Response:
        rate = tax_rate_get(org=self.org, rate_id=tax_rate_id)
        with api_errors():
            tax_rate_delete(org=self.org, actor=self.membership.user, rate=rate)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Named payment terms in the API: ``/api/v1/payment-terms/`` and one set of terms.

The writes are the dashboard's (``invoicing.settings_terms_services``), so both refuse the same
things in the same words: a fixed due date is not a named term (it is set on the invoice), one
set is the default (marking another unmarks it in the same transaction), and terms a customer
or recurring invoice uses are not deleted. Changing them is a settings right, as on the
dashboard.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from invoicing.api import OptionsMetadata
from invoicing.invoice_api_pagination import ByNamePagination
from invoicing.invoice_api_tax_rates import SETTINGS_WRITES
from invoicing.invoice_serializers import ExactDecimalField, api_errors, plain, validated
from invoicing.models import LateFeeKind, PaymentTerms, TermsKind
from invoicing.serializers import StrictInput
from invoicing.settings_selectors import payment_terms_get
from invoicing.settings_terms_services import (
    PaymentTermsInput,
    payment_terms_create,
    payment_terms_delete,
    payment_terms_update,
)

TERMS_FIELDS = (
    "name",
    "kind",
    "days",
    "discount_percent",
    "discount_days",
    "late_fee_kind",
    "late_fee_amount",
    "late_fee_percent",
    "late_fee_grace_days",
    "late_fee_cap_percent",
    "late_fee_compound",
)
DECIMAL_FIELDS = ("discount_percent", "late_fee_amount", "late_fee_percent", "late_fee_cap_percent")


def _days(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, **kwargs)


def _decimal(**kwargs: Any) -> ExactDecimalField:
    return ExactDecimalField(required=False, allow_null=True, **kwargs)


class PaymentTermsInputSerializer(StrictInput):
    output_only = frozenset({"id", "created_at"})

    name = serializers.CharField(max_length=60, help_text="e.g. Net 30, 2/10 net 30")
    kind = serializers.CharField(
        required=False,
        default=TermsKind.NET,
        help_text="`net` (days after the invoice date), `receipt` (due on receipt) or `eom` "
        "(end of month + days). A fixed due date is set on the invoice instead.",
    )
    days = _days(default=30)
    discount_percent = _decimal(help_text="Early-payment discount, e.g. `2` for 2%")
    discount_days = _days(help_text="Days after the invoice date the discount lasts")
    late_fee_kind = serializers.ChoiceField(
        choices=LateFeeKind.choices, required=False, default=LateFeeKind.NONE
    )
    late_fee_amount = _decimal(help_text="A flat fee, in the invoice's currency")
    late_fee_percent = _decimal(help_text="Per month, of the unpaid balance")
    late_fee_grace_days = _days(default=0)
    late_fee_cap_percent = _decimal(help_text="Fees never pass this share of the total")
    late_fee_compound = serializers.BooleanField(required=False, default=False)
    is_default = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True makes these the default in place of the old default",
    )


class PaymentTermsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    # Named terms are never "fixed" (that is a date on one invoice).
    kind = serializers.ChoiceField(choices=[c for c in TermsKind.choices if c[0] != "fixed"])
    days = serializers.IntegerField()
    discount_percent = serializers.CharField(allow_null=True)
    discount_days = serializers.IntegerField(allow_null=True)
    late_fee_kind = serializers.ChoiceField(choices=LateFeeKind.choices)
    late_fee_amount = serializers.CharField(allow_null=True)
    late_fee_percent = serializers.CharField(allow_null=True)
    late_fee_grace_days = serializers.IntegerField()
    late_fee_cap_percent = serializers.CharField(allow_null=True)
    late_fee_compound = serializers.BooleanField()
    is_default = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def to_representation(self, terms: PaymentTerms) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(terms)
        for name in DECIMAL_FIELDS:
            value = getattr(terms, name)
            data[name] = None if value is None else plain(value)
        return data


class PaymentTermsApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = PaymentTermsOutput
    pagination_class = ByNamePagination
    required_perms = SETTINGS_WRITES


def _output(terms: PaymentTerms, code: int = status.HTTP_200_OK) -> Response:
    return Response(PaymentTermsOutput(terms).data, status=code)


@extend_schema(tags=["payment terms"])
class PaymentTermsListCreateApi(PaymentTermsApiView):
    @extend_schema(
        operation_id="payment_terms_list",
        summary="List payment terms",
        description="By name.",
        responses=PaymentTermsOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(PaymentTerms.objects.for_org(self.org))
        return self.get_paginated_response(PaymentTermsOutput(page, many=True).data)

    @extend_schema(
        operation_id="payment_terms_create",
        summary="Add payment terms",
        description="Names are unique in the organization, whatever their case. "
        "`is_default: true` makes them the default in place of the old one. Decimals are "
        'strings (`"1.5"`). Needs the settings right (owner, admin). Errors are 400 by field.',
        request=PaymentTermsInputSerializer,
        responses={201: PaymentTermsOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(PaymentTermsInputSerializer(data=request.data))
        with api_errors():
            terms = payment_terms_create(
                org=self.org, actor=self.membership.user, data=PaymentTermsInput(**attrs)
            )
        return _output(terms, status.HTTP_201_CREATED)


@extend_schema(tags=["payment terms"])
class PaymentTermsDetailApi(PaymentTermsApiView):
    http_method_names = ["get", "patch", "delete", "options", "head"]

    @extend_schema(operation_id="payment_terms_retrieve", summary="One set of payment terms")
    def get(self, request: Request, terms_id: int) -> Response:
        return _output(payment_terms_get(org=self.org, terms_id=terms_id))

    @extend_schema(
        operation_id="payment_terms_partial_update",
        summary="Change payment terms",
        description="Only the fields given change. Invoices already issued keep the terms "
        "they were issued under. `is_default: true` makes these the default in place of the "
        "old one; the default cannot be un-marked (mark other terms instead).",
        request=PaymentTermsInputSerializer(partial=True),
        responses=PaymentTermsOutput,
    )
    def patch(self, request: Request, terms_id: int) -> Response:
        terms = payment_terms_get(org=self.org, terms_id=terms_id)
        attrs = validated(PaymentTermsInputSerializer(data=request.data, partial=True))
        if terms.is_default and attrs.get("is_default") is False:
            raise ValidationError(
                {
                    "is_default": [
                        "These are the default terms. To change the default, mark other "
                        "terms as the default."
                    ]
                }
            )
        current = {field: getattr(terms, field) for field in TERMS_FIELDS}
        data = PaymentTermsInput(**{**current, **attrs})
        with api_errors():
            terms = payment_terms_update(
                org=self.org, actor=self.membership.user, terms=terms, data=data
            )
        return _output(terms)

    @extend_schema(
        operation_id="payment_terms_destroy",
        summary="Delete payment terms",
        description="Refused (400 under `non_field_errors`, naming them) while customers or "
        "recurring invoices use them.",
        responses={204: None},
    )
    def delete(self, request: Request, terms_id: int) -> Response:
        terms = payment_terms_get(org=self.org, terms_id=terms_id)
        with api_errors():
            payment_terms_delete(org=self.org, actor=self.membership.user, terms=terms)
        return Response(status=status.HTTP_204_NO_CONTENT)

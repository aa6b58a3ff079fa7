"""Credit notes in the API: ``/api/v1/invoices/<id>/credit-notes/`` (list and create) and
``/api/v1/credit-notes/`` (every credit note, and one)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.models import Organization
from invoicing.api import OptionsMetadata
from invoicing.credit_services import credit_note_create
from invoicing.invoice_api_output import CreditNoteOutput
from invoicing.invoice_api_pagination import CreditNotePagination
from invoicing.invoice_selectors import credit_note_get, invoice_get
from invoicing.invoice_serializers import (
    CreditNoteInputSerializer,
    api_errors,
    validated,
)
from invoicing.models import CreditNote


def _credit_notes(org: Organization) -> QuerySet[CreditNote]:
    return CreditNote.objects.for_org(org).select_related("invoice", "customer")


class CreditNoteApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = CreditNoteOutput
    pagination_class = CreditNotePagination


class CreditNoteFilters(serializers.Serializer):
    customer = serializers.IntegerField(required=False, help_text="A customer's id")
    invoice = serializers.IntegerField(required=False, help_text="An invoice's id")


@extend_schema(tags=["credit notes"])
class InvoiceCreditNoteListCreateApi(CreditNoteApiView):
    """GET an invoice's credit notes; POST credits part or all of it."""

    @extend_schema(
        operation_id="invoices_credit_notes_list",
        summary="An invoice's credit notes",
        description="Newest first.",
        responses=CreditNoteOutput(many=True),
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        page = self.paginate_queryset(_credit_notes(self.org).filter(invoice=invoice))
        return self.get_paginated_response(CreditNoteOutput(page, many=True).data)

    @extend_schema(
        operation_id="invoices_credit_notes_create",
        summary="Credit an invoice",
        description="Takes `amount` (tax included; left out, all that is left to credit) off "
        "an issued invoice, with its own number. What the balance cannot absorb (the invoice "
        "was paid) becomes the customer's credit. Errors are 400 by field: `amount` beyond "
        "what is left or with more decimals than the currency has, `reason` missing, "
        "`invoice` not creditable (a draft, void or written off). Amounts are decimal "
        'strings ("25.00"); a JSON number is taken only when exact.',
        request=CreditNoteInputSerializer,
        responses={201: CreditNoteOutput},
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        attrs = validated(CreditNoteInputSerializer(data=request.data))
        with api_errors():
            note = credit_note_create(
                org=self.org,
                actor=self.membership.user,
                invoice=invoice,
                amount=attrs.get("amount"),
                reason=attrs["reason"],
            )
        created = _credit_notes(self.org).get(pk=note.pk)
        return Response(CreditNoteOutput(created).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["credit notes"])
class CreditNoteListApi(CreditNoteApiView):
    @extend_schema(
        operation_id="credit_notes_list",
        summary="List credit notes",
        description="Newest first; filter by `customer` or `invoice`.",
        parameters=[CreditNoteFilters],
        responses=CreditNoteOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = validated(CreditNoteFilters(data=request.query_params))
        notes = _credit_notes(self.org)
        if "customer" in filters:
            notes = notes.filter(customer_id=filters["customer"])
        if "invoice" in filters:
            notes = notes.filter(invoice_id=filters["invoice"])
        page = self.paginate_queryset(notes)
        return self.get_paginated_response(CreditNoteOutput(page, many=True).data)


@extend_schema(tags=["credit notes"])
class CreditNoteDetailApi(CreditNoteApiView):
    @extend_schema(operation_id="credit_notes_retrieve", summary="One credit note")
    def get(self, request: Request, credit_note_id: int) -> Response:
        note = credit_note_get(org=self.org, credit_note_id=credit_note_id)
        return Response(CreditNoteOutput(note).data)

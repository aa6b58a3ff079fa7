"""``GET /api/v1/invoices/<id>/pdf/`` and ``/api/v1/credit-notes/<id>/pdf/``: the same PDFs
the dashboard and the customer get, for an accountant's script or an integration."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request

from arhub.api import OrgApiMixin
from invoicing.invoice_selectors import credit_note_get, invoice_get
from invoicing.pdf import (
    credit_note_pdf,
    credit_note_pdf_filename,
    invoice_pdf,
    invoice_pdf_filename,
)
from invoicing.pdf_views import pdf_response

PDF_RESPONSE = {200: OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf")}


@extend_schema(tags=["invoices"])
class InvoicePdfApi(OrgApiMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="invoices_pdf", summary="The invoice as a PDF", responses=PDF_RESPONSE
    )
    def get(self, request: Request, invoice_id: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        return pdf_response(
            invoice_pdf(org=self.org, invoice=invoice), filename=invoice_pdf_filename(invoice)
        )


@extend_schema(tags=["credit notes"])
class CreditNotePdfApi(OrgApiMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="credit_notes_pdf", summary="The credit note as a PDF", responses=PDF_RESPONSE
    )
    def get(self, request: Request, credit_note_id: int) -> HttpResponse:
        note = credit_note_get(org=self.org, credit_note_id=credit_note_id)
        return pdf_response(
            credit_note_pdf(org=self.org, credit_note=note), filename=credit_note_pdf_filename(note)
        )

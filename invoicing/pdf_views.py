"""Dashboard downloads of invoice and credit-note PDFs, and the inline preview.

Members who may view the organization's receivables may download; another organization's id
is a 404 like any id that does not exist. ``Cache-Control: private``: a shared cache must never
keep a tenant's invoice, while the member's own browser may.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views import View

from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.invoice_selectors import credit_note_get, invoice_get
from invoicing.pdf import (
    credit_note_pdf,
    credit_note_pdf_filename,
    invoice_pdf,
    invoice_pdf_filename,
)


def pdf_response(pdf: bytes, *, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    response["Content-Disposition"] = disposition or "attachment"
    # "no-cache": the browser asks again each time (the server's copy is cached by content),
    # so a PDF opened after a payment or a void is never the old one.
    response["Cache-Control"] = "private, no-cache"
    return response


class InvoicePdfView(OrgViewMixin, View):
    required_perm = Perm.VIEW
    inline = False

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=pk)
        return pdf_response(
            invoice_pdf(org=self.org, invoice=invoice),
            filename=invoice_pdf_filename(invoice),
            inline=self.inline,
        )


class InvoicePdfPreviewView(InvoicePdfView):
    """The same PDF shown in the browser's viewer (the "Preview PDF" button)."""

    inline = True


class CreditNotePdfView(OrgViewMixin, View):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = credit_note_get(org=self.org, credit_note_id=pk)
        return pdf_response(
            credit_note_pdf(org=self.org, credit_note=note),
            filename=credit_note_pdf_filename(note),
        )

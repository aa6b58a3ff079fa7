"""Invoice and credit-note PDFs: the functions the views, sending and bulk downloads call.

The document is first rendered to HTML (cheap), and the PDF is looked up in the cache under a
hash of that HTML (``arhub.pdf.render_pdf_cached``): downloading the same invoice again costs
one template render, while anything printed on it changing (status, amounts, the logo, the
settings, the pay link) changes the HTML and so makes a new PDF.
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from arhub.models import Organization
from arhub.pdf import render_pdf_cached
from invoicing.models import CreditNote, Invoice
from invoicing.pdf_context import invoice_document
from invoicing.pdf_credit_note import credit_note_document

INVOICE_TEMPLATE = "invoicing/pdf/invoice.html"
CREDIT_NOTE_TEMPLATE = "invoicing/pdf/credit_note.html"

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def invoice_pdf_html(*, org: Organization, invoice: Invoice) -> str:
    """The self-contained HTML the PDF is made from (styles inline, images as data: URLs)."""
    return render_to_string(INVOICE_TEMPLATE, {"doc": invoice_document(org=org, invoice=invoice)})


def invoice_pdf(*, org: Organization, invoice: Invoice) -> bytes:
    return render_pdf_cached(invoice_pdf_html(org=org, invoice=invoice))


def credit_note_pdf_html(*, org: Organization, credit_note: CreditNote) -> str:
    document = credit_note_document(org=org, note=credit_note)
    return render_to_string(CREDIT_NOTE_TEMPLATE, {"doc": document})


def credit_note_pdf(*, org: Organization, credit_note: CreditNote) -> bytes:
    return render_pdf_cached(credit_note_pdf_html(org=org, credit_note=credit_note))


def _filename(*parts: str) -> str:
    # Numbers follow the owner's prefix, which may hold anything ("INV/2027 #"): keep a name
    # every mail client and file system takes.
    stem = _UNSAFE_IN_FILENAME.sub("-", "-".join(parts)).strip("-.")
    return f"{stem}.pdf"


def invoice_pdf_filename(invoice: Invoice) -> str:
    if invoice.number:
        return _filename("invoice", invoice.number)
    return _filename("draft-invoice", str(invoice.pk))


def credit_note_pdf_filename(note: CreditNote) -> str:
    return _filename("credit-note", note.number)

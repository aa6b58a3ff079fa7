"""The customer's statement as a PDF: the organization's brand, the customer, the as-of date,
every open invoice with its aging, the total due per currency and the recent payments.

Drawn in the invoice PDF's frame (``invoicing/pdf/_document.html``: page set-up, masthead,
footer) with ``arhub.pdf``'s restricted fetcher, and cached by content like the invoice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string

from arhub.models import Organization
from arhub.pdf import render_pdf_cached
from invoicing.addresses import billing_address_lines
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import Customer
from invoicing.pdf_context import Brand, Party, brand_for, formatter_for, org_party, page_size
from invoicing.pdf_labels import labels_for
from payments.statement_summary import RECENT_IN_PDF, Statement, statement_build

TEMPLATE = "payments/pdf/statement.html"

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StatementDocument:
    """What the PDF frame reads (``doc.*``), and the statement itself."""

    labels: dict[str, str]
    language: str
    brand: Brand
    seller: Party
    buyer: Party
    page_size: str
    title: str
    footer: str
    as_of: str
    statement: Statement


def statement_document(*, org: Organization, customer: Customer, today: date) -> StatementDocument:
    statement = statement_build(org=org, customer=customer, today=today, history=RECENT_IN_PDF)
    labels = labels_for(customer.language)
    settings = invoice_settings_get(org=org)
    fmt = formatter_for(org, customer.currency or org.default_currency)
    buyer_lines = [customer.company] if customer.company not in ("", customer.display_name) else []
    buyer_lines += billing_address_lines(customer, locale=fmt.locale)
    return StatementDocument(
        labels=labels,
        language=customer.language,
        brand=brand_for(org),
        seller=org_party(org, fmt, labels),
        buyer=Party(name=customer.display_name, lines=buyer_lines),
        page_size=page_size(settings.paper_size),
        title=statement.words["statement"],
        footer=settings.footer,
        as_of=statement.words["as_of"].format(date=statement.as_of),
        statement=statement,
    )


def statement_pdf_html(*, org: Organization, customer: Customer, today: date) -> str:
    document = statement_document(org=org, customer=customer, today=today)
    return render_to_string(TEMPLATE, {"doc": document, "words": document.statement.words})


def statement_pdf_bytes(*, org: Organization, customer: Customer, today: date) -> bytes:
    return render_pdf_cached(statement_pdf_html(org=org, customer=customer, today=today))


def statement_pdf_filename(customer: Customer, today: date) -> str:
    name = _UNSAFE_IN_FILENAME.sub("-", customer.display_name).strip("-.")[:60] or "customer"
    return f"statement-{name}-{today.isoformat()}.pdf"

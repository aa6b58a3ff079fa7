"""What a credit note's PDF shows: the credit, the invoice it is for, the reason, the tax in it,
and how much was taken off the invoice versus kept as credit for the customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arhub.models import Organization
from invoicing.bill_to import bill_to_of
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import CreditNote
from invoicing.pdf_context import (
    Brand,
    Party,
    TotalRow,
    brand_for,
    customer_party,
    formatter_for,
    org_party,
    page_size,
)
from invoicing.pdf_labels import labels_for


@dataclass(frozen=True)
class CreditNoteDocument:
    note: CreditNote
    labels: dict[str, str]
    language: str
    brand: Brand
    seller: Party
    buyer: Party
    page_size: str  # the CSS @page size
    title: str
    meta: list[tuple[str, str]]
    reason: str
    totals: list[TotalRow]
    total: str
    applied: str
    kept: str
    footer: str


def credit_note_document(*, org: Organization, note: CreditNote) -> CreditNoteDocument:
    customer = note.customer
    language = customer.language
    labels = labels_for(language)
    settings = invoice_settings_get(org=org)
    fmt = formatter_for(org, note.currency)
    invoice = note.invoice
    meta = [
        (labels["date"], fmt.date(note.issue_date)),
        (labels["credits_invoice"], invoice.number),
    ]
    if invoice.issue_date:
        meta.append((labels["invoice_date"], fmt.date(invoice.issue_date)))
    totals = [TotalRow(labels["credit_before_tax"], fmt.money(note.amount - note.tax_amount))]
    for tax in note.tax_breakdown:
        label = f"{tax['name']} ({fmt.percent(Decimal(tax['percent']))})"
        totals.append(TotalRow(label, fmt.money(Decimal(tax["amount"]))))
    totals.append(TotalRow(labels["total_credit"], fmt.money(note.amount), emphasis=True))
    return CreditNoteDocument(
        note=note,
        labels=labels,
        language=language,
        brand=brand_for(org),
        seller=org_party(org, fmt, labels),
        # The party the corrected invoice was issued to, as it was then.
        buyer=customer_party(bill_to_of(note.invoice), labels, fmt.locale),
        page_size=page_size(settings.paper_size),
        title=labels["credit_note"],
        meta=meta,
        reason=note.reason,
        totals=totals,
        total=fmt.money(note.amount),
        applied=fmt.money(note.applied_amount) if note.applied_amount else "",
        kept=fmt.money(note.credit_amount) if note.credit_amount else "",
        footer=settings.footer,
    )

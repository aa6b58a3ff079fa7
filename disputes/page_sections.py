"""What disputes adds to the invoice page, through ``invoicing.page_sections`` (invoicing may
not import disputes): the invoice's disputes with their state, in one query."""

from __future__ import annotations

from arhub.models import Membership, Organization
from disputes.selectors import disputes_for_invoice
from invoicing.models import Invoice
from invoicing.page_sections import PageSection, invoice_section_register


def invoice_disputes_section(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> PageSection | None:
    if invoice.is_draft:
        return None
    disputes = disputes_for_invoice(org=org, invoice=invoice)
    if not disputes:
        return None
    return PageSection(
        template_name="disputes/_invoice_disputes.html",
        context={
            "rows": [{"dispute": dispute} for dispute in disputes],
            "active": any(dispute.is_active for dispute in disputes),
        },
    )


def register() -> None:
    invoice_section_register(name="disputes", provider=invoice_disputes_section)

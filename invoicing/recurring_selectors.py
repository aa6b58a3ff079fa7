"""Reads for recurring invoices: one template, the list, what it issued, and whether it can
issue its next invoice as it stands."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from arhub.models import Organization
from invoicing.invoice_input import CleanLine, NotInOrganization, lines_validate
from invoicing.models import Invoice, RecurringInvoice
from invoicing.recurring_input import lines_from_json


def recurring_get(*, org: Organization, template_id: int) -> RecurringInvoice:
    """A template of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(
        RecurringInvoice.objects.for_org(org).select_related("customer", "payment_terms"),
        pk=template_id,
    )


def recurring_list(
    *, org: Organization, status: str | None = None, customer_id: int | None = None
) -> QuerySet[RecurringInvoice]:
    """Templates with their customer, unordered (the caller sorts and pages)."""
    templates = RecurringInvoice.objects.for_org(org).select_related("customer")
    if status:
        templates = templates.filter(status=status)
    if customer_id is not None:
        templates = templates.filter(customer_id=customer_id)
    return templates


def recurring_invoices(*, org: Organization, template: RecurringInvoice) -> QuerySet[Invoice]:
    """What the template issued, newest period first."""
    return (
        Invoice.objects.for_org(org).filter(recurring=template).order_by("-recurring_period", "-pk")
    )


def recurring_lines_checked(
    *, org: Organization, template: RecurringInvoice
) -> tuple[list[CleanLine], list[str]]:
    """The template's lines as the next invoice would get them, and what stops them (a tax
    rate retired or deleted since it was saved); the scheduler skips a template until that is
    fixed, so the page says so."""
    try:
        return lines_validate(org, lines_from_json(template.lines)), []
    except ValidationError as exc:
        return [], exc.messages
    except NotInOrganization as exc:
        return [], [f"{exc.message} Edit the lines to choose another."]

"""Reads for invoices: one invoice, the filtered list, and the figures built on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from arhub.clock import org_today
from arhub.models import Organization
from invoicing.models import OUTSTANDING_STATUSES, CreditNote, Invoice, InvoiceStatus

# Filter values for the list's status: the stored statuses plus "overdue" (outstanding with a
# due date before the organization's today) and "outstanding" (open or partly paid).
OVERDUE = "overdue"
OUTSTANDING = "outstanding"
STATUS_FILTERS = (*InvoiceStatus.values, OVERDUE, OUTSTANDING)


def invoice_get(*, org: Organization, invoice_id: int) -> Invoice:
    """An invoice of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(Invoice.objects.for_org(org).select_related("customer"), pk=invoice_id)


def credit_note_get(*, org: Organization, credit_note_id: int) -> CreditNote:
    return get_object_or_404(
        CreditNote.objects.for_org(org).select_related("invoice", "customer"), pk=credit_note_id
    )


def overdue_q(*, org: Organization, today: date | None = None) -> Q:
    """Outstanding and past due in the organization's calendar (served by a partial index)."""
    return Q(status__in=OUTSTANDING_STATUSES, due_date__lt=today or org_today(org))


def invoice_list(
    *,
    org: Organization,
    status: str | None = None,
    customer_id: int | None = None,
    currency: str | None = None,
    search: str = "",
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> QuerySet[Invoice]:
    """Invoices of the organization with their customer, unordered (the caller sorts and
    pages). ``search`` matches the start of the number or PO number, or the customer's name."""
    invoices = Invoice.objects.for_org(org).select_related("customer")
    if status == OVERDUE:
        invoices = invoices.filter(overdue_q(org=org))
    elif status == OUTSTANDING:
        invoices = invoices.filter(status__in=OUTSTANDING_STATUSES)
    elif status:
        invoices = invoices.filter(status=status)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if currency:
        invoices = invoices.filter(currency=currency.upper())
    if issued_from is not None:
        invoices = invoices.filter(issue_date__gte=issued_from)
    if issued_to is not None:
        invoices = invoices.filter(issue_date__lte=issued_to)
    term = search.strip()
    if term:
        invoices = invoices.filter(
            Q(number__istartswith=term)
            | Q(po_number__istartswith=term)
            | Q(customer__display_name__icontains=term)
        )
    return invoices


@dataclass(frozen=True)
class CurrencyAmount:
    currency: str
    amount: Decimal


def customer_open_balance(*, org: Organization, customer_id: int) -> list[CurrencyAmount]:
    """What the customer owes, per currency (nothing is converted)."""
    rows = (
        Invoice.objects.for_org(org)
        .filter(customer_id=customer_id, status__in=OUTSTANDING_STATUSES)
        .values("currency")
        .annotate(amount=Sum("balance_due"))
        .order_by("currency")
    )
    return [CurrencyAmount(row["currency"], row["amount"]) for row in rows if row["amount"]]

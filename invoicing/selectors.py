"""Reads for customers: the directory, one customer, its invoices, credit and recurring
invoices, and its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from arhub.models import Message, Organization
from invoicing.invoice_selectors import CurrencyAmount, overdue_q
from invoicing.models import (
    OUTSTANDING_STATUSES,
    Contact,
    CreditNote,
    Customer,
    CustomerCredit,
    CustomerNote,
    Invoice,
    LineKind,
    RecurringInvoice,
    RecurringStatus,
    TaxRate,
)
from invoicing.search import search_query
from invoicing.totals import LineInput, TaxInput, TotalsError, invoice_totals

TAGS_CACHE_SECONDS = 600

SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Lower("display_name").asc(), "id"),
    "-name": (Lower("display_name").desc(), "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


def customer_list(
    *,
    org: Organization,
    search: str = "",
    tags: list[str] | None = None,
    sort: str = "name",
    has_overdue: bool | None = None,
) -> QuerySet[Customer]:
    """The directory, with each customer's primary contact's email and phone and its open
    balance in its own currency annotated, so a page is one query whatever its size.

    ``has_overdue`` keeps customers with (True) or without (False) an invoice that is
    outstanding and past due in the organization's calendar."""
    primary = Contact.objects.filter(customer=OuterRef("pk"), is_primary=True)
    owed = (
        Invoice.objects.for_org(org)
        .filter(
            customer=OuterRef("pk"),
            currency=OuterRef("currency"),
            status__in=OUTSTANDING_STATUSES,
        )
        .order_by()
        .values("customer")
        .annotate(total=Sum("balance_due"))
        .values("total")
    )
    customers = Customer.objects.for_org(org).annotate(
        primary_email=Subquery(primary.values("email")[:1]),
        primary_phone=Subquery(primary.values("phone")[:1]),
        primary_name=Subquery(primary.values("name")[:1]),
        open_balance=Coalesce(
            Subquery(owed, output_field=DecimalField(max_digits=18, decimal_places=3)),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=18, decimal_places=3),
        ),
    )
    query = search_query(search) if search else None
    if query is not None:
        customers = customers.filter(search_vector=query)
    if tags:
        customers = customers.filter(tags__contains=[t.strip().lower() for t in tags])
    if has_overdue is not None:
        # Read from the partial index of outstanding invoices by due date.
        overdue = Exists(
            Invoice.objects.for_org(org).filter(overdue_q(org=org), customer=OuterRef("pk"))
        )
        customers = customers.filter(overdue if has_overdue else ~overdue)
    return customers.order_by(*SORTS.get(sort, SORTS["name"]))


def customer_get(*, org: Organization, customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.for_org(org), pk=customer_id)


def contact_list(*, org: Organization, customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.for_org(org).filter(customer=customer).order_by("-is_primary", "pk")


def customer_tags_cache_key(org_id: int) -> str:
    return f"invoicing:customer-tags:{org_id}"


def customer_tags(*, org: Organization) -> list[str]:
    """Every tag in use in the organization, for the filter. Collecting them reads every
    customer row (tens of milliseconds at 50,000), so the list is cached and dropped by the
    services that change tags."""

    def collect() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT unnest(tags) AS tag FROM invoicing_customer"
                " WHERE organization_id = %s ORDER BY tag",
                [org.pk],
            )
            return [row[0] for row in cursor.fetchall()]

    tags = cache.get_or_set(customer_tags_cache_key(org.pk), collect, TAGS_CACHE_SECONDS)
    return list(tags or [])


# --------------------------------------------------------------------------------------------
# The customer page: invoices, credit and recurring invoices


def customer_invoices_recent(
    *, org: Organization, customer: Customer, limit: int = 10
) -> list[Invoice]:
    """The customer's latest invoices, drafts included, newest first."""
    return list(
        Invoice.objects.for_org(org)
        .filter(customer=customer)
        .order_by("-created_at", "-id")[:limit]
    )


def customer_credit_balance(*, org: Organization, customer_id: int) -> list[CurrencyAmount]:
    """The customer's unused credit per currency: the sum of its credit movements."""
    rows = (
        CustomerCredit.objects.for_org(org)
        .filter(customer_id=customer_id)
        .values("currency")
        .annotate(amount=Sum("amount"))
        .order_by("currency")
    )
    return [CurrencyAmount(row["currency"], row["amount"]) for row in rows if row["amount"]]


def customer_overdue_balance(*, org: Organization, customer_id: int) -> list[CurrencyAmount]:
    """What the customer owes past its due date, per currency, in the organization's
    calendar."""
    rows = (
        Invoice.objects.for_org(org)
        .filter(overdue_q(org=org), customer_id=customer_id)
        .values("currency")
        .annotate(amount=Sum("balance_due"))
        .order_by("currency")
    )
    return [CurrencyAmount(row["currency"], row["amount"]) for row in rows if row["amount"]]


@dataclass(frozen=True)
class UpcomingRecurring:
    recurring: RecurringInvoice
    next_date: date | None
    # What the next invoice comes to at today's rates; None when a line cannot be read.
    estimate: Decimal | None


def _recurring_estimate(recurring: RecurringInvoice, rates: dict[int, TaxRate]) -> Decimal | None:
    try:
        lines = [
            LineInput(
                quantity=Decimal(str(line["quantity"])),
                unit_price=Decimal(str(line["unit_price"])),
                discount_percent=Decimal(str(line.get("discount_percent") or 0)),
                taxes=tuple(
                    TaxInput(key=rate_id, name=rates[rate_id].name, percent=rates[rate_id].percent)
                    for rate_id in line.get("tax_rate_ids") or []
                ),
                discountable=line.get("kind", LineKind.ITEM) == LineKind.ITEM,
            )
            for line in recurring.lines
        ]
        return invoice_totals(lines, currency=recurring.currency).total
    except (KeyError, TypeError, ValueError, InvalidOperation, TotalsError, AttributeError):
        # Lines are checked again when the invoice is made; here an estimate is only shown.
        return None


def customer_recurring_upcoming(
    *, org: Organization, customer: Customer
) -> list[UpcomingRecurring]:
    """The customer's active recurring invoices, soonest first, each with an estimate of the
    next invoice's total (two queries, however many)."""
    templates = list(
        RecurringInvoice.objects.for_org(org)
        .filter(customer=customer, status=RecurringStatus.ACTIVE)
        .order_by("next_date", "pk")
    )
    ids = {
        rate_id
        for recurring in templates
        for line in (recurring.lines if isinstance(recurring.lines, list) else [])
        if isinstance(line, dict)
        for rate_id in line.get("tax_rate_ids") or []
        if isinstance(rate_id, int)
    }
    rates = TaxRate.objects.for_org(org).in_bulk(ids) if ids else {}
    return [
        UpcomingRecurring(recurring, recurring.next_date, _recurring_estimate(recurring, rates))
        for recurring in templates
    ]


# --------------------------------------------------------------------------------------------
# The timeline


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    # "message", "note", "invoice" (issued) or "credit_note"; later issues add payments,
    # plans and disputes
    kind: str
    item: Any


def customer_timeline(
    *, org: Organization, customer: Customer, limit: int = 100
) -> list[TimelineEntry]:
    """Everything that happened with a customer, newest first."""
    messages = Message.objects.for_org(org).filter(customer=customer).order_by("-created_at")
    notes = (
        CustomerNote.objects.for_org(org)
        .filter(customer=customer)
        .select_related("author")
        .order_by("-created_at")
    )
    issued = (
        Invoice.objects.for_org(org)
        .filter(customer=customer, issued_at__isnull=False)
        .order_by("-issued_at")
    )
    credit_notes = (
        CreditNote.objects.for_org(org)
        .filter(customer=customer)
        .select_related("invoice")
        .order_by("-created_at")
    )
    entries = [TimelineEntry(m.created_at, "message", m) for m in messages[:limit]]
    entries += [TimelineEntry(n.created_at, "note", n) for n in notes[:limit]]
    entries += [TimelineEntry(i.issued_at, "invoice", i) for i in issued[:limit] if i.issued_at]
    entries += [TimelineEntry(c.created_at, "credit_note", c) for c in credit_notes[:limit]]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]

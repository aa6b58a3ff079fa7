"""Reads for customers: the directory, one customer, and its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from arhub.models import Message, Organization
from invoicing.models import Contact, Customer, CustomerNote
from invoicing.search import search_query

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
) -> QuerySet[Customer]:
    """The directory, with each customer's primary contact's email and phone annotated, so a
    page is one query whatever its size. ``has overdue`` filtering arrives with invoices."""
    primary = Contact.objects.filter(customer=OuterRef("pk"), is_primary=True)
    customers = Customer.objects.for_org(org).annotate(
        primary_email=Subquery(primary.values("email")[:1]),
        primary_phone=Subquery(primary.values("phone")[:1]),
        primary_name=Subquery(primary.values("name")[:1]),
    )
    query = search_query(search) if search else None
    if query is not None:
        customers = customers.filter(search_vector=query)
    if tags:
        customers = customers.filter(tags__contains=[t.strip().lower() for t in tags])
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


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "message" or "note"; later issues add invoices, payments, plans, disputes
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
    entries = [TimelineEntry(m.created_at, "message", m) for m in messages[:limit]]
    entries += [TimelineEntry(n.created_at, "note", n) for n in notes[:limit]]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]

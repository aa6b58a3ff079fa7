"""The invoice list of the dashboard: filters, sort orders, pages by cursor, outstanding totals
per currency, and the form around the table for bulk actions (handled in
``invoicing.invoice_list_bulk``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views import View

from arhub.clock import org_today
from arhub.models import Organization
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.bulk_services import MAX_ZIP_INVOICES
from invoicing.invoice_list_forms import (
    SORT_CHOICES,
    STATUS_CHOICES,
    BulkActionForm,
    InvoiceFilterForm,
    InvoiceFilters,
)
from invoicing.invoice_list_rows import invoice_page, invoice_rows, outstanding_totals
from invoicing.invoice_selectors import invoice_list
from invoicing.models import Customer, Invoice, InvoiceStatus
from invoicing.selectors import customer_get

# The currency filter's choices come from a scan of every invoice (tens of milliseconds at
# 100,000), so they are cached briefly. A currency used for the first time joins the filter
# within that time; its outstanding total shows at once, since the totals are never cached.
CURRENCIES_CACHE_SECONDS = 300


def invoice_currencies(*, org: Organization) -> list[str]:
    """The currencies the organization has invoiced in, for the currency filter."""

    def read() -> list[str]:
        return list(
            Invoice.objects.for_org(org)
            .order_by("currency")
            .values_list("currency", flat=True)
            .distinct()
        )

    return list(
        cache.get_or_set(f"invoice-currencies:{org.pk}", read, CURRENCIES_CACHE_SECONDS) or []
    )


def filtered_invoices(*, org: Organization, filters: InvoiceFilters) -> QuerySet[Invoice]:
    return invoice_list(
        org=org,
        status=filters.status or None,
        customer_id=filters.customer_id,
        currency=filters.currency or None,
        search=filters.search,
        issued_from=filters.issued_from,
        issued_to=filters.issued_to,
    )


def read_filters(
    org: Organization, data: QueryDict
) -> tuple[InvoiceFilterForm, InvoiceFilters, Customer | None]:
    """The list's filter form bound to ``data`` (a QueryDict), the filters it holds, and the
    customer it is narrowed to. A customer id that is not this organization's is a 404."""
    form = InvoiceFilterForm(data or None, currencies=invoice_currencies(org=org))
    filters = form.filters()
    customer = (
        customer_get(org=org, customer_id=filters.customer_id)
        if filters.customer_id is not None
        else None
    )
    return form, filters, customer


def _describe(filters: InvoiceFilters, customer: Customer | None) -> str:
    """The filters in words, for the table's caption and the "nothing matches" line."""
    parts: list[str] = []
    if filters.status:
        parts.append(dict(STATUS_CHOICES)[filters.status].lower())
    if customer is not None:
        parts.append(f"for {customer.display_name}")
    if filters.currency:
        parts.append(f"in {filters.currency}")
    if filters.search:
        parts.append(f"matching “{filters.search}”")
    if filters.issued_from and filters.issued_to:
        parts.append(f"issued {filters.issued_from:%-d %b %Y} to {filters.issued_to:%-d %b %Y}")
    elif filters.issued_from:
        parts.append(f"issued on or after {filters.issued_from:%-d %b %Y}")
    elif filters.issued_to:
        parts.append(f"issued on or before {filters.issued_to:%-d %b %Y}")
    return " ".join(parts)


# Status filters that leave nothing outstanding: their totals need no query.
NEVER_OUTSTANDING = frozenset(
    {InvoiceStatus.DRAFT, InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE}
)


def _cursor(after: str | None, before: str | None) -> dict[str, str]:
    if after:
        return {"after": after}
    return {"before": before} if before else {}


class InvoiceListView(OrgViewMixin, View):
    required_perm = Perm.VIEW
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        org = self.org
        form, filters, customer = read_filters(org, request.GET)
        invoices = filtered_invoices(org=org, filters=filters)
        after, before = request.GET.get("after"), request.GET.get("before")
        page = invoice_page(
            invoices,
            sort=filters.sort,
            after=after,
            before=before,
            size=self.page_size,
        )
        today = org_today(org)
        kept = filters.query()
        paging = bool(after or before)
        nothing_at_all = not page.rows and not filters.filtering and not paging
        without_customer = {k: v for k, v in kept.items() if k != "customer"}
        return render(
            request,
            "invoicing/invoice_list.html",
            {
                "filters": form,
                "applied": filters,
                "customer": customer,
                "rows": invoice_rows(page.rows, today=today, locale=org.locale),
                "totals": []
                if nothing_at_all or filters.status in NEVER_OUTSTANDING
                else outstanding_totals(
                    invoices,
                    org=org,
                    today=today,
                    locale=org.locale,
                ),
                "description": _describe(filters, customer),
                "sort_label": dict(SORT_CHOICES)[filters.sort].lower(),
                "next_url": "?" + urlencode({**kept, "after": page.next_cursor})
                if page.next_cursor
                else None,
                "previous_url": "?" + urlencode({**kept, "before": page.previous_cursor})
                if page.previous_cursor
                else None,
                "query": urlencode(kept),
                "without_customer_url": "?" + urlencode(without_customer)
                if without_customer
                else request.path,
                "nothing_at_all": nothing_at_all,
                "bulk": BulkActionForm(
                    # Back to this very page after an action (its cursor stays valid).
                    initial={"back": urlencode({**kept, **_cursor(after, before)})},
                    operate=membership_allows(self.membership, Perm.OPERATE),
                    export=membership_allows(self.membership, Perm.EXPORT),
                ),
                "max_zip": MAX_ZIP_INVOICES,
            },
        )

"""The payments list of the dashboard: filters, pages by cursor, and what was received per
currency. A fixed number of queries whatever the page: the page's rows with their customers, the
totals, and the customer the list is narrowed to."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.models import Customer
from invoicing.selectors import customer_get
from payments.payment_list_forms import (
    METHOD_CHOICES,
    STATUS_CHOICES,
    PaymentFilterForm,
    PaymentFilters,
)
from payments.payment_list_rows import (
    filtered_payments,
    payment_page,
    payment_rows,
    received_totals,
)
from payments.stripe_review_selectors import stripe_review_waiting


def describe(filters: PaymentFilters, customer: Customer | None) -> str:
    """The filters in words, for the table's caption and the "nothing matches" line."""
    parts: list[str] = []
    if filters.status:
        parts.append(f"({dict(STATUS_CHOICES)[filters.status].lower()})")
    if filters.method:
        parts.append(f"by {dict(METHOD_CHOICES)[filters.method].lower()}")
    if customer is not None:
        parts.append(f"from {customer.display_name}")
    if filters.search:
        parts.append(f"with a reference matching “{filters.search}”")
    start, end = filters.received_from, filters.received_to
    if start and end:
        parts.append(f"received {start:%-d %b %Y} to {end:%-d %b %Y}")
    elif start:
        parts.append(f"received on or after {start:%-d %b %Y}")
    elif end:
        parts.append(f"received on or before {end:%-d %b %Y}")
    return " ".join(parts)


class PaymentListView(OrgViewMixin, View):
    required_perm = Perm.VIEW
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        org = self.org
        form = PaymentFilterForm(request.GET or None)
        filters = form.filters()
        customer = (
            customer_get(org=org, customer_id=filters.customer_id)
            if filters.customer_id is not None
            else None
        )
        payments = filtered_payments(org=org, filters=filters)
        after, before = request.GET.get("after"), request.GET.get("before")
        page = payment_page(payments, after=after, before=before, size=self.page_size)
        kept = filters.query()
        paging = bool(after or before)
        nothing_at_all = not page.rows and not filters.filtering and not paging
        without_customer = {k: v for k, v in kept.items() if k != "customer"}
        return render(
            request,
            "payments/payment_list.html",
            {
                "filters": form,
                "applied": filters,
                "customer": customer,
                "rows": payment_rows(page.rows, locale=org.locale),
                "totals": [] if nothing_at_all else received_totals(payments, locale=org.locale),
                "description": describe(filters, customer),
                "next_url": "?" + urlencode({**kept, "after": page.next_cursor})
                if page.next_cursor
                else None,
                "previous_url": "?" + urlencode({**kept, "before": page.previous_cursor})
                if page.previous_cursor
                else None,
                "without_customer_url": "?" + urlencode(without_customer)
                if without_customer
                else request.path,
                "nothing_at_all": nothing_at_all,
                "to_review": stripe_review_waiting(org=org),
            },
        )

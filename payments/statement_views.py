"""The customer's statement portal (``/statement/<token>/``): public, the token is the
credential. This first version lists what is open; the full portal replaces it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from invoicing.models import OUTSTANDING_STATUSES, Invoice
from payments.statement_links import statement_link_resolve


@require_safe
def statement_page(request: HttpRequest, token: str) -> HttpResponse:
    link = statement_link_resolve(token)
    if link is None:
        response = render(request, "payments/pay_invalid.html", {"org": None}, status=404)
    else:
        invoices = (
            Invoice.objects.for_org(link.organization)
            .filter(customer=link.customer, status__in=OUTSTANDING_STATUSES)
            .order_by("due_date", "pk")
        )
        context = {"org": link.organization, "customer": link.customer, "invoices": invoices}
        response = render(request, "payments/statement_page.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response

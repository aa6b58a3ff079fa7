"""Where Stripe's hosted Checkout sends the customer back: after paying, or when they step back.

The return is never taken as proof of payment (only the signed webhook is); it only brings the
customer back to where they were. When this browser's pay session covers the checkout (the
invoice's page, or the customer's statement, it was started from), the customer goes back to
that page with a notice ("your payment is being confirmed" / "no payment was made"). Anyone
else gets a neutral page that names nothing: the checkout id in the URL is not a credential.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from payments.models import CheckoutSession
from payments.pay_responses import private
from payments.pay_sessions import GrantKind, PayGrant, grant_notice_set, grants_live

CONFIRMING, CANCELLED = "confirming", "cancelled"


def _covering_grant(request: HttpRequest, pk: int) -> PayGrant | None:
    """The live grant of this browser that the checkout was for. The checkout is looked up only
    among the organizations this browser holds a grant for."""
    grants = grants_live(request)
    if not grants:
        return None
    checkout = (
        CheckoutSession.objects.filter(pk=pk, organization_id__in={g.org for g in grants})
        .only("organization_id", "customer_id", "allocations")
        .first()
    )
    if checkout is None:
        return None
    invoices = {
        int(entry["invoice"])
        for entry in checkout.allocations
        if isinstance(entry, dict) and str(entry.get("invoice", "")).isdigit()
    }
    for grant in grants:
        if grant.org != checkout.organization_id:
            continue
        if grant.kind == GrantKind.INVOICE and grant.subject in invoices:
            return grant
        if grant.kind == GrantKind.CUSTOMER and grant.subject == checkout.customer_id:
            return grant
    return None


def _back(request: HttpRequest, pk: int, notice: str) -> HttpResponse:
    grant = _covering_grant(request, pk)
    if grant is None:
        response = render(
            request, "payments/checkout_return.html", {"cancelled": notice == CANCELLED}
        )
        return private(response)
    grant_notice_set(request, grant, notice)
    name = "pay_view" if grant.kind == GrantKind.INVOICE else "statement_view"
    return private(redirect(name, key=grant.key))


@require_safe
def checkout_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _back(request, pk, CONFIRMING)


@require_safe
def checkout_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _back(request, pk, CANCELLED)

"""Where Stripe's hosted Checkout sends the customer back: after paying, or when they step back.

The return is never taken as proof of payment (only the signed webhook is); it only brings the
customer back to where they were.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def checkout_return(request: HttpRequest, pk: int) -> HttpResponse:
    response = render(request, "payments/checkout_return.html", {"cancelled": False})
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def checkout_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    response = render(request, "payments/checkout_return.html", {"cancelled": True})
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response

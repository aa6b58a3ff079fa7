"""The pay page a customer reaches from the link on an invoice (``/pay/<token>/``), and its PDF.

No login: the unguessable token is the credential, so it never leaves in a Referer and the page
is never kept in a shared cache. This is the small first version: the invoice at a glance, the
terms, how to pay and the PDF. Card payment, sessions and rate limits come with the full pay
page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from arhub.link_tokens import link_token_plausible
from arhub.models import Organization
from arhub.secret_tokens import hash_secret
from invoicing.models import Invoice, InvoiceStatus, PayLink
from invoicing.pay_links import TOKEN_PREFIX, pay_link_resolve
from invoicing.pdf import invoice_pdf, invoice_pdf_filename
from invoicing.pdf_context import invoice_document
from invoicing.pdf_views import pdf_response

# An invoice in these states has nothing to pay through its link.
DEAD_STATUSES = (InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE)


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _live_invoice(token: str) -> tuple[Organization, Invoice] | None:
    link = pay_link_resolve(token)
    if link is None or link.invoice.status in DEAD_STATUSES:
        return None
    return link.organization, link.invoice


def _org_of_dead_link(token: str) -> Organization | None:
    """The business a revoked link belonged to, so the customer knows whom to ask. A token we
    never issued names nobody."""
    if not link_token_plausible(token, prefix=TOKEN_PREFIX):
        return None
    link = (
        PayLink.objects.select_related("organization").filter(token_hash=hash_secret(token)).first()
    )
    return link.organization if link is not None else None


def _invalid(request: HttpRequest, token: str) -> HttpResponse:
    context = {"org": _org_of_dead_link(token)}
    return _private(render(request, "payments/pay_invalid.html", context, status=404))


@require_safe
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    found = _live_invoice(token)
    if found is None:
        return _invalid(request, token)
    org, invoice = found
    context = {
        "org": org,
        "doc": invoice_document(org=org, invoice=invoice),
        "is_paid": invoice.status == InvoiceStatus.PAID,
        "token": token,
    }
    return _private(render(request, "payments/pay_page.html", context))


@require_safe
def pay_page_pdf(request: HttpRequest, token: str) -> HttpResponse:
    found = _live_invoice(token)
    if found is None:
        return _invalid(request, token)
    org, invoice = found
    pdf = invoice_pdf(org=org, invoice=invoice)
    return _private(pdf_response(pdf, filename=invoice_pdf_filename(invoice)))

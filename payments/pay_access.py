"""From a link to a page: trading a pay or statement token for a grant in the visitor's session
(``payments.pay_sessions``), and finding what a grant opens on each later request.

Every request checks again that the link is not revoked and the invoice still payable, so a
revoked link or a voided invoice closes pages already open. Lookups are made inside the grant's
organization; a grant for one invoice never opens another, whatever the URL says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from arhub.link_tokens import link_token_plausible
from arhub.models import Organization
from arhub.secret_tokens import hash_secret
from invoicing.models import Customer, Invoice, InvoiceStatus, PayLink
from invoicing.pay_links import TOKEN_PREFIX as PAY_PREFIX
from invoicing.pay_links import pay_link_resolve
from payments.models import StatementLink
from payments.pay_responses import invalid_page, link_rate_limited, private, timed_out_page
from payments.pay_sessions import GrantKind, PayGrant, grant_find, grant_open, grant_use
from payments.statement_links import TOKEN_PREFIX as STATEMENT_PREFIX
from payments.statement_links import statement_link_resolve

# An invoice in these states has nothing to show or pay through its link.
DEAD_STATUSES = (InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE)


@dataclass(frozen=True)
class InvoiceAccess:
    grant: PayGrant
    org: Organization
    invoice: Invoice
    # The one-time notice waiting for this page ("confirming", "cancelled"), if any.
    notice: str


@dataclass(frozen=True)
class CustomerAccess:
    grant: PayGrant
    org: Organization
    customer: Customer
    notice: str


def _dead_pay_link(token: str) -> PayLink | None:
    """The link a token names when it no longer opens anything (revoked, or its invoice is not
    payable), so the page can name whom to ask. A token we never issued finds nothing."""
    if not link_token_plausible(token, prefix=PAY_PREFIX):
        return None
    return (
        PayLink.objects.select_related("organization", "invoice__customer")
        .filter(token_hash=hash_secret(token))
        .first()
    )


def pay_link_exchange(request: HttpRequest, token: str) -> HttpResponse:
    """``/pay/<token>/``: a grant for the invoice and a redirect to an address without the
    token; or the plain "no longer valid" page."""
    limited = link_rate_limited(request)
    if limited is not None:
        return limited
    link = pay_link_resolve(token)
    if link is None or link.invoice.status in DEAD_STATUSES:
        dead = _dead_pay_link(token)
        if dead is None:
            return invalid_page(request, org=None)
        return invalid_page(request, org=dead.organization, language=dead.invoice.customer.language)
    invoice = Invoice.objects.select_related("customer").get(pk=link.invoice_id)
    grant = grant_open(
        request,
        kind=GrantKind.INVOICE,
        org=link.organization_id,
        subject=invoice.pk,
        link=link.pk,
        language=invoice.customer.language,
    )
    return private(redirect("pay_view", key=grant.key))


def statement_link_exchange(request: HttpRequest, token: str) -> HttpResponse:
    """``/statement/<token>/``: the same for a customer's statement."""
    limited = link_rate_limited(request)
    if limited is not None:
        return limited
    link = statement_link_resolve(token)
    if link is None:
        dead = None
        if link_token_plausible(token, prefix=STATEMENT_PREFIX):
            dead = (
                StatementLink.objects.select_related("organization", "customer")
                .filter(token_hash=hash_secret(token))
                .first()
            )
        if dead is None:
            return invalid_page(request, org=None)
        return invalid_page(request, org=dead.organization, language=dead.customer.language)
    grant = grant_open(
        request,
        kind=GrantKind.CUSTOMER,
        org=link.organization_id,
        subject=link.customer_id,
        link=link.pk,
        language=link.customer.language,
    )
    return private(redirect("statement_view", key=grant.key))


def _grant(request: HttpRequest, key: str, kind: str) -> PayGrant | HttpResponse:
    grant = grant_find(request, key, kind=kind)
    if grant is None:
        return timed_out_page(request)
    if grant.expired:
        return timed_out_page(request, language=grant.language)
    return grant


def invoice_access(request: HttpRequest, key: str) -> InvoiceAccess | HttpResponse:
    """What ``/pay/v/<key>/`` opens in this browser, or the page to show instead."""
    grant = _grant(request, key, GrantKind.INVOICE)
    if isinstance(grant, HttpResponse):
        return grant
    org = Organization.objects.filter(pk=grant.org).first()
    invoice = None
    if org is not None:
        invoice = (
            Invoice.objects.for_org(org)
            .select_related("customer")
            .filter(pk=grant.subject)
            .exclude(status__in=DEAD_STATUSES)
            .first()
        )
        live = PayLink.objects.for_org(org).filter(pk=grant.link, revoked_at__isnull=True)
        if invoice is not None and not live.filter(invoice_id=invoice.pk).exists():
            invoice = None
    if org is None or invoice is None:
        return invalid_page(request, org=org, language=grant.language)
    notice = grant_use(request, grant)
    return InvoiceAccess(grant=grant, org=org, invoice=invoice, notice=notice)


def customer_access(request: HttpRequest, key: str) -> CustomerAccess | HttpResponse:
    """What ``/statement/v/<key>/`` opens in this browser, or the page to show instead."""
    grant = _grant(request, key, GrantKind.CUSTOMER)
    if isinstance(grant, HttpResponse):
        return grant
    org = Organization.objects.filter(pk=grant.org).first()
    link = None
    if org is not None:
        link = (
            StatementLink.objects.for_org(org)
            .select_related("customer")
            .filter(pk=grant.link, customer_id=grant.subject, revoked_at__isnull=True)
            .first()
        )
    if org is None or link is None:
        return invalid_page(request, org=org, language=grant.language)
    notice = grant_use(request, grant)
    return CustomerAccess(grant=grant, org=org, customer=link.customer, notice=notice)


def post_from_elsewhere(request: HttpRequest) -> bool:
    """A POST another site made this browser send. The pay pages take their forms' POSTs
    without Django's CSRF check: under ``Referrer-Policy: no-referrer`` browsers send
    ``Origin: null`` with every POST, which that check refuses. What stands in for it: the
    page's key in the URL is random and means something only in this browser's session (a
    forged form cannot know it), the session cookie is SameSite=Lax (not sent with another
    site's POST), and a browser that says where the request came from (Sec-Fetch-Site) is
    believed."""
    site = request.headers.get("Sec-Fetch-Site", "")
    return site not in ("", "same-origin")

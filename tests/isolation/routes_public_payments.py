"""Isolation sweep entries for the customer's public payment pages: Stripe Checkout's return
pages and the statement portal.

The return pages take a checkout id from the URL and must say nothing about it (the customer is
recognised by their pay session, never by the id). The statement portal is like the pay page:
its token is the credential, so B's real link opens B's statement, and anything else is a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.core import mail
from django.test import Client
from django.urls import reverse

from payments.models import CheckoutSession
from payments.statement_links import statement_link_active, statement_link_token
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    b_snapshot,
    check_b_untouched,
    check_hidden,
    request_as_a,
)


def new_checkout(tenant: Tenant) -> CheckoutSession:
    invoice = new_invoice(tenant)
    return CheckoutSession.objects.create(
        organization=tenant.org,
        customer=invoice.customer,
        allocations=[{"invoice": invoice.pk, "amount": str(invoice.balance_due)}],
        amount=invoice.balance_due or Decimal(1),
        currency=invoice.currency,
        idempotency_key=f"isolation-{tenant.org.pk}-{invoice.pk}-1",
    )


def sweep_statement_page(world: World, found: FoundRoute, route: Route) -> None:
    name = found.name or ""
    b_customer = new_invoice(world.b).customer
    b_token = statement_link_token(statement_link_active(org=world.b.org, customer=b_customer))
    a_customer = new_invoice(world.a).customer
    a_token = statement_link_token(statement_link_active(org=world.a.org, customer=a_customer))
    clients = [("anonymous", Client), ("A's owner", world.a.client)]

    for bad in (b_token[:-4] + "AAAA", b_token[:12], "s" + "A" * 22, "p" + b_token[1:]):
        url = reverse(name, args=[bad])
        for who, make_client in clients:
            response = request_as_a(world, make_client(), "GET", url, None, who)
            check_hidden(response, f"GET {url} as {who}")

    b_url = reverse(name, args=[b_token])
    for who, make_client in clients:
        before, outbox_from = b_snapshot(world), len(mail.outbox)
        response = make_client().get(b_url)
        assert response.status_code in (200, 302), f"GET {b_url} as {who}: {response.status_code}"
        check_b_untouched(world, before, outbox_from, f"GET {b_url} as {who}")

    a_url = reverse(name, args=[a_token])
    response = request_as_a(world, Client(), "GET", a_url, None, "anonymous (A's link)")
    assert response.status_code in (200, 302), f"control: GET {a_url}: {response.status_code}"


ROUTES: dict[str, Route] = {
    "checkout_return": Route("public", build=new_checkout),
    "checkout_cancel": Route("public", build=new_checkout),
    "statement_page": Route("custom", custom=sweep_statement_page),
}

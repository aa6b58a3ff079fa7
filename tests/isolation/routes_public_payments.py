"""Isolation sweep entries for the customer's public payment pages: Stripe Checkout's return
pages and the statement portal.

The return pages take a checkout id from the URL and must say nothing about it: the customer is
recognised by their pay session, never by the id, so B's checkout id in A's browser (even one
holding a pay session of A's own) gets the neutral page, while A's own checkout brings A's
browser back to A's page. The statement link is like the pay link: its token is the credential,
traded for a session, so B's real link opens B's statement, and anything else is a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.core import mail
from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from payments.models import CheckoutSession
from payments.statement_links import statement_link_active, statement_link_token
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.routes_pay_sessions import pay_key
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
        assert response.status_code == 302, f"GET {b_url} as {who}: {response.status_code}"
        assert b_token not in response["Location"]
        check_b_untouched(world, before, outbox_from, f"GET {b_url} as {who}")

    a_url = reverse(name, args=[a_token])
    response = request_as_a(world, Client(), "GET", a_url, None, "anonymous (A's link)")
    assert response.status_code == 302, f"control: GET {a_url}: {response.status_code}"


def sweep_checkout_back(world: World, found: FoundRoute, route: Route) -> None:
    name = found.name or ""
    b_checkout = new_checkout(world.b)
    a_checkout = new_checkout(world.a)
    for who, make_client in (("anonymous", Client), ("A's owner", world.a.client)):
        client = make_client()
        # A's browser holds a pay session for A's own invoice, and one for A's customer.
        a_invoice = Invoice.objects.get(pk=a_checkout.allocations[0]["invoice"])
        pay_key(client, world.a, a_invoice)
        for pk in (b_checkout.pk, 987654321):
            url = reverse(name, args=[pk])
            response = request_as_a(world, client, "GET", url, None, who)
            assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"
            assert "/pay/v/" not in response.content.decode()
        # Control: A's own checkout takes A's browser back to A's page.
        url = reverse(name, args=[a_checkout.pk])
        response = request_as_a(world, client, "GET", url, None, f"{who} (A's checkout)")
        assert response.status_code == 302, f"control: GET {url}: {response.status_code}"
        assert response["Location"].startswith("/pay/v/")


ROUTES: dict[str, Route] = {
    "checkout_return": Route("custom", custom=sweep_checkout_back),
    "checkout_cancel": Route("custom", custom=sweep_checkout_back),
    "statement_page": Route("custom", custom=sweep_statement_page),
}

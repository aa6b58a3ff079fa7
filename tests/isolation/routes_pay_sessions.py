"""Isolation sweep entries for the customer's pay session pages: ``/pay/v/<key>/`` (the pay
page, its PDF, the way to the statement) and ``/statement/v/<key>/`` (the statement portal,
its PDF, each invoice's PDF).

These pages have no login and no object id to scope by: the key in the URL means something only
in the browser session that traded a link's token for it (``payments.pay_sessions``). So the
checks are: B's key, taken from a browser that opened B's link, opens nothing in A's browser
(anonymous or signed in as A's owner, holding a grant of its own) and changes nothing of B's,
for every method; made-up keys open nothing; A's own key in A's browser works (so the 404s mean
something); and an invoice id in the URL is only ever one of the grant's customer's invoices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.pay_links import pay_link_url
from payments.statement_links import statement_link_url
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import FoundRoute, Route, World, check_hidden, request_as_a

MADE_UP_KEYS = ("AAAAAAAAAAAAAAAAAAAAAA", "x", "no-such-session-key")


def opened(client: Client, link: str) -> str:
    """The key a browser gets for an emailed link (the token's address redirects to it)."""
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302, f"opening {link}: {response.status_code}"
    return str(response["Location"]).strip("/").split("/")[-1]


def pay_key(client: Client, tenant: Tenant, invoice: Invoice) -> str:
    return opened(client, pay_link_url(org=tenant.org, invoice=invoice))


def statement_key(client: Client, tenant: Tenant, invoice: Invoice) -> str:
    return opened(client, statement_link_url(org=tenant.org, customer=invoice.customer))


Opener = Callable[[Client, Tenant, Invoice], str]


def sweep_key_route(
    world: World,
    found: FoundRoute,
    *,
    opener: Opener,
    args: Callable[[str, Invoice], list[Any]],
    methods: tuple[str, ...],
    control: set[int],
) -> None:
    name = found.name or ""
    b_invoice = new_invoice(world.b)
    b_key = opener(Client(), world.b, b_invoice)  # B's customer's browser
    a_invoice = new_invoice(world.a)

    for who, make_client in (("anonymous", Client), ("A's owner", world.a.client)):
        client = make_client()
        a_key = opener(client, world.a, a_invoice)  # A's browser holds a grant of its own
        for method in methods:
            for key in (b_key, *MADE_UP_KEYS):
                url = reverse(name, args=args(key, b_invoice))
                data = {"pay": "full", "currency": "GBP", "invoice": [b_invoice.pk]}
                response = request_as_a(world, client, method, url, data, who)
                check_hidden(response, f"{method} {url} as {who}")
            # Control: A's own key in A's browser reaches the page.
            url = reverse(name, args=args(a_key, a_invoice))
            response = request_as_a(world, client, method, url, {}, f"{who} (A's own key)")
            assert response.status_code in control, (
                f"control: {method} {url} as {who}: {response.status_code}"
            )


def sweep_pay_view(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={200},
    )


def sweep_pay_pdf(world: World, found: FoundRoute, route: Route) -> None:
    """The pay page's PDF (registered in routes_pdf, with the other PDFs)."""
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET",),
        control={200},
    )


def sweep_pay_statement(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET",),
        control={302},
    )


def sweep_statement_view(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=statement_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={200},
    )


def sweep_statement_pdf(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=statement_key,
        args=lambda key, _: [key],
        methods=("GET",),
        control={200},
    )


def sweep_statement_invoice_pdf(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=statement_key,
        args=lambda key, invoice: [key, invoice.pk],
        methods=("GET",),
        control={200},
    )
    # A's own statement key with B's invoice id, or another A customer's: nothing.
    name = found.name or ""
    client = world.a.client()
    a_invoice = new_invoice(world.a)
    a_key = statement_key(client, world.a, a_invoice)
    for stranger in (new_invoice(world.b), new_invoice(world.a)):
        url = reverse(name, args=[a_key, stranger.pk])
        response = request_as_a(world, client, "GET", url, None, "A's owner (A's key)")
        check_hidden(response, f"GET {url} (another customer's invoice)")


ROUTES: dict[str, Route] = {
    "pay_view": Route("custom", custom=sweep_pay_view),
    "pay_statement": Route("custom", custom=sweep_pay_statement),
    "statement_view": Route("custom", custom=sweep_statement_view),
    "statement_pdf": Route("custom", custom=sweep_statement_pdf),
    "statement_invoice_pdf": Route("custom", custom=sweep_statement_invoice_pdf),
}

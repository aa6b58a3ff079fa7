"""Isolation sweep entries for the report pages (metrics/urls.py).

Org B gets an issued invoice (and a payment on it) for a customer named after B, so anything of
B's in a report page or its CSV download shows as B's marker. Each page is requested as A's
owner, then its CSV download (text, so a marker in it is found; XLSX and PDF are compressed).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.isolation.builders import customer_unchanged, new_customer
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    check_hidden,
    request_as_a,
    sweep_org_page,
)
from tests.payments.factories import payment_make


def b_books(world: World) -> int:
    """B's customer, named with B's marker, owing on an issued invoice it partly paid."""
    org = world.b.org
    customer = CustomerFactory(
        organization=org, display_name=f"{org.name} wholesale", currency=org.default_currency
    )
    ContactFactory(customer=customer)
    invoice = invoice_make(org, customer=customer)
    payment_make(org, customer, Decimal("10.00"))
    return int(invoice.customer_id)


def sweep_report(world: World, found: FoundRoute, route: Route) -> None:
    b_books(world)
    sweep_org_page(world, found, route)
    url = reverse(found.name or "")
    download = request_as_a(
        world, world.a.client(), "GET", url + "?format=csv", None, "A's owner (CSV)"
    )
    assert download.status_code == 200, f"{url}: A's own CSV gave {download.status_code}"


def sweep_accounting(world: World, found: FoundRoute, route: Route) -> None:
    b_books(world)
    sweep_org_page(world, found, route)
    url = reverse(found.name or "")
    for key in ("quickbooks-invoices", "quickbooks-payments", "xero-invoices", "xero-payments"):
        response = request_as_a(
            world, world.a.client(), "GET", f"{url}?file={key}&format=csv", None, "A's owner"
        )
        assert response.status_code == 200, f"{url} {key}: A's own file gave {response}"


def sweep_statements(world: World, found: FoundRoute, route: Route) -> None:
    b_customer = b_books(world)
    sweep_org_page(world, found, route)
    url = reverse(found.name or "")
    client = world.a.client()
    theirs = request_as_a(world, client, "GET", f"{url}?customer={b_customer}", None, "A's owner")
    check_hidden(theirs, f"GET {url}?customer=<B's customer>")
    # Control: A's own customer is reachable, so the 404 above is the organization check.
    mine = CustomerFactory(organization=world.a.org)
    assert client.get(f"{url}?customer={mine.pk}").status_code == 200
    everyone = request_as_a(world, client, "GET", f"{url}?all=1", None, "A's owner (zip)")
    assert everyone.status_code == 200


ROUTES: dict[str, Route] = {
    name: Route("custom", custom=sweep_report)
    for name in (
        "report_aging",
        "report_dso",
        "report_cei",
        "report_register",
        "report_payments",
        "report_credit_notes",
        "report_adjustments",
        "report_customers",
        "report_forecast",
    )
}
ROUTES["report_accounting"] = Route("custom", custom=sweep_accounting)
ROUTES["report_statements"] = Route("custom", custom=sweep_statements)
# One customer's page and its API: B's customer id is a 404, A's own is answered.
ONE_CUSTOMER = Route(
    "object",
    build=new_customer,
    unchanged=customer_unchanged,
    kwargs=lambda customer: {"customer_id": customer.pk},
)
ROUTES["report_customer"] = ONE_CUSTOMER
ROUTES["api_report_customer"] = ONE_CUSTOMER

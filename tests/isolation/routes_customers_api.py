"""Isolation sweep entries for /api/v1/customers/ and its contacts.

The sweep sends JSON to /api/ routes, so the object routes use its standard object sweep; the
custom parts are the list (searches and filters for B's customers, creates in A's organization)
and ids of B's contacts inside a request about A's own objects.

Every customer a builder makes carries its organization's name in its name, notes and contacts'
names, and its slug in its external id and contacts' emails, so B's customers and contacts
showing anywhere are caught by the sweep's own marker check.
"""

from __future__ import annotations

from typing import Any

from invoicing.models import Contact, Customer
from tests.isolation.builders import SERIAL, customer_unchanged, new_contact, new_customer
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

# ---- re-reads, URL kwargs and request bodies


def contact_unchanged(built: Contact) -> None:
    current = Contact.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's contact was deleted"
    assert (current.name, current.email, current.is_primary, current.customer_id) == (
        built.name,
        built.email,
        built.is_primary,
        built.customer_id,
    ), "org B's contact changed"


def customer_kwargs(customer: Customer) -> dict[str, int]:
    return {"customer_id": customer.pk}


def contact_kwargs(contact: Contact) -> dict[str, int]:
    return {"customer_id": contact.customer_id, "contact_id": contact.pk}


def new_customer_body() -> dict[str, Any]:
    n = next(SERIAL)
    return {"name": f"Acme walk-in {n}", "email": f"walkin{n}@acme.test", "external_id": f"w{n}"}


# ---- custom sweeps


def sweep_customer_list(world: World, found: FoundRoute, route: Route) -> None:
    """The list shows none of B's customers, however A searches or filters; POST creates in
    A's organization only."""
    b_customer = new_customer(world.b)
    Customer.objects.filter(pk=b_customer.pk).update(tags=["zenith"])
    new_customer(world.a)
    url = "/api/v1/customers/"
    queries = ["", "?search=zenith", f"?search={b_customer.external_id}", "?tag=zenith"]
    for who, make_client in a_clients(world, found):
        for query in queries:
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            results = response.json()["results"]
            assert all(row["id"] != b_customer.pk for row in results)
        created = request_as_a(world, make_client(), "POST", url, new_customer_body(), who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        assert Customer.objects.get(pk=created.json()["id"]).organization_id == world.a.org.pk


def sweep_customer(world: World, found: FoundRoute, route: Route) -> None:
    sweep_object(world, found, route)
    # B's contact id inside a body about A's own customer is refused as unknown.
    b_contact = new_contact(world.b)
    a_customer = new_customer(world.a)
    url = route.url(found, a_customer)
    for who, make_client in a_clients(world, found):
        for method in ("PATCH", "PUT"):
            data = {"name": "Acme taken", "contacts": [{"id": b_contact.pk, "name": "Acme now"}]}
            response = request_as_a(world, make_client(), method, url, data, who)
            assert response.status_code == 400, f"{method} {url} with B's contact id: {response}"
            contact_unchanged(b_contact)


def sweep_customer_contact(world: World, found: FoundRoute, route: Route) -> None:
    sweep_object(world, found, route)
    # Mixed paths: A's customer with B's contact, and B's customer with A's contact.
    a_contact, b_contact = new_contact(world.a), new_contact(world.b)
    mixed = [
        {"customer_id": a_contact.customer_id, "contact_id": b_contact.pk},
        {"customer_id": b_contact.customer_id, "contact_id": a_contact.pk},
    ]
    for kwargs in mixed:
        url = f"/api/v1/customers/{kwargs['customer_id']}/contacts/{kwargs['contact_id']}/"
        for method in route.methods_for(found):
            for who, make_client in a_clients(world, found):
                response = request_as_a(world, make_client(), method, url, route.body(method), who)
                check_hidden(response, f"{method} {url} as {who}")
        contact_unchanged(b_contact)
        contact_unchanged(a_contact)


ROUTES: dict[str, Route] = {
    "api_customers": Route("custom", custom=sweep_customer_list),
    "api_customer": Route(
        "custom",
        custom=sweep_customer,
        build=new_customer,
        kwargs=customer_kwargs,
        unchanged=customer_unchanged,
        data={
            "PATCH": {"name": "Acme renamed", "notes": "Acme note"},
            "PUT": {"name": "Acme replaced", "email": "acme.ap@acme.test"},
        },
    ),
    "api_customer_contacts": Route(
        "object",
        build=new_customer,
        kwargs=customer_kwargs,
        unchanged=customer_unchanged,
        data={"POST": {"name": "Acme newcomer", "email": "new@acme.test"}},
        expect={"POST": {201}},
    ),
    "api_customer_contact": Route(
        "custom",
        custom=sweep_customer_contact,
        build=new_contact,
        kwargs=contact_kwargs,
        unchanged=contact_unchanged,
        data={"PATCH": {"name": "Acme renamed", "phone": "+14155550132"}},
        expect={"DELETE": {204}},
    ),
}

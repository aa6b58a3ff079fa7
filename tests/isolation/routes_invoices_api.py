"""Isolation sweep entries for /api/v1/invoices/ (with its actions and credit notes),
/api/v1/credit-notes/, /api/v1/tax-rates/ and /api/v1/payment-terms/.

Object routes use the sweep's standard object check (B's id is a 404 for every method, A's own
id gets through). The custom parts: the lists (searched and filtered for B's objects, created
in A's organization), and B's ids inside a body about A's own draft (customer, tax rate,
payment terms), which must be a 404 that changes nothing.

Everything a builder makes carries its organization's name (invoice notes and lines, customer
names, tax rate and terms names, credit note reasons), so B's showing anywhere is caught by the
sweep's own marker check.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from invoicing.models import Invoice, PaymentTerms, TaxRate
from tests.isolation.builders import (
    SERIAL,
    credit_note_unchanged,
    invoice_unchanged,
    new_credit_note,
    new_customer,
    new_draft,
    new_invoice,
    new_tax_rate,
    new_terms,
    tax_rate_unchanged,
    terms_unchanged,
)
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

# ---- URL kwargs and request bodies


def invoice_kwargs(invoice: Invoice) -> dict[str, int]:
    return {"invoice_id": invoice.pk}


def line(**fields: Any) -> dict[str, Any]:
    return {"description": "Acme work", "quantity": "1", "unit_price": "10.00", **fields}


# ---- custom sweeps


def _list_hides(world: World, found: FoundRoute, url: str, queries: list[str], b_ids: set[int]):
    for who, make_client in a_clients(world, found):
        for query in queries:
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row["id"] for row in response.json()["results"]}
            assert not shown & b_ids, f"GET {url}{query} as {who} lists org B's objects"


def sweep_invoice_list(world: World, found: FoundRoute, route: Route) -> None:
    """The list shows none of B's invoices however A filters it; POST makes A's draft, and
    B's customer, tax rate or terms in the body are a 404."""
    b_invoice, b_draft = new_invoice(world.b), new_draft(world.b)
    new_invoice(world.a)
    url = "/api/v1/invoices/"
    queries = [
        "",
        f"?customer={b_invoice.customer_id}",
        f"?q={b_invoice.number}",
        f"?q={world.b.org.slug}",
        "?q=zenith",
        "?status=draft",
        "?status=outstanding",
        "?ordering=-total",
    ]
    _list_hides(world, found, url, queries, {b_invoice.pk, b_draft.pk})
    a_customer = new_customer(world.a)
    b_rate, b_terms = new_tax_rate(world.b), new_terms(world.b)
    foreign = [
        {"customer": b_invoice.customer_id, "lines": [line()]},
        {"customer": a_customer.pk, "lines": [line(tax_rates=[b_rate.pk])]},
        {"customer": a_customer.pk, "payment_terms": b_terms.pk, "lines": [line()]},
    ]
    for who, make_client in a_clients(world, found):
        for body in foreign:
            response = request_as_a(world, make_client(), "POST", url, body, who)
            check_hidden(response, f"POST {url} with org B's ids as {who}")
        body = {"customer": a_customer.pk, "lines": [line()]}
        created = request_as_a(world, make_client(), "POST", url, body, who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        invoice = Invoice.objects.get(pk=created.json()["id"])
        assert invoice.organization_id == world.a.org.pk


def sweep_invoice(world: World, found: FoundRoute, route: Route) -> None:
    """B's invoice is a 404 for every method; A's own draft is reached (PUT needs one of A's
    customers in its body). B's ids in a body about A's own draft are a 404 too."""
    a_customer = new_customer(world.a)
    put = {"customer": a_customer.pk, "notes": "Acme replaced", "lines": [line()]}
    sweep_object(world, found, dataclasses.replace(route, data={**route.data, "PUT": put}))
    a_draft = new_draft(world.a)
    b_customer, b_rate, b_terms = new_customer(world.b), new_tax_rate(world.b), new_terms(world.b)
    url = f"/api/v1/invoices/{a_draft.pk}/"
    for who, make_client in a_clients(world, found):
        for method, body in [
            ("PATCH", {"customer": b_customer.pk}),
            ("PATCH", {"lines": [line(tax_rates=[b_rate.pk])]}),
            ("PATCH", {"payment_terms": b_terms.pk}),
            ("PUT", {**put, "customer": b_customer.pk}),
        ]:
            response = request_as_a(world, make_client(), method, url, body, who)
            check_hidden(response, f"{method} {url} with org B's ids as {who}")
            invoice_unchanged(a_draft)


def sweep_credit_note_list(world: World, found: FoundRoute, route: Route) -> None:
    b_note = new_credit_note(world.b)
    new_credit_note(world.a)
    queries = ["", f"?invoice={b_note.invoice_id}", f"?customer={b_note.customer_id}"]
    _list_hides(world, found, "/api/v1/credit-notes/", queries, {b_note.pk})


def _settings_list_sweep(
    world: World, found: FoundRoute, url: str, b_ids: set[int], body: dict[str, Any], model: Any
) -> None:
    _list_hides(world, found, url, ["", "?is_active=true", "?page_size=1"], b_ids)
    for who, make_client in a_clients(world, found):
        fresh = {**body, "name": f"{body['name']} {next(SERIAL)}"}
        created = request_as_a(world, make_client(), "POST", url, fresh, who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        assert model.objects.get(pk=created.json()["id"]).organization_id == world.a.org.pk


def sweep_tax_rate_list(world: World, found: FoundRoute, route: Route) -> None:
    b_rate = new_tax_rate(world.b)
    new_tax_rate(world.a)
    body = {"name": "Acme tax", "percent": "5"}
    _settings_list_sweep(world, found, "/api/v1/tax-rates/", {b_rate.pk}, body, TaxRate)


def sweep_terms_list(world: World, found: FoundRoute, route: Route) -> None:
    b_terms = new_terms(world.b)
    new_terms(world.a)
    body = {"name": "Acme net", "days": 20}
    _settings_list_sweep(world, found, "/api/v1/payment-terms/", {b_terms.pk}, body, PaymentTerms)


def _action(build: Any, body: dict[str, Any] | None, status: int) -> Route:
    return Route(
        "object",
        build=build,
        kwargs=invoice_kwargs,
        unchanged=invoice_unchanged,
        data={"POST": body} if body is not None else {},
        expect={"POST": {status}},
    )


ROUTES: dict[str, Route] = {
    "api_invoices": Route("custom", custom=sweep_invoice_list),
    "api_invoice": Route(
        "custom",
        custom=sweep_invoice,
        build=new_draft,
        kwargs=invoice_kwargs,
        unchanged=invoice_unchanged,
        data={"PATCH": {"notes": "Acme note"}},
        expect={"DELETE": {204}},
    ),
    "api_invoice_issue": _action(new_draft, None, 200),
    "api_invoice_void": _action(new_invoice, {"reason": "Acme mistake"}, 200),
    "api_invoice_write_off": _action(new_invoice, {"reason": "Acme gave up"}, 200),
    "api_invoice_send": _action(new_draft, None, 202),
    "api_invoice_duplicate": _action(new_invoice, None, 201),
    "api_invoice_credit_notes": Route(
        "object",
        build=new_invoice,
        kwargs=invoice_kwargs,
        unchanged=invoice_unchanged,
        data={"POST": {"amount": "1.00", "reason": "Acme goodwill"}},
        expect={"POST": {201}},
    ),
    "api_credit_notes": Route("custom", custom=sweep_credit_note_list),
    "api_credit_note": Route(
        "object",
        build=new_credit_note,
        kwargs=lambda note: {"credit_note_id": note.pk},
        unchanged=credit_note_unchanged,
    ),
    "api_credit_note_pdf": Route(
        "object",
        build=new_credit_note,
        kwargs=lambda note: {"credit_note_id": note.pk},
        unchanged=credit_note_unchanged,
    ),
    "api_invoice_pdf": Route(
        "object", build=new_invoice, kwargs=invoice_kwargs, unchanged=invoice_unchanged
    ),
    "api_tax_rates": Route("custom", custom=sweep_tax_rate_list),
    "api_tax_rate": Route(
        "object",
        build=new_tax_rate,
        kwargs=lambda rate: {"tax_rate_id": rate.pk},
        unchanged=tax_rate_unchanged,
        data={"PATCH": {"registration_number": "ACME-1", "is_active": False}},
        expect={"DELETE": {204}},
    ),
    "api_payment_terms_list": Route("custom", custom=sweep_terms_list),
    "api_payment_terms": Route(
        "object",
        build=new_terms,
        kwargs=lambda terms: {"terms_id": terms.pk},
        unchanged=terms_unchanged,
        data={"PATCH": {"days": 20, "is_default": True}},
        expect={"DELETE": {204}},
    ),
}

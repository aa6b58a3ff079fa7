"""Isolation sweep entries for the invoice editor, the invoice page and its actions, and credit
notes.

Every invoice a builder makes belongs to a customer named after its organization and carries
its name in a line and the memo, so B's name on any of A's pages is caught by the marker check.
The editor takes a customer id in the query (``?customer=``) and in the form, so it gets a custom
check that offers B's customer both ways and expects a 404 and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from invoicing.models import Invoice
from tests.isolation.builders import invoice_unchanged, new_customer, new_draft, new_invoice
from tests.isolation.sweep import FoundRoute, Route, World, check_hidden, request_as_a, send


def editor_form(customer_id: int | str = "", action: str = "save") -> dict[str, Any]:
    return {
        "_action": action,
        "customer": str(customer_id),
        "customer_search": "",
        "discount_kind": "none",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-kind": "item",
        "lines-0-description": "Acme fitting",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "80.00",
    }


# ---- custom checks


def sweep_invoice_create(world: World, found: FoundRoute, route: Route) -> None:
    url = reverse("invoice_create")
    theirs = new_customer(world.b)
    ours = new_customer(world.a)
    client = world.a.client()
    a_invoices = Invoice.objects.filter(organization=world.a.org).count()

    # B's customer preselected, saved, or searched for: 404, or simply not found.
    response = request_as_a(world, client, "GET", f"{url}?customer={theirs.pk}", None, "A's owner")
    check_hidden(response, f"GET {url}?customer=<B's customer>")
    response = request_as_a(world, client, "POST", url, editor_form(theirs.pk), "A's owner")
    check_hidden(response, f"POST {url} with B's customer")
    # "client" is in every customer's name the builder makes, A's and B's.
    search = {**editor_form(action="refresh"), "customer_search": "client"}
    response = request_as_a(world, client, "POST", url, search, "A's owner")
    assert response.status_code == 200, response
    offered = response.content.decode()
    assert f'name="customer" value="{theirs.pk}"' not in offered, "B's customer was offered"
    assert f'name="customer" value="{ours.pk}"' in offered, (
        "control: A's own customer was not found"
    )
    assert Invoice.objects.filter(organization=world.a.org).count() == a_invoices
    assert not Invoice.objects.filter(customer=theirs).exists(), "an invoice was made for B"

    # Control: A's own customer works the same ways.
    assert send(client, "GET", f"{url}?customer={ours.pk}", None).status_code == 200
    response = send(client, "POST", url, editor_form(ours.pk))
    assert response.status_code == 302, f"control: saving for A's customer gave {response}"
    assert Invoice.objects.filter(customer=ours).count() == 1
    assert send(client, "GET", url, None).status_code == 200


REASON = {"reason": "Acme reason"}

ROUTES: dict[str, Route] = {
    "invoice_create": Route("custom", custom=sweep_invoice_create),
    "invoice_detail": Route("object", build=new_invoice, unchanged=invoice_unchanged),
    "invoice_edit": Route(
        "object",
        build=new_draft,
        unchanged=invoice_unchanged,
        # A re-render: it reaches the view on A's draft without needing A's customer id.
        data={"POST": editor_form(action="refresh")},
        expect={"GET": {200}, "POST": {200}},
    ),
    "invoice_issue": Route(
        "object", build=new_draft, unchanged=invoice_unchanged, expect={"POST": {302}}
    ),
    "invoice_send": Route(
        "object", build=new_invoice, unchanged=invoice_unchanged, expect={"POST": {302}}
    ),
    "invoice_void": Route(
        "object",
        build=new_invoice,
        unchanged=invoice_unchanged,
        data={"POST": {**REASON, "then_copy": "on"}},
        expect={"GET": {200}, "POST": {302}},
    ),
    "invoice_write_off": Route(
        "object",
        build=new_invoice,
        unchanged=invoice_unchanged,
        data={"POST": REASON},
        expect={"GET": {200}, "POST": {302}},
    ),
    "invoice_duplicate": Route(
        "object", build=new_invoice, unchanged=invoice_unchanged, expect={"POST": {302}}
    ),
    "invoice_delete": Route(
        "object", build=new_draft, unchanged=invoice_unchanged, expect={"POST": {302}}
    ),
    "invoice_pay_link_revoke": Route(
        "object", build=new_invoice, unchanged=invoice_unchanged, expect={"POST": {302}}
    ),
    "credit_note_create": Route(
        "object",
        build=new_invoice,
        unchanged=invoice_unchanged,
        data={"POST": {"amount": "10.00", **REASON}},
        expect={"GET": {200}, "POST": {302}},
    ),
}

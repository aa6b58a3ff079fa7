"""Isolation sweep entries for recurring invoices: the dashboard pages and buttons, and
/api/v1/recurring-invoices/.

Every template a builder makes is named after its organization, for a customer named after it,
with a line and notes naming it, so B's name on any of A's pages or answers is caught by the
sweep's marker check. The create routes take customer (and tax rate) ids in the query or the
body, so they get custom checks that offer B's ids and expect nothing of B's shown or used.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse

from arhub.clock import org_today
from invoicing.invoice_input import LineData
from invoicing.models import Invoice, RecurringInvoice
from invoicing.recurring_input import RecurringData
from invoicing.recurring_services import recurring_create
from tests.conftest import Tenant
from tests.isolation.builders import SERIAL, new_customer, new_tax_rate
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)


def new_template(tenant: Tenant) -> RecurringInvoice:
    return recurring_create(
        org=tenant.org,
        actor=tenant.owner.user,
        data=RecurringData(
            customer_id=new_customer(tenant).pk,
            name=f"{tenant.org.name} plan {next(SERIAL)}",
            lines=[
                LineData(
                    description=f"{tenant.org.name} retainer",
                    quantity=Decimal(1),
                    unit_price=Decimal("99.00"),
                    tax_rate_ids=[new_tax_rate(tenant).pk],
                )
            ],
            frequency="monthly",
            start_date=org_today(tenant.org) + timedelta(days=3),
            notes=f"{tenant.org.name} notes",
            auto_send=False,
        ),
    )


def template_unchanged(built: RecurringInvoice) -> None:
    current = RecurringInvoice.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's recurring invoice was deleted"
    assert (current.name, current.status, current.next_date, current.lines) == (
        built.name,
        built.status,
        built.next_date,
        built.lines,
    ), "org B's recurring invoice changed"
    assert not Invoice.objects.filter(recurring=built).exists(), "an invoice was issued for B"


def recurring_kwargs(template: RecurringInvoice) -> dict[str, int]:
    return {"recurring_id": template.pk}


def editor_form(customer_id: int | str, **extra: str) -> dict[str, str]:
    return {
        "save": "",
        "name": f"Acme plan {next(SERIAL)}",
        "customer": str(customer_id),
        "frequency": "monthly",
        "start_date": "2099-01-01",
        "currency": "",
        "payment_terms": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-kind": "item",
        "lines-0-description": "Acme service",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "50",
        **extra,
    }


def api_body(customer_id: int, tax_rate_ids: list[int] | None = None) -> dict[str, Any]:
    return {
        "customer": customer_id,
        "name": f"Acme plan {next(SERIAL)}",
        "frequency": "monthly",
        "start_date": "2099-01-01",
        "lines": [
            {
                "description": "Acme service",
                "quantity": "1",
                "unit_price": "50",
                "tax_rate_ids": tax_rate_ids or [],
            }
        ],
    }


def nothing_for_b(world: World) -> None:
    assert (
        not RecurringInvoice.objects.filter(customer__organization=world.b.org)
        .exclude(organization=world.b.org)
        .exists()
    ), "a template of A's points at B's customer"


# ---- custom sweeps


def sweep_editor_create(world: World, found: FoundRoute, route: Route) -> None:
    """B's customer, offered in the query or the form, is never shown or used; A's own is."""
    b_customer, b_rate = new_customer(world.b), new_tax_rate(world.b)
    url = reverse("recurring_create")
    for who, make_client in a_clients(world, found):
        response = request_as_a(
            world, make_client(), "GET", f"{url}?customer={b_customer.pk}", None, who
        )
        check_hidden(response, f"GET {url}?customer=<B's customer> as {who}")
        response = request_as_a(world, make_client(), "POST", url, editor_form(b_customer.pk), who)
        assert response.status_code == 200, f"POST {url} with B's customer as {who}"
        body = editor_form(
            "", **{"lines-0-taxes": str(b_rate.pk)}
        )  # B's tax rate on a line, no customer
        response = request_as_a(world, make_client(), "POST", url, body, who)
        assert response.status_code == 200
        nothing_for_b(world)
        a_customer = new_customer(world.a)
        response = request_as_a(
            world, make_client(), "GET", f"{url}?customer={a_customer.pk}", None, who
        )
        assert response.status_code == 200, f"control: GET {url}?customer=<A's> as {who}"
        response = request_as_a(world, make_client(), "POST", url, editor_form(a_customer.pk), who)
        assert response.status_code == 302, f"control: POST {url} as {who}: {response}"


def sweep_api_list(world: World, found: FoundRoute, route: Route) -> None:
    """The list shows none of B's, however filtered; a create naming B's customer or tax rate
    is a 404 and makes nothing; A's own create lands in A's organization."""
    b_template = new_template(world.b)
    b_customer, b_rate = new_customer(world.b), new_tax_rate(world.b)
    new_template(world.a)
    url = "/api/v1/recurring-invoices/"
    for who, make_client in a_clients(world, found):
        for query in ("", f"?customer={b_template.customer_id}", "?status=active"):
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}"
            assert all(row["id"] != b_template.pk for row in response.json()["results"])
        a_customer = new_customer(world.a)
        for body in (api_body(b_customer.pk), api_body(a_customer.pk, [b_rate.pk])):
            response = request_as_a(world, make_client(), "POST", url, body, who)
            check_hidden(response, f"POST {url} with B's ids as {who}")
        nothing_for_b(world)
        created = request_as_a(world, make_client(), "POST", url, api_body(a_customer.pk), who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        made = RecurringInvoice.objects.get(pk=created.json()["id"])
        assert made.organization_id == world.a.org.pk


def sweep_api_detail(world: World, found: FoundRoute, route: Route) -> None:
    sweep_object(world, found, route)
    # B's customer or tax rate in a PATCH of A's own template is a 404 and changes nothing.
    b_customer, b_rate = new_customer(world.b), new_tax_rate(world.b)
    a_template = new_template(world.a)
    url = route.url(found, a_template)
    lines = [
        {"description": "Acme", "quantity": "1", "unit_price": "5", "tax_rate_ids": [b_rate.pk]}
    ]
    for who, make_client in a_clients(world, found):
        for data in ({"customer": b_customer.pk}, {"lines": lines}):
            response = request_as_a(world, make_client(), "PATCH", url, data, who)
            check_hidden(response, f"PATCH {url} with B's ids as {who}")
        current = RecurringInvoice.objects.get(pk=a_template.pk)
        assert (current.customer_id, current.lines) == (a_template.customer_id, a_template.lines)


ROUTES: dict[str, Route] = {
    "recurring_list": Route("org_page"),
    "recurring_create": Route("custom", custom=sweep_editor_create),
    "recurring_detail": Route("object", build=new_template, unchanged=template_unchanged),
    "recurring_edit": Route(
        "object",
        build=new_template,
        unchanged=template_unchanged,
        # No customer: A's control re-renders with errors (200); B's must 404 before that.
        data={"POST": editor_form("")},
        expect={"GET": {200}, "POST": {200}},
    ),
    "recurring_pause": Route(
        "object", build=new_template, unchanged=template_unchanged, expect={"POST": {302}}
    ),
    "recurring_resume": Route(
        "object", build=new_template, unchanged=template_unchanged, expect={"POST": {302}}
    ),
    "recurring_finish": Route(
        "object", build=new_template, unchanged=template_unchanged, expect={"POST": {302}}
    ),
    "recurring_delete": Route(
        "object", build=new_template, unchanged=template_unchanged, expect={"POST": {302}}
    ),
    "api_recurring_invoices": Route("custom", custom=sweep_api_list),
    "api_recurring_invoice": Route(
        "custom",
        custom=sweep_api_detail,
        build=new_template,
        kwargs=recurring_kwargs,
        unchanged=template_unchanged,
        data={"PATCH": {"name": "Acme renamed", "notes": "Acme note"}},
        expect={"DELETE": {204}},
    ),
    "api_recurring_invoice_pause": Route(
        "object",
        build=new_template,
        kwargs=recurring_kwargs,
        unchanged=template_unchanged,
        expect={"POST": {200}},
    ),
    "api_recurring_invoice_resume": Route(
        "object",
        build=new_template,
        kwargs=recurring_kwargs,
        unchanged=template_unchanged,
        expect={"POST": {200}},
    ),
    "api_recurring_invoice_finish": Route(
        "object",
        build=new_template,
        kwargs=recurring_kwargs,
        unchanged=template_unchanged,
        expect={"POST": {200}},
    ),
}

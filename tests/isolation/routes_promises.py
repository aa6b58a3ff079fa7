"""Isolation sweep entries for promises to pay: the customer's form under the pay page
(``/pay/v/<key>/promise/``), the dashboard's list, recording one from an invoice page and
cancelling one, and ``/api/v1/promises/`` with its detail and cancel action.

The pay-page form is keyed like the pay page (``routes_pay_sessions``): B's key opens nothing
in A's browser. B's promise or invoice id in a URL is a 404; B's invoice id in an API body is a
400 under ``invoice``, with nothing made; B's promises never show in A's list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from payments.models import PromiseStatus, PromiseToPay
from payments.promise_services import promise_make
from tests.conftest import Tenant
from tests.isolation.builders import invoice_unchanged, new_invoice
from tests.isolation.routes_pay_sessions import pay_key, sweep_key_route
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    request_as_a,
    sweep_org_page,
)


def _in_a_week() -> str:
    # Well inside any organization's today and the default 30-day limit.
    return (timezone.now() + timedelta(days=7)).date().isoformat()


def new_promise(tenant: Tenant) -> PromiseToPay:
    invoice = new_invoice(tenant)
    return promise_make(
        org=tenant.org,
        invoice=invoice,
        promised_date=(timezone.now() + timedelta(days=7)).date(),
        note=f"{tenant.org.name} customer will pay on payday",
    )


def promise_unchanged(built: PromiseToPay) -> None:
    current = PromiseToPay.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's promise was deleted"
    assert (current.status, current.promised_date) == (PromiseStatus.OPEN, built.promised_date)


def invoice_without_promise(built: Invoice) -> None:
    invoice_unchanged(built)
    assert not PromiseToPay.objects.filter(invoice_id=built.pk).exists(), (
        "a promise was made on org B's invoice"
    )


def sweep_pay_promise(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={200},
    )


def sweep_list_with_b_promise(world: World, found: FoundRoute, route: Route) -> None:
    """The list (or the API's) as A, with a promise of B's there to leak."""
    new_promise(world.b)
    sweep_org_page(world, found, route)


def sweep_api_create(world: World, found: FoundRoute, route: Route) -> None:
    """GET as a list; POST with B's invoice in the body is a 400 under ``invoice``, and with A's
    own invoice a 201 (so the 400 means something)."""
    sweep_list_with_b_promise(world, found, Route("org_page", methods=("GET",)))
    b_invoice = new_invoice(world.b)
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        body = {"invoice": b_invoice.pk, "promised_date": _in_a_week()}
        response = request_as_a(world, make_client(), "POST", url, body, who)
        assert response.status_code == 400, f"POST {url} (B's invoice) as {who}: {response}"
        assert set(response.json()) == {"invoice"}
        invoice_without_promise(b_invoice)
        control: dict[str, Any] = {
            "invoice": new_invoice(world.a).pk,
            "promised_date": _in_a_week(),
        }
        made = request_as_a(world, make_client(), "POST", url, control, f"{who} (A's invoice)")
        assert made.status_code == 201, f"control: POST {url} as {who}: {made.status_code}"


ROUTES: dict[str, Route] = {
    "pay_promise": Route("custom", custom=sweep_pay_promise),
    "promises": Route("custom", custom=sweep_list_with_b_promise),
    "invoice_promise_create": Route(
        "object",
        build=new_invoice,
        kwargs=lambda invoice: {"invoice_pk": invoice.pk},
        unchanged=invoice_without_promise,
        data={"POST": lambda: {"promised_date": _in_a_week()}},
        expect={"POST": {302}},
    ),
    "promise_cancel": Route(
        "object",
        build=new_promise,
        unchanged=promise_unchanged,
        data={"POST": {"reason": "customer changed their mind"}},
        expect={"POST": {302}},
    ),
    "api_promises": Route("custom", custom=sweep_api_create),
    "api_promise": Route(
        "object",
        build=new_promise,
        kwargs=lambda promise: {"promise_id": promise.pk},
        unchanged=promise_unchanged,
    ),
    "api_promise_cancel": Route(
        "object",
        build=new_promise,
        kwargs=lambda promise: {"promise_id": promise.pk},
        unchanged=promise_unchanged,
        data={"POST": {"reason": "customer changed their mind"}},
        expect={"POST": {200}},
    ),
}

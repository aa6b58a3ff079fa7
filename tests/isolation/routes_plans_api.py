"""Isolation sweep entries for ``/api/v1/payment-plans/``: the list and offering a plan, one
plan, its approve/decline/counter/cancel actions and moving one of its instalments.

The plan routes are object routes (B's plan is a 404 for every method and stays as it was; A's
own gets through). The list never shows B's plans (their customers carry B's name, a sweep
marker); a POST naming B's customer or B's invoice is a 400 under ``customer`` or
``invoices`` that makes nothing, and A's own is a 201, so the 400 means something. The plans
are built as the dashboard's sweep builds them (``routes_plan_pages``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from payments.models import PaymentPlan, PaymentPlanInvoice
from payments.plan_schedule import instalment_date
from tests.isolation.builders import invoice_unchanged, new_invoice
from tests.isolation.routes_plan_pages import new_active_plan, new_plan_request, plan_unchanged
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    request_as_a,
    sweep_org_page,
)


def _start() -> Any:
    # The builders' first payment: a week from the organization's today.
    return timezone.now().date() + timedelta(days=7)


def invoice_without_plan(built: Invoice) -> None:
    invoice_unchanged(built)
    assert not PaymentPlanInvoice.objects.filter(invoice_id=built.pk).exists(), (
        "a plan was made on org B's invoice"
    )


def offer(customer: int, invoices: list[int]) -> dict[str, Any]:
    return {
        "customer": customer,
        "invoices": invoices,
        "count": 2,
        "frequency": "monthly",
        "start_date": _start().isoformat(),
    }


def sweep_list_and_offer(world: World, found: FoundRoute, route: Route) -> None:
    b_plan = new_plan_request(world.b)
    sweep_org_page(world, found, Route("org_page", methods=("GET",)))
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        for query in (f"?customer={b_plan.customer_id}", "?status=proposed"):
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row["id"] for row in response.json()["results"]}
            assert b_plan.pk not in shown, f"GET {url}{query} as {who} lists org B's plan"
        b_invoice = new_invoice(world.b)
        a_invoice = new_invoice(world.a)
        foreign = {
            "customer": offer(b_invoice.customer_id, [a_invoice.pk]),
            "invoices": offer(a_invoice.customer_id, [a_invoice.pk, b_invoice.pk]),
        }
        for field, body in foreign.items():
            response = request_as_a(world, make_client(), "POST", url, body, who)
            assert response.status_code == 400, f"POST {url} (B's {field}) as {who}: {response}"
            assert set(response.json()) == {field}
            invoice_without_plan(b_invoice)
        made = request_as_a(
            world,
            make_client(),
            "POST",
            url,
            offer(a_invoice.customer_id, [a_invoice.pk]),
            f"{who} (A's own)",
        )
        assert made.status_code == 201, f"control: POST {url} as {who}: {made.status_code}"


def plan_kwargs(plan: PaymentPlan) -> dict[str, int]:
    return {"plan_id": plan.pk}


def move_kwargs(plan: PaymentPlan) -> dict[str, int]:
    return {"plan_id": plan.pk, "instalment_id": plan.instalments.get(seq=2).pk}


def move_body() -> dict[str, Any]:
    # Three days after the builders' second instalment (a day either way for the organization's
    # today), well before the third.
    second = instalment_date(start_date=_start(), frequency="monthly", index=1)
    return {"due_date": (second + timedelta(days=3)).isoformat(), "reason": "Acme asked"}


def _object(build: Any, kwargs: Any = plan_kwargs, **fields: Any) -> Route:
    return Route("object", build=build, kwargs=kwargs, unchanged=plan_unchanged, **fields)


ROUTES: dict[str, Route] = {
    "api_payment_plans": Route("custom", custom=sweep_list_and_offer),
    "api_payment_plan": _object(new_active_plan),
    "api_payment_plan_approve": _object(
        new_plan_request, data={"POST": {}}, expect={"POST": {200}}
    ),
    "api_payment_plan_decline": _object(
        new_plan_request, data={"POST": {"message": "Acme cannot wait"}}, expect={"POST": {200}}
    ),
    "api_payment_plan_counter": _object(
        new_plan_request,
        data={
            "POST": lambda: {"count": 2, "frequency": "monthly", "start_date": _start().isoformat()}
        },
        expect={"POST": {201}},
    ),
    "api_payment_plan_cancel": _object(
        new_active_plan, data={"POST": {"reason": "Acme asked"}}, expect={"POST": {200}}
    ),
    "api_payment_plan_instalment_move": _object(
        new_active_plan, kwargs=move_kwargs, data={"POST": move_body}, expect={"POST": {200}}
    ),
}

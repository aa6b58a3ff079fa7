"""Isolation sweep entries for the payment plan pages: the dashboard's list, offer, plan page and
the owner's decisions, and the customer's plan form and "Accept this plan" under the pay page.

The plan's own routes are object routes (B's plan is a 404 for every method and stays as it
was; A's own gets through). The list never shows B's plans and B's customer in its query string
is a 404. The offer page is custom: B's customer in the query string or the form is a 404, B's
invoice ticked for A's customer is refused and saves nothing. The pay-page routes are like the
pay page's (``routes_pay_sessions``): B's key opens nothing in A's browser, whatever the method.
A plan's customer carries its organization's name, so B's showing anywhere is also caught by
the sweep's marker check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from arhub.clock import org_today
from payments.models import Instalment, PaymentPlan, PlanFrequency
from payments.plan_services import plan_approve, plan_request
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.routes_pay_sessions import pay_key, sweep_key_route
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    send,
)


def new_plan_request(tenant: Tenant) -> PaymentPlan:
    """A customer's request waiting for the owner: five payments, past the auto-approve rules."""
    invoice = new_invoice(tenant)
    return plan_request(
        org=tenant.org,
        customer=invoice.customer,
        invoices=[invoice],
        count=5,
        frequency=PlanFrequency.MONTHLY,
        start_date=org_today(tenant.org) + timedelta(days=7),
        note=f"{tenant.org.name} customer asks for time",
    )


def new_active_plan(tenant: Tenant) -> PaymentPlan:
    return plan_approve(org=tenant.org, actor=None, plan=new_plan_request(tenant))


def plan_unchanged(built: PaymentPlan) -> None:
    current = PaymentPlan.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's plan was deleted"
    assert (current.status, current.owner_message, current.decided_at) == (
        built.status,
        built.owner_message,
        built.decided_at,
    ), "org B's plan changed"
    dates = list(Instalment.objects.filter(plan=current).values_list("due_date", flat=True))
    assert dates == [i.due_date for i in built.instalments.order_by("seq")], "B's dates moved"
    assert not PaymentPlan.objects.filter(counter_to=current).exists(), "B's plan was countered"


def move_body() -> dict[str, Any]:
    # An instalment id that is nobody's: A's control shows the form again; B's plan is a 404
    # before the body is read.
    return {"move-instalment": "987654321", "move-new_date": "2099-01-01", "move-reason": "Acme"}


def sweep_plan_list(world: World, found: FoundRoute, route: Route) -> None:
    b_plan = new_plan_request(world.b)
    a_plan = new_plan_request(world.a)
    url = reverse("plan_list")
    for who, make_client in a_clients(world, found):
        for query in ("", "?status=waiting", "?status=proposed", "?status=active"):
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row["plan"].pk for row in response.context["rows"]}
            assert b_plan.pk not in shown, f"GET {url}{query} as {who} lists B's plan"
            if query in ("", "?status=waiting"):
                assert a_plan.pk in shown, f"control: GET {url}{query} misses A's plan"
        query = f"?customer={b_plan.customer_id}"
        response = request_as_a(world, make_client(), "GET", url + query, None, who)
        check_hidden(response, f"GET {url}{query} (B's customer) as {who}")


def sweep_plan_offer(world: World, found: FoundRoute, route: Route) -> None:
    url = reverse("plan_offer")
    b_invoice, a_invoice = new_invoice(world.b), new_invoice(world.a)
    b_customer, a_customer = b_invoice.customer, a_invoice.customer
    start = (org_today(world.a.org) + timedelta(days=7)).isoformat()

    def body(customer_id: int, invoice_id: int) -> dict[str, Any]:
        return {
            "_action": "save",
            "customer": str(customer_id),
            "invoice": [str(invoice_id)],
            "count": "3",
            "frequency": "monthly",
            "start_date": start,
            "message": "Acme offer",
        }

    before = PaymentPlan.objects.filter(organization=world.a.org).count()
    for who, make_client in a_clients(world, found):
        client = make_client()
        for query in (
            f"?customer={b_customer.pk}",
            f"?customer={a_customer.pk}&invoice={b_invoice.pk}",
        ):
            response = request_as_a(world, client, "GET", url + query, None, who)
            if "invoice" in query:
                # B's invoice is simply not among A's customer's: the page shows A's own.
                assert response.status_code == 200
                assert response.context["form"]["invoice"].value() == [a_invoice.pk]
            else:
                check_hidden(response, f"GET {url}{query} (B's customer) as {who}")
        response = request_as_a(world, client, "POST", url, body(b_customer.pk, b_invoice.pk), who)
        check_hidden(response, f"POST {url} for B's customer as {who}")
        response = request_as_a(world, client, "POST", url, body(a_customer.pk, b_invoice.pk), who)
        assert response.status_code == 200, f"POST {url} with B's invoice as {who}: {response}"
        assert response.context["form"].errors.get("invoice"), "B's invoice was not refused"
    assert PaymentPlan.objects.filter(organization=world.a.org).count() == before

    # Control: A's own customer and invoice get through: the schedule is built, then saved.
    client = world.a.client()
    assert send(client, "GET", f"{url}?customer={a_customer.pk}", None).status_code == 200
    built = send(client, "POST", url, {**body(a_customer.pk, a_invoice.pk), "_action": "build"})
    assert built.status_code == 200 and built.context["rows"], "control: nothing was built"
    rows = {"rows": str(len(built.context["rows"]))}
    for row in built.context["rows"]:
        rows[row.date_id], rows[row.amount_id] = row.date_text, row.amount_text
    saved = send(client, "POST", url, {**body(a_customer.pk, a_invoice.pk), **rows})
    assert saved.status_code == 302, f"control: offering to A's customer gave {saved}"


def sweep_pay_plan(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={200},
    )


def sweep_pay_plan_accept(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={302},
    )


ROUTES: dict[str, Route] = {
    "plan_list": Route("custom", custom=sweep_plan_list),
    "plan_offer": Route("custom", custom=sweep_plan_offer),
    "plan_detail": Route(
        "object", build=new_plan_request, unchanged=plan_unchanged, expect={"GET": {200}}
    ),
    "plan_approve": Route(
        "object", build=new_plan_request, unchanged=plan_unchanged, expect={"POST": {302}}
    ),
    "plan_decline": Route(
        "object",
        build=new_plan_request,
        unchanged=plan_unchanged,
        data={"POST": {"decline-message": "Acme cannot wait that long"}},
        expect={"POST": {302}},
    ),
    "plan_counter": Route(
        "object",
        build=new_plan_request,
        unchanged=plan_unchanged,
        data={"POST": {"_action": "build", "count": "2", "frequency": "monthly"}},
        expect={"GET": {200}, "POST": {200}},
    ),
    "plan_cancel": Route(
        "object",
        build=new_active_plan,
        unchanged=plan_unchanged,
        data={"POST": {"cancel-reason": "Acme agreed otherwise"}},
        expect={"POST": {302}},
    ),
    "plan_instalment_move": Route(
        "object",
        build=new_active_plan,
        unchanged=plan_unchanged,
        data={"POST": move_body},
        expect={"POST": {200}},
    ),
    "pay_plan": Route("custom", custom=sweep_pay_plan),
    "pay_plan_accept": Route("custom", custom=sweep_pay_plan_accept),
}

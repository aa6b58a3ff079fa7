"""Isolation sweep entries for pausing reminders and choosing a customer's policy: the invoice
page's pause/resume forms, the customer page's policy and pause/resume forms, and the API's
invoice timeline, its pause/ and resume/ actions and a customer's reminders (GET, PATCH).

Each is an object route (B's invoice or customer is a 404 for every method; A's own gets
through). The policy routes also get B's policy id in the body for A's own customer, which must
be a 404 that changes nothing. A pause's reason carries its organization's name, so B's showing
on any page or answer is caught by the sweep's marker check.
"""

from __future__ import annotations

from invoicing.models import Customer, Invoice
from reminders.models import CustomerReminders, InvoiceReminderPause, ReminderPolicy
from reminders.pause_services import customer_reminders_pause, invoice_reminders_pause
from tests.conftest import Tenant
from tests.isolation.builders import invoice_unchanged, new_customer, new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

# ---- builders


def paused_invoice(tenant: Tenant) -> Invoice:
    invoice = new_invoice(tenant)
    invoice_reminders_pause(
        org=tenant.org, actor=None, invoice=invoice, reason=f"{tenant.org.name} invoice pause"
    )
    return invoice


def paused_customer(tenant: Tenant) -> Customer:
    customer = new_customer(tenant)
    customer_reminders_pause(
        org=tenant.org, actor=None, customer=customer, reason=f"{tenant.org.name} customer pause"
    )
    return customer


def new_policy(tenant: Tenant) -> ReminderPolicy:
    return ReminderPolicy.objects.create(organization=tenant.org, name=f"{tenant.org.name} policy")


def invoice_pause_unchanged(built: Invoice) -> None:
    invoice_unchanged(built)
    pause = InvoiceReminderPause.objects.filter(invoice_id=built.pk).first()
    assert pause is not None, "org B's invoice was resumed"
    assert pause.reason == f"{built.organization.name} invoice pause", "org B's pause changed"


def invoice_not_paused(built: Invoice) -> None:
    invoice_unchanged(built)
    assert not InvoiceReminderPause.objects.filter(invoice_id=built.pk).exists(), (
        "org B's invoice was paused"
    )


def customer_settings_unchanged(built: Customer) -> None:
    row = CustomerReminders.objects.filter(customer_id=built.pk).first()
    assert row is not None, "org B's customer lost its reminder settings"
    assert (row.paused, row.paused_reason, row.policy_id) == (
        True,
        f"{built.organization.name} customer pause",
        None,
    ), "org B's customer's reminders changed"


def invoice_kwargs(invoice: Invoice) -> dict[str, int]:
    return {"invoice_pk": invoice.pk}


def api_invoice_kwargs(invoice: Invoice) -> dict[str, int]:
    return {"invoice_id": invoice.pk}


def customer_kwargs(customer: Customer) -> dict[str, int]:
    return {"customer_pk": customer.pk}


def api_customer_kwargs(customer: Customer) -> dict[str, int]:
    return {"customer_id": customer.pk}


# ---- B's policy named for A's own customer


def sweep_policy_body(world: World, found: FoundRoute, route: Route) -> None:
    """The standard object check, then A's own customer with B's policy in the body."""
    sweep_object(world, found, route)
    b_policy = new_policy(world.b)
    a_customer = new_customer(world.a)
    if found.name == "customer_reminders_policy":
        url, method = f"/customers/{a_customer.pk}/reminders/policy/", "POST"
    else:
        url, method = f"/api/v1/customers/{a_customer.pk}/reminders/", "PATCH"
    for who, make_client in a_clients(world, found):
        response = request_as_a(world, make_client(), method, url, {"policy": b_policy.pk}, who)
        check_hidden(response, f"{method} {url} with org B's policy as {who}")
        assert not CustomerReminders.objects.filter(
            customer=a_customer, policy__isnull=False
        ).exists(), "A's customer was put on B's policy"


ROUTES: dict[str, Route] = {
    "invoice_reminders_pause": Route(
        "object",
        build=new_invoice,
        kwargs=invoice_kwargs,
        unchanged=invoice_not_paused,
        data={"POST": {"reason": "Acme pause"}},
        expect={"POST": {302}},
    ),
    "invoice_reminders_resume": Route(
        "object",
        build=paused_invoice,
        kwargs=invoice_kwargs,
        unchanged=invoice_pause_unchanged,
        expect={"POST": {302}},
    ),
    "customer_reminders_policy": Route(
        "custom",
        custom=sweep_policy_body,
        build=paused_customer,
        kwargs=customer_kwargs,
        unchanged=customer_settings_unchanged,
        data={"POST": {"policy": ""}},
        expect={"POST": {302}},
    ),
    "customer_reminders_pause": Route(
        "object",
        build=paused_customer,
        kwargs=customer_kwargs,
        unchanged=customer_settings_unchanged,
        data={"POST": {"reason": "Acme pause"}},
        expect={"POST": {302}},
    ),
    "customer_reminders_resume": Route(
        "object",
        build=paused_customer,
        kwargs=customer_kwargs,
        unchanged=customer_settings_unchanged,
        expect={"POST": {302}},
    ),
    "api_invoice_reminders": Route(
        "object", build=paused_invoice, kwargs=api_invoice_kwargs, unchanged=invoice_pause_unchanged
    ),
    "api_invoice_reminders_pause": Route(
        "object",
        build=new_invoice,
        kwargs=api_invoice_kwargs,
        unchanged=invoice_not_paused,
        data={"POST": {"reason": "Acme pause"}},
        expect={"POST": {200}},
    ),
    "api_invoice_reminders_resume": Route(
        "object",
        build=paused_invoice,
        kwargs=api_invoice_kwargs,
        unchanged=invoice_pause_unchanged,
        data={"POST": {}},
        expect={"POST": {200}},
    ),
    "api_customer_reminders": Route(
        "custom",
        custom=sweep_policy_body,
        build=paused_customer,
        kwargs=api_customer_kwargs,
        unchanged=customer_settings_unchanged,
        data={"PATCH": {"paused": True, "paused_reason": "Acme pause"}},
        expect={"GET": {200}, "PATCH": {200}},
    ),
}

"""Isolation sweep entries for reminder policies: the dashboard's editor, new policy, make
default, delete and the step preview, and /api/v1/reminder-policy/ with its make-default/.

Object routes use the sweep's standard object check on a non-default policy (B's is a 404 for
every method; A's own gets through). A policy's name carries its organization's name, so B's
showing anywhere is caught by the sweep's marker check. The preview is custom: it takes a
customer id, and B's customer is a 404 there.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import reverse

from reminders.models import ReminderPolicy, ReminderStep
from reminders.policies import policy_default
from reminders.policy_input import PolicyInput, StepInput
from reminders.policy_services import policy_create
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    send,
    sweep_object,
)

SERIAL = itertools.count(1)


def new_policy(tenant: Tenant) -> ReminderPolicy:
    """A non-default policy (a default cannot be deleted), named for its organization."""
    policy_default(org=tenant.org)
    return policy_create(
        org=tenant.org,
        actor=None,
        data=PolicyInput(
            name=f"{tenant.org.name} policy {next(SERIAL)}",
            steps=(StepInput(offset_days=-2), StepInput(offset_days=9, tone="firm")),
        ),
    )


def policy_unchanged(built: ReminderPolicy) -> None:
    current = ReminderPolicy.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's policy was deleted"
    assert (current.name, current.is_default, current.daily_cap, current.window_end) == (
        built.name,
        built.is_default,
        built.daily_cap,
        built.window_end,
    ), "org B's policy changed"
    steps = ReminderStep.objects.filter(policy_id=built.pk).order_by("offset_days")
    assert list(steps.values_list("offset_days", "tone")) == [(-2, "friendly"), (9, "firm")], (
        "org B's steps changed"
    )


def policy_kwargs(policy: ReminderPolicy) -> dict[str, int]:
    return {"policy_id": policy.pk}


def editor_form() -> dict[str, Any]:
    """A valid editor submission: new rows (no ids), matched to saved steps by their day."""
    return {
        "name": f"Acme edited {next(SERIAL)}",
        "window_start": "10:00",
        "window_end": "16:00",
        "weekdays": ["0", "2", "4"],
        "min_gap_hours": "24",
        "daily_cap": "2",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-offset_days": "-2",
        "steps-0-channel": "email",
        "steps-0-tone": "friendly",
        "steps-1-offset_days": "12",
        "steps-1-channel": "email",
        "steps-1-tone": "final",
        "save": "1",
    }


def api_body() -> dict[str, Any]:
    return {
        "name": f"Acme API {next(SERIAL)}",
        "window_start": "10:00",
        "window_end": "16:00",
        "weekdays": ["mon", "tue"],
        "skip_holidays": True,
        "min_gap_hours": 24,
        "daily_cap": 2,
        "steps": [{"offset_days": -2}, {"offset_days": 12, "tone": "final"}],
    }


def customer_of(tenant: Tenant) -> Any:
    customer = CustomerFactory(organization=tenant.org, display_name=f"{tenant.org.name} buyer")
    ContactFactory(customer=customer, name=f"{tenant.org.name} payer", email="p@buyer.test")
    return customer


# ---- custom checks


def sweep_editor(world: World, found: FoundRoute, route: Route) -> None:
    """The standard check, then A's own policy previewed on B's customer: a 404."""
    sweep_object(world, found, route)
    ours = new_policy(world.a)
    theirs = customer_of(world.b)
    url = reverse(found.name or "", kwargs=policy_kwargs(ours))
    for who, make_client in a_clients(world, found):
        response = request_as_a(
            world, make_client(), "GET", f"{url}?preview=0&customer={theirs.pk}", None, who
        )
        check_hidden(response, f"GET {url} preview on B's customer as {who}")
        body = {**editor_form(), "preview": "0", "customer": theirs.pk}
        body.pop("save")
        response = request_as_a(world, make_client(), "POST", url, body, who)
        check_hidden(response, f"POST {url} preview on B's customer as {who}")
        # B's policies are not on A's list either.
        listing = request_as_a(world, make_client(), "GET", reverse("reminders"), None, who)
        assert listing.status_code == 200


def sweep_step_preview(world: World, found: FoundRoute, route: Route) -> None:
    theirs = customer_of(world.b)
    ours = customer_of(world.a)
    url = reverse(found.name or "")
    body = {"offset_days": "0", "channel": "both", "tone": "friendly"}
    for who, make_client in a_clients(world, found):
        response = request_as_a(
            world, make_client(), "POST", url, {**body, "customer": theirs.pk}, who
        )
        check_hidden(response, f"POST {url} with B's customer as {who}")
        control = send(make_client(), "POST", url, {**body, "customer": ours.pk})
        assert control.status_code == 200, f"control: A's customer gave {control.status_code}"
        assert "Acme Plumbing payer" in control.json()["preview"]["email"]["text"]


def sweep_api_list(world: World, found: FoundRoute, route: Route) -> None:
    b_policy = new_policy(world.b)
    new_policy(world.a)
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        response = request_as_a(world, make_client(), "GET", url, None, who)
        assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"
        shown = {row["id"] for row in response.json()["results"]}
        assert shown and b_policy.pk not in shown, f"GET {url} as {who} lists org B's policy"
        created = request_as_a(world, make_client(), "POST", url, api_body(), who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        made = ReminderPolicy.objects.get(pk=created.json()["id"])
        assert made.organization_id == world.a.org.pk


ROUTES: dict[str, Route] = {
    "reminder_policy_new": Route("org_page", data={"POST": editor_form}, expect={"POST": {302}}),
    "reminder_policy": Route(
        "custom",
        custom=sweep_editor,
        build=new_policy,
        kwargs=policy_kwargs,
        unchanged=policy_unchanged,
        data={"POST": editor_form},
        expect={"POST": {302}},
    ),
    "reminder_policy_make_default": Route(
        "object",
        build=new_policy,
        kwargs=policy_kwargs,
        unchanged=policy_unchanged,
        expect={"POST": {302}},
    ),
    "reminder_policy_delete": Route(
        "object",
        build=new_policy,
        kwargs=policy_kwargs,
        unchanged=policy_unchanged,
        expect={"POST": {302}},
    ),
    "reminder_step_preview": Route("custom", custom=sweep_step_preview),
    "api_reminder_policies": Route("custom", custom=sweep_api_list),
    "api_reminder_policy": Route(
        "object",
        build=new_policy,
        kwargs=policy_kwargs,
        unchanged=policy_unchanged,
        data={"PUT": api_body, "PATCH": {"daily_cap": 3, "window_end": "15:00"}},
        expect={"PUT": {200}, "PATCH": {200}, "DELETE": {204}},
    ),
    "api_reminder_policy_make_default": Route(
        "object",
        build=new_policy,
        kwargs=policy_kwargs,
        unchanged=policy_unchanged,
        expect={"POST": {200}},
    ),
}

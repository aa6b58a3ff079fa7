"""/api/v1/reminder-policy/: list, create, read, replace, change, delete, make-default; bad
input answered 400 by field with nothing saved; roles; another organization's id is a 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from arhub.models import AuditEvent
from arhub.roles import Role
from reminders.models import CustomerReminders, ReminderPolicy, ReminderStep
from reminders.policies import policy_default
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/reminder-policy/"


def one(policy_id: int) -> str:
    return f"{LIST}{policy_id}/"


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def counts() -> tuple[int, int, int]:
    return ReminderPolicy.objects.count(), ReminderStep.objects.count(), AuditEvent.objects.count()


NEW = {
    "name": "Key accounts",
    "window_start": "10:00",
    "window_end": "16:30",
    "weekdays": ["mon", "Wednesday", 4],
    "skip_holidays": False,
    "min_gap_hours": 48,
    "daily_cap": 2,
    "steps": [
        {"offset_days": -5, "channel": "email", "tone": "friendly"},
        {
            "offset_days": 10,
            "channel": "preferred",
            "tone": "firm",
            "attach_pdf": True,
            "subject": "About {invoice_number}",
            "body": "Hi {contact_name}, {amount_due} is {days_overdue} days late. {pay_link}",
        },
    ],
}


def test_list_makes_the_default_and_shows_its_steps_in_words(tenant: Tenant) -> None:
    response = tenant.api(Role.VIEWER).get(LIST)
    assert response.status_code == 200
    [policy] = response.json()["results"]
    assert policy["name"] == "Standard" and policy["is_default"] is True
    assert (policy["window_start"], policy["window_end"]) == ("09:00", "17:00")
    assert policy["weekdays"] == [0, 1, 2, 3, 4]
    assert [s["offset_days"] for s in policy["steps"]] == [-3, 0, 3, 7, 14, 30]
    assert policy["steps"][0]["summary"] == "3 days before the due date: friendly email"
    assert policy["steps"][-1]["summary"] == (
        "30 days after the due date: final notice by email, with the invoice PDF"
    )


def test_create_takes_names_or_numbers_for_weekdays_and_hh_mm_times(tenant: Tenant) -> None:
    response = send(tenant.api(), "POST", LIST, NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_default"] is False
    assert (body["window_start"], body["window_end"], body["weekdays"]) == (
        "10:00",
        "16:30",
        [0, 2, 4],
    )
    assert [(s["offset_days"], s["channel"], s["attach_pdf"]) for s in body["steps"]] == [
        (-5, "email", False),
        (10, "preferred", True),
    ]
    assert body["steps"][1]["summary"].endswith("with the invoice PDF and in your own words")
    assert body["customer_count"] == 0


def test_create_with_a_name_only_gets_the_built_in_policy(tenant: Tenant) -> None:
    response = send(tenant.api(), "POST", LIST, {"name": "Strict"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["offset_days"] for s in body["steps"]] == [-3, 0, 3, 7, 14, 30]
    assert (body["daily_cap"], body["min_gap_hours"], body["skip_holidays"]) == (1, 20, True)


BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "duplicate offsets",
        {"steps": [{"offset_days": 3}, {"offset_days": 3}]},
        "steps[1].offset_days",
    ),
    ("offset out of range", {"steps": [{"offset_days": 400}]}, "steps[0].offset_days"),
    ("window reversed", {"window_start": "17:00", "window_end": "09:00"}, "window_end"),
    ("window too early", {"window_start": "07:30"}, "window_start"),
    ("window too late", {"window_end": "21:30"}, "window_end"),
    ("time not HH:MM", {"window_start": "9am"}, "window_start"),
    ("time with seconds", {"window_start": "09:00:00"}, "window_start"),
    ("no weekdays", {"weekdays": []}, "weekdays"),
    ("weekday 7", {"weekdays": [0, 7]}, "weekdays[1]"),
    ("weekday name unknown", {"weekdays": ["someday"]}, "weekdays[0]"),
    ("daily cap zero", {"daily_cap": 0}, "daily_cap"),
    (
        "unknown placeholder",
        {"steps": [{"offset_days": 1, "sms_body": "{paylink}"}]},
        "steps[0].sms_body",
    ),
    ("unknown channel", {"steps": [{"offset_days": 1, "channel": "fax"}]}, "steps[0].channel"),
    ("unknown field", {"colour": "red"}, "colour"),
    ("unknown step field", {"steps": [{"offset_days": 1, "wording": "x"}]}, "steps[0].wording"),
    ("steps not a list", {"steps": {"offset_days": 1}}, "steps"),
    ("name taken", {"name": "standard"}, "name"),
]


@pytest.mark.parametrize(("body", "key"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_create_refuses_bad_input_by_field(tenant: Tenant, body: dict[str, Any], key: str) -> None:
    policy_default(org=tenant.org)
    before = counts()
    response = send(tenant.api(), "POST", LIST, {**NEW, **body})
    assert response.status_code == 400, response.json()
    assert key in response.json(), response.json()
    assert counts()[:2] == before[:2]


def test_an_sms_step_without_a_provider_is_a_400(tenant: Tenant, settings: Any) -> None:
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_FROM_NUMBER = ""
    client = tenant.api()
    policy = policy_default(org=tenant.org)
    before = counts()
    body = {"steps": [{"offset_days": 0, "channel": "both"}]}
    response = send(client, "PATCH", one(policy.pk), body)
    assert response.status_code == 400
    assert "cannot send text messages" in response.json()["steps[0].channel"][0]
    assert counts()[:2] == before[:2]


def test_patch_edits_steps_in_place_and_keeps_their_ids(tenant: Tenant) -> None:
    client = tenant.api()
    policy = policy_default(org=tenant.org)
    saved = send(client, "GET", one(policy.pk)).json()["steps"]
    by_day = {s["offset_days"]: s for s in saved}
    steps = [
        {**by_day[-3]},
        {"offset_days": 0, "channel": "email", "tone": "friendly"},  # no id: matched by day
        {**by_day[7], "tone": "final"},
        {"offset_days": 60, "tone": "final", "attach_pdf": True},
    ]
    response = send(client, "PATCH", one(policy.pk), {"window_end": "16:00", "steps": steps})
    assert response.status_code == 200, response.json()
    body = response.json()
    after = {s["offset_days"]: s for s in body["steps"]}
    assert sorted(after) == [-3, 0, 7, 60]
    for day in (-3, 0, 7):
        assert after[day]["id"] == by_day[day]["id"]
    assert after[7]["tone"] == "final" and after[0]["channel"] == "email"
    assert (body["window_start"], body["window_end"]) == ("09:00", "16:00")
    assert not ReminderStep.objects.filter(pk__in=[by_day[3]["id"], by_day[14]["id"]]).exists()


def test_patch_with_only_a_field_keeps_the_steps(tenant: Tenant) -> None:
    client = tenant.api()
    policy = policy_default(org=tenant.org)
    ids = sorted(ReminderStep.objects.filter(policy=policy).values_list("pk", flat=True))
    response = send(client, "PATCH", one(policy.pk), {"weekdays": ["sat", "sun"]})
    assert response.status_code == 200
    assert response.json()["weekdays"] == [5, 6]
    assert sorted(ReminderStep.objects.filter(policy=policy).values_list("pk", flat=True)) == ids


def test_put_needs_every_field_and_replaces_the_policy(tenant: Tenant) -> None:
    client = tenant.api()
    policy = policy_default(org=tenant.org)
    response = send(client, "PUT", one(policy.pk), {"name": "Standard"})
    assert response.status_code == 400
    assert {"window_start", "steps", "weekdays"} <= set(response.json())

    full = {**NEW, "name": "Standard"}
    response = send(client, "PUT", one(policy.pk), full)
    assert response.status_code == 200, response.json()
    assert [s["offset_days"] for s in response.json()["steps"]] == [-5, 10]
    assert response.json()["is_default"] is True


def test_a_client_may_send_back_what_it_read(tenant: Tenant) -> None:
    client = tenant.api()
    policy = policy_default(org=tenant.org)
    read = send(client, "GET", one(policy.pk)).json()
    response = send(client, "PUT", one(policy.pk), read)
    assert response.status_code == 200, response.json()
    assert response.json()["steps"] == read["steps"]


def test_delete_and_make_default(tenant: Tenant) -> None:
    client = tenant.api()
    default = policy_default(org=tenant.org)
    created = send(client, "POST", LIST, NEW).json()
    customer = CustomerFactory(organization=tenant.org)
    CustomerReminders.objects.create(
        organization=tenant.org, customer=customer, policy_id=created["id"]
    )
    assert send(client, "GET", one(created["id"])).json()["customer_count"] == 1

    response = send(client, "DELETE", one(default.pk))
    assert response.status_code == 400
    assert "make another policy the default first" in response.json()["is_default"][0]

    response = send(client, "POST", one(created["id"]) + "make-default/")
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    default.refresh_from_db()
    assert not default.is_default

    response = send(client, "DELETE", one(default.pk))
    assert response.status_code == 204
    assert not ReminderPolicy.objects.filter(pk=default.pk).exists()


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_only_owners_and_admins_change_policies(tenant: Tenant, role: str) -> None:
    policy = policy_default(org=tenant.org)
    client = tenant.api(role)
    before = counts()
    assert send(client, "GET", one(policy.pk)).status_code == 200
    assert send(client, "POST", LIST, NEW).status_code == 403
    assert send(client, "PATCH", one(policy.pk), {"daily_cap": 3}).status_code == 403
    assert send(client, "PUT", one(policy.pk), {**NEW, "name": "Standard"}).status_code == 403
    assert send(client, "DELETE", one(policy.pk)).status_code == 403
    assert send(client, "POST", one(policy.pk) + "make-default/").status_code == 403
    assert counts()[:2] == before[:2]


def test_admin_may_change_policies(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    response = send(tenant.api(Role.ADMIN), "PATCH", one(policy.pk), {"daily_cap": 3})
    assert response.status_code == 200 and response.json()["daily_cap"] == 3


def test_another_orgs_policy_is_a_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = policy_default(org=other_tenant.org)
    client = tenant.api()
    before = counts()
    for method, url, body in [
        ("GET", one(theirs.pk), None),
        ("PATCH", one(theirs.pk), {"daily_cap": 3}),
        ("PUT", one(theirs.pk), {**NEW, "name": "Standard"}),
        ("DELETE", one(theirs.pk), None),
        ("POST", one(theirs.pk) + "make-default/", None),
    ]:
        assert send(client, method, url, body).status_code == 404, (method, url)
    assert counts()[:2] == before[:2]
    listed = client.get(LIST).json()["results"]
    assert theirs.pk not in {p["id"] for p in listed}

"""The reminder API of an invoice (``GET /api/v1/invoices/<id>/reminders/``, ``pause/``,
``resume/``) and of a customer (``GET`` / ``PATCH /api/v1/customers/<id>/reminders/``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from arhub.roles import Role
from invoicing.invoice_services import invoice_void
from reminders.models import CustomerReminders, InvoiceReminderPause, ReminderPolicy
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.reminders.engine_helpers import customer_in, invoice_due, local, run_at

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
NOW = datetime(2027, 3, 8, 12, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def auckland_invoice(tenant: Tenant):
    return invoice_due(tenant.org, customer_in(tenant.org, AUCKLAND), date(2027, 3, 14))


def url(invoice, action: str = "") -> str:
    return f"/api/v1/invoices/{invoice.pk}/reminders/" + (f"{action}/" if action else "")


# ---- an invoice's timeline


def test_the_timeline_with_the_next_send_time_in_utc_and_both_clocks(tenant, clock):
    invoice = auckland_invoice(tenant)
    response = tenant.api(Role.VIEWER).get(url(invoice))
    assert response.status_code == 200
    data = response.json()
    assert data["invoice"] == invoice.pk
    assert data["policy"] == {"id": None, "name": "Standard", "own": False}
    assert data["paused"] is False and data["hold"] is None and data["held_reason"] == ""
    assert data["sent"] == []
    address = invoice.customer.contacts.get().email
    assert data["next"] == {
        "offset_days": -3,
        "step": "3 days before the due date",
        "tone": "friendly",
        "day": "2027-03-11",
        "at": "2027-03-10T20:00:00Z",
        "customer_local": "Thu 11 Mar, 09:00 in Auckland",
        "org_local": "Wed 10 Mar, 20:00 in London",
        "customer_timezone": AUCKLAND,
        "org_timezone": "Europe/London",
        "overdue": False,
        "channels": [{"channel": "email", "to": address, "blocked": ""}],
    }


def test_what_was_sent(tenant):
    with time_machine.travel(NOW, tick=False):
        invoice = auckland_invoice(tenant)
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))
    with time_machine.travel(local(AUCKLAND, date(2027, 3, 11), time(12, 0)), tick=False):
        data = tenant.api().get(url(invoice)).json()
    (item,) = data["sent"]
    assert item["offset_days"] == -3 and item["channel"] == "email"
    assert item["status"] == "sent" and item["reason"] == "" and item["digest_with"] == []
    assert item["at"] == "2027-03-10T21:00:00Z" and item["message"] is not None
    assert item["customer_local"] == "Thu 11 Mar, 10:00 in Auckland"
    assert data["next"]["offset_days"] == 0
    assert data["next"]["customer_local"] == "Mon 15 Mar, 09:00 in Auckland"


def test_pause_with_a_reason_and_resume(tenant, clock):
    invoice = auckland_invoice(tenant)
    api = tenant.api(Role.BILLING)
    response = api.post(url(invoice, "pause"), {"reason": "Paying on the 20th"}, "application/json")
    assert response.status_code == 200
    data = response.json()
    billing = tenant.user(Role.BILLING)
    assert data["paused"] is True and data["paused_reason"] == "Paying on the 20th"
    assert data["paused_by"] == billing.full_name and data["paused_at"] == "2027-03-08T12:00:00Z"
    assert data["hold"]["code"] == "invoice_paused"
    assert data["held_reason"] == f"Paused by {billing.full_name}: Paying on the 20th"
    assert data["next"]["offset_days"] == -3  # what would come once resumed

    response = api.post(url(invoice, "resume"), {}, "application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["paused"] is False and data["held_reason"] == "" and data["hold"] is None
    assert not InvoiceReminderPause.objects.exists()
    # Resuming again changes nothing.
    assert api.post(url(invoice, "resume"), {}, "application/json").json()["paused"] is False


def test_pause_refusals(tenant, clock):
    invoice = auckland_invoice(tenant)
    api = tenant.api()
    response = api.post(url(invoice, "pause"), {"reason": "x" * 301}, "application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.post(url(invoice, "pause"), {"why": "typo"}, "application/json")
    assert response.status_code == 400 and response.json()["why"] == ["Unknown field."]
    void = invoice_make(tenant.org)
    invoice_void(org=tenant.org, actor=None, invoice=void, reason="Twice")
    response = api.post(url(void, "pause"), {}, "application/json")
    assert response.status_code == 400
    assert "nothing to pause" in response.json()["invoice"][0]
    assert not InvoiceReminderPause.objects.exists()


def test_reading_needs_any_role_pausing_the_operate_right(tenant, clock):
    invoice = auckland_invoice(tenant)
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        api = tenant.api(role)
        assert api.get(url(invoice)).status_code == 200
        for action in ("pause", "resume"):
            response = api.post(url(invoice, action), {}, "application/json")
            assert response.status_code == 403
    assert not InvoiceReminderPause.objects.exists()


def test_another_organizations_invoice_is_a_404(tenant, other_tenant, clock):
    theirs = auckland_invoice(other_tenant)
    api = tenant.api()
    assert api.get(url(theirs)).status_code == 404
    assert api.post(url(theirs, "pause"), {}, "application/json").status_code == 404
    assert not InvoiceReminderPause.objects.exists()


# ---- a customer's arrangements


def customer_url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/reminders/"


def patch(api, customer, body):
    return api.patch(customer_url(customer), body, "application/json")


def test_get_and_patch_a_customers_policy_and_pause(tenant, clock):
    customer = auckland_invoice(tenant).customer
    strict = ReminderPolicy.objects.create(organization=tenant.org, name="Strict")
    api = tenant.api()
    assert api.get(customer_url(customer)).json() == {
        "customer": customer.pk,
        "policy": None,
        "policy_name": "Standard",
        "paused": False,
        "paused_reason": "",
        "paused_by": "",
        "paused_at": None,
    }
    data = patch(api, customer, {"policy": strict.pk}).json()
    assert data["policy"] == strict.pk and data["policy_name"] == "Strict"
    data = patch(api, customer, {"paused": True, "paused_reason": "Away"}).json()
    assert data["paused"] is True and data["paused_reason"] == "Away"
    assert data["paused_by"] == tenant.owner.user.full_name and data["policy"] == strict.pk
    # The reason alone changes the reason of a customer already paused.
    data = patch(api, customer, {"paused_reason": "Away until the 20th"}).json()
    assert data["paused_reason"] == "Away until the 20th"
    data = patch(api, customer, {"paused": False, "policy": None}).json()
    assert (data["paused"], data["paused_reason"], data["policy"]) == (False, "", None)
    assert data["policy_name"] == "Standard"


def test_patch_is_all_or_nothing(tenant, clock):
    customer = auckland_invoice(tenant).customer
    strict = ReminderPolicy.objects.create(organization=tenant.org, name="Strict")
    api = tenant.api()
    response = patch(api, customer, {"policy": strict.pk, "paused_reason": "Away"})
    assert response.status_code == 400
    assert response.json() == {
        "paused_reason": ['Only a paused customer has a reason: send "paused": true with it.']
    }
    assert not CustomerReminders.objects.filter(policy__isnull=False).exists()
    response = patch(api, customer, {"paused": True, "paused_reason": "x" * 301})
    assert response.status_code == 400 and "paused_reason" in response.json()
    response = patch(api, customer, {"paused": "maybe"})
    assert response.status_code == 400 and "paused" in response.json()
    assert not CustomerReminders.objects.filter(paused=True).exists()


def test_another_organizations_policy_or_customer_is_a_404(tenant, other_tenant, clock):
    mine = auckland_invoice(tenant).customer
    theirs = auckland_invoice(other_tenant).customer
    their_policy = ReminderPolicy.objects.create(organization=other_tenant.org, name="Theirs")
    api = tenant.api()
    assert patch(api, mine, {"policy": their_policy.pk}).status_code == 404
    assert patch(api, theirs, {"paused": True}).status_code == 404
    assert api.get(customer_url(theirs)).status_code == 404
    assert not CustomerReminders.objects.exists()


def test_changing_needs_the_operate_right(tenant, clock):
    customer = auckland_invoice(tenant).customer
    assert tenant.api(Role.VIEWER).get(customer_url(customer)).status_code == 200
    assert patch(tenant.api(Role.ACCOUNTANT), customer, {"paused": True}).status_code == 403
    assert patch(tenant.api(Role.BILLING), customer, {"paused": True}).status_code == 200


def test_the_schema_documents_the_routes(client):
    schema = client.get("/api/schema/").content.decode()
    for operation in (
        "invoices_reminders_retrieve",
        "invoices_reminders_pause",
        "invoices_reminders_resume",
        "customers_reminders_retrieve",
        "customers_reminders_partial_update",
    ):
        assert operation in schema
    assert "customer_local" in schema and "held_reason" in schema

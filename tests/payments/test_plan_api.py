"""/api/v1/payment-plans/: offering a plan, listing and reading plans, the decisions on a
customer's request, moving an instalment, errors by field, other tenants' ids and who may
write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from arhub.roles import Role
from payments.models import InstalmentChange, PaymentPlan
from tests.conftest import Tenant
from tests.payments.factories import payment_make
from tests.payments.plan_factories import (
    active_plan,
    asked_plan,
    plan_clock,
    plan_customer,
    plan_invoice,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plan_clock")]
__all__ = ["plan_clock"]

LIST = "/api/v1/payment-plans/"


def detail(plan_id: int, action: str = "") -> str:
    return f"{LIST}{plan_id}/{action}"


def post(api: Client, url: str, body: Any) -> Any:
    return api.post(url, json.dumps(body), content_type="application/json")


def offer_body(tenant: Tenant, price: str = "300.00", **fields: Any) -> dict[str, Any]:
    customer = plan_customer(tenant.org)
    invoice = plan_invoice(tenant.org, customer, price)
    return {
        "customer": customer.pk,
        "invoices": [invoice.pk],
        "count": 3,
        "frequency": "monthly",
        "start_date": "2027-03-31",
        **fields,
    }


def test_offer_by_count_answers_the_plan_with_its_schedule(tenant):
    body = offer_body(tenant, message="Three easy payments.")
    response = post(tenant.api(Role.BILLING), LIST, body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["origin"], data["currency"]) == ("proposed", "owner", "GBP")
    assert (data["total"], data["amount_paid"], data["amount_remaining"]) == (
        "300.00",
        "0.00",
        "300.00",
    )
    assert data["owner_message"] == "Three easy payments."
    assert [(row["seq"], row["due_date"], row["amount"]) for row in data["instalments"]] == [
        (1, "2027-03-31", "100.00"),
        (2, "2027-04-30", "100.00"),
        (3, "2027-05-31", "100.00"),
    ]
    assert data["invoices"] == [
        {
            "invoice": body["invoices"][0],
            "invoice_number": data["invoices"][0]["invoice_number"],
            "balance_at_start": "300.00",
            "balance_due": "300.00",
            "released_at": None,
        }
    ]
    assert data["next_due"]["amount"] == "100.00"
    assert data["next_due"]["due_date"] == "2027-03-31"


def test_offer_with_own_instalments_and_the_errors_by_field(tenant):
    api = tenant.api()
    body = offer_body(tenant)
    del body["count"], body["frequency"], body["start_date"]
    body["instalments"] = [
        {"due_date": "2027-03-10", "amount": "100.00"},
        {"due_date": "2027-04-10", "amount": "200.00"},
    ]
    created = post(api, LIST, body)
    assert created.status_code == 201, created.json()
    assert [row["amount"] for row in created.json()["instalments"]] == ["100.00", "200.00"]

    again = offer_body(tenant, instalments=[{"due_date": "2027-03-10", "amount": "1.00"}])
    del again["count"], again["frequency"], again["start_date"]
    refused = post(api, LIST, again)
    assert refused.status_code == 400
    assert "they must match exactly" in refused.json()["instalments"][0]

    floats = offer_body(tenant, instalments=[{"due_date": "2027-03-10", "amount": 0.1}])
    refused = post(api, LIST, floats)
    assert refused.status_code == 400
    assert "instalments[0].amount" in refused.json()

    bad = post(api, LIST, offer_body(tenant, count=None, frequency="daily"))
    assert bad.status_code == 400
    assert set(bad.json()) >= {"count", "frequency"}
    past = post(api, LIST, offer_body(tenant, start_date="2027-02-01"))
    assert past.json() == {"start_date": ["The first payment cannot be in the past."]}
    assert PaymentPlan.objects.count() == 1


def test_another_organizations_customer_or_invoice_is_a_400_that_saves_nothing(
    tenant, other_tenant
):
    api = tenant.api()
    theirs = offer_body(other_tenant)
    mine = offer_body(tenant)
    response = post(api, LIST, {**mine, "customer": theirs["customer"]})
    assert response.status_code == 400
    assert response.json() == {"customer": [f"Customer {theirs['customer']} does not exist."]}
    response = post(api, LIST, {**mine, "invoices": [*mine["invoices"], *theirs["invoices"]]})
    assert response.status_code == 400
    assert response.json() == {"invoices": [f"Invoice {theirs['invoices'][0]} does not exist."]}
    assert not PaymentPlan.objects.exists()


def test_list_filters_and_detail_stay_in_the_organization(tenant, other_tenant):
    active, waiting = active_plan(tenant.org), asked_plan(tenant.org, "2500.00")
    theirs = active_plan(other_tenant.org)
    api = tenant.api(Role.VIEWER)
    everything = api.get(LIST).json()
    assert [row["id"] for row in everything["results"]] == [waiting.pk, active.pk]
    assert [row["id"] for row in api.get(LIST + "?status=active").json()["results"]] == [active.pk]
    by_customer = api.get(f"{LIST}?customer={waiting.customer_id}").json()["results"]
    assert [row["id"] for row in by_customer] == [waiting.pk]
    assert api.get(f"{LIST}?customer={theirs.customer_id}").json()["results"] == []
    assert api.get(LIST + "?status=lost").status_code == 400
    assert api.get(detail(active.pk)).json()["auto_approved"] is True
    assert api.get(detail(theirs.pk)).status_code == 404


def test_paging_by_cursor(tenant):
    plans = [active_plan(tenant.org) for _ in range(3)]
    api = tenant.api()
    first = api.get(LIST + "?page_size=2").json()
    second = api.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == [plan.pk for plan in reversed(plans)]


def test_detail_shows_what_is_paid_and_what_is_next(tenant):
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "150.00")
    data = tenant.api().get(detail(plan.pk)).json()
    assert (data["amount_paid"], data["amount_remaining"]) == ("150.00", "150.00")
    assert [row["remaining"] for row in data["instalments"]] == ["0.00", "50.00", "100.00"]
    assert data["next_due"]["due_date"] == "2027-04-10"
    assert data["next_due"]["amount"] == "50.00"
    assert data["invoices"][0]["balance_due"] == "150.00"


def test_approve_decline_counter_and_cancel(tenant):
    api = tenant.api(Role.BILLING)
    approved = post(api, detail(asked_plan(tenant.org, "2500.00").pk, "approve/"), {})
    assert approved.status_code == 200
    assert approved.json()["status"] == "active"
    again = post(api, detail(approved.json()["id"], "approve/"), {})
    assert again.status_code == 400
    assert "status" in again.json()

    declining = asked_plan(tenant.org, "2500.00")
    refused = post(api, detail(declining.pk, "decline/"), {"message": ""})
    assert refused.status_code == 400
    assert "message" in refused.json()
    declined = post(api, detail(declining.pk, "decline/"), {"message": "Not this time."})
    assert declined.json()["status"] == "declined"
    assert declined.json()["invoices"][0]["released_at"] is not None

    countered = asked_plan(tenant.org, "2500.00")
    offer = post(
        api,
        detail(countered.pk, "counter/"),
        {"count": 5, "frequency": "monthly", "start_date": "2027-03-20", "message": "Five?"},
    )
    assert offer.status_code == 201, offer.json()
    assert (offer.json()["counter_to"], offer.json()["origin"]) == (countered.pk, "owner")
    assert [row["amount"] for row in offer.json()["instalments"]] == ["500.00"] * 5

    cancelled = post(api, detail(offer.json()["id"], "cancel/"), {"reason": "Withdrawn"})
    assert (cancelled.json()["status"], cancelled.json()["ended_reason"]) == (
        "cancelled",
        "Withdrawn",
    )
    assert post(api, detail(offer.json()["id"], "cancel/"), {"reason": "x"}).status_code == 400


def test_move_an_instalment(tenant, other_tenant):
    plan = active_plan(tenant.org)
    second = plan.instalments.get(seq=2)
    api = tenant.api()
    url = detail(plan.pk, f"instalments/{second.pk}/move/")
    moved = post(api, url, {"due_date": "2027-04-20", "reason": "Asked for a week more"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["instalments"][1]["due_date"] == "2027-04-20"
    assert InstalmentChange.objects.get().changed_by == tenant.user()
    refused = post(api, url, {"due_date": "2027-05-10", "reason": "x"})
    assert refused.status_code == 400
    assert "before the next instalment" in refused.json()["due_date"][0]
    assert post(api, url, {"due_date": "2027-04-21"}).json() == {
        "reason": ["Say why the instalment moves."]
    }
    # An instalment of another plan, or of another organization, is not found here.
    other = active_plan(tenant.org).instalments.get(seq=2)
    assert post(api, detail(plan.pk, f"instalments/{other.pk}/move/"), {}).status_code == 404
    theirs = active_plan(other_tenant.org)
    foreign = detail(theirs.pk, f"instalments/{theirs.instalments.get(seq=2).pk}/move/")
    assert post(api, foreign, {"due_date": "2027-04-20", "reason": "x"}).status_code == 404


def test_unknown_fields_are_refused(tenant):
    response = post(tenant.api(), LIST, offer_body(tenant, installments=[]))
    assert response.status_code == 400
    assert response.json() == {"installments": ["Unknown field."]}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_read_but_do_not_write(tenant, role):
    plan = asked_plan(tenant.org, "2500.00")
    api = tenant.api(role)
    assert api.get(detail(plan.pk)).status_code == 200
    assert post(api, LIST, offer_body(tenant)).status_code == 403
    assert post(api, detail(plan.pk, "approve/"), {}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == "proposed"
    assert PaymentPlan.objects.count() == 1

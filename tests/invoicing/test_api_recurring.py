"""/api/v1/recurring-invoices/: list, create, read, change, delete, pause, resume, finish."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine

from arhub.roles import Role
from invoicing.models import RecurringInvoice, RecurringStatus
from invoicing.recurring_services import recurring_issue_due
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory
from tests.invoicing.recurring_factories import customer_make, recurring_make

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
URL = "/api/v1/recurring-invoices/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    monkeypatch.setattr("invoicing.sending.invoice_send", lambda **kwargs: kwargs["invoice"])


@pytest.fixture
def customer(tenant):
    return customer_make(tenant.org, display_name="Harbour Dental")


def body(customer, **fields):
    data = {
        "customer": customer.pk,
        "name": "Monthly maintenance",
        "frequency": "monthly",
        "day_of_month": 31,
        "start_date": "2026-01-31",
        "lines": [{"description": "Website care", "quantity": "1", "unit_price": "250.00"}],
    }
    data.update(fields)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_create_and_read_back(tenant, customer):
    rate = TaxRateFactory(organization=tenant.org, name="VAT")
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14)
    api = tenant.api(Role.BILLING)
    response = post(
        api,
        URL,
        body(
            customer,
            payment_terms=terms.pk,
            auto_send=False,
            lines=[
                {
                    "description": "Website care",
                    "quantity": 2,
                    "unit": "hours",
                    "unit_price": "62.50",
                    "discount_percent": 12.5,
                    "tax_rate_ids": [rate.pk],
                }
            ],
        ),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "active"
    assert data["next_date"] == "2026-01-31"
    assert data["upcoming_dates"] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
    ]
    assert data["currency"] == "GBP"
    assert data["customer_name"] == "Harbour Dental"
    assert data["payment_terms"] == terms.pk
    assert data["auto_send"] is False
    assert data["lines"][0] == {
        "kind": "item",
        "description": "Website care",
        "quantity": "2",
        "unit": "hours",
        "unit_price": "62.50",
        "discount_percent": "12.5",
        "tax_rate_ids": [rate.pk],
    }
    read = api.get(f"{URL}{data['id']}/")
    assert read.status_code == 200
    assert read.json() == data


@pytest.mark.django_db
def test_inexact_floats_are_refused_by_field(tenant, customer):
    response = post(
        tenant.api(),
        URL,
        body(customer, lines=[{"description": "Care", "quantity": 1, "unit_price": 0.1}]),
    )
    assert response.status_code == 400
    message = response.json()["lines"]["0"]["unit_price"][0]
    assert "not exact" in message and '"0.1"' in message
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_service_errors_are_400_by_field_and_position(tenant, customer):
    response = post(
        tenant.api(),
        URL,
        body(
            customer,
            name="",
            day_of_month=32,
            end_date="2025-12-01",
            currency="ZZZ",
            lines=[
                {"description": "Care", "quantity": "1", "unit_price": "10"},
                {"description": "", "quantity": "1", "unit_price": "-1"},
            ],
        ),
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "day_of_month", "end_date", "currency", "lines"}
    assert set(errors["lines"]["1"]) == {"description", "unit_price"}
    assert "0" not in errors["lines"]


@pytest.mark.django_db
def test_unknown_fields_are_refused(tenant, customer):
    response = post(tenant.api(), URL, body(customer, frequncy="weekly"))
    assert response.status_code == 400
    assert response.json() == {"frequncy": ["Unknown field."]}


@pytest.mark.django_db
def test_another_organizations_ids_in_the_body_are_404(tenant, other_tenant, customer):
    api = tenant.api()
    theirs = customer_make(other_tenant.org)
    assert post(api, URL, body(theirs)).status_code == 404
    rate = TaxRateFactory(organization=other_tenant.org)
    lines = [
        {"description": "Care", "quantity": "1", "unit_price": "10", "tax_rate_ids": [rate.pk]}
    ]
    assert post(api, URL, body(customer, lines=lines)).status_code == 404
    terms = PaymentTermsFactory(organization=other_tenant.org)
    assert post(api, URL, body(customer, payment_terms=terms.pk)).status_code == 404
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_list_is_the_organizations_own_and_filters(tenant, other_tenant, customer):
    mine = recurring_make(tenant.org, customer=customer)
    paused = recurring_make(tenant.org, name="Paused one")
    paused.status = RecurringStatus.PAUSED
    paused.save()
    recurring_make(other_tenant.org)
    api = tenant.api(Role.VIEWER)
    ids = [row["id"] for row in api.get(URL).json()["results"]]
    assert sorted(ids) == sorted([mine.pk, paused.pk])
    assert [r["id"] for r in api.get(URL + "?status=paused").json()["results"]] == [paused.pk]
    by_customer = api.get(f"{URL}?customer={customer.pk}").json()["results"]
    assert [r["id"] for r in by_customer] == [mine.pk]
    assert api.get(URL + "?status=sleeping").status_code == 400
    assert api.get(URL + "?customer=abc").status_code == 400


@pytest.mark.django_db
def test_patch_changes_only_what_is_given(tenant, customer, clock):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    recurring_issue_due(org=tenant.org, template_id=template.pk)
    api = tenant.api()
    response = patch(api, f"{URL}{template.pk}/", {"day_of_month": 15, "name": "Mid-month"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["name"], data["day_of_month"], data["next_date"]) == (
        "Mid-month",
        15,
        "2026-02-15",
    )
    assert data["lines"][0]["unit_price"] == "250.00"
    response = patch(
        api,
        f"{URL}{template.pk}/",
        {"lines": [{"description": "New rate", "quantity": "1", "unit_price": "300"}]},
    )
    assert response.json()["lines"][0]["description"] == "New rate"
    assert patch(api, f"{URL}{template.pk}/", {"max_count": 0}).status_code == 400


@pytest.mark.django_db
def test_pause_resume_finish_and_delete(tenant, customer, clock):
    template = recurring_make(tenant.org, customer=customer)
    api = tenant.api()
    at = f"{URL}{template.pk}/"
    assert post(api, at + "pause/", {}).json()["status"] == "paused"
    assert post(api, at + "pause/", {}).json()["upcoming_dates"] == []
    clock.move_to(datetime(2026, 3, 5, 9, tzinfo=UTC))
    resumed = post(api, at + "resume/", {}).json()
    assert (resumed["status"], resumed["next_date"]) == ("active", "2026-03-31")
    recurring_issue_due(org=tenant.org, template_id=template.pk, today=date(2026, 3, 31))
    refused = api.delete(at)
    assert refused.status_code == 400
    assert "Finish it instead" in refused.json()["status"][0]
    finished = post(api, at + "finish/", {}).json()
    assert (finished["status"], finished["next_date"]) == ("finished", None)
    assert patch(api, at, {"name": "Again"}).status_code == 400
    assert post(api, at + "resume/", {}).status_code == 400

    unused = recurring_make(tenant.org, customer=customer)
    assert api.delete(f"{URL}{unused.pk}/").status_code == 204
    assert not RecurringInvoice.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_read_only_roles_read_but_do_not_write(tenant, customer):
    template = recurring_make(tenant.org, customer=customer)
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        api = tenant.api(role)
        assert api.get(f"{URL}{template.pk}/").status_code == 200
        assert post(api, URL, body(customer)).status_code == 403
        assert patch(api, f"{URL}{template.pk}/", {"name": "x"}).status_code == 403
        assert post(api, f"{URL}{template.pk}/pause/", {}).status_code == 403
        assert api.delete(f"{URL}{template.pk}/").status_code == 403
    assert RecurringInvoice.objects.get(pk=template.pk).name == "Monthly maintenance"


@pytest.mark.django_db
def test_another_organizations_template_is_404(tenant, other_tenant):
    theirs = recurring_make(other_tenant.org)
    api = tenant.api()
    at = f"{URL}{theirs.pk}/"
    assert api.get(at).status_code == 404
    assert patch(api, at, {"name": "Taken"}).status_code == 404
    assert api.delete(at).status_code == 404
    for action in ("pause/", "resume/", "finish/"):
        assert post(api, at + action, {}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status) == ("Monthly maintenance", RecurringStatus.ACTIVE)


@pytest.mark.django_db
def test_the_schema_documents_the_routes(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/recurring-invoices/" in paths
    assert "/api/v1/recurring-invoices/{recurring_id}/pause/" in paths
    line = schema["components"]["schemas"]["RecurringLineRequest"]["properties"]
    assert line["unit_price"]["type"] == "string"

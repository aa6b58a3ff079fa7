"""/api/v1/promises/: list with filters, record one on the customer's word, read one, cancel
one; bad input refused by field with nothing saved; another organization's promise a 404 and
its invoice in a body a 400; read-only roles read and do not write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from arhub.models import AuditAction, AuditEvent, Notice
from arhub.roles import Role
from payments.models import PromiseStatus, PromiseToPay
from payments.promise_services import promise_make
from tests.conftest import Tenant
from tests.payments.pay_page_helpers import noon, pay_part, plain_invoice

pytestmark = pytest.mark.django_db

LIST = "/api/v1/promises/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False) as traveller:
        yield traveller


def post(api: Client, url: str, body: Any) -> Any:
    return api.post(url, json.dumps(body), content_type="application/json")


def test_record_read_and_list(tenant: Tenant) -> None:
    api = tenant.api()
    invoice = plain_invoice(tenant.org)
    response = post(
        api, LIST, {"invoice": invoice.pk, "promised_date": "2027-03-20", "note": "By phone"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "invoice": invoice.pk,
        "invoice_number": invoice.number,
        "customer": invoice.customer_id,
        "customer_name": invoice.customer.display_name,
        "promised_date": "2027-03-20",
        "amount": "300.00",
        "currency": "GBP",
        "status": "open",
        "note": "By phone",
        "made_by": tenant.owner.user.email,
        "created_at": body["created_at"],
        "kept_at": None,
        "broken_at": None,
        "cancelled_at": None,
    }
    # Recorded by a member: no notice to the business about itself.
    assert not Notice.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.PROMISE_MADE).actor == tenant.owner.user
    detail = api.get(f"{LIST}{body['id']}/")
    assert detail.status_code == 200 and detail.json() == body
    listed = api.get(LIST)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_filters_by_status_invoice_and_customer(tenant: Tenant) -> None:
    org = tenant.org
    first, second = plain_invoice(org), plain_invoice(org)
    kept = promise_make(org=org, invoice=first, promised_date=date(2027, 3, 20))
    pay_part(org, first, "300.00")
    open_one = promise_make(org=org, invoice=second, promised_date=date(2027, 3, 21))
    api = tenant.api(Role.VIEWER)

    def ids(query: str) -> list[int]:
        response = api.get(LIST + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [open_one.pk, kept.pk]
    assert ids("?status=kept") == [kept.pk]
    assert ids("?status=open") == [open_one.pk]
    assert ids(f"?invoice={first.pk}") == [kept.pk]
    assert ids(f"?customer={second.customer_id}&status=open") == [open_one.pk]
    assert ids(f"?customer={second.customer_id}&status=kept") == []
    bad = api.get(LIST + "?status=pending")
    assert bad.status_code == 400 and "status" in bad.json()


def test_a_date_past_the_limit_is_a_400_naming_the_last_date(tenant: Tenant) -> None:
    invoice = plain_invoice(tenant.org)
    response = post(tenant.api(), LIST, {"invoice": invoice.pk, "promised_date": "2027-04-05"})
    assert response.status_code == 400
    assert response.json() == {
        "promised_date": [
            "A promise may be at most 30 days ahead: the last allowed date is 4 April 2027."
        ]
    }
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"invoice": None, "promised_date": "2027-03-20"}, "invoice"),
        ({"invoice": "x", "promised_date": "2027-03-20"}, "invoice"),
        ({"promised_date": "20/03/2027"}, "promised_date"),
        ({"promised_date": "2027-03-20", "amount": "10.00"}, "amount"),
        ({}, "promised_date"),
    ],
)
def test_bad_shapes_are_400s_by_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    invoice = plain_invoice(tenant.org)
    response = post(tenant.api(), LIST, {"invoice": invoice.pk, **body})
    assert response.status_code == 400
    assert field in response.json()
    assert not PromiseToPay.objects.exists()


def test_a_paid_invoice_is_a_400_under_invoice(tenant: Tenant) -> None:
    invoice = plain_invoice(tenant.org)
    pay_part(tenant.org, invoice, "300.00")
    response = post(tenant.api(), LIST, {"invoice": invoice.pk, "promised_date": "2027-03-20"})
    assert response.status_code == 400
    assert response.json() == {
        "invoice": [f"{invoice.number} has nothing left to pay, so it takes no promise."]
    }


def test_another_organizations_invoice_is_a_400_and_its_promise_a_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = plain_invoice(other_tenant.org)
    api = tenant.api()
    response = post(api, LIST, {"invoice": theirs.pk, "promised_date": "2027-03-20"})
    assert response.status_code == 400
    assert response.json() == {"invoice": [f"Invoice {theirs.pk} does not exist."]}
    assert not PromiseToPay.objects.exists()
    promise = promise_make(org=other_tenant.org, invoice=theirs, promised_date=date(2027, 3, 20))
    assert api.get(f"{LIST}{promise.pk}/").status_code == 404
    cancel = post(api, f"{LIST}{promise.pk}/cancel/", {"reason": "not ours"})
    assert cancel.status_code == 404
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN
    assert api.get(LIST).json()["results"] == []
    assert api.get(f"{LIST}?invoice={theirs.pk}").json()["results"] == []


def test_cancel_needs_a_reason_and_an_open_promise(tenant: Tenant) -> None:
    invoice = plain_invoice(tenant.org)
    promise = promise_make(org=tenant.org, invoice=invoice, promised_date=date(2027, 3, 20))
    api = tenant.api()
    url = f"{LIST}{promise.pk}/cancel/"
    missing = post(api, url, {})
    assert missing.status_code == 400
    assert missing.json() == {"reason": ["Say why the promise is cancelled."]}
    done = post(api, url, {"reason": "Asked for a plan instead"})
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled" and done.json()["cancelled_at"]
    again = post(api, url, {"reason": "again"})
    assert again.status_code == 400
    assert again.json() == {"status": ["This promise is already cancelled."]}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_read_but_do_not_write(tenant: Tenant, role: str) -> None:
    invoice = plain_invoice(tenant.org)
    promise = promise_make(org=tenant.org, invoice=invoice, promised_date=date(2027, 3, 20))
    api = tenant.api(role)
    assert api.get(f"{LIST}{promise.pk}/").status_code == 200
    other = plain_invoice(tenant.org)
    assert post(api, LIST, {"invoice": other.pk, "promised_date": "2027-03-20"}).status_code == 403
    assert post(api, f"{LIST}{promise.pk}/cancel/", {"reason": "x"}).status_code == 403
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN

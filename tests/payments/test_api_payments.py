"""/api/v1/payments/: recording, listing (filters, keyset pages, query count), one payment,
reversing and applying credit, and who may write."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing.models import InvoiceStatus
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus
from payments.services import AllocationInput
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/payments/"


def detail(payment_id: int, action: str = "") -> str:
    return f"/api/v1/payments/{payment_id}/{action}"


def post(api: Client, url: str, body: Any) -> Any:
    return api.post(url, json.dumps(body), content_type="application/json")


def customer_of(tenant: Tenant, currency: str = "USD") -> Any:
    customer = CustomerFactory(organization=tenant.org, currency=currency)
    ContactFactory(customer=customer)
    return customer


def body(customer: Any, **fields: Any) -> dict[str, Any]:
    return {
        "customer": customer.pk,
        "amount": "500.00",
        "currency": "USD",
        "method": "cheque",
        "received_on": "2027-02-01",
        "reference": "Cheque 1042",
        **fields,
    }


def test_record_with_allocations_answers_the_payment_and_pays_the_invoice(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)  # 300.00
    response = post(
        tenant.api(Role.BILLING),
        LIST,
        body(customer, allocations=[{"invoice": invoice.pk, "amount": "120.50"}]),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    payment = Payment.objects.get(pk=data["id"])
    assert payment.organization_id == tenant.org.pk
    assert payment.created_by == tenant.members[Role.BILLING].user
    assert data["amount"] == "500.00"
    assert data["unapplied_amount"] == "379.50"
    assert data["status"] == "completed"
    assert data["method"] == "cheque"
    assert data["received_on"] == "2027-02-01"
    assert data["customer_name"] == customer.display_name
    [allocation] = data["allocations"]
    assert allocation["invoice"] == invoice.pk
    assert allocation["invoice_number"] == invoice.number
    assert allocation["amount"] == "120.50"
    assert allocation["reversed_at"] is None
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("120.50")
    assert invoice.balance_due == Decimal("179.50")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_record_without_allocations_applies_automatically(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    response = post(tenant.api(), LIST, body(customer, amount="300"))
    assert response.status_code == 201, response.json()
    assert response.json()["unapplied_amount"] == "0.00"
    assert [a["invoice"] for a in response.json()["allocations"]] == [invoice.pk]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_an_empty_allocation_list_keeps_it_all_as_credit(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    response = post(tenant.api(), LIST, body(customer, allocations=[]))
    assert response.status_code == 201, response.json()
    assert response.json()["allocations"] == []
    assert response.json()["unapplied_amount"] == "500.00"
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_amounts_show_the_currencys_decimals(tenant):
    customer = customer_of(tenant, currency="JPY")
    response = post(tenant.api(), LIST, body(customer, amount=1500, currency="jpy"))
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "1500"
    assert response.json()["currency"] == "JPY"


def test_detail_shows_allocations_with_reversed_ones_and_unapplied(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    payment = payment_make(
        tenant.org, customer, "200.00", allocations=[AllocationInput(invoice.pk, Decimal("50"))]
    )
    data = tenant.api(Role.VIEWER).get(detail(payment.pk)).json()
    assert data["id"] == payment.pk
    assert data["unapplied_amount"] == "150.00"
    assert [(a["invoice"], a["invoice_number"], a["amount"]) for a in data["allocations"]] == [
        (invoice.pk, invoice.number, "50.00")
    ]


def test_reverse_takes_the_money_back(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    payment = payment_make(tenant.org, customer, "300.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    response = post(tenant.api(), detail(payment.pk, "reverse/"), {"reason": "Cheque bounced"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "reversed"
    assert data["reversal_reason"] == "Cheque bounced"
    assert data["reversed_at"] is not None
    assert data["unapplied_amount"] == "0.00"
    assert data["allocations"][0]["reversed_at"] is not None
    invoice.refresh_from_db()
    assert invoice.balance_due == Decimal("300.00")
    assert invoice.status == InvoiceStatus.OPEN


def test_apply_credit_explicitly_and_automatically(tenant):
    customer = customer_of(tenant)
    first = invoice_make(tenant.org, customer=customer)
    payment = payment_make(tenant.org, customer, "400.00", allocations=[])
    second = invoice_make(tenant.org, customer=customer)
    api = tenant.api(Role.ADMIN)
    url = detail(payment.pk, "apply-credit/")
    response = post(api, url, {"allocations": [{"invoice": second.pk, "amount": "100"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["unapplied_amount"] == "300.00"
    response = post(api, url, {})
    assert response.status_code == 200, response.json()
    assert response.json()["unapplied_amount"] == "0.00"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.amount_paid + second.amount_paid == Decimal("400.00")
    assert second.amount_paid >= Decimal("100.00")


def test_apply_credit_of_a_fully_applied_payment_is_a_400(tenant):
    customer = customer_of(tenant)
    invoice_make(tenant.org, customer=customer)
    payment = payment_make(tenant.org, customer, "300.00")
    response = post(tenant.api(), detail(payment.pk, "apply-credit/"), {})
    assert response.status_code == 400
    assert set(response.json()) == {"unapplied_amount"}


# ---- the list


def test_list_newest_received_first_with_filters(tenant, other_tenant):
    customer, other = customer_of(tenant), customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    older = payment_make(
        tenant.org, customer, "10.00", allocations=[AllocationInput(invoice.pk, Decimal("10"))]
    )
    newer = payment_make(tenant.org, other, "20.00", method=PaymentMethod.CASH)
    newer.received_on = date(2027, 3, 1)
    newer.save(update_fields=["received_on"])
    tie = payment_make(tenant.org, customer, "30.00", allocations=[])  # same day as older
    reversed_ = payment_make(tenant.org, other, "40.00", allocations=[])
    Payment.objects.filter(pk=reversed_.pk).update(received_on=date(2026, 1, 1))
    post(tenant.api(), detail(reversed_.pk, "reverse/"), {"reason": "Mistake"})
    payment_make(other_tenant.org, customer_of(other_tenant), "99.00")
    api = tenant.api(Role.ACCOUNTANT)

    def ids(query: str = "") -> list[int]:
        response = api.get(LIST + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [newer.pk, tie.pk, older.pk, reversed_.pk]
    assert ids(f"?customer={customer.pk}") == [tie.pk, older.pk]
    assert ids(f"?invoice={invoice.pk}") == [older.pk]
    assert ids("?method=cash") == [newer.pk]
    assert ids("?status=reversed") == [reversed_.pk]
    assert ids(f"?status=completed&customer={other.pk}") == [newer.pk]
    bad = api.get(LIST + "?method=barter&status=lost")
    assert bad.status_code == 400
    assert set(bad.json()) == {"method", "status"}


def test_list_pages_by_cursor_in_constant_queries(tenant):
    api = tenant.api()
    customer = customer_of(tenant)

    def fill(count: int) -> None:
        for _ in range(count):
            invoice = invoice_make(tenant.org, customer=customer)
            payment_make(
                tenant.org,
                customer,
                "150.00",
                allocations=[AllocationInput(invoice.pk, Decimal("100"))],
            )

    fill(2)
    api.get(LIST)  # the token's last-used stamp is written once, not per page
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(LIST).json()["results"]) == 2
    fill(10)
    with CaptureQueriesContext(connection) as many:
        page = api.get(LIST + "?page_size=8").json()
    assert len(page["results"]) == 8
    assert all(len(row["allocations"]) == 1 for row in page["results"])
    with CaptureQueriesContext(connection) as next_page:
        rest = api.get(page["next"]).json()
    assert len(rest["results"]) == 4
    assert len(few) == len(many) == len(next_page)
    assert len(few) <= 3  # the token, the page with its customers, the allocations
    seen = [row["id"] for row in page["results"] + rest["results"]]
    assert seen == sorted(seen, reverse=True)  # one day, so newest id first
    assert len(set(seen)) == 12
    assert api.get(LIST + "?cursor=nonsense").status_code == 400


# ---- roles


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_read_but_cannot_write(tenant, role):
    customer = customer_of(tenant)
    invoice_make(tenant.org, customer=customer)
    payment = payment_make(tenant.org, customer, "100.00", allocations=[])
    api = tenant.api(role)
    assert api.get(LIST).status_code == 200
    assert api.get(detail(payment.pk)).status_code == 200
    before = (Payment.objects.count(), PaymentAllocation.objects.count())
    assert post(api, LIST, body(customer)).status_code == 403
    assert post(api, detail(payment.pk, "reverse/"), {"reason": "No"}).status_code == 403
    assert post(api, detail(payment.pk, "apply-credit/"), {}).status_code == 403
    assert (Payment.objects.count(), PaymentAllocation.objects.count()) == before
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.unapplied_amount == Decimal("100.00")


@pytest.mark.parametrize("role", [Role.BILLING, Role.ADMIN, Role.OWNER])
def test_writing_roles_record(tenant, role):
    customer = customer_of(tenant)
    assert post(tenant.api(role), LIST, body(customer)).status_code == 201


def test_another_orgs_payment_is_a_404(tenant, other_tenant):
    theirs = payment_make(other_tenant.org, customer_of(other_tenant), "100.00", allocations=[])
    api = tenant.api()
    assert api.get(detail(theirs.pk)).status_code == 404
    assert post(api, detail(theirs.pk, "reverse/"), {"reason": "x"}).status_code == 404
    assert post(api, detail(theirs.pk, "apply-credit/"), {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == PaymentStatus.COMPLETED


def test_schema_documents_the_payment_routes(client):
    schema = client.get("/api/schema/").content.decode()
    for operation in (
        "payments_list",
        "payments_create",
        "payments_retrieve",
        "payments_reverse",
        "payments_apply_credit",
    ):
        assert operation in schema
    # Each resource's status is its own named enum, not a hashed "Status…Enum".
    assert "PaymentStatusEnum" in schema and "InvoiceStatusEnum" in schema

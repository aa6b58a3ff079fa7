"""/api/v1/payments/ refusing bad input: each a 400 (or, for another organization's ids, a 404)
naming the field, with no payment or allocation saved and every invoice's balance as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from invoicing.models import Customer, Invoice
from payments.models import Payment, PaymentAllocation, PaymentStatus
from payments.services import AllocationInput
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/payments/"


def post(api: Client, url: str, body: Any) -> Any:
    return api.post(url, json.dumps(body), content_type="application/json")


def customer_of(tenant: Tenant, currency: str = "USD") -> Customer:
    customer = CustomerFactory(organization=tenant.org, currency=currency)
    ContactFactory(customer=customer)
    return customer


@dataclass
class Scene:
    customer: Customer
    invoice: Invoice  # 300.00 USD, open, the customer's
    second: Invoice  # the same again
    euro: Invoice  # the customer's, in EUR
    not_theirs: Invoice  # another customer's, same organization
    foreign: Invoice  # another organization's
    foreign_customer: Customer
    payment: Payment  # 200.00, 50.00 applied to ``invoice``


@pytest.fixture
def scene(tenant: Tenant, other_tenant: Tenant) -> Scene:
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer)
    foreign = invoice_make(other_tenant.org, customer=customer_of(other_tenant))
    return Scene(
        customer=customer,
        invoice=invoice,
        second=invoice_make(tenant.org, customer=customer),
        euro=invoice_make(tenant.org, customer=customer, currency="EUR"),
        not_theirs=invoice_make(tenant.org, customer=customer_of(tenant)),
        foreign=foreign,
        foreign_customer=foreign.customer,
        payment=payment_make(
            tenant.org, customer, "200.00", allocations=[AllocationInput(invoice.pk, Decimal(50))]
        ),
    )


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        Payment.objects.count(),
        PaymentAllocation.objects.count(),
        list(Payment.objects.order_by("pk").values_list("status", "unapplied_amount")),
        list(
            Invoice.objects.order_by("pk").values_list(
                "amount_paid", "balance_due", "status", "updated_at"
            )
        ),
    )


def valid(s: Scene, **fields: Any) -> dict[str, Any]:
    return {
        "customer": s.customer.pk,
        "amount": "100.00",
        "currency": "USD",
        "method": "bank_transfer",
        "received_on": "2027-02-01",
        **fields,
    }


def to(invoice: Invoice, amount: Any = "10.00") -> dict[str, Any]:
    return {"invoice": invoice.pk, "amount": amount}


Case = tuple[str, Callable[[Scene], dict[str, Any]], int, str]

RECORD_CASES: list[Case] = [
    ("zero amount", lambda s: valid(s, amount="0"), 400, "amount"),
    ("negative amount", lambda s: valid(s, amount="-5.00"), 400, "amount"),
    ("more decimals than USD has", lambda s: valid(s, amount="10.005"), 400, "amount"),
    (
        "more decimals than JPY has",
        lambda s: valid(s, amount="10.5", currency="JPY"),
        400,
        "amount",
    ),
    ("an inexact JSON float", lambda s: valid(s, amount=0.1), 400, "amount"),
    ("not a number", lambda s: valid(s, amount="ten"), 400, "amount"),
    ("an unknown currency", lambda s: valid(s, currency="XYZ"), 400, "currency"),
    ("an unknown method", lambda s: valid(s, method="barter"), 400, "method"),
    ("no received date", lambda s: {**valid(s), "received_on": None}, 400, "received_on"),
    ("a misspelt field", lambda s: valid(s, referance="x"), 400, "referance"),
    ("a reference too long", lambda s: valid(s, reference="x" * 201), 400, "reference"),
    (
        "an allocation of zero",
        lambda s: valid(s, allocations=[to(s.invoice, "0")]),
        400,
        "allocations[0].amount",
    ),
    (
        "an allocation as an inexact float",
        lambda s: valid(s, allocations=[to(s.invoice, 0.1)]),
        400,
        "allocations[0].amount",
    ),
    (
        "an allocation with too many decimals",
        lambda s: valid(s, allocations=[to(s.invoice), to(s.second, "1.001")]),
        400,
        "allocations[1].amount",
    ),
    (
        "an allocation without an invoice",
        lambda s: valid(s, allocations=[{"amount": "1.00"}]),
        400,
        "allocations[0].invoice",
    ),
    (
        "another customer's invoice",
        lambda s: valid(s, allocations=[to(s.not_theirs)]),
        400,
        "allocations[0].invoice",
    ),
    (
        "an invoice in another currency",
        lambda s: valid(s, allocations=[to(s.euro)]),
        400,
        "allocations[0].invoice",
    ),
    (
        "an invoice listed twice",
        lambda s: valid(s, allocations=[to(s.second), to(s.second)]),
        400,
        "allocations[1].invoice",
    ),
    (
        "more than the invoice owes",
        lambda s: valid(s, amount="500.00", allocations=[to(s.second, "300.01")]),
        400,
        "allocations[0].amount",
    ),
    (
        "allocations adding up to more than the payment",
        lambda s: valid(s, allocations=[to(s.second, "80.00"), to(s.invoice, "80.00")]),
        400,
        "allocations",
    ),
    (
        "another organization's customer",
        lambda s: valid(s, customer=s.foreign_customer.pk),
        404,
        "customer",
    ),
    (
        "another organization's invoice",
        lambda s: valid(s, allocations=[to(s.second), to(s.foreign)]),
        404,
        "allocations[1].invoice",
    ),
    ("a customer that does not exist", lambda s: valid(s, customer=10**9), 404, "customer"),
]


@pytest.mark.parametrize(
    ("make", "code", "field"),
    [case[1:] for case in RECORD_CASES],
    ids=[case[0] for case in RECORD_CASES],
)
def test_recording_refuses(tenant, scene, make, code, field):
    before = state()
    response = post(tenant.api(), LIST, make(scene))
    assert response.status_code == code, response.json()
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(message, str) and message for message in errors[field])
    assert state() == before


APPLY_CASES: list[Case] = [
    (
        "an allocation of zero",
        lambda s: {"allocations": [to(s.second, "0")]},
        400,
        "allocations[0].amount",
    ),
    (
        "an allocation as an inexact float",
        lambda s: {"allocations": [to(s.second, 0.1)]},
        400,
        "allocations[0].amount",
    ),
    (
        "another customer's invoice",
        lambda s: {"allocations": [to(s.not_theirs)]},
        400,
        "allocations[0].invoice",
    ),
    (
        "an invoice in another currency",
        lambda s: {"allocations": [to(s.euro)]},
        400,
        "allocations[0].invoice",
    ),
    (
        "more than is unapplied",
        lambda s: {"allocations": [to(s.second, "100.00"), to(s.invoice, "100.00")]},
        400,
        "allocations",
    ),
    ("a misspelt field", lambda s: {"allocation": []}, 400, "allocation"),
    (
        "another organization's invoice",
        lambda s: {"allocations": [to(s.foreign)]},
        404,
        "allocations[0].invoice",
    ),
]


@pytest.mark.parametrize(
    ("make", "code", "field"),
    [case[1:] for case in APPLY_CASES],
    ids=[case[0] for case in APPLY_CASES],
)
def test_applying_credit_refuses(tenant, scene, make, code, field):
    before = state()
    url = f"{LIST}{scene.payment.pk}/apply-credit/"
    response = post(tenant.api(), url, make(scene))
    assert response.status_code == code, response.json()
    assert field in response.json(), response.json()
    assert state() == before


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"]
)
def test_reversing_needs_a_reason(tenant, scene, body):
    before = state()
    response = post(tenant.api(), f"{LIST}{scene.payment.pk}/reverse/", body)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert state() == before


def test_reversing_twice_is_refused(tenant, scene):
    url = f"{LIST}{scene.payment.pk}/reverse/"
    assert post(tenant.api(), url, {"reason": "Cheque bounced"}).status_code == 200
    before = state()
    response = post(tenant.api(), url, {"reason": "Again"})
    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert state() == before
    scene.payment.refresh_from_db()
    assert scene.payment.status == PaymentStatus.REVERSED
    assert scene.payment.reversal_reason == "Cheque bounced"


def test_applying_credit_of_a_reversed_payment_is_refused(tenant, scene):
    post(tenant.api(), f"{LIST}{scene.payment.pk}/reverse/", {"reason": "Cheque bounced"})
    before = state()
    response = post(tenant.api(), f"{LIST}{scene.payment.pk}/apply-credit/", {})
    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert state() == before


def test_every_bad_field_is_named_at_once(tenant, scene):
    before = state()
    body = valid(scene, amount=0.1, method="barter", allocations=[to(scene.second, "x")])
    response = post(tenant.api(), LIST, body)
    assert response.status_code == 400
    assert {"amount", "method", "allocations[0].amount"} <= set(response.json())
    assert state() == before

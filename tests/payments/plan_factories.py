"""Customers, invoices and payment plans for plan tests, made through the services.

Plan tests run on a fixed day (``PLAN_DAY``, the ``plan_clock`` fixture): the organization's
today decides what "past", "due" and "after the grace days" mean.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from arhub.models import Organization
from invoicing.models import Customer, Invoice
from payments.models import PaymentPlan, PaymentSettings
from payments.plan_services import plan_request
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

PLAN_DAY = date(2027, 3, 1)


@pytest.fixture
def plan_clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def plan_customer(org: Organization, **fields: object) -> Customer:
    customer = CustomerFactory(organization=org, **fields)
    ContactFactory(customer=customer, name="Dana Reyes")
    return customer


def plan_invoice(
    org: Organization, customer: Customer, price: str = "300.00", **fields: object
) -> Invoice:
    return invoice_make(org, customer=customer, lines=(("Boiler service", "1", price),), **fields)


def plan_settings(org: Organization, **fields: object) -> PaymentSettings:
    row, _ = PaymentSettings.objects.get_or_create(organization=org)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def active_plan(
    org: Organization,
    *,
    price: str = "300.00",
    count: int = 3,
    frequency: str = "monthly",
    start_date: date = date(2027, 3, 10),
    customer: Customer | None = None,
) -> PaymentPlan:
    """A customer's request inside the default auto-approve rules: active at once."""
    customer = customer or plan_customer(org)
    invoice = plan_invoice(org, customer, price)
    plan = plan_request(
        org=org,
        customer=customer,
        invoices=[invoice],
        count=count,
        frequency=frequency,
        start_date=start_date,
    )
    assert plan.status == "active"
    return plan


def asked_plan(org: Organization, price: str = "300.00", **terms: object) -> PaymentPlan:
    """A new customer's request for a plan on one new invoice (3 monthly from 10 March
    unless ``terms`` say otherwise): active or proposed as the organization's rules decide."""
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer, price)
    asked: dict[str, object] = {
        "count": 3,
        "frequency": "monthly",
        "start_date": date(2027, 3, 10),
        **terms,
    }
    return plan_request(org=org, customer=customer, invoices=[invoice], **asked)  # type: ignore[arg-type]


def amounts(plan: PaymentPlan) -> list[tuple[Decimal, Decimal]]:
    """(amount, amount paid) of each instalment, in date order."""
    return [(row.amount, row.amount_paid) for row in plan.instalments.order_by("due_date", "seq")]

"""Recurring invoices for tests, made through the service so they are valid as saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from arhub.models import Organization
from invoicing.invoice_input import LineData
from invoicing.models import Customer, Frequency, RecurringInvoice
from invoicing.recurring_input import RecurringData
from invoicing.recurring_services import recurring_create
from tests.invoicing.factories import ContactFactory, CustomerFactory


def line(
    description: str = "Website maintenance",
    quantity: str = "1",
    unit_price: str = "250.00",
    **extra: Any,
) -> LineData:
    return LineData(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        **extra,
    )


def recurring_data(customer: Customer, **fields: Any) -> RecurringData:
    values: dict[str, Any] = {
        "customer_id": customer.pk,
        "name": "Monthly maintenance",
        "lines": [line()],
        "frequency": Frequency.MONTHLY,
        "start_date": date(2026, 1, 31),
        "day_of_month": 31,
        "auto_send": False,
    }
    values.update(fields)
    return RecurringData(**values)


def customer_make(org: Organization, **fields: Any) -> Customer:
    customer = CustomerFactory(organization=org, **fields)
    ContactFactory(customer=customer)
    return customer


def recurring_make(
    org: Organization, *, customer: Customer | None = None, **fields: Any
) -> RecurringInvoice:
    customer = customer or customer_make(org)
    return recurring_create(org=org, actor=None, data=recurring_data(customer, **fields))

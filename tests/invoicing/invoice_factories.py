"""Invoices for tests, made through the services so totals, numbers and terms are real.

``invoice_make`` builds a draft (and issues it unless ``issue=False``); lines are
``(description, quantity, unit_price, [tax rates])`` tuples with strings for decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import factory

from arhub.models import Organization
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Customer, Invoice, PaymentTerms, TaxRate
from tests.factories import OrganizationFactory
from tests.invoicing.factories import ContactFactory, CustomerFactory

LineSpec = tuple[str, str, str, Sequence[TaxRate]] | tuple[str, str, str]


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    percent = Decimal("20")


class PaymentTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTerms

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Terms {n}")
    days = 30


def line_data(spec: LineSpec) -> LineData:
    description, quantity, price = spec[0], spec[1], spec[2]
    rates = spec[3] if len(spec) > 3 else ()  # type: ignore[misc]
    return LineData(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        tax_rate_ids=[rate.pk for rate in rates],
    )


def invoice_make(
    org: Organization,
    *,
    customer: Customer | None = None,
    lines: Sequence[LineSpec] = (("Consulting", "2", "150.00"),),
    issue: bool = True,
    issue_date: date | None = None,
    **fields: object,
) -> Invoice:
    if customer is None:
        customer = CustomerFactory(organization=org)
        ContactFactory(customer=customer)
    data = InvoiceData(
        customer_id=customer.pk,
        lines=[line_data(spec) for spec in lines],
        issue_date=issue_date,
        **fields,  # type: ignore[arg-type]
    )
    invoice = invoice_create(org=org, actor=None, data=data)
    if issue:
        invoice = invoice_issue(org=org, actor=None, invoice=invoice)
    return invoice

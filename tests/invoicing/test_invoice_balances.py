"""invoice_balances_write stores exactly what the objects hold, for many invoices in one
statement, and never an invoice of another organization."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.invoice_balances import invoice_balances_write
from invoicing.models import Invoice, InvoiceStatus
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.payments.factories import open_invoices_bulk

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 5, 4, 10, 30, tzinfo=UTC)


def test_every_figure_is_written_exactly_in_one_statement(tenant: Tenant) -> None:
    customer = CustomerFactory(organization=tenant.org, currency="KWD")
    invoices = open_invoices_bulk(tenant.org, customer, 300, total=Decimal("10.125"))
    for n, invoice in enumerate(invoices):
        invoice.amount_paid = Decimal("10.125") if n % 2 else Decimal("0.001")
        invoice.amount_credited = Decimal("0.010")
        invoice.amount_discounted = Decimal("0.005") if n % 3 == 0 else Decimal(0)
        invoice.fees_total = Decimal("1.500")
        invoice.balance_due = Decimal("1.490") if n % 2 else Decimal("11.609")
        invoice.status = InvoiceStatus.PARTIALLY_PAID if n % 2 else InvoiceStatus.OPEN
        invoice.paid_at = NOW if n == 7 else None
    with CaptureQueriesContext(connection) as queries:
        invoice_balances_write(org=tenant.org, invoices=invoices, now=NOW)
    assert len(queries) == 1
    stored = {row.pk: row for row in Invoice.objects.filter(customer=customer)}
    for invoice in invoices:
        row = stored[invoice.pk]
        assert (
            row.amount_paid,
            row.amount_credited,
            row.amount_discounted,
            row.fees_total,
            row.balance_due,
            row.status,
            row.paid_at,
            row.updated_at,
        ) == (
            invoice.amount_paid,
            invoice.amount_credited,
            invoice.amount_discounted,
            invoice.fees_total,
            invoice.balance_due,
            invoice.status,
            invoice.paid_at,
            NOW,
        )


def test_another_organizations_invoice_is_never_written(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = open_invoices_bulk(other_tenant.org, CustomerFactory(organization=other_tenant.org), 1)
    theirs[0].amount_paid = Decimal("100.00")
    theirs[0].balance_due = Decimal(0)
    theirs[0].status = InvoiceStatus.PAID
    invoice_balances_write(org=tenant.org, invoices=theirs, now=NOW)
    row = Invoice.objects.get(pk=theirs[0].pk)
    assert (row.amount_paid, row.balance_due, row.status) == (
        Decimal(0),
        Decimal("100.00"),
        InvoiceStatus.OPEN,
    )

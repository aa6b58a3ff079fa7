"""Payments and open invoices for payment tests.

``open_invoices_bulk`` writes issued invoices straight to the table (one query however many),
for the tests that need hundreds of open invoices; ``invoice_make`` (through the services) is
used wherever the invoice itself is under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arhub.models import Organization
from invoicing.models import Customer, Invoice, InvoiceStatus
from payments.models import Payment, PaymentMethod
from payments.services import AllocationInput, payment_record


def open_invoices_bulk(
    org: Organization,
    customer: Customer,
    count: int,
    *,
    total: Decimal = Decimal("100.00"),
    currency: str | None = None,
    first_due: date = date(2027, 1, 1),
) -> list[Invoice]:
    """``count`` open invoices of ``total`` each, due a day apart from ``first_due``."""
    currency = currency or customer.currency
    return Invoice.objects.bulk_create(
        Invoice(
            organization=org,
            customer=customer,
            status=InvoiceStatus.OPEN,
            number=f"BULK-{customer.pk}-{n:05d}",
            currency=currency,
            issue_date=first_due - timedelta(days=30),
            due_date=first_due + timedelta(days=n),
            subtotal=total,
            total=total,
            balance_due=total,
        )
        for n in range(count)
    )


def payment_make(
    org: Organization,
    customer: Customer,
    amount: str | Decimal,
    *,
    currency: str | None = None,
    allocations: list[AllocationInput] | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
) -> Payment:
    return payment_record(
        org=org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal(amount),
        currency=currency or customer.currency,
        method=method,
        received_on=date(2027, 2, 1),
        allocations=allocations,
    )

"""Payments racing for one invoice never over-apply it, and any history of payments and
reversals keeps each invoice's amounts consistent with its live allocations."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.models import Invoice
from payments.models import Payment, PaymentAllocation
from payments.services import payment_reverse
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make


def _live_allocated(invoice: Invoice) -> Decimal:
    total = PaymentAllocation.objects.filter(invoice=invoice, reversed_at__isnull=True).aggregate(
        s=Sum("amount")
    )["s"]
    return total if total is not None else Decimal(0)


@pytest.mark.django_db(transaction=True)
def test_ten_payments_racing_for_one_invoice_never_over_apply_it(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = invoice_make(tenant.org, customer=customer, lines=(("Work", "1", "100.00"),))
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            barrier.wait(timeout=30)
            payment_make(tenant.org, customer, "15.00")
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert _live_allocated(invoice) == invoice.amount_paid == Decimal("100.00")
    assert invoice.balance_due == 0
    assert invoice.status == "paid"
    payments = Payment.objects.filter(customer=customer)
    assert payments.count() == 10
    unapplied = payments.aggregate(s=Sum("unapplied_amount"))["s"]
    assert unapplied == Decimal("150.00") - Decimal("100.00")


class _Rollback(Exception):
    pass


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(min_value=1, max_value=25_000)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_any_history_keeps_paid_equal_to_live_allocations(tenant, steps):
    try:
        with transaction.atomic():
            customer = CustomerFactory(organization=tenant.org)
            invoices = [
                invoice_make(tenant.org, customer=customer, lines=(("Work", "1", price),))
                for price in ("40.00", "75.50", "120.00")
            ]
            payments = []
            for kind, value in steps:
                if kind == "pay":
                    payments.append(payment_make(tenant.org, customer, Decimal(value) / 100))
                elif payments:
                    payment = payments[value % len(payments)]
                    payment.refresh_from_db()
                    if not payment.is_reversed:
                        payment_reverse(org=tenant.org, actor=None, payment=payment, reason="x")
            for invoice in invoices:
                invoice.refresh_from_db()
                assert invoice.amount_paid == _live_allocated(invoice)
                expected = max(invoice.total - invoice.amount_paid - invoice.amount_credited, 0)
                assert invoice.balance_due == expected
                status = (
                    "paid"
                    if expected == 0
                    else "open"
                    if expected == invoice.total
                    else "partially_paid"
                )
                assert invoice.status == status
            for payment in Payment.objects.filter(customer=customer):
                live = payment.allocations.filter(reversed_at__isnull=True)
                applied = live.aggregate(s=Sum("amount"))["s"] or Decimal(0)
                if payment.is_reversed:
                    assert applied == 0 and payment.unapplied_amount == 0
                else:
                    assert applied + payment.unapplied_amount == payment.amount
            raise _Rollback
    except _Rollback:
        pass

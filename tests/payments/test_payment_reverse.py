"""Reversing a payment (a bounced cheque): balances and statuses come back, the record stays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing.credit_services import credit_note_create
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentAllocation, PaymentStatus
from payments.selectors import customer_unapplied
from payments.services import (
    AllocationInput,
    PaymentStateError,
    payment_record,
    payment_reverse,
)
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make

pytestmark = pytest.mark.django_db


def bill(org, customer, price: str) -> Invoice:
    return invoice_make(org, customer=customer, lines=(("Work", "1", price),))


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def test_reversal_restores_balances_and_status_and_keeps_the_rows(tenant):
    customer = CustomerFactory(organization=tenant.org)
    paid, part = bill(tenant.org, customer, "100.00"), bill(tenant.org, customer, "80.00")
    earlier = payment_make(
        tenant.org,
        customer,
        "20.00",
        allocations=[AllocationInput(invoice_id=part.pk, amount=Decimal("20.00"))],
    )
    cheque = payment_make(
        tenant.org,
        customer,
        "150.00",
        allocations=[
            AllocationInput(invoice_id=paid.pk, amount=Decimal("100.00")),
            AllocationInput(invoice_id=part.pk, amount=Decimal("30.00")),
        ],
    )
    assert fresh(paid).status == InvoiceStatus.PAID
    assert customer_unapplied(org=tenant.org, customer_id=customer.pk, currency="GBP") == 20

    reversed_ = payment_reverse(
        org=tenant.org, actor=tenant.user(), payment=cheque, reason="  Cheque bounced  "
    )

    assert reversed_.status == PaymentStatus.REVERSED
    assert reversed_.reversed_at is not None
    assert reversed_.reversal_reason == "Cheque bounced"
    assert reversed_.unapplied_amount == 0
    paid, part = fresh(paid), fresh(part)
    assert (paid.status, paid.amount_paid, paid.balance_due, paid.paid_at) == (
        "open",
        0,
        100,
        None,
    )
    # The earlier payment still counts.
    assert (part.status, part.amount_paid, part.balance_due) == ("partially_paid", 20, 60)
    rows = PaymentAllocation.objects.filter(payment=cheque)
    assert rows.count() == 2 and not rows.filter(reversed_at__isnull=True).exists()
    assert PaymentAllocation.objects.get(payment=earlier).reversed_at is None
    assert customer_unapplied(org=tenant.org, customer_id=customer.pk, currency="GBP") == 0


def test_reversing_twice_is_refused(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = bill(tenant.org, customer, "100.00")
    payment = payment_make(tenant.org, customer, "100.00")
    payment_reverse(org=tenant.org, actor=None, payment=payment, reason="Bounced")
    with pytest.raises(PaymentStateError) as caught:
        payment_reverse(org=tenant.org, actor=None, payment=payment, reason="Bounced")
    assert "status" in caught.value.message_dict
    assert fresh(invoice).amount_paid == 0
    assert fresh(invoice).balance_due == 100


def test_a_reason_is_required(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = bill(tenant.org, customer, "100.00")
    payment = payment_make(tenant.org, customer, "100.00")
    with pytest.raises(ValidationError) as caught:
        payment_reverse(org=tenant.org, actor=None, payment=payment, reason="   ")
    assert set(caught.value.message_dict) == {"reason"}
    assert fresh(invoice).status == InvoiceStatus.PAID


def test_reversal_after_a_credit_note_keeps_the_balance_right(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = bill(tenant.org, customer, "100.00")
    payment = payment_make(tenant.org, customer, "60.00")
    credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=Decimal("10.00"), reason="Damaged"
    )
    assert fresh(invoice).balance_due == 30
    payment_reverse(org=tenant.org, actor=None, payment=payment, reason="Bounced")
    invoice = fresh(invoice)
    assert (invoice.amount_paid, invoice.amount_credited, invoice.balance_due) == (0, 10, 90)
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_another_org_cannot_reverse_it(tenant, other_tenant):
    from invoicing.invoice_input import NotInOrganization

    customer = CustomerFactory(organization=tenant.org)
    bill(tenant.org, customer, "100.00")
    payment = payment_make(tenant.org, customer, "100.00")
    with pytest.raises(NotInOrganization):
        payment_reverse(org=other_tenant.org, actor=None, payment=payment, reason="Bounced")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED


def test_a_stripe_payment_is_refunded_in_stripe_not_reversed_here(tenant) -> None:
    invoice = invoice_make(tenant.org)
    payment = payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=invoice.balance_due,
        currency=invoice.currency,
        method="stripe",
        received_on=date(2027, 2, 1),
        stripe_payment_intent="pi_test_reverse_0001",
        notify=False,
    )
    with pytest.raises(ValidationError) as caught:
        payment_reverse(org=tenant.org, actor=None, payment=payment, reason="Customer asked")
    assert "refund it in your Stripe dashboard" in caught.value.message_dict["status"][0]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.COMPLETED
    page = tenant.client().get(f"/payments/{payment.pk}/").content.decode()
    assert "Reverse payment" not in page and "refund it in your Stripe dashboard" in page

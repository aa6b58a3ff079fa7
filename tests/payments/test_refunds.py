"""Refunds: ``payment_refund`` takes money back from the credit first, then the invoices
newest first; Stripe's ``charge.refunded`` drives it once per refund; a chargeback flags the
payment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arhub.models import AuditAction, AuditEvent
from invoicing.invoice_input import NotInOrganization
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentAllocation, PaymentRefund, PaymentStatus
from payments.refund_services import payment_refund
from payments.services import AllocationInput, payment_reverse
from payments.stripe_events import stripe_event_apply
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make
from tests.payments.stripe_webhook_helpers import (
    charge_object,
    checkout_make,
    deliver,
    dispute_object,
    event_make,
    session_object,
    store,
    stripe_connect,
)

pytestmark = pytest.mark.django_db

D = Decimal


def _invoices(org, customer, *prices):
    return [
        invoice_make(
            org,
            customer=customer,
            lines=(("Work", "1", price),),
            issue_date=date(2027, 1, 1) + timedelta(days=n),
        )
        for n, price in enumerate(prices)
    ]


def _fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def _live(payment: Payment) -> list[tuple[int, Decimal]]:
    return sorted(
        PaymentAllocation.objects.filter(payment=payment, reversed_at__isnull=True).values_list(
            "invoice_id", "amount"
        )
    )


def _consistent(payment: Payment) -> None:
    payment.refresh_from_db()
    live = sum((amount for _, amount in _live(payment)), D(0))
    assert payment.amount - payment.refunded_amount == payment.unapplied_amount + live


@pytest.fixture
def paid(tenant):
    """200.00 received: 100.00 on the older invoice, 60.00 on the newer, 40.00 as credit."""
    customer = CustomerFactory(organization=tenant.org)
    older, newer = _invoices(tenant.org, customer, "100.00", "60.00")
    payment = payment_make(
        tenant.org,
        customer,
        "200.00",
        allocations=[
            AllocationInput(invoice_id=older.pk, amount=D("100.00")),
            AllocationInput(invoice_id=newer.pk, amount=D("60.00")),
        ],
    )
    return payment, older, newer


def _refund(tenant, payment, amount, **kwargs):
    return payment_refund(
        org=tenant.org,
        actor=tenant.owner.user,
        payment=payment,
        amount=D(amount),
        reason=kwargs.pop("reason", "Customer asked"),
        **kwargs,
    )


# ---- The service


def test_a_refund_comes_out_of_the_credit_first(tenant, paid):
    payment, older, newer = paid
    refund = _refund(tenant, payment, "30.00")
    payment.refresh_from_db()
    assert (payment.unapplied_amount, payment.refunded_amount) == (D("10.00"), D("30.00"))
    assert _fresh(older).balance_due == _fresh(newer).balance_due == 0
    assert (refund.amount, refund.payment_id, refund.created_by) == (
        D("30.00"),
        payment.pk,
        tenant.owner.user,
    )
    _consistent(payment)


def test_then_out_of_the_newest_allocation_first(tenant, paid):
    payment, older, newer = paid
    _refund(tenant, payment, "70.00")  # 40 credit + 30 of the newer invoice's 60
    payment.refresh_from_db()
    assert payment.unapplied_amount == 0
    assert _live(payment) == sorted([(older.pk, D("100.00")), (newer.pk, D("30.00"))])
    newer_now = _fresh(newer)
    assert (newer_now.balance_due, newer_now.status) == (D("30.00"), InvoiceStatus.PARTIALLY_PAID)
    # The allocation taken from is kept, reversed; the rest of it is a new live allocation.
    reversed_rows = PaymentAllocation.objects.filter(payment=payment, reversed_at__isnull=False)
    assert list(reversed_rows.values_list("invoice_id", "amount")) == [(newer.pk, D("60.00"))]
    _consistent(payment)


def test_a_full_refund_leaves_the_payment_completed_and_every_invoice_owing_again(tenant, paid):
    payment, older, newer = paid
    _refund(tenant, payment, "200.00")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.reversed_at is None
    assert (payment.refunded_amount, payment.unapplied_amount) == (D("200.00"), 0)
    assert _live(payment) == []
    for invoice in (older, newer):
        now = _fresh(invoice)
        assert (now.amount_paid, now.balance_due, now.status, now.paid_at) == (
            0,
            invoice.total,
            InvoiceStatus.OPEN,
            None,
        )
    with pytest.raises(ValidationError) as refused:
        _refund(tenant, payment, "0.01")
    assert "amount" in refused.value.message_dict


def test_refunds_in_steps_add_up_and_stop_at_the_payment(tenant, paid):
    payment, _, _ = paid
    for amount in ("50.00", "50.00", "50.00"):
        _refund(tenant, payment, amount)
        _consistent(payment)
    with pytest.raises(ValidationError) as refused:
        _refund(tenant, payment, "50.01")
    assert "Only £50.00" in refused.value.message_dict["amount"][0]
    _refund(tenant, payment, "50.00")
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount
    assert PaymentRefund.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] == D(
        "200.00"
    )


def test_a_discount_on_an_allocation_taken_back_in_full_is_given_back(tenant):
    customer = CustomerFactory(organization=tenant.org)
    (invoice,) = _invoices(tenant.org, customer, "100.00")
    payment = payment_make(
        tenant.org,
        customer,
        "98.00",
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=D("98.00"))],
    )
    # As a payment inside the early-payment window leaves it: 2.00 allowed, the invoice closed.
    allocation = payment.allocations.get()
    PaymentAllocation.objects.filter(pk=allocation.pk).update(discount=D("2.00"))
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_discounted=D("2.00"), balance_due=0, status=InvoiceStatus.PAID
    )

    _refund(tenant, payment, "48.00")
    part = _fresh(invoice)
    assert (part.amount_discounted, part.balance_due) == (D("2.00"), D("48.00"))
    remainder = PaymentAllocation.objects.get(payment=payment, reversed_at__isnull=True)
    assert (remainder.amount, remainder.discount) == (D("50.00"), D("2.00"))

    _refund(tenant, payment, "50.00")
    whole = _fresh(invoice)
    assert (whole.amount_discounted, whole.balance_due, whole.status) == (
        0,
        D("100.00"),
        InvoiceStatus.OPEN,
    )


def test_a_refund_is_audited(tenant, paid):
    payment, _, newer = paid
    refund = _refund(tenant, payment, "70.00", reason="Returned the parts")
    event = AuditEvent.objects.get(organization=tenant.org, action=AuditAction.PAYMENT_REFUNDED)
    assert event.actor == tenant.owner.user
    assert "£70.00" in event.summary and "Returned the parts" in event.summary
    assert event.data["refund"] == refund.pk
    assert event.data["invoices"] == [newer.pk]


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("0", "x", "amount"),
        ("-5.00", "x", "amount"),
        ("1.001", "x", "amount"),
        ("10.00", "   ", "reason"),
        ("10.00", "x" * 301, "reason"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(tenant, paid, amount, reason, field):
    payment, _, _ = paid
    with pytest.raises(ValidationError) as refused:
        _refund(tenant, payment, amount, reason=reason)
    assert field in refused.value.message_dict
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.unapplied_amount) == (0, D("40.00"))
    assert not PaymentRefund.objects.exists()


def test_a_reversed_payment_cannot_be_refunded(tenant, paid):
    payment, _, _ = paid
    payment_reverse(org=tenant.org, actor=None, payment=payment, reason="Bounced")
    with pytest.raises(ValidationError) as refused:
        _refund(tenant, payment, "10.00")
    assert "status" in refused.value.message_dict


def test_another_organizations_payment_is_not_found(tenant, other_tenant, paid):
    payment, _, _ = paid
    with pytest.raises(NotInOrganization):
        payment_refund(
            org=other_tenant.org, actor=None, payment=payment, amount=D("1.00"), reason="x"
        )
    payment.refresh_from_db()
    assert payment.refunded_amount == 0


def test_a_stripe_refund_is_recorded_once(tenant, paid):
    payment, _, _ = paid
    first = _refund(tenant, payment, "10.00", stripe_refund="re_1")
    again = _refund(tenant, payment, "10.00", stripe_refund="re_1")
    assert first.pk == again.pk
    payment.refresh_from_db()
    assert payment.refunded_amount == D("10.00")


class _Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=9000), min_size=1, max_size=8),
    refunds=st.lists(st.integers(min_value=1, max_value=20000), min_size=1, max_size=8),
)
def test_any_refunds_keep_the_books_consistent(tenant, amounts, refunds):
    """amount - refunded = credit + live allocations for every payment, and every invoice's
    amount paid is its live allocations, whatever the refunds."""
    try:
        with transaction.atomic():
            customer = CustomerFactory(organization=tenant.org, currency="JPY")
            invoices = _invoices(tenant.org, customer, "3000", "5000", "7000")
            payments = [payment_make(tenant.org, customer, D(n)) for n in amounts]
            for index, value in enumerate(refunds):
                payment = Payment.objects.get(pk=payments[index % len(payments)].pk)
                left = payment.amount - payment.refunded_amount
                amount = min(D(value), left)
                if amount > 0:
                    _refund(tenant, payment, amount)
            for payment in payments:
                _consistent(payment)
            for invoice in invoices:
                now = _fresh(invoice)
                live = PaymentAllocation.objects.filter(
                    invoice=invoice, reversed_at__isnull=True
                ).aggregate(s=Sum("amount"))["s"] or D(0)
                assert now.amount_paid == live
                assert now.balance_due == now.total - live
            raise _Rollback
    except _Rollback:
        pass


# ---- Stripe's charge.refunded


@pytest.fixture
def stripe_paid(tenant):
    """A Stripe payment of 150.00 over two invoices (100.00 older, 50.00 newer)."""
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org)
    older, newer = _invoices(tenant.org, customer, "100.00", "50.00")
    checkout = checkout_make(tenant.org, customer, [(older, "100.00"), (newer, "50.00")])
    deliver(
        tenant.org,
        event_make(
            "checkout.session.completed", session_object(checkout, payment_intent="pi_refund")
        ),
    )
    return Payment.objects.get(stripe_payment_intent="pi_refund"), older, newer


def _charge_refunded(refunds, total, **kwargs):
    return event_make(
        "charge.refunded",
        charge_object(
            payment_intent=kwargs.pop("payment_intent", "pi_refund"),
            currency=kwargs.pop("currency", "GBP"),
            amount_refunded=D(total),
            refunds=refunds,
        ),
        **kwargs,
    )


def test_a_partial_refund_in_stripe_takes_the_money_back_from_the_newest_invoice(
    tenant, stripe_paid
):
    payment, older, newer = stripe_paid
    event = deliver(tenant.org, _charge_refunded([("re_a", D("20.00"))], "20.00"))
    assert (event.status, event.payment_id) == ("applied", payment.pk)
    assert "£20.00" in event.status_reason
    payment.refresh_from_db()
    assert payment.refunded_amount == D("20.00")
    assert (_fresh(older).balance_due, _fresh(newer).balance_due) == (0, D("20.00"))
    assert PaymentRefund.objects.get().stripe_refund == "re_a"


def test_the_same_refund_listed_again_by_a_later_event_is_not_taken_twice(tenant, stripe_paid):
    payment, older, newer = stripe_paid
    deliver(tenant.org, _charge_refunded([("re_a", D("20.00"))], "20.00"))
    again = deliver(tenant.org, _charge_refunded([("re_a", D("20.00"))], "20.00"))
    assert again.status == "applied"
    assert "nothing more" in again.status_reason
    later = deliver(
        tenant.org, _charge_refunded([("re_a", D("20.00")), ("re_b", D("130.00"))], "150.00")
    )
    assert later.status == "applied"
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount == D("150.00")
    assert payment.status == PaymentStatus.COMPLETED
    assert sorted(PaymentRefund.objects.values_list("stripe_refund", "amount")) == [
        ("re_a", D("20.00")),
        ("re_b", D("130.00")),
    ]
    assert (_fresh(older).status, _fresh(newer).status) == (InvoiceStatus.OPEN, InvoiceStatus.OPEN)


def test_a_charge_rendered_without_its_refunds_is_taken_back_by_the_running_total(
    tenant, stripe_paid
):
    payment, older, newer = stripe_paid
    deliver(tenant.org, _charge_refunded(None, "30.00"))
    deliver(tenant.org, _charge_refunded(None, "30.00"))  # Stripe says it again
    payment.refresh_from_db()
    assert payment.refunded_amount == D("30.00")
    deliver(tenant.org, _charge_refunded(None, "80.00"))
    payment.refresh_from_db()
    assert payment.refunded_amount == D("80.00")
    assert (_fresh(older).balance_due, _fresh(newer).balance_due) == (D("30.00"), D("50.00"))
    # An event rendered with the list afterwards takes nothing more for the same total.
    deliver(tenant.org, _charge_refunded([("re_1", D("30.00")), ("re_2", D("50.00"))], "80.00"))
    payment.refresh_from_db()
    assert payment.refunded_amount == D("80.00")


def test_failed_refunds_are_not_taken_back(tenant, stripe_paid):
    event = _charge_refunded([("re_ok", D("10.00")), ("re_failed", D("5.00"))], "10.00")
    event["data"]["object"]["refunds"]["data"][0]["status"] = "failed"
    deliver(tenant.org, event)
    assert list(PaymentRefund.objects.values_list("stripe_refund", flat=True)) == ["re_ok"]


def test_a_refund_in_jpy(tenant):
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org, currency="JPY")
    (invoice,) = _invoices(tenant.org, customer, "15000")
    checkout = checkout_make(tenant.org, customer, [(invoice, "15000")])
    deliver(
        tenant.org,
        event_make("checkout.session.completed", session_object(checkout, payment_intent="pi_y")),
    )
    charge = charge_object(
        payment_intent="pi_y", currency="JPY", amount_refunded=D("4000"), refunds=None
    )
    assert charge["amount_refunded"] == 4000
    deliver(tenant.org, event_make("charge.refunded", charge))
    assert _fresh(invoice).balance_due == D("4000")
    assert Payment.objects.get().refunded_amount == D("4000")


def test_a_refund_before_its_payment_waits_then_applies(tenant):
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org)
    (invoice,) = _invoices(tenant.org, customer, "100.00")
    checkout = checkout_make(tenant.org, customer, [(invoice, "100.00")])
    early = deliver(
        tenant.org, _charge_refunded([("re_early", D("25.00"))], "25.00", payment_intent="pi_late")
    )
    assert early.status == "received"
    assert "Waiting" in early.status_reason
    deliver(
        tenant.org,
        event_make(
            "checkout.session.completed", session_object(checkout, payment_intent="pi_late")
        ),
    )
    stripe_event_apply(org=tenant.org, event_pk=early.pk)
    early.refresh_from_db()
    assert early.status == "applied"
    assert _fresh(invoice).balance_due == D("25.00")


def test_a_refund_on_a_payment_never_recorded_goes_to_review_after_an_hour(tenant):
    stripe_connect(tenant.org)
    with time_machine.travel(timezone.now() - timedelta(minutes=61), tick=False):
        event = store(
            tenant.org, _charge_refunded([("re_x", D("5.00"))], "5.00", payment_intent="pi_none")
        )
    stripe_event_apply(org=tenant.org, event_pk=event.pk)
    event.refresh_from_db()
    assert event.status == "quarantined"
    assert "no record" in event.status_reason
    assert not PaymentRefund.objects.exists()


def test_a_refund_in_another_currency_is_quarantined(tenant, stripe_paid):
    payment, _, _ = stripe_paid
    event = deliver(tenant.org, _charge_refunded([("re_e", D("5.00"))], "5.00", currency="EUR"))
    assert event.status == "quarantined"
    assert "EUR" in event.status_reason
    payment.refresh_from_db()
    assert payment.refunded_amount == 0


def test_a_refund_of_more_than_was_recorded_is_quarantined_whole(tenant, stripe_paid):
    payment, _, _ = stripe_paid
    event = deliver(
        tenant.org, _charge_refunded([("re_1", D("100.00")), ("re_2", D("60.00"))], "160.00")
    )
    # 160 refunded on a 150 payment cannot be: the owner looks, and nothing of it is applied.
    assert event.status == "quarantined"
    assert "Only £50.00" in event.status_reason
    payment.refresh_from_db()
    assert payment.refunded_amount == 0
    assert not PaymentRefund.objects.exists()


def test_a_refund_event_from_the_other_mode_is_quarantined(tenant, stripe_paid):
    payment, _, _ = stripe_paid
    event = deliver(tenant.org, _charge_refunded([("re_l", D("5.00"))], "5.00", livemode=True))
    assert event.status == "quarantined"
    payment.refresh_from_db()
    assert payment.refunded_amount == 0


# ---- Chargebacks


def test_a_chargeback_flags_the_payment_with_the_banks_reason(tenant, stripe_paid):
    payment, older, _ = stripe_paid
    event = deliver(
        tenant.org,
        event_make("charge.dispute.created", dispute_object(payment_intent="pi_refund")),
    )
    assert (event.status, event.payment_id) == ("applied", payment.pk)
    payment.refresh_from_db()
    assert payment.chargeback_reason == "fraudulent"
    assert payment.chargeback_at is not None
    assert payment.chargeback_at.timestamp() == 1_800_000_000
    assert _fresh(older).balance_due == 0  # nothing taken back until the dispute is lost
    second = deliver(
        tenant.org,
        event_make(
            "charge.dispute.created",
            dispute_object(payment_intent="pi_refund", reason="duplicate"),
        ),
    )
    assert second.status == "applied"
    payment.refresh_from_db()
    assert payment.chargeback_reason == "fraudulent"


def test_a_chargeback_before_its_payment_waits(tenant):
    stripe_connect(tenant.org)
    event = deliver(
        tenant.org, event_make("charge.dispute.created", dispute_object(payment_intent="pi_no"))
    )
    assert event.status == "received"
    assert "Waiting" in event.status_reason

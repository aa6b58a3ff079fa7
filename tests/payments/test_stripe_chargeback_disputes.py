"""A Stripe chargeback (``charge.dispute.created``) opens one dispute of kind "chargeback" on
the invoice the payment went to first, with the bank's reason and evidence deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from arhub.models import Notice, NoticeKind
from disputes.models import Author, Dispute, DisputeKind, DisputeReason, DisputeStatus
from payments.models import Payment
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    deliver,
    dispute_object,
    event_make,
    session_object,
    stripe_connect,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_paid(tenant):
    """A Stripe payment of 150.00 over two invoices (100.00 first, 50.00 second)."""
    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org)
    first, second = [
        invoice_make(
            tenant.org,
            customer=customer,
            lines=(("Work", "1", price),),
            issue_date=date(2027, 1, 1) + timedelta(days=n),
        )
        for n, price in enumerate(("100.00", "50.00"))
    ]
    checkout = checkout_make(tenant.org, customer, [(first, "100.00"), (second, "50.00")])
    deliver(
        tenant.org,
        event_make("checkout.session.completed", session_object(checkout, payment_intent="pi_cb")),
    )
    return Payment.objects.get(stripe_payment_intent="pi_cb"), first, second


def _chargeback(reason: str = "product_not_received") -> dict:
    body = dispute_object(payment_intent="pi_cb", reason=reason)
    body["charge"] = "ch_cb_1"
    body["evidence_details"] = {"due_by": 1_800_600_000, "has_evidence": False}
    return event_make("charge.dispute.created", body)


def test_a_chargeback_opens_one_dispute_on_the_first_invoice(tenant, stripe_paid):
    _, first, _ = stripe_paid
    event = deliver(tenant.org, _chargeback())
    assert event.status == "applied"
    dispute = Dispute.objects.get(organization=tenant.org)
    assert f"Dispute {dispute.pk} is open on invoice {first.number}" in event.status_reason
    assert dispute.invoice_id == first.pk
    assert dispute.kind == DisputeKind.CHARGEBACK
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.reason == DisputeReason.NOT_RECEIVED
    assert dispute.bank_reason == "product_not_received"
    assert dispute.amount == Decimal("10.00")
    assert dispute.evidence_due_by == datetime.fromtimestamp(1_800_600_000, tz=UTC)
    assert (dispute.stripe_dispute_id, dispute.stripe_charge_id) == ("dp_test_0001", "ch_cb_1")
    assert dispute.messages.get().author == Author.BANK
    assert Notice.objects.get(organization=tenant.org).kind == NoticeKind.CHARGEBACK


def test_the_same_chargeback_again_opens_nothing_more(tenant, stripe_paid):
    deliver(tenant.org, _chargeback())
    again = _chargeback(reason="fraudulent")
    deliver(tenant.org, again)
    assert Dispute.objects.filter(organization=tenant.org).count() == 1
    assert Notice.objects.filter(organization=tenant.org).count() == 1

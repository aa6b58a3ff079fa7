"""Applying all of a customer's unapplied cash in one currency at once (the customer page's
"Apply"): each payment with credit, oldest received first, through ``payment_apply_credit``, so
the rules, row locks and audit entries are those of applying one payment's credit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from arhub.models import Organization, User
from arhub.money import ZERO
from payments.models import Payment, PaymentStatus
from payments.services import payment_apply_credit


@dataclass(frozen=True)
class CreditApplied:
    amount: Decimal  # applied to invoices now
    payments: int  # payments whose credit was used
    left: Decimal  # still unapplied (nothing left owing in the currency)


def customer_credit_apply(
    *, org: Organization, actor: User | None, customer_id: int, currency: str
) -> CreditApplied:
    """Apply the customer's unapplied ``currency`` cash to their open invoices automatically.
    One transaction: the payments are locked first (ordered by id, as every payment service
    locks payment before invoices), then applied oldest received first until nothing is owed."""
    with transaction.atomic():
        payments = list(
            Payment.objects.for_org(org)
            .select_for_update()
            .filter(
                customer_id=customer_id,
                currency=currency,
                status=PaymentStatus.COMPLETED,
                unapplied_amount__gt=0,
            )
            .order_by("pk")
        )
        payments.sort(key=lambda payment: (payment.received_on, payment.pk))
        applied = ZERO
        used = 0
        left = sum((payment.unapplied_amount for payment in payments), ZERO)
        for payment in payments:
            before = payment.unapplied_amount
            done = payment_apply_credit(org=org, actor=actor, payment=payment)
            if done.unapplied_amount < before:
                applied += before - done.unapplied_amount
                used += 1
            if done.unapplied_amount > 0:
                break  # it could not all go: nothing more is owed in this currency
        return CreditApplied(amount=applied, payments=used, left=left - applied)

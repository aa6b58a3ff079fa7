"""Giving money back on a payment (a refund in Stripe, or by the owner).

The money comes back out of the payment's unapplied credit first (nothing is owed again for
that), then out of its live allocations, newest first, so the invoices paid last owe again
first. Under the same locks, in the same order, as ``payments.services``: the payment, then its
invoices by id. An allocation taken back is marked reversed, never deleted; one taken back in
part is reversed and its remainder written as a new live allocation, so the invoice's history
shows what was applied and what was taken back. An early-payment discount stays with the part
of an allocation that stays; on an allocation taken back in full it is given back too, and the
invoice owes it again.

A refunded payment stays completed (it happened); ``refunded_amount`` says how much of it went
back. A Stripe refund is recorded once, by its id, however often Stripe tells us about it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.locales import currency_minor_units
from arhub.models import AuditAction, Organization, User
from arhub.money import is_quantized, money_format
from arhub.services.audit import audit_record
from invoicing.invoice_balances import invoice_balances_write
from invoicing.invoice_services import invoice_status_refresh
from invoicing.models import Invoice
from payments.models import Payment, PaymentAllocation, PaymentRefund
from payments.plan_settle import plans_settle
from payments.services import PaymentStateError, _lock_invoices, _lock_payment


def _checked(payment: Payment, amount: Decimal, reason: str) -> str:
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why the money was given back, e.g. “refunded at their request”."
    elif len(reason) > 300:
        errors["reason"] = "A reason has at most 300 characters."
    if amount <= 0:
        errors["amount"] = "A refund must be more than zero."
    elif not is_quantized(amount, payment.currency):
        places = currency_minor_units(payment.currency)
        errors["amount"] = f"{payment.currency} amounts have at most {places} decimals."
    if errors:
        raise ValidationError(errors)
    return reason


def _take_back(
    org: Organization, payment: Payment, amount: Decimal
) -> list[tuple[PaymentAllocation, Decimal]]:
    """(allocation, part taken back) pairs for what the unapplied credit does not cover."""
    live = PaymentAllocation.objects.for_org(org).filter(payment=payment, reversed_at__isnull=True)
    taking: list[tuple[PaymentAllocation, Decimal]] = []
    left = amount
    for allocation in live.order_by("-created_at", "-id"):
        if left <= 0:
            break
        part = min(allocation.amount, left)
        taking.append((allocation, part))
        left -= part
    if left > 0:
        # amount - refunded = unapplied + live allocations holds for every completed payment;
        # refuse rather than write a refund that only half happened.
        raise PaymentStateError(
            {"amount": "This payment's allocations do not add up; nothing was refunded."}
        )
    return taking


def _allocations_save(
    org: Organization, taking: list[tuple[PaymentAllocation, Decimal]]
) -> dict[int, Invoice]:
    """Reverse the allocations taken from, write the remainders, and give the invoices their
    new amounts. Returns the invoices changed, by id."""
    if not taking:
        return {}
    invoices = _lock_invoices(org, {allocation.invoice_id for allocation, _ in taking})
    now = timezone.now()
    remainders: list[PaymentAllocation] = []
    for allocation, part in taking:
        invoice = invoices[allocation.invoice_id]
        invoice.amount_paid -= part
        if part == allocation.amount:
            invoice.amount_discounted -= allocation.discount
        else:
            remainders.append(
                PaymentAllocation(
                    organization=org,
                    payment_id=allocation.payment_id,
                    invoice_id=allocation.invoice_id,
                    amount=allocation.amount - part,
                    discount=allocation.discount,
                    # The same money, applied when it was: the order of later refunds holds.
                    created_at=allocation.created_at,
                )
            )
    PaymentAllocation.objects.filter(pk__in=[a.pk for a, _ in taking]).update(reversed_at=now)
    PaymentAllocation.objects.bulk_create(remainders)
    for invoice in invoices.values():
        invoice_status_refresh(invoice)
    invoice_balances_write(org=org, invoices=list(invoices.values()), now=now)
    # A payment plan's instalments paid by this money are owed again.
    plans_settle(org=org, invoice_ids=list(invoices))
    return invoices


def payment_refund(
    *,
    org: Organization,
    actor: User | None,
    payment: Payment,
    amount: Decimal,
    reason: str,
    stripe_refund: str = "",
) -> PaymentRefund:
    """Give ``amount`` of a payment back: credit first, then its invoices newest first.

    With ``stripe_refund`` the refund is recorded once: a second call with the same Stripe
    refund id returns the refund already recorded and changes nothing."""
    reason = _checked(payment, amount, reason)
    with transaction.atomic():
        locked = _lock_payment(org, payment)
        if stripe_refund:
            # Read under the payment's lock: two deliveries of one refund wait for each other.
            done = PaymentRefund.objects.for_org(org).filter(stripe_refund=stripe_refund).first()
            if done is not None:
                return done
        if locked.is_reversed:
            raise PaymentStateError(
                {"status": "This payment was reversed; nothing of it is left to refund."}
            )
        refundable = locked.amount - locked.refunded_amount
        if amount > refundable:
            left = money_format(refundable, locked.currency, org.locale)
            raise ValidationError({"amount": f"Only {left} of this payment is left to refund."})
        from_credit = min(amount, locked.unapplied_amount)
        taking = _take_back(org, locked, amount - from_credit)
        invoices = _allocations_save(org, taking)
        locked.unapplied_amount -= from_credit
        locked.refunded_amount += amount
        locked.save(update_fields=["unapplied_amount", "refunded_amount"])
        refund = PaymentRefund.objects.create(
            organization=org,
            payment=locked,
            amount=amount,
            reason=reason,
            stripe_refund=stripe_refund,
            created_by=actor,
        )
        shown = money_format(amount, locked.currency, org.locale)
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.PAYMENT_REFUNDED,
            summary=f"Refunded {shown} of payment {locked.pk}: {reason}",
            data={
                "payment": locked.pk,
                "refund": refund.pk,
                "amount": str(amount),
                "currency": locked.currency,
                "from_credit": str(from_credit),
                "invoices": sorted(invoices),
                "stripe_refund": stripe_refund,
            },
        )
    return refund

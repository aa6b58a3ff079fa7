"""Writes for payments: record one, apply its unapplied cash later, reverse it.

Every balance change happens in one transaction under row locks, taken in one order: the
payment first (when it exists already), then its invoices in one ``select_for_update`` query
ordered by id, so two payments touching the same invoices wait for each other instead of
deadlocking. Allocation is computed in Python over the locked rows and written with one
``bulk_create`` and one ``bulk_update``, so the number of queries does not grow with the number
of open invoices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.locales import currency_minor_units, is_currency
from arhub.models import Organization, User
from arhub.money import ZERO, is_quantized, money_format
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_status_refresh
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice, InvoiceStatus
from payments.allocation import allocation_plan_auto
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus

Plan = list[tuple[Invoice, Decimal]]

NOT_PAYABLE = {
    InvoiceStatus.DRAFT: "is a draft; issue it before recording a payment against it.",
    InvoiceStatus.VOID: "is void, so nothing is owed on it.",
    InvoiceStatus.UNCOLLECTIBLE: "was written off; nothing can be applied to it.",
    InvoiceStatus.PAID: "is already paid in full.",
}


class PaymentStateError(ValidationError):
    """The payment is not in a state that allows this; the message says why."""


@dataclass(frozen=True)
class AllocationInput:
    invoice_id: int
    amount: Decimal


def _decimals(currency: str) -> str:
    return f"{currency} amounts have at most {currency_minor_units(currency)} decimals."


def _lock_invoices(org: Organization, ids: set[int]) -> dict[int, Invoice]:
    rows = Invoice.objects.for_org(org).select_for_update().filter(pk__in=ids).order_by("pk")
    return {invoice.pk: invoice for invoice in rows}


def _lock_outstanding(org: Organization, customer_id: int, currency: str) -> list[Invoice]:
    return list(
        Invoice.objects.for_org(org)
        .select_for_update()
        .filter(
            customer_id=customer_id,
            currency=currency,
            status__in=OUTSTANDING_STATUSES,
            balance_due__gt=0,
        )
        .order_by("pk")
    )


def _explicit_plan(
    org: Organization,
    *,
    customer_id: int,
    currency: str,
    available: Decimal,
    allocations: Sequence[AllocationInput],
    errors: dict[str, str],
) -> Plan:
    """The owner's allocations checked against the locked invoices; problems go to ``errors``
    by field. Another organization's (or a missing) invoice raises NotInOrganization."""
    locked = _lock_invoices(org, {a.invoice_id for a in allocations})
    currency_ok = is_currency(currency)
    plan: Plan = []
    seen: set[int] = set()
    for index, allocation in enumerate(allocations):
        at = f"allocations[{index}]"
        invoice = locked.get(allocation.invoice_id)
        if invoice is None:
            raise NotInOrganization(
                f"{at}.invoice", f"Invoice {allocation.invoice_id} does not exist."
            )
        label = invoice.number or "This invoice"
        if allocation.invoice_id in seen:
            errors[f"{at}.invoice"] = f"{label} is listed twice; give it one amount."
        elif invoice.customer_id != customer_id:
            errors[f"{at}.invoice"] = f"{label} belongs to another customer."
        elif invoice.status in NOT_PAYABLE:
            errors[f"{at}.invoice"] = f"{label} {NOT_PAYABLE[InvoiceStatus(invoice.status)]}"
        elif currency_ok and invoice.currency != currency:
            errors[f"{at}.invoice"] = (
                f"{label} is in {invoice.currency}; this payment is in {currency}."
            )
        seen.add(allocation.invoice_id)
        if allocation.amount <= 0:
            errors[f"{at}.amount"] = "An allocation must be more than zero."
        elif currency_ok and not is_quantized(allocation.amount, currency):
            errors[f"{at}.amount"] = _decimals(currency)
        elif f"{at}.invoice" not in errors and allocation.amount > invoice.balance_due:
            owed = money_format(invoice.balance_due, invoice.currency, org.locale)
            errors[f"{at}.amount"] = f"Only {owed} is owed on {label}."
        plan.append((invoice, allocation.amount))
    total = sum((amount for _, amount in plan), ZERO)
    if currency_ok and total > available > 0:
        errors["allocations"] = (
            f"The allocations add up to {money_format(total, currency, org.locale)}, "
            f"more than the {money_format(available, currency, org.locale)} available."
        )
    return plan


def _plan(
    org: Organization,
    *,
    customer_id: int,
    currency: str,
    available: Decimal,
    allocations: Sequence[AllocationInput] | None,
    errors: dict[str, str],
) -> Plan:
    if allocations is not None:
        return _explicit_plan(
            org,
            customer_id=customer_id,
            currency=currency,
            available=available,
            allocations=allocations,
            errors=errors,
        )
    if errors:
        return []
    return allocation_plan_auto(available, _lock_outstanding(org, customer_id, currency))


def _apply(org: Organization, payment: Payment, plan: Plan) -> None:
    """Write the allocations and the invoices' new amounts: two queries whatever the plan."""
    if not plan:
        return
    now = timezone.now()
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            organization=org, payment=payment, invoice=invoice, amount=amount, created_at=now
        )
        for invoice, amount in plan
    )
    _invoices_save([(invoice, amount) for invoice, amount in plan], now)


def _invoices_save(changes: Plan, now: datetime) -> None:
    """Add each amount (negative for a reversal) to the locked invoice's amount paid."""
    for invoice, amount in changes:
        invoice.amount_paid += amount
        invoice_status_refresh(invoice)
        invoice.updated_at = now  # bulk_update skips auto_now
    Invoice.objects.bulk_update(
        [invoice for invoice, _ in changes],
        ["amount_paid", "balance_due", "status", "paid_at", "updated_at"],
    )


def payment_record(
    *,
    org: Organization,
    actor: User | None,
    customer_id: int,
    amount: Decimal,
    currency: str,
    method: str,
    received_on: date,
    reference: str = "",
    allocations: Sequence[AllocationInput] | None = None,
    stripe_payment_intent: str = "",
) -> Payment:
    """A payment received, applied to the customer's invoices: as ``allocations`` say, or
    automatically when they are None. What is not applied stays as the customer's credit.

    ``stripe_payment_intent`` names the Stripe PaymentIntent it came from; a second payment for
    the same intent breaks the ``payment_one_per_intent`` constraint (IntegrityError), which the
    Stripe event handler takes as "already recorded"."""
    customer = Customer.objects.for_org(org).filter(pk=customer_id).first()
    if customer is None:
        raise NotInOrganization("customer", f"Customer {customer_id} does not exist.")
    errors: dict[str, str] = {}
    currency = currency.strip().upper()
    if not is_currency(currency):
        errors["currency"] = f"“{currency}” is not an ISO 4217 currency code."
    if amount <= 0:
        errors["amount"] = "The amount must be more than zero."
    elif "currency" not in errors and not is_quantized(amount, currency):
        errors["amount"] = _decimals(currency)
    if method not in PaymentMethod.values:
        errors["method"] = f"“{method}” is not a payment method we know."
    reference = reference.strip()
    if len(reference) > 200:
        errors["reference"] = "A reference has at most 200 characters."
    with transaction.atomic():
        plan = _plan(
            org,
            customer_id=customer.pk,
            currency=currency,
            available=amount,
            allocations=allocations,
            errors=errors,
        )
        if errors:
            raise ValidationError(errors)
        applied = sum((part for _, part in plan), ZERO)
        payment = Payment.objects.create(
            organization=org,
            customer=customer,
            amount=amount,
            currency=currency,
            method=method,
            received_on=received_on,
            reference=reference,
            unapplied_amount=amount - applied,
            stripe_payment_intent=stripe_payment_intent,
            created_by=actor,
        )
        _apply(org, payment, plan)
    return payment


def _lock_payment(org: Organization, payment: Payment) -> Payment:
    locked = Payment.objects.for_org(org).select_for_update().filter(pk=payment.pk).first()
    if locked is None:
        raise NotInOrganization("payment", f"Payment {payment.pk} does not exist.")
    return locked


def payment_apply_credit(
    *,
    org: Organization,
    actor: User | None,
    payment: Payment,
    allocations: Sequence[AllocationInput] | None = None,
) -> Payment:
    """Apply a payment's unapplied cash to the customer's invoices, by the same rules as
    recording it (automatic when ``allocations`` is None)."""
    with transaction.atomic():
        locked = _lock_payment(org, payment)
        if locked.is_reversed:
            raise PaymentStateError({"status": "This payment was reversed; it has no credit."})
        if locked.unapplied_amount <= 0:
            raise PaymentStateError(
                {"unapplied_amount": "All of this payment is already applied to invoices."}
            )
        errors: dict[str, str] = {}
        plan = _plan(
            org,
            customer_id=locked.customer_id,
            currency=locked.currency,
            available=locked.unapplied_amount,
            allocations=allocations,
            errors=errors,
        )
        if errors:
            raise ValidationError(errors)
        locked.unapplied_amount -= sum((part for _, part in plan), ZERO)
        locked.save(update_fields=["unapplied_amount"])
        _apply(org, locked, plan)
    return locked


def payment_reverse(
    *, org: Organization, actor: User | None, payment: Payment, reason: str
) -> Payment:
    """Take a payment back (a bounced cheque): its invoices owe again what it paid, their
    status follows, and the payment and its allocations stay on record, marked reversed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the payment is reversed, e.g. “cheque bounced”."})
    with transaction.atomic():
        locked = _lock_payment(org, payment)
        if locked.is_reversed:
            raise PaymentStateError({"status": "This payment was already reversed."})
        live = list(
            PaymentAllocation.objects.for_org(org).filter(payment=locked, reversed_at__isnull=True)
        )
        now = timezone.now()
        if live:
            invoices = _lock_invoices(org, {a.invoice_id for a in live})
            taken_back: dict[int, Decimal] = {}
            for allocation in live:
                taken_back[allocation.invoice_id] = (
                    taken_back.get(allocation.invoice_id, ZERO) + allocation.amount
                )
            _invoices_save([(invoices[pk], -amount) for pk, amount in taken_back.items()], now)
            PaymentAllocation.objects.filter(pk__in=[a.pk for a in live]).update(reversed_at=now)
        locked.status = PaymentStatus.REVERSED
        locked.reversed_at = now
        locked.reversal_reason = reason[:300]
        locked.unapplied_amount = ZERO
        locked.save(update_fields=["status", "reversed_at", "reversal_reason", "unapplied_amount"])
    return locked

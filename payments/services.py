"""Writes for payments: record one, apply its unapplied cash later, reverse it.

Every balance change happens in one transaction under row locks, taken in one order: the
payment first (when it exists already), then its invoices in one ``select_for_update`` query
ordered by id, so two payments touching the same invoices wait for each other instead of
deadlocking. Allocation is computed in Python over the locked rows and written with one
``bulk_create`` and one update of the invoices (``invoicing.invoice_balances``), so the number
of queries does not grow with the number of open invoices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.clock import org_today
from arhub.locales import currency_minor_units, is_currency
from arhub.models import AuditAction, Organization, User
from arhub.money import ZERO, is_quantized, money_format
from arhub.services.audit import audit_record
from invoicing.invoice_balances import invoice_balances_write
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_status_refresh
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice, InvoiceStatus
from payments.allocation import allocation_plan_auto
from payments.amount_due import discount_settling
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus
from payments.plan_settle import plans_settle
from payments.promise_services import promises_settle
from payments.receipts import receipt_queue_on_commit

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
    on: date,
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
    return allocation_plan_auto(available, _lock_outstanding(org, customer_id, currency), on=on)


def _apply(org: Organization, payment: Payment, plan: Plan, *, on: date) -> None:
    """Write the allocations and the invoices' new amounts: two queries whatever the plan.

    Money received ``on`` a day in an invoice's discount window that leaves no more than the
    open discount unpaid settles it: the rest is a discount allowed, kept on the allocation
    that earned it (``payments.amount_due.discount_settling``)."""
    if not plan:
        return
    now = timezone.now()
    changes = [
        (invoice, amount, discount_settling(invoice, amount=amount, on=on))
        for invoice, amount in plan
    ]
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            organization=org,
            payment=payment,
            invoice=invoice,
            amount=amount,
            discount=discount,
            created_at=now,
        )
        for invoice, amount, discount in changes
    )
    _invoices_save(org, changes, now)


def _invoices_save(
    org: Organization, changes: list[tuple[Invoice, Decimal, Decimal]], now: datetime
) -> None:
    """Add each amount and discount allowed (negative for a reversal) to the locked invoice."""
    for invoice, amount, discount in changes:
        invoice.amount_paid += amount
        invoice.amount_discounted += discount
        invoice_status_refresh(invoice)
    invoice_balances_write(org=org, invoices=[invoice for invoice, _, _ in changes], now=now)
    # A promise is kept when its invoice is paid off (here, with the invoices locked); a
    # payment that pays nothing off costs no query.
    promises_settle(
        org=org, invoice_ids=[invoice.pk for invoice, _, _ in changes if invoice.balance_due <= 0]
    )
    # Payment plans follow their invoices' balances, both ways (a reversal un-pays).
    plans_settle(org=org, invoice_ids=[invoice.pk for invoice, _, _ in changes])


def _audit(
    org: Organization,
    actor: User | None,
    action: AuditAction,
    payment: Payment,
    summary: str,
    plan: Plan | None = None,
) -> None:
    data: dict[str, object] = {
        "payment": payment.pk,
        "amount": str(payment.amount),
        "currency": payment.currency,
    }
    if plan:
        data["allocations"] = [
            {"invoice": invoice.pk, "amount": str(amount)} for invoice, amount in plan
        ]
    audit_record(org=org, actor=actor, action=action, summary=summary, data=data)


def _applied_words(org: Organization, plan: Plan, currency: str) -> str:
    total = money_format(sum((amount for _, amount in plan), ZERO), currency, org.locale)
    count = len(plan)
    return f"{total} to {count} invoice{'' if count == 1 else 's'}"


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
    notify: bool = True,
) -> Payment:
    """A payment received, applied to the customer's invoices: as ``allocations`` say, or
    automatically when they are None. What is not applied stays as the customer's credit.

    With ``notify`` (everything but demo data and imports) the customer is thanked with a
    receipt once the payment is committed, unless the organization turned receipts off.

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
            on=received_on,
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
        _apply(org, payment, plan, on=received_on)
        if notify:
            receipt_queue_on_commit(org=org, payment=payment)
        received = money_format(amount, currency, org.locale)
        _audit(
            org,
            actor,
            AuditAction.PAYMENT_RECORDED,
            payment,
            f"Recorded {received} ({payment.get_method_display().lower()}) from "
            f"{customer.display_name}"
            + (f", applied {_applied_words(org, plan, currency)}" if plan else ""),
            plan,
        )
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
        # The credit is applied today: the discount window is judged on that day.
        today = org_today(org)
        plan = _plan(
            org,
            customer_id=locked.customer_id,
            currency=locked.currency,
            available=locked.unapplied_amount,
            allocations=allocations,
            errors=errors,
            on=today,
        )
        if errors:
            raise ValidationError(errors)
        locked.unapplied_amount -= sum((part for _, part in plan), ZERO)
        locked.save(update_fields=["unapplied_amount"])
        _apply(org, locked, plan, on=today)
        if plan:
            _audit(
                org,
                actor,
                AuditAction.PAYMENT_CREDIT_APPLIED,
                locked,
                f"Applied {_applied_words(org, plan, locked.currency)} "
                f"from the credit of payment {locked.pk}",
                plan,
            )
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
        if locked.stripe_payment_intent:
            # The money is held by Stripe: taking it back here alone would leave the books and
            # the bank disagreeing. A refund in Stripe comes back through the webhook.
            raise PaymentStateError(
                {
                    "status": "This payment came through Stripe: refund it in your Stripe "
                    "dashboard and the refund is recorded here by itself."
                }
            )
        live = list(
            PaymentAllocation.objects.for_org(org).filter(payment=locked, reversed_at__isnull=True)
        )
        now = timezone.now()
        if live:
            invoices = _lock_invoices(org, {a.invoice_id for a in live})
            # What each invoice gets back: the money and any discount the payment earned.
            taken_back: dict[int, tuple[Decimal, Decimal]] = {}
            for allocation in live:
                amount, discount = taken_back.get(allocation.invoice_id, (ZERO, ZERO))
                taken_back[allocation.invoice_id] = (
                    amount + allocation.amount,
                    discount + allocation.discount,
                )
            _invoices_save(
                org,
                [
                    (invoices[pk], -amount, -discount)
                    for pk, (amount, discount) in taken_back.items()
                ],
                now,
            )
            PaymentAllocation.objects.filter(pk__in=[a.pk for a in live]).update(reversed_at=now)
        locked.status = PaymentStatus.REVERSED
        locked.reversed_at = now
        locked.reversal_reason = reason[:300]
        locked.unapplied_amount = ZERO
        locked.save(update_fields=["status", "reversed_at", "reversal_reason", "unapplied_amount"])
        shown = money_format(locked.amount, locked.currency, org.locale)
        _audit(
            org,
            actor,
            AuditAction.PAYMENT_REVERSED,
            locked,
            f"Reversed payment {locked.pk} of {shown}: {locked.reversal_reason}",
        )
    return locked

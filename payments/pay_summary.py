"""What the customer owes on one invoice today and how it came to be, in their words: the
invoice total, each late fee with its date and rule, each payment and credit, the discount
already allowed, the balance, and the early-payment discount still open ("Pay $294.00 by
March 10 and save $6.00"). Read by the pay page; figures come from ``payments.amount_due``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from arhub.models import Organization
from invoicing.late_fee_rows import FeeRow
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from invoicing.pdf_context import MINUS, Formatter
from invoicing.terms import Terms
from payments.amount_due import AmountDue, amount_due
from payments.models import PaymentAllocation, PaymentStatus
from payments.pay_labels import Days, aging_words, payment_method_word
from payments.plan_selectors import PlanDue


@dataclass(frozen=True)
class OwedRow:
    label: str
    value: str
    # How a late fee was worked out, under its label.
    detail: str = ""
    emphasis: bool = False


@dataclass(frozen=True)
class Receipt:
    paid_on: str
    amount: str
    methods: str


@dataclass(frozen=True)
class PaySummary:
    due: AmountDue
    # "Amount due today", or "Next payment" under a plan whose next instalment is not due yet.
    heading: str
    due_today: str
    # The plan's instalment date when a plan sets what is asked for; blank for the invoice's own.
    due_on: str
    balance: str
    # "12 days overdue", "due in 5 days", "due today"; blank once nothing is owed.
    aging: str
    overdue: bool
    rows: list[OwedRow]
    # "This includes £40.96 in late fees, explained below."; blank when there are none.
    fees_included: str
    # The early-payment offer, the "last day" note and what is owed after it; blank when none.
    discount_offer: str
    discount_last_day: bool
    discount_after: str
    # "$100.00 paid so far, $200.00 left to pay." on a partly paid invoice.
    partly_paid: str
    receipt: Receipt | None


def percent_text(value: Decimal, locale: str) -> str:
    return format_decimal(value.normalize(), format="#,##0.###", locale=locale)


def _allocations(org: Organization, invoice: Invoice) -> list[PaymentAllocation]:
    return list(
        PaymentAllocation.objects.for_org(org)
        .filter(
            invoice_id=invoice.pk,
            reversed_at__isnull=True,
            payment__status=PaymentStatus.COMPLETED,
        )
        .select_related("payment")
        .order_by("payment__received_on", "pk")
    )


def _credits(org: Organization, invoice: Invoice) -> list[CreditNote]:
    return list(
        CreditNote.objects.for_org(org)
        .filter(invoice_id=invoice.pk, applied_amount__gt=0)
        .order_by("issue_date", "pk")
    )


def pay_summary(
    *,
    org: Organization,
    invoice: Invoice,
    today: date,
    fmt: Formatter,
    words: dict[str, str],
    language: str,
    fees: list[FeeRow],
    plan_due: PlanDue | None = None,
) -> PaySummary:
    """``fees`` are the invoice document's late fees (``InvoiceDocument.fees``), so the page
    and the PDF the customer downloads tell the same fees the same way. ``plan_due`` is what an
    active payment plan asks for now and by when (``plan_selectors.plan_due``)."""
    due = amount_due(invoice, on=today)
    days = Days.of(org_locale=org.locale, language=language)
    heading, due_on, due_date = words["amount_due_today"], "", invoice.due_date
    if plan_due is not None and 0 < plan_due.amount <= due.due_today and plan_due.on is not None:
        # The plan asks only for what is due now (the customer may pay more); the early-payment
        # discount is for paying in full, so it is not offered against an instalment.
        due = replace(due, discount=Decimal(0), discount_until=None, due_today=plan_due.amount)
        due_date, due_on = plan_due.on, days.medium(plan_due.on)
        if plan_due.on > today:
            heading = words["next_payment"]
    allocations = _allocations(org, invoice)
    credits = _credits(org, invoice)

    rows = [OwedRow(words["invoice_total"], fmt.money(due.total))]
    for fee in fees:
        label = words["late_fee"].format(date=days.short(fee.fee.charged_on, today=today))
        rows.append(OwedRow(label, fee.amount, detail=fee.rule))
    for allocation in allocations:
        payment = allocation.payment
        label = words["paid_on_date"].format(
            date=days.short(payment.received_on, today=today),
            method=payment_method_word(payment.method, language),
        )
        rows.append(OwedRow(label, MINUS + fmt.money(allocation.amount)))
    for note in credits:
        label = words["credited_by"].format(number=note.number)
        rows.append(OwedRow(label, MINUS + fmt.money(note.applied_amount)))
    if due.discounted:
        rows.append(OwedRow(words["discount_allowed"], MINUS + fmt.money(due.discounted)))
    rows.append(OwedRow(words["balance"], fmt.money(due.balance), emphasis=not due.has_discount))

    offer = last_day = after = ""
    if due.has_discount and due.discount_until is not None:
        until = days.short(due.discount_until, today=today)
        rows.append(
            OwedRow(words["discount_today"].format(date=until), MINUS + fmt.money(due.discount))
        )
        rows.append(OwedRow(words["amount_due_today"], fmt.money(due.due_today), emphasis=True))
        percent = Terms.from_json(invoice.terms).discount_percent or Decimal(0)
        offer = words["discount_offer"].format(
            amount=fmt.money(due.due_today),
            date=until,
            saving=fmt.money(due.discount),
            percent=percent_text(percent, days.locale),
        )
        last_day = words["discount_last_day"] if due.discount_until == today else ""
        after = words["discount_after"].format(date=until, balance=fmt.money(due.balance))

    settled = due.paid + due.credited
    partly = ""
    if settled > 0 and due.balance > 0:
        partly = words["partly_paid"].format(paid=fmt.money(settled), left=fmt.money(due.balance))

    receipt = None
    if invoice.status == InvoiceStatus.PAID:
        receipt = _receipt(invoice, allocations, credits, fmt, days, today, words, language)

    aging = ""
    if due.balance > 0 and due_date is not None:
        aging = aging_words(words, due=due_date, today=today)
    return PaySummary(
        due=due,
        heading=heading,
        due_today=fmt.money(due.due_today),
        due_on=due_on,
        balance=fmt.money(due.balance),
        aging=aging,
        overdue=due_date is not None and due_date < today and due.balance > 0,
        rows=rows,
        fees_included=(
            words["fees_included"].format(fees=fmt.money(due.fees)) if due.fees > 0 else ""
        ),
        discount_offer=offer,
        discount_last_day=bool(last_day),
        discount_after=after,
        partly_paid=partly,
        receipt=receipt,
    )


def _receipt(
    invoice: Invoice,
    allocations: list[PaymentAllocation],
    credits: list[CreditNote],
    fmt: Formatter,
    days: Days,
    today: date,
    words: dict[str, str],
    language: str,
) -> Receipt:
    """When and how a paid invoice was settled: the last payment's date (or the credit note's),
    everything paid and credited, and the ways it was paid."""
    dates = [a.payment.received_on for a in allocations] + [c.issue_date for c in credits]
    paid_on = max(dates) if dates else (invoice.paid_at.date() if invoice.paid_at else today)
    methods: list[str] = []
    for allocation in allocations:
        word = payment_method_word(allocation.payment.method, language)
        if word not in methods:
            methods.append(word)
    if credits:
        methods.append(words["credited_by"].format(number=", ".join(c.number for c in credits)))
    return Receipt(
        paid_on=days.long(paid_on),
        amount=fmt.money(invoice.amount_paid + invoice.amount_credited),
        methods=", ".join(methods),
    )

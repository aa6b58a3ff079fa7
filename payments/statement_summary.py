"""A customer's statement as of a day: every open invoice with what is due on it today and its
aging, grouped by currency with a total each, and the payments received, newest first, with the
invoices each one paid. The statement portal and the statement PDF both show this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from arhub.models import Organization
from arhub.money import ZERO
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice
from invoicing.pdf_context import formatter_for
from invoicing.terms import Terms
from payments.amount_due import amount_due
from payments.models import Payment, PaymentAllocation, PaymentStatus
from payments.pay_labels import Days, aging_words, payment_method_word, words_for
from payments.pay_summary import percent_text
from payments.selectors import customer_unapplied

# The payment history the portal shows; the PDF shows fewer (``RECENT_IN_PDF``).
HISTORY_LIMIT = 50
RECENT_IN_PDF = 12


@dataclass(frozen=True)
class StatementLine:
    invoice: Invoice
    number: str
    issued: str
    due: str
    aging: str
    overdue: bool
    due_today: Decimal
    due_today_text: str
    # "with 2% discount until March 10", "includes $5.00 late fees"; blank when neither.
    note: str


@dataclass(frozen=True)
class CurrencyGroup:
    currency: str
    lines: list[StatementLine]
    total: Decimal
    total_text: str
    # "Total due in USD"
    total_label: str
    # The customer's unapplied cash in this currency, "Credit on your account: $20.00".
    credit_text: str


@dataclass(frozen=True)
class PaymentLine:
    received_on: str
    method: str
    amount: str
    invoices: list[str]


@dataclass(frozen=True)
class Statement:
    org: Organization
    customer: Customer
    language: str
    words: dict[str, str]
    today: date
    as_of: str
    groups: list[CurrencyGroup]
    payments: list[PaymentLine]

    def group(self, currency: str) -> CurrencyGroup | None:
        return next((g for g in self.groups if g.currency == currency), None)


def open_invoices(*, org: Organization, customer: Customer) -> list[Invoice]:
    """The customer's issued, unpaid invoices, by currency, then the oldest due first."""
    return list(
        Invoice.objects.for_org(org)
        .filter(customer_id=customer.pk, status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
        .order_by("currency", "due_date", "pk")
    )


def _line(
    invoice: Invoice, org: Organization, today: date, days: Days, words: dict[str, str]
) -> StatementLine:
    fmt = formatter_for(org, invoice.currency)
    due = amount_due(invoice, on=today)
    notes = []
    if due.has_discount and due.discount_until is not None:
        percent = Terms.from_json(invoice.terms).discount_percent or ZERO
        notes.append(
            words["discount_until_short"].format(
                percent=percent_text(percent, days.locale),
                date=days.short(due.discount_until, today=today),
            )
        )
    if due.fees > 0:
        notes.append(words["includes_fees"].format(fees=fmt.money(due.fees)))
    return StatementLine(
        invoice=invoice,
        number=invoice.number,
        issued=days.medium(invoice.issue_date) if invoice.issue_date else "",
        due=days.medium(invoice.due_date) if invoice.due_date else "",
        aging=aging_words(words, due=invoice.due_date, today=today),
        overdue=invoice.due_date is not None and invoice.due_date < today,
        due_today=due.due_today,
        due_today_text=fmt.money(due.due_today),
        note="; ".join(notes),
    )


def _groups(
    org: Organization, customer: Customer, today: date, days: Days, words: dict[str, str]
) -> list[CurrencyGroup]:
    by_currency: dict[str, list[StatementLine]] = {}
    for invoice in open_invoices(org=org, customer=customer):
        line = _line(invoice, org, today, days, words)
        by_currency.setdefault(invoice.currency, []).append(line)
    groups = []
    # The organization's own currency first, then the others in alphabetical order.
    order = sorted(by_currency, key=lambda c: (c != org.default_currency, c))
    for currency in order:
        lines = by_currency[currency]
        fmt = formatter_for(org, currency)
        total = sum((line.due_today for line in lines), ZERO)
        credit = customer_unapplied(org=org, customer_id=customer.pk, currency=currency)
        groups.append(
            CurrencyGroup(
                currency=currency,
                lines=lines,
                total=total,
                total_text=fmt.money(total),
                total_label=words["total_due"].format(currency=currency),
                credit_text=(
                    words["credit_on_account"].format(amount=fmt.money(credit))
                    if credit > 0
                    else ""
                ),
            )
        )
    return groups


def _payments(
    org: Organization, customer: Customer, limit: int, days: Days, language: str
) -> list[PaymentLine]:
    live = PaymentAllocation.objects.filter(reversed_at__isnull=True).select_related("invoice")
    payments = (
        Payment.objects.for_org(org)
        .filter(customer_id=customer.pk, status=PaymentStatus.COMPLETED)
        .prefetch_related(Prefetch("allocations", queryset=live.order_by("pk")))
        .order_by("-received_on", "-id")[:limit]
    )
    return [
        PaymentLine(
            received_on=days.medium(payment.received_on),
            method=payment_method_word(payment.method, language),
            amount=formatter_for(org, payment.currency).money(payment.amount),
            invoices=[allocation.invoice.number for allocation in payment.allocations.all()],
        )
        for payment in payments
    ]


def statement_build(
    *, org: Organization, customer: Customer, today: date, history: int = HISTORY_LIMIT
) -> Statement:
    language = customer.language
    words = words_for(language)
    days = Days.of(org_locale=org.locale, language=language)
    return Statement(
        org=org,
        customer=customer,
        language=language,
        words=words,
        today=today,
        as_of=days.long(today),
        groups=_groups(org, customer, today, days, words),
        payments=_payments(org, customer, history, days, language),
    )

"""What a customer owes on an invoice on a given day, and why: pure arithmetic over the invoice's
stored figures and the terms it was issued under.

The early-payment discount is a share of the invoice total (tax included, as "2/10 net 30" is
usually read), rounded half-up to the currency's minor unit, available up to and including the
last day of its window, once per invoice, and never more than what is still owed. A payment in
the window that leaves no more than the discount unpaid settles the invoice; the part not paid
is recorded as a discount allowed, not as a short payment (``discount_settling``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arhub.money import ZERO, quantize
from invoicing.models import Invoice
from invoicing.terms import Terms


@dataclass(frozen=True)
class AmountDue:
    currency: str
    total: Decimal
    # Late fees charged and not waived.
    fees: Decimal
    paid: Decimal
    credited: Decimal
    # Early-payment discount already allowed by an earlier payment.
    discounted: Decimal
    balance: Decimal
    # The discount the customer gets by paying ``due_today`` on that day; zero when none.
    discount: Decimal
    discount_until: date | None
    due_today: Decimal

    @property
    def has_discount(self) -> bool:
        return self.discount > 0


def discount_deadline(invoice: Invoice) -> date | None:
    """The last day of the invoice's early-payment window, or None when its terms have none."""
    if invoice.issue_date is None:
        return None
    return Terms.from_json(invoice.terms).discount_deadline(invoice.issue_date)


def early_discount(invoice: Invoice, *, on: date) -> Decimal:
    """The discount still open on ``on``: zero outside the window, once one was taken, or when
    nothing is owed."""
    deadline = discount_deadline(invoice)
    terms = Terms.from_json(invoice.terms)
    if (
        deadline is None
        or on > deadline
        or terms.discount_percent is None
        or invoice.amount_discounted > 0
        or invoice.balance_due <= 0
    ):
        return ZERO
    discount = quantize(invoice.total * terms.discount_percent / 100, invoice.currency)
    return min(discount, invoice.balance_due)


def discount_settling(invoice: Invoice, *, amount: Decimal, on: date) -> Decimal:
    """The discount allowed when ``amount`` is paid on ``on``: what the payment leaves unpaid,
    when that is no more than the open discount; else zero (a part payment earns none)."""
    discount = early_discount(invoice, on=on)
    if discount <= 0 or amount <= 0:
        return ZERO
    left = invoice.balance_due - amount
    return left if ZERO < left <= discount else ZERO


def amount_due(invoice: Invoice, *, on: date) -> AmountDue:
    discount = early_discount(invoice, on=on)
    return AmountDue(
        currency=invoice.currency,
        total=invoice.total,
        fees=invoice.fees_total,
        paid=invoice.amount_paid,
        credited=invoice.amount_credited,
        discounted=invoice.amount_discounted,
        balance=invoice.balance_due,
        discount=discount,
        discount_until=discount_deadline(invoice) if discount > 0 else None,
        due_today=invoice.balance_due - discount,
    )

"""Where a payment goes when the owner does not say: pure arithmetic over invoices already
locked and loaded, so the services stay at a constant number of queries however many invoices
a customer has open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from invoicing.models import Invoice
from payments.amount_due import early_discount

ZERO = Decimal(0)


def _oldest_first_key(invoice: Invoice) -> tuple[date, date, int]:
    return (invoice.due_date or date.max, invoice.issue_date or date.max, invoice.pk)


def _settling(invoice: Invoice, on: date | None) -> Decimal:
    """What settles the invoice on ``on``: its balance less any early-payment discount open."""
    if on is None:
        return invoice.balance_due
    return invoice.balance_due - early_discount(invoice, on=on)


def allocation_plan_auto(
    amount: Decimal, invoices: Sequence[Invoice], *, on: date | None = None
) -> list[tuple[Invoice, Decimal]]:
    """``(invoice, amount)`` pairs for ``amount`` over the invoices that still owe something.

    A payment equal to exactly one invoice's balance, or to what settles it with its discount,
    is that invoice's payment (a customer paying invoice 7 late should not see it land on
    invoice 3); otherwise the oldest due is paid first (due date, then issue date, then id).

    With ``on`` (the day the money came in), an invoice in its early-payment window gets the
    discounted amount when the money covers it, and the services record the rest as a discount
    allowed; the money saved goes on to the next invoice. What is left over is not allocated."""
    owing = [(invoice, _settling(invoice, on)) for invoice in invoices if invoice.balance_due > 0]
    exact = [pair for pair in owing if amount in (pair[0].balance_due, pair[1])]
    if len(exact) == 1:
        invoice, settles = exact[0]
        return [(invoice, min(amount, settles))]
    plan: list[tuple[Invoice, Decimal]] = []
    left = amount
    for invoice, settles in sorted(owing, key=lambda pair: _oldest_first_key(pair[0])):
        if left <= 0:
            break
        part = min(left, settles)
        plan.append((invoice, part))
        left -= part
    return plan

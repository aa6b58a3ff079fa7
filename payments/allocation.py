"""Where a payment goes when the owner does not say: pure arithmetic over invoices already
locked and loaded, so the services stay at a constant number of queries however many invoices
a customer has open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from invoicing.models import Invoice

ZERO = Decimal(0)


def _oldest_first_key(invoice: Invoice) -> tuple[date, date, int]:
    return (invoice.due_date or date.max, invoice.issue_date or date.max, invoice.pk)


def allocation_plan_auto(
    amount: Decimal, invoices: Sequence[Invoice]
) -> list[tuple[Invoice, Decimal]]:
    """``(invoice, amount)`` pairs for ``amount`` over the invoices that still owe something.

    A payment equal to exactly one invoice's balance is that invoice's payment (a customer
    paying invoice 7 late should not see it land on invoice 3); otherwise the oldest due is
    paid first (due date, then issue date, then id). What is left over is not allocated."""
    owing = [invoice for invoice in invoices if invoice.balance_due > 0]
    exact = [invoice for invoice in owing if invoice.balance_due == amount]
    if len(exact) == 1:
        return [(exact[0], amount)]
    plan: list[tuple[Invoice, Decimal]] = []
    left = amount
    for invoice in sorted(owing, key=_oldest_first_key):
        if left <= 0:
            break
        part = min(left, invoice.balance_due)
        plan.append((invoice, part))
        left -= part
    return plan

"""The automatic allocation plan, as pure arithmetic over invoices in memory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from invoicing.models import Invoice
from payments.allocation import allocation_plan_auto


def inv(pk: int, balance: str, due: date | None, issued: date | None = date(2027, 1, 1)) -> Invoice:
    return Invoice(pk=pk, balance_due=Decimal(balance), due_date=due, issue_date=issued)


def plan(amount: str, invoices: list[Invoice]) -> list[tuple[int, str]]:
    return [(i.pk, str(a)) for i, a in allocation_plan_auto(Decimal(amount), invoices)]


def test_exact_single_match_wins_over_age():
    invoices = [inv(1, "10.00", date(2027, 1, 1)), inv(2, "25.00", date(2027, 6, 1))]
    assert plan("25.00", invoices) == [(2, "25.00")]


def test_oldest_due_then_issue_date_then_id():
    invoices = [
        inv(1, "10.00", date(2027, 3, 1)),
        inv(2, "10.00", date(2027, 2, 1), issued=date(2027, 1, 5)),
        inv(3, "10.00", date(2027, 2, 1), issued=date(2027, 1, 2)),
        inv(4, "10.00", None),
    ]
    assert plan("35.00", invoices) == [(3, "10.00"), (2, "10.00"), (1, "10.00"), (4, "5.00")]


def test_paid_invoices_are_skipped_and_the_rest_is_left_over():
    invoices = [inv(1, "0", date(2027, 1, 1)), inv(2, "10.00", date(2027, 2, 1))]
    assert plan("30.00", invoices) == [(2, "10.00")]
    assert plan("30.00", []) == []

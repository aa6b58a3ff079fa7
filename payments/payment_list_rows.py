"""What the payments list shows and how it pages: the filtered payments, one page by cursor
(``arhub.keyset``, newest received first, one query whatever the page), each row in words and
formatted money, and what was received per currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from arhub import keyset
from arhub.keyset import InvalidCursor, Keyset
from arhub.models import Organization
from arhub.money import ZERO, money_format
from payments.models import Payment, PaymentStatus
from payments.payment_list_forms import CHARGEBACK, REFUNDED, UNAPPLIED, PaymentFilters
from payments.selectors import payment_list


def _received_on(value: Any) -> date:
    return date.fromisoformat(keyset.text(value))


# The order of the received-on indexes: newest received first, ties by the newest id.
NEWEST_RECEIVED = Keyset(
    "-received", "received_on", descending=True, ties_descending=True, parse=_received_on
)


def filtered_payments(*, org: Organization, filters: PaymentFilters) -> QuerySet[Payment]:
    payments = payment_list(org=org, customer_id=filters.customer_id)
    if filters.method:
        payments = payments.filter(method=filters.method)
    if filters.status == UNAPPLIED:
        payments = payments.filter(status=PaymentStatus.COMPLETED, unapplied_amount__gt=0)
    elif filters.status == REFUNDED:
        payments = payments.filter(refunded_amount__gt=0)
    elif filters.status == CHARGEBACK:
        payments = payments.filter(chargeback_at__isnull=False)
    elif filters.status:
        payments = payments.filter(status=filters.status)
    if filters.received_from is not None:
        payments = payments.filter(received_on__gte=filters.received_from)
    if filters.received_to is not None:
        payments = payments.filter(received_on__lte=filters.received_to)
    if filters.search:
        payments = payments.filter(reference__icontains=filters.search)
    return payments


@dataclass
class PaymentPage:
    rows: Sequence[Payment]
    next_cursor: str | None = None
    previous_cursor: str | None = None


def payment_page(
    payments: QuerySet[Payment], *, after: str | None, before: str | None, size: int
) -> PaymentPage:
    """One page of ``payments``, newest received first, in one query. A cursor that cannot be
    read gives the first page."""
    token, backward = (before, True) if after is None else (after, False)
    try:
        cursor = NEWEST_RECEIVED.decode(token)
    except InvalidCursor:
        cursor = None
    if cursor is not None and cursor.backward != backward:
        cursor = None
    fetched = NEWEST_RECEIVED.page(payments, cursor, size)
    if fetched.ran_out_backward:  # everything before it went away: start again
        fetched = NEWEST_RECEIVED.page(payments, None, size)
    page = PaymentPage(rows=fetched.rows)
    if fetched.has_next:
        page.next_cursor = NEWEST_RECEIVED.cursor(fetched.rows[-1])
    if fetched.has_previous:
        page.previous_cursor = NEWEST_RECEIVED.cursor(fetched.rows[0], backward=True)
    return page


# --------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class Badge:
    text: str
    key: str  # for the badge's class


def payment_applied(payment: Payment) -> Decimal:
    """What is on invoices now: the amount less what is unapplied and what was refunded; nothing
    once reversed."""
    if payment.is_reversed:
        return ZERO
    return payment.amount - payment.unapplied_amount - payment.refunded_amount


def payment_badges(payment: Payment) -> list[Badge]:
    """The payment's state in words (never colour alone), most important first."""
    badges: list[Badge] = []
    if payment.is_reversed:
        badges.append(Badge("Reversed", "reversed"))
    if payment.refunded_amount >= payment.amount:
        badges.append(Badge("Refunded", "refunded"))
    elif payment.refunded_amount > 0:
        badges.append(Badge("Partly refunded", "refunded"))
    if payment.chargeback_at is not None:
        badges.append(Badge("Chargeback", "chargeback"))
    if not badges:
        badges.append(Badge("Received", "completed"))
    return badges


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    amount: str
    applied: str
    unapplied: str  # "" when nothing is left to apply
    badges: list[Badge]


def payment_row(payment: Payment, *, locale: str) -> PaymentRow:
    currency = payment.currency
    unapplied = payment.unapplied_amount if not payment.is_reversed else ZERO
    return PaymentRow(
        payment=payment,
        amount=money_format(payment.amount, currency, locale),
        applied=money_format(payment_applied(payment), currency, locale),
        unapplied=money_format(unapplied, currency, locale) if unapplied > 0 else "",
        badges=payment_badges(payment),
    )


def payment_rows(payments: Sequence[Payment], *, locale: str) -> list[PaymentRow]:
    return [payment_row(payment, locale=locale) for payment in payments]


# --------------------------------------------------------------------------------------------
# Totals


@dataclass(frozen=True)
class ReceivedTotal:
    currency: str
    count: int
    received: str
    unapplied: str | None  # None when all of it is applied
    refunded: str | None
    reversed_count: int


def received_totals(payments: QuerySet[Payment], *, locale: str) -> list[ReceivedTotal]:
    """What the filtered payments brought in per currency (nothing converted): reversed ones
    are counted apart, not added. One query."""
    live = Q(status=PaymentStatus.COMPLETED)
    rows = (
        payments.order_by()
        .values("currency")
        .annotate(
            count=Count("pk", filter=live),
            received=Sum("amount", filter=live),
            unapplied=Sum("unapplied_amount", filter=live),
            refunded=Sum("refunded_amount", filter=live),
            reversed_count=Count("pk", filter=~live),
        )
        .order_by("currency")
    )
    totals = []
    for row in rows:
        currency = row["currency"]

        def shown(amount: Decimal | None, currency: str = currency) -> str | None:
            return money_format(amount, currency, locale) if amount else None

        totals.append(
            ReceivedTotal(
                currency=currency,
                count=row["count"],
                received=money_format(row["received"] or ZERO, currency, locale),
                unapplied=shown(row["unapplied"]),
                refunded=shown(row["refunded"]),
                reversed_count=row["reversed_count"],
            )
        )
    return totals

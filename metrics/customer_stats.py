"""How each customer pays: days to pay, days late, share paid on time, what is open, broken
arrangements, disputes and a trend arrow, as of a date and in one currency.

The paid-invoice figures stand on ``metrics.paid_invoices`` (the day an invoice was paid is its
last payment's ``received_on``); the open balance and oldest open item on
``metrics.receivables.receivable_rows``, so they agree with the aging report to the cent. The
formulas, with a worked example, are in ``metrics/formulas/customers.md``.

The list is a fixed number of queries however many customers: the paid figures grouped by
customer, the receivables, the arrangement and dispute counts in one UNION, and the names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from arhub.models import Organization
from arhub.money import quantize
from invoicing.models import Customer
from invoicing.selectors import customer_get
from metrics.local_days import day_after
from metrics.paid_invoices import paid_invoices_sql
from metrics.periods import as_of_check
from metrics.receivables import receivable_rows

ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")
# The two windows the trend compares, by the day invoices were paid.
TREND_WINDOW_DAYS = 90
# Averages of days late closer than this are "steady": a day or so either way is noise.
TREND_MARGIN_DAYS = Decimal(2)


@dataclass(frozen=True)
class CustomerStats:
    """``on_time_share`` is a percentage (0-100); averages and the share have one decimal place
    and are None when the customer has no paid invoice yet."""

    customer_id: int
    customer_name: str
    as_of: date
    currency: str
    paid_invoice_count: int
    avg_days_to_pay: Decimal | None
    avg_days_late: Decimal | None
    on_time_share: Decimal | None
    open_balance: Decimal
    oldest_open_due_date: date | None
    broken_promises: int
    broken_plans: int
    disputes: int
    trend: str  # "better" | "worse" | "steady"


@dataclass(frozen=True)
class _Paid:
    count: int
    to_pay: Decimal | None
    late: Decimal | None
    on_time: int
    late_recent: Decimal | None
    late_before: Decimal | None


_PAID_FIGURES = """
    WITH paid AS ({paid})
    SELECT customer_id, count(*),
           avg(paid_on - issue_date),
           avg(GREATEST(paid_on - due_date, 0)),
           count(*) FILTER (WHERE paid_on <= due_date),
           avg(GREATEST(paid_on - due_date, 0))
               FILTER (WHERE paid_on > %(as_of)s::date - %(window)s),
           avg(GREATEST(paid_on - due_date, 0))
               FILTER (WHERE paid_on <= %(as_of)s::date - %(window)s
                       AND paid_on > %(as_of)s::date - 2 * %(window)s)
    FROM paid
    WHERE paid_on <= %(as_of)s
    GROUP BY customer_id
"""

# Broken promises and plans by the moment they broke, disputes by the moment they were opened,
# each "on or before the as-of day" (before the first instant of the day after it).
_COUNTS = """
    SELECT customer_id, 'promises', count(*) FROM payments_promisetopay
    WHERE organization_id = %(org)s AND currency = %(currency)s {customer}
      AND status = 'broken' AND broken_at < %(until)s
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, 'plans', count(*) FROM payments_paymentplan
    WHERE organization_id = %(org)s AND currency = %(currency)s {customer}
      AND status = 'broken' AND broken_at < %(until)s
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, 'disputes', count(*) FROM disputes_dispute
    WHERE organization_id = %(org)s AND currency = %(currency)s {customer}
      AND opened_at < %(until)s
    GROUP BY customer_id
"""


def _one_place(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def trend_of(late_recent: Decimal | None, late_before: Decimal | None) -> str:
    """ "better" when the last 90 days' average days late is at least ``TREND_MARGIN_DAYS``
    below the 90 days' before, "worse" when that much above; "steady" otherwise, and when
    either window has no paid invoice to judge by."""
    if late_recent is None or late_before is None:
        return "steady"
    if late_recent <= late_before - TREND_MARGIN_DAYS:
        return "better"
    if late_recent >= late_before + TREND_MARGIN_DAYS:
        return "worse"
    return "steady"


def _params(
    org: Organization, as_of: date, currency: str, customer_id: int | None
) -> dict[str, Any]:
    return {
        "org": org.pk,
        "as_of": as_of,
        "currency": currency,
        "customer_id": customer_id,
        "window": TREND_WINDOW_DAYS,
        "until": day_after(org=org, day=as_of),
    }


def _paid_figures(params: dict[str, Any], *, one: bool) -> dict[int, _Paid]:
    sql = _PAID_FIGURES.format(paid=paid_invoices_sql(currency=True, customer=one))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: _Paid(*row[1:]) for row in cursor.fetchall()}


def _counts(params: dict[str, Any], *, one: bool) -> dict[int, dict[str, int]]:
    sql = _COUNTS.format(customer="AND customer_id = %(customer_id)s" if one else "")
    found: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for customer_id, what, count in cursor.fetchall():
            found.setdefault(customer_id, {})[what] = count
    return found


@dataclass
class _Open:
    balance: Decimal = ZERO
    oldest_due: date | None = None


def _open_items(
    org: Organization, as_of: date, currency: str, customer_id: int | None
) -> dict[int, _Open]:
    found: dict[int, _Open] = {}
    for row in receivable_rows(org=org, as_of=as_of, currency=currency, customer_id=customer_id):
        item = found.setdefault(row.customer_id, _Open())
        item.balance += row.open_amount
        if row.due_date is not None and (item.oldest_due is None or row.due_date < item.oldest_due):
            item.oldest_due = row.due_date
    return found


def _stats(
    customer_id: int,
    name: str,
    as_of: date,
    currency: str,
    paid: _Paid | None,
    open_item: _Open | None,
    counts: dict[str, int],
) -> CustomerStats:
    open_item = open_item or _Open()
    share = None
    if paid is not None:
        share = _one_place(Decimal(100) * paid.on_time / paid.count)
    return CustomerStats(
        customer_id=customer_id,
        customer_name=name,
        as_of=as_of,
        currency=currency,
        paid_invoice_count=paid.count if paid else 0,
        avg_days_to_pay=_one_place(paid.to_pay) if paid else None,
        avg_days_late=_one_place(paid.late) if paid else None,
        on_time_share=share,
        open_balance=quantize(open_item.balance, currency),
        oldest_open_due_date=open_item.oldest_due,
        broken_promises=counts.get("promises", 0),
        broken_plans=counts.get("plans", 0),
        disputes=counts.get("disputes", 0),
        trend=trend_of(paid.late_recent, paid.late_before) if paid else "steady",
    )


def avg_days_late_by_customer(
    *, org: Organization, as_of: date, currency: str
) -> dict[int, Decimal]:
    """Each customer's average days late over the invoices in ``currency`` paid by ``as_of``,
    unrounded; customers with none are absent. (The forecast's "usual lateness".)"""
    paid = _paid_figures(_params(org, as_of, currency.upper(), None), one=False)
    return {pk: figures.late for pk, figures in paid.items() if figures.late is not None}


def customer_stats(
    *, org: Organization, customer_id: int, as_of: date, currency: str
) -> CustomerStats:
    """One customer's figures; another organization's customer is a 404."""
    as_of_check(org=org, as_of=as_of)
    currency = currency.upper()
    customer = customer_get(org=org, customer_id=customer_id)
    params = _params(org, as_of, currency, customer.pk)
    paid = _paid_figures(params, one=True).get(customer.pk)
    open_item = _open_items(org, as_of, currency, customer.pk).get(customer.pk)
    counts = _counts(params, one=True).get(customer.pk, {})
    return _stats(customer.pk, customer.display_name, as_of, currency, paid, open_item, counts)


def customer_stats_list(
    *, org: Organization, as_of: date, currency: str, limit: int | None = None
) -> list[CustomerStats]:
    """Every customer with a paid or an open invoice in ``currency`` as of ``as_of``, largest
    open balance first (then by name); the first ``limit`` of them when it is given."""
    as_of_check(org=org, as_of=as_of)
    currency = currency.upper()
    params = _params(org, as_of, currency, None)
    paid = _paid_figures(params, one=False)
    open_items = _open_items(org, as_of, currency, None)
    counts = _counts(params, one=False)
    ids: Iterable[int] = set(paid) | set(open_items)
    names = dict(Customer.objects.for_org(org).filter(pk__in=ids).values_list("pk", "display_name"))
    rows = [
        _stats(pk, names[pk], as_of, currency, paid.get(pk), open_items.get(pk), counts.get(pk, {}))
        for pk in ids
    ]
    rows.sort(key=lambda row: (-row.open_balance, row.customer_name.lower(), row.customer_id))
    return rows if limit is None else rows[:limit]

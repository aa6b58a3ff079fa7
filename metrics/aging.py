"""Aging: what is owed on a day, by how long past due it is, in total and by customer.

Built on ``metrics.receivables`` (which invoices count, and what each had open that day); the
bucketing and sums are done in the same SQL query with ``width_bucket``, so a report over
100,000 invoices brings a handful of rows back to Python.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from arhub.models import Organization
from arhub.money import ZERO, quantize
from metrics.aging_edges import (
    DEFAULT_EDGES,
    aging_edges_check,
    bucket_limits,
    bucket_thresholds,
)
from metrics.figures import AgingBucket, AgingReport
from metrics.periods import as_of_check
from metrics.receivables import (
    BY_CUSTOMER,
    open_amounts_cte,
    open_amounts_params,
    receivable_rows_ordered,
)


@dataclass(frozen=True)
class CustomerAging:
    customer_id: int
    name: str
    amounts: tuple[Decimal, ...]  # one per bucket, in the order of ``bucket_limits(edges)``
    total: Decimal
    oldest_due_date: date | None  # of the customer's invoices with something open


@dataclass(frozen=True)
class AgingDetailRow:
    invoice_id: int
    customer_id: int
    customer_name: str
    number: str
    issue_date: date
    due_date: date | None
    open_amount: Decimal
    days_past_due: int
    bucket: str


def aging_report(
    *,
    org: Organization,
    as_of: date,
    currency: str,
    edges: Sequence[int] = DEFAULT_EDGES,
    customer_id: int | None = None,
) -> AgingReport:
    """Receivables on ``as_of`` in aging buckets; one query."""
    edges = aging_edges_check(edges)
    as_of_check(org=org, as_of=as_of)
    currency = currency.upper()
    params = open_amounts_params(org=org, days=[as_of], currency=currency, customer_id=customer_id)
    params["thresholds"] = bucket_thresholds(edges)
    sql = f"""
        WITH {open_amounts_cte(customer_id)}
        SELECT width_bucket(days_past_due, %(thresholds)s::int[]), SUM(open_amount), COUNT(*)
          FROM open
         WHERE open_amount > 0
         GROUP BY 1
    """  # noqa: S608 - the SQL pieces are ours; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {index: (amount, count) for index, amount, count in cursor.fetchall()}
    buckets = []
    for index, (label, low, high) in enumerate(bucket_limits(edges)):
        amount, count = found.get(index, (ZERO, 0))
        buckets.append(AgingBucket(label, low, high, quantize(amount, currency), count))
    total = sum((bucket.amount for bucket in buckets), ZERO)
    return AgingReport(
        as_of=as_of,
        currency=currency,
        buckets=buckets,
        total=total,
        overdue=total - buckets[0].amount,
        invoice_count=sum(bucket.count for bucket in buckets),
    )


def aging_by_customer(
    *, org: Organization, as_of: date, currency: str, edges: Sequence[int] = DEFAULT_EDGES
) -> list[CustomerAging]:
    """One row per customer with something open on ``as_of``, largest total first; one query
    (summed per customer and bucket in SQL)."""
    edges = aging_edges_check(edges)
    as_of_check(org=org, as_of=as_of)
    currency = currency.upper()
    params = open_amounts_params(org=org, days=[as_of], currency=currency)
    params["thresholds"] = bucket_thresholds(edges)
    sql = f"""
        WITH {open_amounts_cte()},
        grouped AS (
            SELECT customer_id, width_bucket(days_past_due, %(thresholds)s::int[]) AS bucket,
                   SUM(open_amount) AS amount, MIN(due_date) AS oldest
              FROM open
             WHERE open_amount > 0
             GROUP BY 1, 2
        )
        SELECT g.customer_id, c.display_name, g.bucket, g.amount, g.oldest
          FROM grouped g
          JOIN invoicing_customer c ON c.id = g.customer_id AND c.organization_id = %(org)s
    """  # noqa: S608 - the SQL pieces are ours; every value is a parameter
    width = len(edges) + 2
    names: dict[int, str] = {}
    amounts: dict[int, list[Decimal]] = {}
    oldest: dict[int, date | None] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for customer_id, name, bucket, amount, due in cursor.fetchall():
            names[customer_id] = name
            amounts.setdefault(customer_id, [ZERO] * width)[bucket] = quantize(amount, currency)
            known = [day for day in (oldest.get(customer_id), due) if day is not None]
            oldest[customer_id] = min(known, default=None)
    rows = [
        CustomerAging(
            customer_id=pk,
            name=names[pk],
            amounts=tuple(parts),
            total=sum(parts, ZERO),
            oldest_due_date=oldest[pk],
        )
        for pk, parts in amounts.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.name.lower(), row.customer_id))
    return rows


def aging_detail(
    *,
    org: Organization,
    as_of: date,
    currency: str,
    edges: Sequence[int] = DEFAULT_EDGES,
    customer_id: int | None = None,
) -> Iterator[AgingDetailRow]:
    """Every invoice with something open on ``as_of`` and its bucket, by customer name then
    oldest due first; streamed."""
    edges = aging_edges_check(edges)
    labels = [label for label, _, _ in bucket_limits(edges)]
    thresholds = bucket_thresholds(edges)
    rows = receivable_rows_ordered(
        org=org, as_of=as_of, currency=currency, customer_id=customer_id, order_by=BY_CUSTOMER
    )
    return (
        AgingDetailRow(
            invoice_id=row.invoice_id,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            number=row.number,
            issue_date=row.issue_date,
            due_date=row.due_date,
            open_amount=row.open_amount,
            days_past_due=row.days_past_due,
            # The same rule as SQL's width_bucket: how many lower limits the row has reached.
            bucket=labels[bisect_right(thresholds, row.days_past_due)],
        )
        for row in rows
    )

"""What each invoice was owed on a given day, worked out from its history, not its stored balance.

The stored ``Invoice.balance_due`` only says what is owed now. To answer "as of 1 March" the
invoice's money movements are replayed in SQL, each dated on the organization's calendar:

    open(D) = max(0, total
                     + late fees charged_on <= D, not waived on or before D
                     - allocations (amount + discount) of payments received_on <= D,
                       not reversed on or before D
                     - credit notes' applied_amount, issue_date <= D)

for invoices that count on D: issued (not draft) on or before D, not void, and if written off,
written off after D. A refund reverses the allocations it takes back (and writes what stays as
a new live allocation, dated here from the refund), so it needs no term of its own; an
early-payment discount rides on its allocation; credit applied later counts from the day it was
applied. For today the sum is the stored ``balance_due`` of every counted invoice
(tests/metrics/test_receivables.py holds it to that).

Every query here filters on the organization on each table it reads, and aggregates in SQL: the
per-invoice open amounts are never brought into Python unless rows are asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from arhub.models import Organization
from arhub.money import ZERO, quantize
from metrics.periods import as_of_check

FETCH = 2000  # rows per round trip when rows are streamed

# Money movements of the org's invoices, each live from start_on until the day before stop_on.
# An allocation counts from its payment's received_on, except two kinds written later than the
# money came: one applying a payment's unapplied credit (made more than an hour after the
# payment) counts from the day it was made; the remainder a partial refund writes (a new live
# allocation carrying the original's created_at, after the original's reversal) counts from
# that reversal, not again from received_on.
_EVENTS = """
    SELECT f.invoice_id, f.charged_on AS start_on,
           (f.waived_at AT TIME ZONE %(tz)s)::date AS stop_on, f.amount
      FROM invoicing_latefee f
     WHERE f.organization_id = %(org)s
    UNION ALL
    SELECT a.invoice_id,
           GREATEST(
               p.received_on,
               CASE WHEN a.created_at > p.created_at + interval '1 hour'
                    THEN (a.created_at AT TIME ZONE %(tz)s)::date END,
               CASE WHEN p.refunded_amount > 0 THEN (
                   SELECT (MAX(b.reversed_at) AT TIME ZONE %(tz)s)::date
                     FROM payments_paymentallocation b
                    WHERE b.organization_id = %(org)s AND b.payment_id = a.payment_id
                      AND b.invoice_id = a.invoice_id AND b.created_at = a.created_at
                      AND b.id < a.id AND b.reversed_at IS NOT NULL
               ) END
           ),
           (a.reversed_at AT TIME ZONE %(tz)s)::date, -(a.amount + a.discount)
      FROM payments_paymentallocation a
      JOIN payments_payment p ON p.id = a.payment_id AND p.organization_id = %(org)s
     WHERE a.organization_id = %(org)s
    UNION ALL
    SELECT n.invoice_id, n.issue_date, NULL, -n.applied_amount
      FROM invoicing_creditnote n
     WHERE n.organization_id = %(org)s AND n.applied_amount > 0
"""

# An invoice counts on ``days.day`` (the invoice table is ``i``) when it is of the currency,
# issued by then, not void, and not written off by then.
_COUNTS = """
    i.organization_id = %(org)s AND i.currency = %(currency)s
    AND i.status NOT IN ('draft', 'void') AND i.issue_date <= days.day
    AND (i.written_off_at IS NULL OR (i.written_off_at AT TIME ZONE %(tz)s)::date > days.day)
"""

# One row per (day, counted invoice) with something open: its open amount and days past due.
#
# Replaying means adding up an invoice's live events for each day, a GROUP BY over every
# (day, invoice) pair: a 12-month trend over 100,000 invoices is a million pairs. Most pairs
# need no replay: from the day its last event started or stopped (``settled_on``), an invoice
# owes what it owes today, its stored balance. So only the days before that are replayed
# (``moving``), and the rest read ``balance_due`` (``settled``), where most are zero and never
# become rows. A write-off leaves the balance on record, so it needs no term here; the invoice
# stops counting after it either way.
_OPEN = f"""
    days AS (SELECT unnest(%(days)s::date[]) AS day),
    events AS ({_EVENTS}),
    last_moves AS (
        SELECT invoice_id, MAX(GREATEST(start_on, stop_on)) AS settled_on
          FROM events GROUP BY invoice_id
    ),
    moving AS (
        SELECT days.day, i.id, i.customer_id, i.number, i.issue_date, i.due_date,
               GREATEST(i.total + COALESCE(SUM(ev.amount), 0), 0) AS open_amount
          FROM days
          JOIN invoicing_invoice i ON {_COUNTS} {{customer}}
          JOIN last_moves lm ON lm.invoice_id = i.id AND lm.settled_on > days.day
          LEFT JOIN events ev
            ON ev.invoice_id = i.id AND ev.start_on <= days.day
           AND (ev.stop_on IS NULL OR ev.stop_on > days.day)
         GROUP BY days.day, i.id
    ),
    settled AS (
        SELECT days.day, i.id, i.customer_id, i.number, i.issue_date, i.due_date,
               i.balance_due AS open_amount
          FROM days
          JOIN invoicing_invoice i ON {_COUNTS} {{customer}} AND i.balance_due > 0
          LEFT JOIN last_moves lm ON lm.invoice_id = i.id
         WHERE lm.settled_on IS NULL OR lm.settled_on <= days.day
    ),
    open AS (
        SELECT o.*, o.day - COALESCE(o.due_date, o.day) AS days_past_due
          FROM (SELECT * FROM moving WHERE open_amount > 0
                UNION ALL
                SELECT * FROM settled) o
    )
"""  # noqa: S608 - the SQL pieces are ours; every value is a parameter


def open_amounts_cte(customer_id: int | None = None) -> str:
    """The ``WITH`` list (without ``WITH``) defining ``open(day, id, customer_id, number,
    issue_date, due_date, open_amount, days_past_due)``, only for what is open (the amount is
    above zero).
    Takes the parameters of :func:`open_amounts_params`."""
    return _OPEN.format(customer="AND i.customer_id = %(customer)s" if customer_id else "")


def open_amounts_params(
    *, org: Organization, days: Iterable[date], currency: str, customer_id: int | None = None
) -> dict[str, Any]:
    wanted = sorted(set(days))
    if not wanted:
        raise ValueError("days: at least one day.")
    return {
        "org": org.pk,
        "tz": org.timezone,
        "currency": currency.upper(),
        "days": wanted,
        "last": wanted[-1],
        "customer": customer_id,
    }


@dataclass(frozen=True)
class ReceivableRow:
    invoice_id: int
    customer_id: int
    customer_name: str
    number: str
    issue_date: date
    due_date: date | None
    open_amount: Decimal
    days_past_due: int  # as_of - due_date; 0 or less is current


def receivable_rows(
    *, org: Organization, as_of: date, currency: str, customer_id: int | None = None
) -> Iterator[ReceivableRow]:
    """Every invoice with something open on ``as_of``, oldest due first, in one query streamed
    through a server-side cursor (an org's whole ledger never sits in memory)."""
    return receivable_rows_ordered(
        org=org, as_of=as_of, currency=currency, customer_id=customer_id, order_by=BY_DUE_DATE
    )


BY_DUE_DATE = "o.due_date, o.id"
BY_CUSTOMER = "lower(c.display_name), o.customer_id, o.due_date, o.id"


def receivable_rows_ordered(
    *,
    org: Organization,
    as_of: date,
    currency: str,
    customer_id: int | None = None,
    order_by: str = BY_DUE_DATE,
) -> Iterator[ReceivableRow]:
    """:func:`receivable_rows` in the order ``BY_DUE_DATE`` or ``BY_CUSTOMER``."""
    if order_by not in (BY_DUE_DATE, BY_CUSTOMER):
        raise ValueError("order_by: BY_DUE_DATE or BY_CUSTOMER.")
    as_of_check(org=org, as_of=as_of)
    sql = f"""
        WITH {open_amounts_cte(customer_id)}
        SELECT o.id, o.customer_id, c.display_name, o.number, o.issue_date, o.due_date,
               o.open_amount, o.days_past_due
          FROM open o
          JOIN invoicing_customer c ON c.id = o.customer_id AND c.organization_id = %(org)s
         WHERE o.open_amount > 0
         ORDER BY {order_by}
    """  # noqa: S608 - the SQL pieces are ours; every value is a parameter
    params = open_amounts_params(org=org, days=[as_of], currency=currency, customer_id=customer_id)
    return _rows(sql, params, currency.upper())


def _rows(sql: str, params: dict[str, Any], currency: str) -> Iterator[ReceivableRow]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            for pk, customer, name, number, issued, due, amount, late in batch:
                yield ReceivableRow(
                    invoice_id=pk,
                    customer_id=customer,
                    customer_name=name,
                    number=number,
                    issue_date=issued,
                    due_date=due,
                    open_amount=quantize(amount, currency),
                    days_past_due=late,
                )


@dataclass(frozen=True)
class ReceivableTotals:
    day: date
    total: Decimal
    current: Decimal  # not yet past due (days past due <= 0)
    invoice_count: int

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current


def receivables_at(
    *, org: Organization, days: Iterable[date], currency: str
) -> dict[date, ReceivableTotals]:
    """Total and current receivables on each of ``days``, in one query; a day with nothing
    open has zero totals."""
    params = open_amounts_params(org=org, days=days, currency=currency)
    as_of_check(org=org, as_of=params["last"])
    sql = f"""
        WITH {open_amounts_cte()}
        SELECT day, SUM(open_amount), SUM(open_amount) FILTER (WHERE days_past_due <= 0),
               COUNT(*)
          FROM open
         WHERE open_amount > 0
         GROUP BY day
    """  # noqa: S608 - the SQL pieces are ours; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    unit = params["currency"]
    totals = {}
    for day in params["days"]:
        total, current, count = found.get(day, (ZERO, ZERO, 0))
        totals[day] = ReceivableTotals(
            day=day,
            total=quantize(total, unit),
            current=quantize(current or ZERO, unit),
            invoice_count=count,
        )
    return totals

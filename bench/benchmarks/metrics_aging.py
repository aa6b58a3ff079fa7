"""Aging and DSO over an organization of ``--invoices`` invoices (100,000 by default), as of
today and as of 180 days ago, each against a bare ``SUM`` over the same invoices run straight
through psycopg2 in the same round: the floor any figure over those rows stands on.

The metrics replay every invoice's history (payments received, reversals, credit notes, late
fees, write-offs) to know what it owed on the day, and aggregate in SQL; before timing, each
function's queries are counted (a figure must cost a handful, whatever the size) and today's
aging total is checked against the stored balances, so a fast wrong answer stops the run.

The organization, ``bench-aging-N``, is made once per size: ``seed_demo`` gives it customers,
then the invoices, payments, allocations, reversals, credit notes and late fees go in with a
few ``INSERT … SELECT`` statements over ``generate_series`` (the services would take an hour).
All invoices are in the organization's currency, so every row is in every figure.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from bench.registry import Context, Row
from bench.scale import medians_ms, sized_organization

ROUNDS = 9
CUSTOMERS = 2000
DAYS = 730  # issue dates spread over the last two years
PAST = 180  # the past as-of day, this many days before today
MAX_QUERIES = 3
# One in twenty invoices is a draft, four open, two part paid, eleven paid, one void and one
# written off (as in the invoice-list benchmark).
STATUSES = (
    ["draft"] + ["open"] * 4 + ["partially_paid"] * 2 + ["paid"] * 11 + ["void", "uncollectible"]
)


def run(ctx: Context) -> list[Row]:
    n = ctx.invoices
    if n < 1000:
        return []
    import django

    django.setup()
    from arhub.clock import org_today
    from metrics.aging import aging_by_customer, aging_report
    from metrics.dso import dso_countback, dso_simple, dso_trend

    org = _organization(n)
    currency = org.default_currency
    today = org_today(org)
    past = today - timedelta(days=PAST)
    _check(org, today, currency)
    cases: list[tuple[str, Callable[[], Any], date]] = [
        ("aging today", lambda: aging_report(org=org, as_of=today, currency=currency), today),
        ("aging 180 days ago", lambda: aging_report(org=org, as_of=past, currency=currency), past),
        (
            "aging by customer today",
            lambda: aging_by_customer(org=org, as_of=today, currency=currency),
            today,
        ),
        ("DSO simple today", lambda: dso_simple(org=org, as_of=today, currency=currency), today),
        (
            "DSO simple 180 days ago",
            lambda: dso_simple(org=org, as_of=past, currency=currency),
            past,
        ),
        (
            "DSO countback today",
            lambda: dso_countback(org=org, as_of=today, currency=currency),
            today,
        ),
        (
            "DSO trend, 12 month ends",
            lambda: dso_trend(org=org, as_of=today, currency=currency, months=12),
            today,
        ),
    ]
    rows: list[Row] = []
    with contextlib.closing(ctx.connect()) as db:
        for label, figure, day in cases:
            count = _queries(figure)
            _log(f"{label}: {count} queries")
            if count > MAX_QUERIES:
                raise RuntimeError(f"{label} ran {count} queries; a figure costs {MAX_QUERIES}")
            floor = partial(_bare_sum, db, org.pk, currency, day, today)
            figure_ms, floor_ms = medians_ms(figure, floor, rounds=ROUNDS)
            rows.append(
                Row(
                    f"{label} ({n:,} invoices) p50",
                    figure_ms,
                    "bare SUM over the same invoices p50",
                    floor_ms,
                    "ms",
                )
            )
    return rows


# The invoices that count on the day, summed without their history: today the stored
# balances, on a past day the totals of those issued by then.
BARE_TODAY = """
    SELECT SUM(balance_due) FROM invoicing_invoice
     WHERE organization_id = %s AND currency = %s AND status IN ('open', 'partially_paid')
"""
BARE_PAST = """
    SELECT SUM(total) FROM invoicing_invoice
     WHERE organization_id = %s AND currency = %s AND status NOT IN ('draft', 'void')
       AND issue_date <= %s
"""


def _bare_sum(db: Any, org_id: int, currency: str, day: date, today: date) -> None:
    with db.cursor() as cursor:
        if day == today:
            cursor.execute(BARE_TODAY, [org_id, currency])
        else:
            cursor.execute(BARE_PAST, [org_id, currency, day])
        cursor.fetchall()


def _check(org: Any, today: date, currency: str) -> None:
    """Today's replayed total must be the sum of the stored balances."""
    from django.db import connection

    from metrics.aging import aging_report

    with connection.cursor() as cursor:
        cursor.execute(BARE_TODAY + " AND issue_date <= %s", [org.pk, currency, today])
        stored = cursor.fetchone()[0]
    total = aging_report(org=org, as_of=today, currency=currency).total
    if total != stored:
        raise RuntimeError(f"aging today says {total}, the stored balances add up to {stored}")
    _log(f"today's aging total {total} {currency} = the stored balances")


def _queries(action: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


# --------------------------------------------------------------------------------------------
# The organization


def _organization(n: int) -> Any:
    return sized_organization(
        slug=f"bench-aging-{n}",
        n=n,
        customers=CUSTOMERS,
        build=_build,
        log=_log,
        built="invoices and their history",
    )


def _build(org: Any, n: int) -> None:
    from django.db import connection, transaction

    from arhub.clock import org_today
    from invoicing.models import Customer

    params = {
        "org": org.pk,
        "n": n,
        "ids": list(Customer.objects.for_org(org).order_by("pk").values_list("pk", flat=True)),
        "currency": org.default_currency,
        "statuses": STATUSES,
        "today": org_today(org),
        "days": DAYS,
    }
    steps = {
        "invoices": INVOICES_SQL,
        "payments": PAYMENTS_SQL,
        "reversed payments": REVERSED_SQL,
        "credit notes": CREDIT_NOTES_SQL,
        "late fees": FEES_SQL,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for name, sql in steps.items():
            started = time.monotonic()
            cursor.execute(sql, params)
            _log(f"{name}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
    _log(f"commit (deferred foreign key checks) in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in (
            "invoicing_invoice",
            "invoicing_creditnote",
            "invoicing_latefee",
            "payments_payment",
            "payments_paymentallocation",
        ):
            cursor.execute(f"ANALYZE {table}")
    _log(f"analyzed in {time.monotonic() - started:.1f}s")


# Totals between 40 and 2,040; part-paid invoices 40 % paid, one in four of them credited 10 %;
# one in three open invoices past due carries a 25.00 late fee; written-off ones go 150 days
# after issue (or yesterday). Balances follow, as the services would store them.
INVOICES_SQL = """
WITH g AS (
    SELECT i,
           (%(ids)s::bigint[])[1 + i %% cardinality(%(ids)s::bigint[])] AS customer_id,
           (%(statuses)s::text[])[1 + (i * 7) %% 20] AS status,
           %(today)s::date - ((%(n)s - i) * %(days)s / %(n)s)::int AS day,
           (40 + (i * 37) %% 2000 + (i %% 100) / 100.0)::numeric(18, 2) AS total
      FROM generate_series(1, %(n)s) AS i
), shaped AS (
    SELECT g.*,
           CASE status WHEN 'paid' THEN total
                       WHEN 'partially_paid' THEN round(total * 0.4, 2) ELSE 0 END AS paid,
           CASE WHEN status = 'partially_paid' AND (i / 20) %% 4 = 0
                THEN round(total * 0.1, 2) ELSE 0 END AS credited,
           CASE WHEN status = 'open' AND day + 30 < %(today)s AND i %% 3 = 0
                THEN 25.00 ELSE 0 END AS fees
      FROM g
)
INSERT INTO invoicing_invoice (
    organization_id, customer_id, status, number, currency, issue_date, due_date, terms, bill_to,
    po_number, notes, memo, discount_kind, discount_value, subtotal, discount_total, tax_total,
    total, amount_paid, amount_credited, amount_discounted, fees_total, balance_due,
    tax_breakdown, created_at, updated_at, issued_at, paid_at, voided_at, void_reason,
    written_off_at
)
SELECT %(org)s, customer_id, status,
       CASE WHEN status = 'draft' THEN '' ELSE 'AG-' || lpad(i::text, 7, '0') END,
       %(currency)s,
       CASE WHEN status = 'draft' THEN NULL ELSE day END,
       CASE WHEN status = 'draft' THEN NULL ELSE day + 30 END,
       '{}'::jsonb, '{}'::jsonb, '', '', '', 'none', 0, total, 0, 0, total, paid, credited, 0,
       fees,
       CASE WHEN status = 'void' THEN 0 ELSE total + fees - paid - credited END,
       '[]'::jsonb,
       day + time '15:00', day + time '15:00',
       CASE WHEN status = 'draft' THEN NULL ELSE day + time '15:00' END,
       CASE WHEN status = 'paid' THEN LEAST(day + 20, %(today)s) + time '18:00' END,
       CASE WHEN status = 'void' THEN day + 2 + time '18:00' END,
       CASE WHEN status = 'void' THEN 'Duplicate invoice' ELSE '' END,
       CASE WHEN status = 'uncollectible'
            THEN LEAST(day + 150, %(today)s - 1) + time '18:00' END
  FROM shaped
"""

# One payment per paid or part-paid invoice, all of it applied to that invoice.
PAYMENTS_SQL = """
WITH p AS (
    INSERT INTO payments_payment (
        organization_id, customer_id, amount, currency, method, received_on, reference, status,
        unapplied_amount, reversed_at, reversal_reason, refunded_amount, stripe_payment_intent,
        chargeback_at, chargeback_reason, created_at
    )
    SELECT organization_id, customer_id, amount_paid, currency, 'bank_transfer',
           LEAST(issue_date + 5 + (id %% 40)::int, %(today)s), 'bench:' || id, 'completed', 0, NULL,
           '', 0, '', NULL, '', now()
      FROM invoicing_invoice
     WHERE organization_id = %(org)s AND amount_paid > 0
    RETURNING id, customer_id, amount, reference
)
INSERT INTO payments_paymentallocation (
    organization_id, payment_id, invoice_id, amount, discount, created_at, reversed_at
)
SELECT %(org)s, p.id, substr(p.reference, 7)::bigint, p.amount, 0, now(), NULL FROM p
"""

# One in ten open invoices had a payment that bounced ten days after it came in.
REVERSED_SQL = """
WITH p AS (
    INSERT INTO payments_payment (
        organization_id, customer_id, amount, currency, method, received_on, reference, status,
        unapplied_amount, reversed_at, reversal_reason, refunded_amount, stripe_payment_intent,
        chargeback_at, chargeback_reason, created_at
    )
    SELECT organization_id, customer_id, total, currency, 'cheque',
           LEAST(issue_date + 3, %(today)s), 'bench:' || id, 'reversed', 0,
           LEAST(issue_date + 13, %(today)s) + time '10:00', 'Bounced', 0, '', NULL, '', now()
      FROM invoicing_invoice
     WHERE organization_id = %(org)s AND status = 'open' AND (id / 20) %% 10 = 0
    RETURNING id, amount, reference, reversed_at
)
INSERT INTO payments_paymentallocation (
    organization_id, payment_id, invoice_id, amount, discount, created_at, reversed_at
)
SELECT %(org)s, p.id, substr(p.reference, 7)::bigint, p.amount, 0, now(), p.reversed_at FROM p
"""

CREDIT_NOTES_SQL = """
INSERT INTO invoicing_creditnote (
    organization_id, invoice_id, customer_id, number, currency, issue_date, reason, amount,
    tax_amount, tax_breakdown, applied_amount, credit_amount, created_at
)
SELECT organization_id, id, customer_id, 'AGC-' || id, currency,
       LEAST(issue_date + 15, %(today)s), 'Goodwill', amount_credited, 0, '[]'::jsonb,
       amount_credited, 0, now()
  FROM invoicing_invoice
 WHERE organization_id = %(org)s AND amount_credited > 0
"""

FEES_SQL = """
INSERT INTO invoicing_latefee (
    organization_id, invoice_id, period_start, charged_on, amount, basis, rule, created_at,
    waive_reason
)
SELECT organization_id, id, due_date + 1, due_date + 1, fees_total, 0, 'Late fee', now(), ''
  FROM invoicing_invoice
 WHERE organization_id = %(org)s AND fees_total > 0
"""


def _log(message: str) -> None:
    print(f"[bench] metrics_aging: {message}", file=sys.stderr, flush=True)

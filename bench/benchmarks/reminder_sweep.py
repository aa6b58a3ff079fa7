"""One reminder sweep over 1,000,000 invoices (``BENCH_REMINDER_INVOICES``) in 100
organizations with 10,000 steps due now (``BENCH_REMINDER_DUE``): the time to find them, write
their reminders and batches and enqueue one send task per batch on the Redis broker, against
the bare SQL that selects the same due (invoice, step) pairs, in the same run.

Proportional to what is due, not to the table: the same sweep over a second set of 100
organizations holding a tenth of the invoices with the same 10,000 due (time and queries).
The enqueue's own time is shown against as many no-op Celery tasks published on the same broker.

The data are a steady state, not a fresh start: in each organization 600 outstanding invoices
fall in the reminder window (due between 31 days ago and 4 days ahead), their earlier steps
already sent (rows written), 100 of them with a step due today; the rest of the invoices are
paid, drafts, void, or outstanding outside the window. Each size lives around its own fixed day
centuries from now, so the two sweeps never see each other's due rows, nor those of the other
benchmarks' organizations, and the data are built once per size and reused
(invoices and reminders with SQL, not through the services). Each run deletes what the previous
sweep wrote, and the tasks it queued are purged from the broker before and after (their
batches are due years from now, so a worker that took one would find nothing to send).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
import zlib
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from unittest import mock

from bench.registry import Context, Row
from bench.worker import purge, queue_length

INVOICES = int(os.environ.get("BENCH_REMINDER_INVOICES", "1000000"))
DUE = int(os.environ.get("BENCH_REMINDER_DUE", "10000"))
ORGS = 100
SPAN_DAYS = 800  # a set's due dates span about two years before its day and two months after
CUSTOMERS = 200  # per organization
WINDOW_PER_DUE = 6  # outstanding invoices in the window for each one due today
FLOOR_ROUNDS = 5
# Customers' zones: at 12:00 UTC in June it is between 09:00 and 17:30 in each, on the same day.
ZONES = ("UTC", "Europe/London", "Europe/Madrid", "Asia/Kolkata", "America/Sao_Paulo")
STEP_DAYS = (-3, 0, 3, 7, 14, 30)  # today minus the due date when a default step falls today
# Invoices in the window on no step's day: today minus their due date.
OTHER_DAYS = tuple(k for k in range(-4, 32) if k not in STEP_DAYS)
# As in the invoice-list benchmark: 1 draft, 4 open, 2 part paid, 11 paid, 1 void, 1 written off.
STATUSES = (
    ["draft"] + ["open"] * 4 + ["partially_paid"] * 2 + ["paid"] * 11 + ["void", "uncollectible"]
)


@dataclass(frozen=True)
class Dataset:
    total: int  # invoices across its organizations
    day: date  # "today" for it
    org_ids: list[int]

    @property
    def now(self) -> datetime:
        return datetime.combine(self.day, clock_time(12, 0), tzinfo=UTC)


@dataclass(frozen=True)
class Sweep:
    seconds: float
    enqueue_seconds: float
    queries: int
    batches: int


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    small_total = INVOICES // 10
    per_org_window = DUE // ORGS * WINDOW_PER_DUE
    if DUE % ORGS or small_total // ORGS < per_org_window + 1:
        raise RuntimeError(
            f"BENCH_REMINDER_DUE ({DUE}) must be a multiple of {ORGS}, and a tenth of"
            f" BENCH_REMINDER_INVOICES ({INVOICES}) must hold {per_org_window + 1} invoices per"
            " organization"
        )
    large = _dataset(INVOICES)
    small = _dataset(small_total)
    if abs((large.day - small.day).days) < SPAN_DAYS:
        raise RuntimeError("the two sets' days are too close; choose another size")
    rows: list[Row] = []
    with closing(ctx.connect()) as db:
        large_floor, large_due = _floor(db, large)
        large_sweep, planned = _sweep(large)
        if planned != large_due:
            raise RuntimeError(
                f"the sweep planned {len(planned)} steps, the bare SQL selects {len(large_due)}"
            )
        noop_seconds = _publish_noops(large_sweep.batches)
        _reset(large)
        small_floor, small_due = _floor(db, small)
        small_sweep, small_planned = _sweep(small)
        if small_planned != small_due:
            raise RuntimeError("the sweep over the small set did not plan what the SQL selects")
        _reset(small)
    n = f"{DUE:,} due in {INVOICES:,} invoices"
    rows.append(
        Row(
            f"reminder sweep, {n}: found, written, {large_sweep.batches:,} tasks enqueued",
            large_sweep.seconds * 1000,
            "bare SQL selecting the same due steps",
            large_floor * 1000,
            "ms",
        )
    )
    rows.append(
        Row(
            f"reminder sweep, {n}: found and written, without the enqueue",
            (large_sweep.seconds - large_sweep.enqueue_seconds) * 1000,
            "bare SQL selecting the same due steps",
            large_floor * 1000,
            "ms",
        )
    )
    rows.append(
        Row(
            f"reminder sweep, {n}",
            large_sweep.seconds * 1000,
            f"the same {DUE:,} due in {small_total:,} invoices",
            small_sweep.seconds * 1000,
            "ms",
        )
    )
    rows.append(
        Row(
            f"reminder sweep queries, {n}",
            large_sweep.queries,
            f"the same {DUE:,} due in {small_total:,} invoices",
            small_sweep.queries,
            "queries",
        )
    )
    rows.append(
        Row(
            f"the sweep's enqueue of {large_sweep.batches:,} batch tasks on Redis",
            large_sweep.enqueue_seconds * 1000,
            f"{large_sweep.batches:,} no-op tasks published",
            noop_seconds * 1000,
            "ms",
        )
    )
    _log(
        f"bare SQL {large_floor * 1000:.0f} ms ({small_floor * 1000:.0f} ms on the small set);"
        f" sweep {large_sweep.seconds:.2f}s, of which enqueue {large_sweep.enqueue_seconds:.2f}s"
    )
    return rows


# --------------------------------------------------------------------------------------------
# Timing


def _floor(db: Any, data: Dataset) -> tuple[float, set[tuple[int, int]]]:
    """The bare SQL's median time, and the (invoice, offset) pairs it selects."""
    from reminders.policies import DEFAULT_STEPS

    _reset(data)
    offsets = [step.offset_days for step in DEFAULT_STEPS]
    params = {
        "orgs": data.org_ids,
        "today": data.day,
        "first": data.day - timedelta(days=max(offsets) + 1),
        "last": data.day - timedelta(days=min(offsets) - 1),
    }
    times: list[float] = []
    found: set[tuple[int, int]] = set()
    with db.cursor() as cursor:
        for _ in range(FLOOR_ROUNDS):
            start = time.perf_counter()
            cursor.execute(DUE_SQL, params)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
            found = {(invoice_id, offset) for invoice_id, offset in rows}
    if len(found) != DUE:
        raise RuntimeError(f"the bare SQL selects {len(found)} due steps, expected {DUE}")
    return statistics.median(times), found


# Every outstanding invoice in the organizations' reach (the sweep's range: the default steps'
# offsets, a day either side for the customers' zones) whose default-policy step falls today
# and has not been written yet: the sweep's candidates and its "done" check in one statement,
# through the same partial index (organization, due_date).
DUE_SQL = """
WITH steps AS (
    SELECT p.organization_id, s.offset_days
      FROM reminders_reminderpolicy p
      JOIN reminders_reminderstep s ON s.policy_id = p.id
     WHERE p.is_default AND p.organization_id = ANY(%(orgs)s)
)
SELECT i.id, steps.offset_days
  FROM invoicing_invoice i
  JOIN steps ON steps.organization_id = i.organization_id
            AND steps.offset_days = %(today)s::date - i.due_date
 WHERE i.organization_id = ANY(%(orgs)s)
   AND i.status IN ('open', 'partially_paid')
   AND i.balance_due > 0
   AND i.due_date BETWEEN %(first)s AND %(last)s
   AND NOT EXISTS (SELECT 1 FROM reminders_reminder d
                    WHERE d.organization_id = i.organization_id AND d.invoice_id = i.id
                      AND d.offset_days = steps.offset_days)
"""


def _sweep(data: Dataset) -> tuple[Sweep, set[tuple[int, int]]]:
    """One ``reminders_sweep`` at the set's noon, timed from the call to its return (its tasks
    are published on commit, inside the call), with its queries counted."""
    from django.db import connection, transaction

    from reminders.sweep import reminders_sweep

    purge()
    enqueue: list[float] = []
    real_on_commit = transaction.on_commit

    def timed_on_commit(
        func: Callable[[], Any], using: str | None = None, robust: bool = False
    ) -> None:
        def timed() -> None:
            start = time.perf_counter()
            func()
            enqueue.append(time.perf_counter() - start)

        real_on_commit(timed, using=using, robust=robust)

    queries = 0

    def count(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with (
        mock.patch("django.db.transaction.on_commit", timed_on_commit),
        connection.execute_wrapper(count),
    ):
        start = time.perf_counter()
        result = reminders_sweep(now=data.now, enqueue=True)
        seconds = time.perf_counter() - start
    if not result.ran:
        raise RuntimeError("another reminder sweep held the lock")
    waiting = queue_length()
    if waiting != len(result.queued_batches):
        raise RuntimeError(f"{waiting} tasks on the broker, {len(result.queued_batches)} queued")
    purge()
    planned = {(p.invoice_id, p.step.offset_days) for p in result.planned}
    return Sweep(seconds, sum(enqueue), queries, len(result.queued_batches)), planned


def _publish_noops(count: int) -> float:
    """The floor for the enqueue: as many no-op tasks published, one ``delay`` each."""
    from arhub.tasks import ping

    purge()
    start = time.perf_counter()
    for _ in range(count):
        ping.delay()
    seconds = time.perf_counter() - start
    purge()
    return seconds


def _reset(data: Dataset) -> None:
    """Forget what a sweep at the set's noon wrote (the earlier steps' rows stay)."""
    from reminders.models import Reminder, ReminderBatch

    Reminder.objects.filter(organization_id__in=data.org_ids, created_at=data.now).delete()
    ReminderBatch.objects.filter(organization_id__in=data.org_ids, created_at=data.now).delete()


# --------------------------------------------------------------------------------------------
# The data, built once per size


def _day_for(total: int) -> date:
    """The set's own "today": a June day years from now, one per size, far enough from any
    other size's that no sweep of one sees the other's invoices in its window."""
    slot = zlib.crc32(str(total).encode()) % 2000
    return date(2040 + slot * 3, 6, 6)


def _dataset(total: int) -> Dataset:
    from arhub.models import Organization
    from invoicing.models import Invoice

    day = _day_for(total)
    per_org = total // ORGS
    slugs = [f"bench-reminders-{total}-{k:02d}" for k in range(ORGS)]
    org_ids: list[int] = []
    started = time.monotonic()
    built = 0
    for slug in slugs:
        org = Organization.objects.filter(slug=slug).first() or _organization(slug)
        have = Invoice.objects.for_org(org).count()
        if have == 0:
            _build(org, per_org, day)
            built += 1
        elif have != per_org:
            raise RuntimeError(f"'{slug}' holds {have:,} invoices, not {per_org:,}; run make clean")
        org_ids.append(org.pk)
    if built:
        _analyze()
        took = time.monotonic() - started
        _log(f"{built} organizations of {per_org:,} invoices built in {took:.0f}s")
    return Dataset(total, day, org_ids)


def _organization(slug: str) -> Any:
    from datetime import time as t

    from arhub.models import User
    from arhub.services.accounts import organization_create
    from invoicing.models import Customer
    from reminders.policies import policy_default

    user = User.objects.create_user(f"{slug}+{uuid.uuid4().hex[:6]}@arhub.test", None)
    org = organization_create(owner=user, name=slug.replace("-", " ").title(), slug=slug)
    policy = policy_default(org=org)
    policy.weekdays = list(range(7))
    policy.window_start, policy.window_end = t(8, 0), t(21, 0)
    policy.skip_holidays = False
    policy.save()
    Customer.objects.bulk_create(
        Customer(
            organization=org,
            display_name=f"Customer {n:03d}",
            currency="USD",
            timezone=ZONES[n % len(ZONES)],
            preferred_channel="email",
        )
        for n in range(CUSTOMERS)
    )
    return org


def _build(org: Any, per_org: int, day: date) -> None:
    from django.db import connection, transaction

    from invoicing.models import Customer
    from reminders.policies import policy_default

    window = DUE // ORGS * WINDOW_PER_DUE
    params = {
        "org": org.pk,
        "policy": policy_default(org=org).pk,
        "ids": list(Customer.objects.for_org(org).order_by("pk").values_list("pk", flat=True)),
        "today": day,
        "window": window,
        "due_each": DUE // ORGS,
        "step_days": list(STEP_DAYS),
        "other_days": list(OTHER_DAYS),
        "background": per_org - window,
        "statuses": STATUSES,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(WINDOW_SQL, params)
        cursor.execute(BACKGROUND_SQL, params)
        cursor.execute(DONE_SQL, params)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "invoicing_invoice",
            "invoicing_customer",
            "reminders_reminder",
            "reminders_reminderpolicy",
            "reminders_reminderstep",
        ):
            cursor.execute(f"ANALYZE {table}")


_INVOICE_COLUMNS = """
    organization_id, customer_id, status, number, currency, issue_date, due_date, terms,
    po_number, notes, memo, discount_kind, discount_value, subtotal, discount_total, tax_total,
    total, amount_paid, amount_credited, balance_due, tax_breakdown, created_at, updated_at,
    issued_at, paid_at, voided_at, void_reason, written_off_at, last_sent_at, bill_to,
    amount_discounted, fees_total
"""

# The window: `due_each` invoices on the steps' days (spread over the six), the rest on the
# other days; one in three part paid. Issued 30 days before they fall due.
WINDOW_SQL = f"""
WITH g AS (
    SELECT j,
           (%(ids)s::bigint[])[1 + j %% cardinality(%(ids)s::bigint[])] AS customer_id,
           %(today)s::date - CASE WHEN j < %(due_each)s
               THEN (%(step_days)s::int[])[1 + j %% cardinality(%(step_days)s::int[])]
               ELSE (%(other_days)s::int[])[1 + j %% cardinality(%(other_days)s::int[])] END
               AS due,
           (100 + (j * 37) %% 900)::numeric(18, 2) AS total,
           j %% 3 = 0 AS part_paid
      FROM generate_series(0, %(window)s - 1) AS j
)
INSERT INTO invoicing_invoice ({_INVOICE_COLUMNS})
SELECT %(org)s, customer_id, CASE WHEN part_paid THEN 'partially_paid' ELSE 'open' END,
       'W-' || lpad(j::text, 7, '0'), 'USD', due - 30, due, '{{}}'::jsonb, '', '', '', 'none', 0,
       total, 0, 0, total, CASE WHEN part_paid THEN round(total * 0.4, 2) ELSE 0 END, 0,
       CASE WHEN part_paid THEN total - round(total * 0.4, 2) ELSE total END, '[]'::jsonb,
       due - 30 + time '15:00', due - 30 + time '15:00', due - 30 + time '15:00', NULL, NULL,
       '', NULL, NULL, '{{}}'::jsonb, 0, 0
  FROM g
"""

# Everything else: due between two years ago and a month ago, or 5 to 65 days ahead; paid,
# drafts, void, written off, or outstanding (then outside the window).
BACKGROUND_SQL = f"""
WITH g AS (
    SELECT i,
           (%(ids)s::bigint[])[1 + i %% cardinality(%(ids)s::bigint[])] AS customer_id,
           (%(statuses)s::text[])[1 + (i * 7) %% 20] AS status,
           CASE WHEN (i * 7919) %% 760 < 699 THEN %(today)s::date - 32 - (i * 7919) %% 760
                ELSE %(today)s::date + 5 + ((i * 7919) %% 760 - 699) END AS due,
           (40 + (i * 37) %% 2000)::numeric(18, 2) AS total
      FROM generate_series(1, %(background)s) AS i
)
INSERT INTO invoicing_invoice ({_INVOICE_COLUMNS})
SELECT %(org)s, customer_id, status,
       CASE WHEN status = 'draft' THEN '' ELSE 'B-' || lpad(i::text, 7, '0') END, 'USD',
       CASE WHEN status = 'draft' THEN NULL ELSE due - 30 END,
       CASE WHEN status = 'draft' THEN NULL ELSE due END,
       '{{}}'::jsonb, '', '', '', 'none', 0, total, 0, 0, total,
       CASE status WHEN 'paid' THEN total WHEN 'partially_paid' THEN round(total * 0.4, 2)
                   ELSE 0 END,
       0,
       CASE status WHEN 'paid' THEN 0 WHEN 'void' THEN 0
                   WHEN 'partially_paid' THEN total - round(total * 0.4, 2) ELSE total END,
       '[]'::jsonb, due - 30 + time '15:00', due - 30 + time '15:00',
       CASE WHEN status = 'draft' THEN NULL ELSE due - 30 + time '15:00' END,
       CASE WHEN status = 'paid' THEN due + time '18:00' END,
       CASE WHEN status = 'void' THEN due - 28 + time '18:00' END,
       CASE WHEN status = 'void' THEN 'Duplicate invoice' ELSE '' END,
       CASE WHEN status = 'uncollectible' THEN due + 120 + time '18:00' END, NULL,
       '{{}}'::jsonb, 0, 0
  FROM g
"""

# The steady state: every step of a window invoice whose day came before today went out.
DONE_SQL = """
INSERT INTO reminders_reminder (
    organization_id, invoice_id, customer_id, step_id, offset_days, tone, channel, batch_id,
    due_on, status, status_reason, created_at
)
SELECT i.organization_id, i.id, i.customer_id, s.id, s.offset_days, s.tone, 'email', NULL,
       i.due_date + s.offset_days, 'sent', '', i.due_date + s.offset_days + time '10:00'
  FROM invoicing_invoice i
  JOIN reminders_reminderstep s ON s.policy_id = %(policy)s
 WHERE i.organization_id = %(org)s
   AND i.status IN ('open', 'partially_paid')
   AND i.due_date BETWEEN %(today)s::date - 31 AND %(today)s::date + 4
   AND i.due_date + s.offset_days < %(today)s
"""


def _log(message: str) -> None:
    print(f"[bench] reminder_sweep: {message}", file=sys.stderr, flush=True)

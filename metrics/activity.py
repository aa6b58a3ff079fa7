"""What happened over a period: disputes and how fast they were answered, how many promises and
plans were kept, and which reminder step most often came just before a payment.

Periods are org-local days, both ends included. Timestamps are placed on a day in the
organization's time zone; the day an invoice was paid comes from ``metrics.paid_invoices``.
No money is added here, so none of these takes a currency. Formulas and worked examples:
``metrics/formulas/activity.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from arhub.models import Organization
from metrics.local_days import day_after, day_start
from metrics.paid_invoices import paid_invoices_sql
from metrics.periods import period_check
from reminders.next_send import step_words

ONE_PLACE = Decimal("0.1")
# The window the reports look back over unless told otherwise: the same 90 days as each
# customer's trend (``metrics.customer_stats``).
ACTIVITY_DAYS = 90


def _one_place(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    return _one_place(Decimal(100) * part / whole) if whole else None


def _bounds(org: Organization, start: date, end: date) -> dict[str, Any]:
    period_check(start=start, end=end)
    return {
        "org": org.pk,
        "start": start,
        "end": end,
        "from": day_start(org=org, day=start),
        "until": day_after(org=org, day=end),
        "zone": org.timezone,
    }


# ---- Disputes


@dataclass(frozen=True)
class DisputeStats:
    """Disputes opened in [start, end]. ``rate`` is disputes per 100 invoices issued in the
    period; the averages are over the disputes that were answered / resolved (whenever that
    was); each is None when there is nothing to average."""

    start: date
    end: date
    count: int
    invoices_issued: int
    rate: Decimal | None
    answered: int
    avg_hours_to_first_reply: Decimal | None
    resolved: int
    avg_days_to_resolution: Decimal | None


# The first reply is the business's first message the customer (or bank) can see: an internal
# note answers nobody. A resolution writes its outcome into the thread, so it counts as one.
_DISPUTES = """
    WITH opened AS (
        SELECT d.id, d.opened_at, d.status, d.resolved_at,
               (SELECT min(m.created_at) FROM disputes_disputemessage m
                WHERE m.dispute_id = d.id AND m.organization_id = d.organization_id
                  AND m.author = 'owner' AND NOT m.internal
                  AND m.created_at >= d.opened_at) AS first_reply
        FROM disputes_dispute d
        WHERE d.organization_id = %(org)s
          AND d.opened_at >= %(from)s AND d.opened_at < %(until)s
    )
    SELECT count(*),
           count(first_reply),
           avg(extract(epoch FROM first_reply - opened_at)::numeric / 3600),
           count(*) FILTER (WHERE status = 'resolved' AND resolved_at IS NOT NULL),
           avg(extract(epoch FROM resolved_at - opened_at)::numeric / 86400)
               FILTER (WHERE status = 'resolved'),
           (SELECT count(*) FROM invoicing_invoice i
            WHERE i.organization_id = %(org)s AND i.status NOT IN ('draft', 'void')
              AND i.issue_date BETWEEN %(start)s AND %(end)s)
    FROM opened
"""


def dispute_stats(*, org: Organization, start: date, end: date) -> DisputeStats:
    """Disputes (the customers' and chargebacks) opened in the period: how many, per 100
    invoices issued in it, hours to the first reply and days to a resolution."""
    params = _bounds(org, start, end)
    with connection.cursor() as cursor:
        cursor.execute(_DISPUTES, params)
        count, answered, hours, resolved, days, issued = cursor.fetchone()
    return DisputeStats(
        start=start,
        end=end,
        count=count,
        invoices_issued=issued,
        rate=_percent(count, issued),
        answered=answered,
        avg_hours_to_first_reply=_one_place(hours),
        resolved=resolved,
        avg_days_to_resolution=_one_place(days),
    )


# ---- Promises and plans


@dataclass(frozen=True)
class ArrangementStats:
    """Promises and plans that came to an end in [start, end], by the day they did. A
    cancelled one was neither kept nor broken and is left out; rates are percentages, None
    when nothing ended."""

    start: date
    end: date
    promises_kept: int
    promises_broken: int
    promises_kept_rate: Decimal | None
    plans_completed: int
    plans_broken: int
    plans_completed_rate: Decimal | None


_ARRANGEMENTS = """
    SELECT
      (SELECT count(*) FROM payments_promisetopay WHERE organization_id = %(org)s
         AND status = 'kept' AND kept_at >= %(from)s AND kept_at < %(until)s),
      (SELECT count(*) FROM payments_promisetopay WHERE organization_id = %(org)s
         AND status = 'broken' AND broken_at >= %(from)s AND broken_at < %(until)s),
      (SELECT count(*) FROM payments_paymentplan WHERE organization_id = %(org)s
         AND status = 'completed' AND completed_at >= %(from)s AND completed_at < %(until)s),
      (SELECT count(*) FROM payments_paymentplan WHERE organization_id = %(org)s
         AND status = 'broken' AND broken_at >= %(from)s AND broken_at < %(until)s)
"""


def arrangement_stats(*, org: Organization, start: date, end: date) -> ArrangementStats:
    params = _bounds(org, start, end)
    with connection.cursor() as cursor:
        cursor.execute(_ARRANGEMENTS, params)
        kept, broken, completed, plans_broken = cursor.fetchone()
    return ArrangementStats(
        start=start,
        end=end,
        promises_kept=kept,
        promises_broken=broken,
        promises_kept_rate=_percent(kept, kept + broken),
        plans_completed=completed,
        plans_broken=plans_broken,
        plans_completed_rate=_percent(completed, completed + plans_broken),
    )


# ---- Reminders


@dataclass(frozen=True)
class StepCount:
    offset_days: int
    label: str
    count: int


@dataclass(frozen=True)
class ReminderEffect:
    """Invoices paid in [start, end]: for how many each reminder step was the last one sent
    before payment (``steps``, in step order), and how many had none. ``top_step`` is the
    step with the most (the earlier step on a tie), None when no reminder preceded any."""

    start: date
    end: date
    paid_count: int
    no_reminder: int
    steps: list[StepCount]
    top_step: int | None


# A reminder was sent when its message went (or, never confirmed, was handed over); one whose
# message never reached the customer (failed, bounced, suppressed, skipped) is no reminder. It
# came before the payment when it went on or before the org-local day the invoice was paid: the
# sender skips an invoice already paid, so one sent that day went before the money arrived.
_SENT_AT = "COALESCE(m.sent_at, m.created_at, b.updated_at)"
_REMINDERS = f"""
    WITH paid AS ({paid_invoices_sql()}),
    in_period AS (SELECT id, paid_on FROM paid WHERE paid_on BETWEEN %(start)s AND %(end)s),
    last_sent AS (
        SELECT DISTINCT ON (r.invoice_id) r.invoice_id, r.offset_days
        FROM reminders_reminder r
        JOIN in_period ip ON ip.id = r.invoice_id
        JOIN reminders_reminderbatch b
          ON b.id = r.batch_id AND b.organization_id = r.organization_id
        LEFT JOIN arhub_message m ON m.id = b.message_id AND m.organization_id = r.organization_id
        WHERE r.organization_id = %(org)s AND r.status = 'sent'
          AND (m.status IS NULL OR m.status NOT IN ('failed', 'bounced', 'suppressed', 'skipped'))
          AND ({_SENT_AT} AT TIME ZONE %(zone)s)::date <= ip.paid_on
        ORDER BY r.invoice_id, {_SENT_AT} DESC, r.offset_days DESC
    )
    SELECT NULL, count(*) FROM in_period
    UNION ALL
    SELECT offset_days, count(*) FROM last_sent GROUP BY offset_days
"""  # noqa: S608 - the SQL pieces are ours; every value is a parameter


def reminder_effect(*, org: Organization, start: date, end: date) -> ReminderEffect:
    """Which step of the reminder policy most often was the last word before an invoice was
    paid, and how many invoices were paid without any reminder."""
    params = _bounds(org, start, end)
    with connection.cursor() as cursor:
        cursor.execute(_REMINDERS, params)
        rows = cursor.fetchall()
    paid_count = next(count for offset, count in rows if offset is None)
    steps = sorted(
        (StepCount(offset_days=o, label=step_words(o), count=c) for o, c in rows if o is not None),
        key=lambda step: step.offset_days,
    )
    reminded = sum(step.count for step in steps)
    top = max(steps, key=lambda step: (step.count, -step.offset_days), default=None)
    return ReminderEffect(
        start=start,
        end=end,
        paid_count=paid_count,
        no_reminder=paid_count - reminded,
        steps=steps,
        top_step=top.offset_days if top else None,
    )

"""Customer payment behaviour, the period's activity and the cash forecast as
:class:`~metrics.tables.Table` s, for the reports API's ``?format=csv|xlsx|pdf``. The figures
are ``metrics.customer_stats``', ``metrics.activity``'s and ``metrics.forecast``'s; here they
only become rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from metrics.activity import ArrangementStats, DisputeStats, ReminderEffect
from metrics.customer_stats import CustomerStats
from metrics.forecast import WeekForecast
from metrics.tables import Column, Table

CUSTOMER_COLUMNS = (
    Column("customer", "Customer"),
    Column("open_balance", "Open balance", "money", total=True),
    Column("oldest_open_due_date", "Oldest open due date", "date"),
    Column("paid_invoice_count", "Invoices paid", "int", total=True),
    Column("avg_days_to_pay", "Average days to pay", "decimal"),
    Column("avg_days_late", "Average days late", "decimal"),
    Column("on_time_share", "Paid on time", "percent"),
    Column("broken_promises", "Broken promises", "int", total=True),
    Column("broken_plans", "Broken plans", "int", total=True),
    Column("disputes", "Disputes", "int", total=True),
    Column("trend", "Trend"),
)


def customers_table(*, rows: Sequence[CustomerStats], as_of: date, currency: str) -> Table:
    return Table(
        title="Customers: how they pay",
        columns=CUSTOMER_COLUMNS,
        rows=(
            [
                s.customer_name,
                s.open_balance,
                s.oldest_open_due_date,
                s.paid_invoice_count,
                s.avg_days_to_pay,
                s.avg_days_late,
                s.on_time_share,
                s.broken_promises,
                s.broken_plans,
                s.disputes,
                s.trend,
            ]
            for s in rows
        ),
        currency=currency,
        filters={"As of": as_of.isoformat(), "Currency": currency},
        subtitle="Paid invoices: days from issue to payment and past the due date. Trend: the "
        "last 90 days' average days late against the 90 before.",
    )


FORECAST_COLUMNS = (
    Column("start", "Week from", "date"),
    Column("end", "To", "date"),
    Column("from_invoices", "Open invoices", "money", total=True),
    Column("from_plans", "Plan instalments", "money", total=True),
    Column("from_promises", "Promises to pay", "money", total=True),
    Column("expected", "Expected", "money", total=True),
)


def forecast_table(*, weeks: Sequence[WeekForecast], as_of: date, currency: str) -> Table:
    return Table(
        title="Cash forecast",
        columns=FORECAST_COLUMNS,
        rows=(
            [w.start, w.end, w.from_invoices, w.from_plans, w.from_promises, w.expected]
            for w in weeks
        ),
        currency=currency,
        filters={"As of": as_of.isoformat(), "Currency": currency, "Weeks": str(len(weeks))},
        subtitle="Open invoices expected at their due date plus the customer's usual lateness, "
        "plan instalments at their dates, open promises on the day promised.",
    )


ACTIVITY_COLUMNS = (
    Column("figure", "Figure"),
    Column("value", "Value", "decimal"),
    Column("unit", "Unit"),
)


def _activity_rows(
    disputes: DisputeStats, arrangements: ArrangementStats, reminders: ReminderEffect
) -> Iterator[list[object]]:
    def row(figure: str, value: int | Decimal | None, unit: str) -> list[object]:
        return [figure, None if value is None else Decimal(value), unit]

    yield row("Disputes opened", disputes.count, "disputes")
    yield row("Invoices issued", disputes.invoices_issued, "invoices")
    yield row("Dispute rate", disputes.rate, "per 100 invoices issued")
    yield row("Disputes answered", disputes.answered, "disputes")
    yield row("First answer, on average", disputes.avg_hours_to_first_reply, "hours")
    yield row("Disputes resolved", disputes.resolved, "disputes")
    yield row("Resolution, on average", disputes.avg_days_to_resolution, "days")
    yield row("Promises kept", arrangements.promises_kept, "promises")
    yield row("Promises broken", arrangements.promises_broken, "promises")
    yield row("Promises kept rate", arrangements.promises_kept_rate, "percent")
    yield row("Plans paid off", arrangements.plans_completed, "plans")
    yield row("Plans broken", arrangements.plans_broken, "plans")
    yield row("Plans paid off rate", arrangements.plans_completed_rate, "percent")
    yield row("Invoices paid", reminders.paid_count, "invoices")
    yield row("Paid with no reminder", reminders.no_reminder, "invoices")
    for step in reminders.steps:
        top = " (most often)" if step.offset_days == reminders.top_step else ""
        yield row(f"Last reminder before payment: {step.label}{top}", step.count, "invoices")


def activity_table(
    *,
    disputes: DisputeStats,
    arrangements: ArrangementStats,
    reminders: ReminderEffect,
    currency: str,
) -> Table:
    """One figure per row: counts and averages, no money (so no totals row)."""
    start, end = disputes.start, disputes.end
    return Table(
        title="Disputes, promises, plans and reminders",
        columns=ACTIVITY_COLUMNS,
        rows=list(_activity_rows(disputes, arrangements, reminders)),
        currency=currency,
        filters={"From": start.isoformat(), "To": end.isoformat()},
        subtitle="Disputes opened in the period; promises and plans that ended in it; "
        "invoices paid in it, by the last reminder sent before the payment.",
    )

"""Customer payment behaviour and the cash forecast as :class:`~metrics.tables.Table` s, for the
reports API's ``?format=csv|xlsx|pdf``. The figures are ``metrics.customer_stats``' and
``metrics.forecast``'s; here they only become rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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

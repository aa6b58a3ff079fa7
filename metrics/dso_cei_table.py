"""DSO and CEI side by side, month by month: the table of the "DSO and CEI" export and of the
accountant's monthly email. The figures are ``metrics.dso`` and ``metrics.cei``'s, for the twelve
month ends up to the as-of day (the last month ends on that day itself); the charts are the
report pages' (``metrics.report_charts``).
"""

from __future__ import annotations

from decimal import Decimal

from arhub.models import Organization
from metrics.cei import cei_months
from metrics.dso import dso_trend
from metrics.export_params import ExportParams
from metrics.figures import CeiFigure, DsoFigure
from metrics.report_charts import cei_chart, dso_chart, month_name
from metrics.tables import Column, Table

# The simple DSO's period in an export (the report page lets the user choose; 90 is usual).
DSO_PERIOD_DAYS = 90
TREND_MONTHS = 12

DSO_CEI_COLUMNS = (
    Column("month", "Month"),
    Column("as_of", "Month end", "date"),
    Column("dso_simple", f"DSO, simple ({DSO_PERIOD_DAYS}-day period)", "decimal"),
    Column("dso_countback", "DSO, count-back", "decimal"),
    Column("cei", "CEI for the month", "percent"),
    Column("receivables", "Receivables", "money"),
    Column("credit_sales", f"Credit sales, {DSO_PERIOD_DAYS} days", "money"),
)


def _money(figure: DsoFigure) -> tuple[Decimal, Decimal]:
    return figure.receivables, figure.credit_sales


def _trends(
    org: Organization, p: ExportParams
) -> tuple[list[DsoFigure], list[DsoFigure], list[CeiFigure]]:
    day, currency = p.day, p.currency
    simple = dso_trend(
        org=org, as_of=day, currency=currency, months=TREND_MONTHS, period_days=DSO_PERIOD_DAYS
    )
    countback = dso_trend(
        org=org, as_of=day, currency=currency, months=TREND_MONTHS, method="countback"
    )
    months = cei_months(org=org, as_of=day, currency=currency, count=TREND_MONTHS)
    return simple, countback, months


def dso_cei_table(org: Organization, p: ExportParams) -> Table:
    """The twelve month ends up to ``as_of``: DSO by both methods and that month's CEI (the
    last month ends on ``as_of`` itself)."""
    simple, countback, months = _trends(org, p)
    rows = [
        [month_name(c.start), one.as_of, one.days, other.days, c.percent, *_money(one)]
        for one, other, c in zip(simple, countback, months, strict=True)
    ]
    return Table(
        title="DSO and CEI",
        columns=DSO_CEI_COLUMNS,
        rows=rows,
        currency=p.currency,
        filters={"As of": p.day.isoformat(), "Currency": p.currency},
        subtitle="DSO simple: receivables \u00f7 credit sales of the period \u00d7 its days. "
        "Count-back: receivables matched against credit sales month by month, newest first. "
        "CEI: of what could be collected in the month, the share that was.",
    )


def dso_cei_charts(org: Organization, p: ExportParams) -> list[str]:
    simple, _, months = _trends(org, p)
    return [
        dso_chart(simple, period_days=DSO_PERIOD_DAYS, show_title=True),
        cei_chart(months, quarters=False, show_title=True),
    ]

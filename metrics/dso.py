"""Days sales outstanding: how many days of credit sales are still owed.

- simple: receivables on D / credit sales of the ``period_days`` days ending on D x period_days.
- countback: receivables on D are matched against credit sales month by month backwards (D's
  own month up to D first, then whole calendar months): each month fully "used" adds its days,
  the last one adds its days x the share of its sales still needed. Robust to a seasonal month.
- best: like simple, with only the receivables not yet past due: the DSO if every customer paid
  on its due date.

With no credit sales in the period the ratio has no value: the figure is 0.0 days when nothing
is owed, otherwise the period's length (everything owed comes from before it). Countback looks
back ``COUNTBACK_MONTHS`` months at most and then stops at the days walked. Days have one
decimal, rounded half up. metrics/formulas/dso.md has the worked example.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from arhub.models import Organization
from arhub.money import ZERO
from metrics.figures import DsoFigure
from metrics.periods import Period, as_of_check, month_periods
from metrics.receivables import ReceivableTotals, receivables_at
from metrics.sales import credit_sales

COUNTBACK_MONTHS = 24
METHODS = ("simple", "countback", "best")
TENTH = Decimal("0.1")


def _days(amount: Decimal, sales: Decimal, period_days: int) -> Decimal:
    if sales <= 0:
        return Decimal(0 if amount <= 0 else period_days).quantize(TENTH)
    return (amount / sales * period_days).quantize(TENTH, rounding=ROUND_HALF_UP)


def _window(as_of: date, period_days: int) -> Period:
    if period_days < 1:
        raise ValueError("period_days: at least 1.")
    return as_of - timedelta(days=period_days - 1), as_of


def _ratio_figure(
    method: str, totals: ReceivableTotals, sales: Decimal, period: Period
) -> DsoFigure:
    owed = totals.current if method == "best" else totals.total
    days = (period[1] - period[0]).days + 1
    return DsoFigure(
        method=method,
        days=_days(owed, sales, days),
        as_of=totals.day,
        period_start=period[0],
        period_end=period[1],
        receivables=owed,
        credit_sales=sales,
    )


def _countback_figure(
    totals: ReceivableTotals, months: list[Period], sales: list[Decimal]
) -> DsoFigure:
    """``months`` and ``sales`` newest first, the first month ending on the as-of day."""
    left = totals.total
    days = Decimal(0)
    used = ZERO
    start = months[0][0]
    for (first, last), sold in zip(months, sales, strict=True):
        if left <= 0:
            break
        length = (last - first).days + 1
        start, used = first, used + sold
        if sold > left:
            days += length * left / sold
            left = ZERO
        else:
            days += length
            left -= sold
    return DsoFigure(
        method="countback",
        days=days.quantize(TENTH, rounding=ROUND_HALF_UP),
        as_of=totals.day,
        period_start=start,
        period_end=totals.day,
        receivables=totals.total,
        credit_sales=used,
    )


def dso_simple(
    *, org: Organization, as_of: date, currency: str, period_days: int = 90
) -> DsoFigure:
    as_of_check(org=org, as_of=as_of)
    period = _window(as_of, period_days)
    totals = receivables_at(org=org, days=[as_of], currency=currency)[as_of]
    [sales] = credit_sales(org=org, currency=currency, periods=[period])
    return _ratio_figure("simple", totals, sales, period)


def dso_best(*, org: Organization, as_of: date, currency: str, period_days: int = 90) -> DsoFigure:
    as_of_check(org=org, as_of=as_of)
    period = _window(as_of, period_days)
    totals = receivables_at(org=org, days=[as_of], currency=currency)[as_of]
    [sales] = credit_sales(org=org, currency=currency, periods=[period])
    return _ratio_figure("best", totals, sales, period)


def dso_countback(*, org: Organization, as_of: date, currency: str) -> DsoFigure:
    as_of_check(org=org, as_of=as_of)
    totals = receivables_at(org=org, days=[as_of], currency=currency)[as_of]
    months = month_periods(as_of=as_of, count=COUNTBACK_MONTHS)[::-1]
    sales = credit_sales(org=org, currency=currency, periods=months)
    return _countback_figure(totals, months, sales)


def dso_trend(
    *,
    org: Organization,
    as_of: date,
    currency: str,
    months: int = 12,
    method: str = "simple",
    period_days: int = 90,
) -> list[DsoFigure]:
    """One figure per month end for the ``months`` months up to ``as_of``'s, oldest first; the
    last one is as of ``as_of`` itself. Two queries whatever the number of months."""
    if method not in METHODS:
        raise ValueError(f"method: one of {', '.join(METHODS)}; got “{method}”.")
    as_of_check(org=org, as_of=as_of)
    ends = [last for _, last in month_periods(as_of=as_of, count=months)]
    totals = receivables_at(org=org, days=ends, currency=currency)
    if method != "countback":
        windows = [_window(end, period_days) for end in ends]
        sales = credit_sales(org=org, currency=currency, periods=windows)
        return [
            _ratio_figure(method, totals[end], sold, window)
            for end, window, sold in zip(ends, windows, sales, strict=True)
        ]
    # Every month any point counts back over, sold once: the points' own (partial) months are
    # the calendar months, whole, except the last, which ends on as_of.
    calendar = month_periods(as_of=as_of, count=months + COUNTBACK_MONTHS - 1)
    sold = dict(
        zip(calendar, credit_sales(org=org, currency=currency, periods=calendar), strict=True)
    )
    figures = []
    for offset, end in enumerate(ends):
        mine = calendar[offset : offset + COUNTBACK_MONTHS][::-1]
        figures.append(_countback_figure(totals[end], mine, [sold[month] for month in mine]))
    return figures

"""Collection effectiveness index: of what could have been collected in a period, the share
that was.

    CEI = (beginning + credit sales - ending) / (beginning + credit sales - ending current) x 100

beginning = receivables at the close of the day before ``start``; ending and ending current
(not yet past due) = receivables on ``end``; credit sales as in ``metrics.sales``. One decimal,
rounded half up; None when the denominator is zero (nothing was collectable). Any run of
periods costs two queries: receivables on every boundary day at once, sales of every period at
once. metrics/formulas/cei.md has the worked example.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from arhub.models import Organization
from metrics.figures import CeiFigure
from metrics.periods import Period, as_of_check, month_periods, period_check, quarter_periods
from metrics.receivables import receivables_at
from metrics.sales import credit_sales

TENTH = Decimal("0.1")


def cei_percent(
    *, beginning: Decimal, credit_sales: Decimal, ending: Decimal, ending_current: Decimal
) -> Decimal | None:
    collectable = beginning + credit_sales - ending_current
    if collectable == 0:
        return None
    collected = beginning + credit_sales - ending
    return (collected / collectable * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def _figures(*, org: Organization, currency: str, periods: Sequence[Period]) -> list[CeiFigure]:
    for start, end in periods:
        period_check(start=start, end=end)
    as_of_check(org=org, as_of=max(end for _, end in periods))
    days = {start - timedelta(days=1) for start, _ in periods} | {end for _, end in periods}
    totals = receivables_at(org=org, days=days, currency=currency)
    sales = credit_sales(org=org, currency=currency, periods=periods)
    figures = []
    for (start, end), sold in zip(periods, sales, strict=True):
        beginning = totals[start - timedelta(days=1)].total
        ending = totals[end]
        figures.append(
            CeiFigure(
                start=start,
                end=end,
                percent=cei_percent(
                    beginning=beginning,
                    credit_sales=sold,
                    ending=ending.total,
                    ending_current=ending.current,
                ),
                beginning=beginning,
                credit_sales=sold,
                ending=ending.total,
                ending_current=ending.current,
            )
        )
    return figures


def cei_period(*, org: Organization, start: date, end: date, currency: str) -> CeiFigure:
    [figure] = _figures(org=org, currency=currency, periods=[period_check(start=start, end=end)])
    return figure


def cei_months(
    *, org: Organization, as_of: date, currency: str, count: int = 12
) -> list[CeiFigure]:
    """The ``count`` calendar months up to ``as_of``'s, oldest first; the last ends on
    ``as_of``."""
    as_of_check(org=org, as_of=as_of)
    return _figures(org=org, currency=currency, periods=month_periods(as_of=as_of, count=count))


def cei_quarters(
    *, org: Organization, as_of: date, currency: str, count: int = 4
) -> list[CeiFigure]:
    """The ``count`` calendar quarters up to ``as_of``'s, oldest first; the last ends on
    ``as_of``."""
    as_of_check(org=org, as_of=as_of)
    return _figures(org=org, currency=currency, periods=quarter_periods(as_of=as_of, count=count))

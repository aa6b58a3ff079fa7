"""The dates reports are asked about: an as-of date that is not in the future, a period that
does not end before it starts, and the calendar months and quarters that trends walk back over.

A trend's last month or quarter ends on the as-of date, not on the calendar end, so no figure is
ever computed for a day that has not happened yet.
"""

from __future__ import annotations

from datetime import date, timedelta

from arhub.clock import org_today
from arhub.models import Organization

Period = tuple[date, date]  # first and last day, both inclusive


def as_of_check(*, org: Organization, as_of: date) -> date:
    """``as_of`` back, or ValueError when it is after the organization's today: the
    receivables of a day that has not happened are a forecast, not a report."""
    today = org_today(org)
    if as_of > today:
        raise ValueError(
            f"as_of: {as_of.isoformat()} is in the future (today is {today.isoformat()})."
        )
    return as_of


def period_check(*, start: date, end: date) -> Period:
    if end < start:
        raise ValueError(
            f"end: the period ends ({end.isoformat()}) before it starts ({start.isoformat()})."
        )
    return start, end


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(day: date, count: int) -> date:
    """The first of the month ``count`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def month_periods(*, as_of: date, count: int) -> list[Period]:
    """The ``count`` calendar months up to ``as_of``'s, oldest first; the last one ends on
    ``as_of``."""
    if count < 1:
        raise ValueError("count: at least one month.")
    periods = []
    for back in range(count - 1, -1, -1):
        first = months_back(as_of, back)
        last = months_back(first, -1) - timedelta(days=1)
        periods.append((first, min(last, as_of)))
    return periods


def quarter_periods(*, as_of: date, count: int) -> list[Period]:
    """The ``count`` calendar quarters up to ``as_of``'s, oldest first; the last one ends on
    ``as_of``."""
    if count < 1:
        raise ValueError("count: at least one quarter.")
    this_quarter = as_of.replace(month=(as_of.month - 1) // 3 * 3 + 1, day=1)
    periods = []
    for back in range(count - 1, -1, -1):
        first = months_back(this_quarter, back * 3)
        last = months_back(first, -3) - timedelta(days=1)
        periods.append((first, min(last, as_of)))
    return periods

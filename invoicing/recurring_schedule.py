"""The dates of a recurring invoice's periods: pure arithmetic, no database.

* Weekly: the start date, then every 7 days.
* Monthly, quarterly, yearly: on ``day_of_month`` (the start date's day when blank). The first
  period is the first such day on or after the start date; later ones follow every 1, 3 or 12
  months. A day the month does not have (29-31) falls on the month's last day, and the next
  month goes back to the chosen day: 31 Jan, 28 Feb, 31 Mar, 30 Apr.

Every period is computed from its index, never from the period before it, so a short month
cannot drag the day down for good (31 Jan -> 28 Feb -> 28 Mar would be wrong).

A schedule ends at ``end_date`` (the last period is on or before it) or after ``max_count``
periods, whichever comes first.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from invoicing.models import Frequency

MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


@dataclass(frozen=True)
class Schedule:
    frequency: str
    start_date: date
    day_of_month: int | None = None
    end_date: date | None = None
    max_count: int | None = None

    @classmethod
    def of(cls, template: object) -> Schedule:
        """The schedule of anything with the RecurringInvoice fields (a model, a form's data)."""
        return cls(
            frequency=template.frequency,  # type: ignore[attr-defined]
            start_date=template.start_date,  # type: ignore[attr-defined]
            day_of_month=template.day_of_month,  # type: ignore[attr-defined]
            end_date=template.end_date,  # type: ignore[attr-defined]
            max_count=template.max_count,  # type: ignore[attr-defined]
        )

    @property
    def day(self) -> int:
        return self.day_of_month or self.start_date.day


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_month(schedule: Schedule) -> int:
    """The month of period 0: the start's month when its day is not past, else the next."""
    start = schedule.start_date
    months = _month_number(start)
    if _on_day(start.year, start.month, schedule.day) < start:
        months += 1
    return months


def period_at(schedule: Schedule, index: int) -> date:
    """Period number ``index`` (from 0), ignoring the end date and the count. Raises
    OverflowError past the year 9999."""
    if index < 0:
        raise ValueError("index must be 0 or more")
    if schedule.frequency == Frequency.WEEKLY:
        return schedule.start_date + timedelta(weeks=index)
    step = MONTHS_PER_PERIOD.get(schedule.frequency)  # type: ignore[call-overload]
    if step is None:
        raise ValueError(f"unknown frequency {schedule.frequency!r}")
    months = _first_month(schedule) + step * index
    year, month = divmod(months, 12)
    if year > date.max.year:
        raise OverflowError("date past the year 9999")
    return _on_day(year, month + 1, schedule.day)


def _index_near(schedule: Schedule, day: date) -> int:
    """An index whose period is on or before ``day`` when any is (a lower bound to count on
    from), so finding the next period takes a step or two, not one per period since the start."""
    if schedule.frequency == Frequency.WEEKLY:
        return max(0, (day - schedule.start_date).days // 7)
    step = MONTHS_PER_PERIOD[schedule.frequency]  # type: ignore[index]
    return max(0, (_month_number(day) - _first_month(schedule)) // step - 1)


def next_after(schedule: Schedule, after: date | None, *, issued: int = 0) -> date | None:
    """The first period strictly after ``after`` (None: the first period of all), or None when
    the schedule has ended by then: past ``end_date``, or ``max_count`` periods reached, where
    ``issued`` periods are already spent whatever their dates (a schedule changed after some
    invoices went out keeps counting them)."""
    if schedule.max_count is not None and issued >= schedule.max_count:
        return None
    index = 0 if after is None else _index_near(schedule, after)
    try:
        candidate = period_at(schedule, index)
        while after is not None and candidate <= after:
            index += 1
            candidate = period_at(schedule, index)
    except OverflowError:
        return None
    if schedule.end_date is not None and candidate > schedule.end_date:
        return None
    return candidate


def first_on_or_after(schedule: Schedule, day: date, *, issued: int = 0) -> date | None:
    """The first period on or after ``day`` (a resumed schedule skips what it missed)."""
    if day <= date.min:
        return next_after(schedule, None, issued=issued)
    return next_after(schedule, day - timedelta(days=1), issued=issued)


def upcoming(
    schedule: Schedule, start: date | None, *, issued: int = 0, count: int = 5
) -> list[date]:
    """Up to ``count`` periods from ``start`` on (``start`` included: it is the next one due),
    each still within the end date and the count."""
    dates: list[date] = []
    if start is None:
        return dates
    current: date | None = start
    while current is not None and len(dates) < count:
        if schedule.end_date is not None and current > schedule.end_date:
            break
        if schedule.max_count is not None and issued + len(dates) >= schedule.max_count:
            break
        dates.append(current)
        current = next_after(schedule, current, issued=issued + len(dates))
    return dates


def periods_between(schedule: Schedule, after: date | None, until: date, *, issued: int = 0) -> int:
    """How many periods fall after ``after`` and on or before ``until`` (capped at 1000): how
    many invoices a backdated start would issue at once."""
    count = 0
    current = next_after(schedule, after, issued=issued)
    while current is not None and current <= until and count < 1000:
        count += 1
        current = next_after(schedule, current, issued=issued + count)
    return count


def ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def describe(schedule: Schedule) -> str:
    """``Monthly on the 31st (the last day in shorter months)``, for people."""
    if schedule.frequency == Frequency.WEEKLY:
        return f"Weekly on {calendar.day_name[schedule.start_date.weekday()]}s"
    first = period_at(schedule, 0)
    on_day = f"the {ordinal(schedule.day)}"
    short = " (the last day in shorter months)" if schedule.day > 28 else ""
    if schedule.frequency == Frequency.MONTHLY:
        return f"Monthly on {on_day}{short}"
    if schedule.frequency == Frequency.QUARTERLY:
        months = [calendar.month_abbr[(first.month - 1 + 3 * i) % 12 + 1] for i in range(4)]
        return f"Quarterly on {on_day} of {', '.join(months[:3])} and {months[3]}{short}"
    month = calendar.month_name[first.month]
    if first.month == 2 and schedule.day >= 29:
        return "Yearly on 29 February (28 February in other years)"
    # A day the month never has (31 April) is its last day every year.
    longest = calendar.monthrange(2024, first.month)[1]
    return f"Yearly on {min(schedule.day, longest)} {month}"

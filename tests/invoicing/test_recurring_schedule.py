"""The dates of recurring periods: examples people check by hand, then properties over any
schedule (hypothesis)."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.models import Frequency
from invoicing.recurring_schedule import (
    MONTHS_PER_PERIOD,
    Schedule,
    describe,
    first_on_or_after,
    next_after,
    ordinal,
    period_at,
    periods_between,
    upcoming,
)


def walk(schedule: Schedule, limit: int = 60) -> list[date]:
    """Every period the schedule gives, as the scheduler sees them: one after another."""
    dates: list[date] = []
    current = next_after(schedule, None)
    while current is not None and len(dates) < limit:
        dates.append(current)
        current = next_after(schedule, current, issued=len(dates))
    return dates


# ---- examples


def test_monthly_on_the_31st_goes_back_to_the_31st_after_a_short_month():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 31), day_of_month=31)
    assert walk(schedule, 5) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_monthly_on_the_29th_in_a_leap_year():
    schedule = Schedule(Frequency.MONTHLY, date(2028, 1, 29), day_of_month=29)
    assert walk(schedule, 3) == [date(2028, 1, 29), date(2028, 2, 29), date(2028, 3, 29)]


def test_the_first_period_is_the_first_chosen_day_on_or_after_the_start():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 15), day_of_month=1)
    assert walk(schedule, 2) == [date(2026, 2, 1), date(2026, 3, 1)]
    same_day = Schedule(Frequency.MONTHLY, date(2026, 1, 15), day_of_month=15)
    assert walk(same_day, 1) == [date(2026, 1, 15)]


def test_a_blank_day_of_month_is_the_start_dates_day():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 20))
    assert walk(schedule, 2) == [date(2026, 1, 20), date(2026, 2, 20)]


def test_weekly_from_the_start_date():
    schedule = Schedule(Frequency.WEEKLY, date(2026, 3, 2), day_of_month=31)  # day ignored
    assert walk(schedule, 3) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_quarterly_every_three_months_from_the_first_period():
    schedule = Schedule(Frequency.QUARTERLY, date(2025, 11, 30), day_of_month=31)
    assert walk(schedule, 4) == [
        date(2025, 11, 30),
        date(2026, 2, 28),
        date(2026, 5, 31),
        date(2026, 8, 31),
    ]


def test_yearly_on_29_february():
    schedule = Schedule(Frequency.YEARLY, date(2028, 2, 29), day_of_month=29)
    assert walk(schedule, 5) == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]


def test_the_end_date_is_the_last_possible_period():
    schedule = Schedule(
        Frequency.MONTHLY, date(2026, 1, 1), day_of_month=1, end_date=date(2026, 3, 1)
    )
    assert walk(schedule) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert next_after(schedule, date(2026, 3, 1)) is None


def test_max_count_counts_what_was_issued():
    schedule = Schedule(Frequency.WEEKLY, date(2026, 1, 5), max_count=3)
    assert len(walk(schedule)) == 3
    assert next_after(schedule, date(2026, 1, 5), issued=3) is None
    assert next_after(schedule, date(2026, 1, 5), issued=2) == date(2026, 1, 12)


def test_next_after_a_date_between_periods():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 31), day_of_month=31)
    assert next_after(schedule, date(2026, 2, 10)) == date(2026, 2, 28)
    assert next_after(schedule, date(2026, 2, 28)) == date(2026, 3, 31)
    assert next_after(schedule, date(2025, 6, 1)) == date(2026, 1, 31)


def test_first_on_or_after_skips_what_a_paused_schedule_missed():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 10), day_of_month=10)
    assert first_on_or_after(schedule, date(2026, 4, 10)) == date(2026, 4, 10)
    assert first_on_or_after(schedule, date(2026, 4, 11)) == date(2026, 5, 10)


def test_upcoming_stops_at_the_end():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 1), max_count=4)
    assert upcoming(schedule, date(2026, 2, 1), issued=1) == [
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
    assert upcoming(schedule, None) == []


def test_periods_between_counts_a_backdated_start():
    schedule = Schedule(Frequency.MONTHLY, date(2026, 1, 1))
    assert periods_between(schedule, None, date(2026, 4, 15)) == 4
    assert periods_between(schedule, date(2026, 2, 1), date(2026, 4, 15)) == 2


def test_the_far_future_ends_rather_than_crashes():
    schedule = Schedule(Frequency.YEARLY, date(9999, 6, 1))
    assert next_after(schedule, date(9999, 6, 1)) is None
    with pytest.raises(OverflowError):
        period_at(schedule, 1)


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (Schedule(Frequency.WEEKLY, date(2026, 3, 2)), "Weekly on Mondays"),
        (
            Schedule(Frequency.MONTHLY, date(2026, 1, 31), 31),
            "Monthly on the 31st (the last day in shorter months)",
        ),
        (Schedule(Frequency.MONTHLY, date(2026, 1, 2), 2), "Monthly on the 2nd"),
        (
            Schedule(Frequency.QUARTERLY, date(2026, 1, 1), 1),
            "Quarterly on the 1st of Jan, Apr, Jul and Oct",
        ),
        (Schedule(Frequency.YEARLY, date(2026, 3, 15), 15), "Yearly on 15 March"),
        (Schedule(Frequency.YEARLY, date(2026, 4, 1), 31), "Yearly on 30 April"),
        (
            Schedule(Frequency.YEARLY, date(2026, 2, 1), 29),
            "Yearly on 29 February (28 February in other years)",
        ),
    ],
)
def test_describe(schedule, words):
    assert describe(schedule) == words


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st",
    ]  # fmt: skip


# ---- properties

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    frequency = draw(st.sampled_from(Frequency.values))
    start = draw(dates)
    end = draw(st.none() | st.integers(0, 3000).map(lambda d: start + timedelta(days=d)))
    return Schedule(
        frequency=frequency,
        start_date=start,
        day_of_month=draw(st.none() | st.integers(1, 31)),
        end_date=end,
        max_count=draw(st.none() | st.integers(1, 40)),
    )


@settings(max_examples=400, deadline=None)
@given(schedules())
def test_periods_strictly_increase_and_never_pass_the_end_or_the_count(schedule):
    periods = walk(schedule, limit=80)
    if schedule.end_date is None:
        assert periods, "an open-ended schedule has a first period"
    assert all(a < b for a, b in itertools.pairwise(periods))
    assert all(p >= schedule.start_date for p in periods[:1])
    if periods and schedule.end_date is not None:
        assert periods[-1] <= schedule.end_date
    if schedule.max_count is not None:
        assert len(periods) <= schedule.max_count


@settings(max_examples=400, deadline=None)
@given(schedules())
def test_monthly_periods_fall_on_the_chosen_day_or_the_months_last(schedule):
    if schedule.frequency == Frequency.WEEKLY:
        return
    step = MONTHS_PER_PERIOD[schedule.frequency]
    periods = walk(schedule, limit=50)
    for period in periods:
        last = calendar.monthrange(period.year, period.month)[1]
        assert period.day == min(schedule.day, last)
    for earlier, later in itertools.pairwise(periods):
        months = (later.year - earlier.year) * 12 + later.month - earlier.month
        assert months == step


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_weekly_periods_are_seven_days_apart_from_the_start(schedule):
    if schedule.frequency != Frequency.WEEKLY:
        return
    periods = walk(schedule, limit=50)
    assert periods[0] == schedule.start_date
    assert all((b - a).days == 7 for a, b in itertools.pairwise(periods))


@settings(max_examples=400, deadline=None)
@given(schedules(), dates)
def test_next_after_any_day_is_the_next_period_of_the_walk(schedule, day):
    unbounded = Schedule(schedule.frequency, schedule.start_date, schedule.day_of_month)
    periods = walk(unbounded, limit=3000)
    expected = next((p for p in periods if p > day), None)
    if expected is None and periods and periods[-1] <= day:
        return  # beyond the walked horizon
    assert next_after(unbounded, day) == expected


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_upcoming_matches_the_walk(schedule):
    periods = walk(schedule, limit=40)
    if not periods:
        return
    assert upcoming(schedule, periods[0], count=5) == periods[:5]

"""Plan schedules: instalments add up exactly to the total in any currency, and dates step by
week, fortnight or calendar month (month ends clamped, never drifting)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arhub.money import minor_unit
from payments.models import PlanFrequency
from payments.plan_schedule import instalment_date, plan_schedule

CURRENCIES = ["USD", "GBP", "EUR", "JPY", "KWD"]


@st.composite
def schedules(draw: st.DrawFn) -> tuple[Decimal, str, int, str, date]:
    currency = draw(st.sampled_from(CURRENCIES))
    count = draw(st.integers(min_value=1, max_value=60))
    unit = minor_unit(currency)
    # At least one minor unit per instalment; up to a hundred million units.
    units = draw(st.integers(min_value=count, max_value=10**8))
    frequency = draw(st.sampled_from(PlanFrequency.values))
    # Month ends included often: the 28th to the 31st.
    start = draw(
        st.one_of(
            st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 1)),
            st.builds(
                date,
                st.integers(2000, 2090),
                st.sampled_from([1, 3, 5, 7, 8, 10, 12]),
                st.integers(28, 31),
            ),
        )
    )
    return units * unit, currency, count, frequency, start


@given(schedules())
def test_any_schedule_adds_up_exactly_with_positive_parts_and_rising_dates(
    case: tuple[Decimal, str, int, str, date],
) -> None:
    total, currency, count, frequency, start = case
    rows = plan_schedule(
        total=total, currency=currency, count=count, frequency=frequency, start_date=start
    )
    amounts = [row.amount for row in rows]
    assert len(rows) == count
    assert sum(amounts) == total
    unit = minor_unit(currency)
    assert all(amount > 0 and amount == amount.quantize(unit) for amount in amounts)
    # Equal parts; the rounding goes to the last ones, a unit each at most.
    assert amounts == sorted(amounts)
    assert amounts[-1] - amounts[0] <= unit
    dates = [row.due_date for row in rows]
    assert dates[0] == start
    assert all(earlier < later for earlier, later in pairwise(dates))


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=120),
)
def test_monthly_dates_keep_the_day_or_the_month_end(start: date, index: int) -> None:
    day = instalment_date(start_date=start, frequency=PlanFrequency.MONTHLY, index=index)
    months = (day.year - start.year) * 12 + day.month - start.month
    assert months == index
    if day.day != start.day:
        # Only because the month is shorter: it is the month's last day.
        assert day.day < start.day
        assert date.fromordinal(day.toordinal() + 1).day == 1


def test_month_end_is_clamped_and_comes_back() -> None:
    start = date(2027, 1, 31)
    days = [
        instalment_date(start_date=start, frequency=PlanFrequency.MONTHLY, index=i)
        for i in range(4)
    ]
    assert days == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    leap = instalment_date(start_date=start, frequency=PlanFrequency.MONTHLY, index=13)
    assert leap == date(2028, 2, 29)


def test_weekly_and_fortnightly_step_by_days() -> None:
    start = date(2027, 12, 27)
    assert instalment_date(start_date=start, frequency="weekly", index=1) == date(2028, 1, 3)
    assert instalment_date(start_date=start, frequency="fortnightly", index=2) == date(2028, 1, 24)


def test_yen_has_no_decimals_and_the_last_takes_the_rest() -> None:
    rows = plan_schedule(
        total=Decimal(1000),
        currency="JPY",
        count=3,
        frequency="monthly",
        start_date=date(2027, 1, 1),
    )
    assert [row.amount for row in rows] == [Decimal(333), Decimal(333), Decimal(334)]


def test_cents_split_three_ways() -> None:
    rows = plan_schedule(
        total=Decimal("100.00"),
        currency="USD",
        count=3,
        frequency="weekly",
        start_date=date(2027, 1, 1),
    )
    assert [row.amount for row in rows] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


@pytest.mark.parametrize(
    ("total", "currency", "count"),
    [
        (Decimal("0.02"), "USD", 3),  # less than a cent each
        (Decimal("10.005"), "USD", 2),  # not in cents
        (Decimal("0"), "USD", 1),
        (Decimal("10"), "USD", 0),
    ],
)
def test_impossible_schedules_are_refused(total: Decimal, currency: str, count: int) -> None:
    with pytest.raises(ValueError):
        plan_schedule(
            total=total,
            currency=currency,
            count=count,
            frequency="monthly",
            start_date=date(2027, 1, 1),
        )


def test_an_unknown_frequency_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        instalment_date(start_date=date(2027, 1, 1), frequency="daily", index=1)

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disputes.business_days import business_days_after, business_days_before

# 2026-03-02 is a Monday.
MON = datetime(2026, 3, 2, 10, 0)
FRI = MON + timedelta(days=4)
SAT = MON + timedelta(days=5)
SUN = MON + timedelta(days=6)
NEXT_MON = MON + timedelta(days=7)


@pytest.mark.parametrize(
    ("moment", "days", "expected"),
    [
        (MON + timedelta(days=2), 2, MON),  # Wednesday -> Monday
        (NEXT_MON, 1, FRI),  # over the weekend
        (NEXT_MON + timedelta(days=1), 2, FRI),  # Tuesday, two back -> Friday
        (SAT, 1, FRI.replace(hour=0)),  # the weekend so far counts for nothing
        (SUN, 2, FRI.replace(hour=0) - timedelta(days=1)),
        (NEXT_MON.replace(hour=0) + timedelta(days=1), 1, SAT.replace(hour=0)),
        (MON, 0, MON),
    ],
)
def test_business_days_before(moment: datetime, days: int, expected: datetime) -> None:
    assert business_days_before(moment, days) == expected


@pytest.mark.parametrize(
    ("moment", "days", "expected"),
    [
        (MON, 2, MON + timedelta(days=2)),
        (FRI, 1, NEXT_MON),
        (FRI, 2, NEXT_MON + timedelta(days=1)),
        (SAT, 2, NEXT_MON.replace(hour=0) + timedelta(days=2)),  # written Saturday: due Wednesday
        (SUN, 1, NEXT_MON.replace(hour=0) + timedelta(days=1)),
    ],
)
def test_business_days_after(moment: datetime, days: int, expected: datetime) -> None:
    assert business_days_after(moment, days) == expected


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        business_days_before(MON, -1)
    with pytest.raises(ValueError):
        business_days_after(MON, -1)


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    days=st.integers(min_value=1, max_value=30),
)
def test_a_deadline_is_never_overdue_and_a_moment_later_is(start: datetime, days: int) -> None:
    """Started at ``start``: not overdue at the deadline, overdue a minute after it."""
    deadline = business_days_after(start, days)
    assert not business_days_before(deadline, days) > start
    later = deadline + timedelta(minutes=1)
    if later.weekday() < 5:
        assert business_days_before(later, days) > start

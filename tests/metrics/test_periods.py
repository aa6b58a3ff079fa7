from __future__ import annotations

from datetime import date

import pytest
import time_machine

from metrics.periods import (
    as_of_check,
    month_periods,
    months_back,
    period_check,
    quarter_periods,
)

pytestmark = pytest.mark.django_db


def test_as_of_is_judged_on_the_organizations_calendar(tenant):
    tenant.org.timezone = "America/New_York"
    # 02:00 UTC on 1 May is still 30 April in New York.
    with time_machine.travel("2027-05-01 02:00Z", tick=False):
        assert as_of_check(org=tenant.org, as_of=date(2027, 4, 30)) == date(2027, 4, 30)
        with pytest.raises(ValueError, match=r"as_of: 2027-05-01 is in the future"):
            as_of_check(org=tenant.org, as_of=date(2027, 5, 1))


def test_a_period_may_not_end_before_it_starts():
    assert period_check(start=date(2027, 1, 1), end=date(2027, 1, 1))
    with pytest.raises(ValueError, match=r"end: the period ends \(2026-12-31\) before"):
        period_check(start=date(2027, 1, 1), end=date(2026, 12, 31))


def test_months_back_crosses_years():
    assert months_back(date(2027, 2, 17), 2) == date(2026, 12, 1)
    assert months_back(date(2027, 12, 31), -1) == date(2028, 1, 1)


def test_month_periods_end_on_the_as_of_day():
    assert month_periods(as_of=date(2027, 3, 15), count=3) == [
        (date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 15)),
    ]


def test_quarter_periods_end_on_the_as_of_day():
    assert quarter_periods(as_of=date(2027, 2, 10), count=2) == [
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 2, 10)),
    ]
    with pytest.raises(ValueError, match="count"):
        quarter_periods(as_of=date(2027, 2, 10), count=0)

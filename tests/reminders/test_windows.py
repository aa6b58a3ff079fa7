"""Send windows: the customer's zone, weekdays, public holidays, 08:00 to 21:00 whatever the
policy says, the next opening across weekends and DST changes."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reminders.windows import is_holiday, is_open, next_opening, send_window

LONDON = ZoneInfo("Europe/London")


def window(**changes: object):
    options = {
        "start": time(9, 0),
        "end": time(17, 0),
        "weekdays": (0, 1, 2, 3, 4),
        "zone_name": "Europe/London",
        "holiday_country": "GB",
        **changes,
    }
    return send_window(**options)  # type: ignore[arg-type]


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = LONDON) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(date(2027, 6, 9), 8, 59), False),
        (at(date(2027, 6, 9), 9, 0), True),
        (at(date(2027, 6, 9), 16, 59), True),
        (at(date(2027, 6, 9), 17, 0), False),
        (at(date(2027, 6, 12), 11, 0), False),  # Saturday
        (at(date(2027, 12, 27), 11, 0), False),  # a bank holiday in England (Boxing Day moved)
    ],
)
def test_open_only_inside_hours_weekdays_and_not_on_holidays(moment: datetime, open_: bool) -> None:
    assert is_open(window(), moment) is open_


def test_decent_hours_hold_whatever_the_policy_says() -> None:
    late = window(start=time(6, 0), end=time(23, 0), weekdays=range(7))
    assert not is_open(late, at(date(2027, 6, 9), 7, 59))
    assert is_open(late, at(date(2027, 6, 9), 8, 0))
    assert not is_open(late, at(date(2027, 6, 9), 21, 0))


def test_the_window_is_in_the_customers_zone() -> None:
    auckland = window(zone_name="Pacific/Auckland", holiday_country="")
    # 22:00 in London on a Tuesday is 09:00 on Wednesday in Auckland (NZST, winter there).
    assert is_open(auckland, at(date(2027, 6, 8), 22, 0))
    assert not is_open(auckland, at(date(2027, 6, 8), 12, 0))


def test_the_next_opening_skips_the_weekend_and_the_holiday() -> None:
    friday_evening = at(date(2027, 12, 24), 18, 0)
    # 25, 26 weekend; 27 and 28 are the substitute Christmas and Boxing Day bank holidays.
    assert next_opening(window(), friday_evening) == at(date(2027, 12, 29), 9, 0)
    assert next_opening(window(), at(date(2027, 6, 9), 10, 0)) == at(date(2027, 6, 9), 10, 0)


def test_the_next_opening_keeps_the_wall_clock_across_a_dst_change() -> None:
    saturday = at(date(2027, 3, 27), 12, 0)  # clocks go forward on Sunday 28 March
    opening = next_opening(window(), saturday)
    assert opening == at(date(2027, 3, 29), 9, 0)
    assert opening is not None and opening.utcoffset() is not None
    assert opening.astimezone(ZoneInfo("UTC")).hour == 8  # BST: 09:00 local is 08:00 UTC


def test_no_weekdays_never_opens_and_unknown_countries_have_no_holidays() -> None:
    assert next_opening(window(weekdays=()), at(date(2027, 6, 9), 10, 0)) is None
    assert not is_holiday("ZZ", date(2027, 12, 25))
    assert is_holiday("GB", date(2027, 12, 28)) and not is_holiday("", date(2027, 12, 28))

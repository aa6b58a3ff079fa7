"""When a reminder may reach a customer: inside the policy's hours and weekdays, in the
customer's own time zone, never on a public holiday of the organization's country when the
policy says so, and never before 08:00 or after 21:00 local, whatever the policy says.

Pure functions over aware datetimes; the ``holidays`` package knows the public holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from reminders.models import EARLIEST, LATEST

# A window that opens nowhere in this many days is treated as closed (a policy with no
# weekdays cannot be saved; this only bounds the search).
SEARCH_DAYS = 31


@dataclass(frozen=True)
class SendWindow:
    start: time
    end: time
    weekdays: frozenset[int]
    zone: ZoneInfo
    # ISO 3166 country whose public holidays are skipped; "" for none.
    holiday_country: str = ""

    @property
    def opens(self) -> time:
        return max(self.start, EARLIEST)

    @property
    def closes(self) -> time:
        return min(self.end, LATEST)


def send_window(
    *,
    start: time,
    end: time,
    weekdays: list[int] | tuple[int, ...] | frozenset[int],
    zone_name: str,
    holiday_country: str = "",
) -> SendWindow:
    return SendWindow(
        start=start,
        end=end,
        weekdays=frozenset(weekdays),
        zone=ZoneInfo(zone_name or "UTC"),
        holiday_country=holiday_country.upper(),
    )


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know: no holidays
        return frozenset()
    return frozenset(found.keys())


def is_holiday(country: str, day: date) -> bool:
    return bool(country) and day in _holidays(country, day.year)


def is_sending_day(window: SendWindow, day: date) -> bool:
    return day.weekday() in window.weekdays and not is_holiday(window.holiday_country, day)


def is_open(window: SendWindow, at: datetime) -> bool:
    """Whether a reminder may go out at ``at`` (an aware datetime)."""
    local = at.astimezone(window.zone)
    return is_sending_day(window, local.date()) and window.opens <= local.time() < window.closes


def local_at(window: SendWindow, day: date, moment: time) -> datetime:
    """``moment`` on ``day`` in the window's zone, as an aware datetime. A time that a DST
    change skips is taken as the same wall-clock reading an hour on, as clocks show it."""
    naive = datetime.combine(day, moment)
    aware = naive.replace(tzinfo=window.zone)
    # Round-trip through UTC: a skipped local time comes back shifted, an existing one intact.
    return aware.astimezone(ZoneInfo("UTC")).astimezone(window.zone)


def next_opening(window: SendWindow, after: datetime) -> datetime | None:
    """The first moment at or after ``after`` when the window is open; None when it never
    opens in the next month."""
    local = after.astimezone(window.zone)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if is_sending_day(window, day):
            opens = local_at(window, day, window.opens)
            closes = local_at(window, day, window.closes)
            if after < opens:
                return opens
            if after < closes:
                return after
        day += timedelta(days=1)
    return None

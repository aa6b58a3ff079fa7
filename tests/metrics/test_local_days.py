"""Org-local days as instants."""

from __future__ import annotations

from datetime import UTC, date, datetime

from arhub.models import Organization
from metrics.local_days import day_after, day_start


def test_a_london_summer_day_starts_at_23_utc_the_day_before() -> None:
    org = Organization(timezone="Europe/London")
    # BST is UTC+1: midnight of 1 May in London is 23:00 UTC on 30 April.
    assert day_start(org=org, day=date(2027, 5, 1)) == datetime(2027, 4, 30, 23, tzinfo=UTC)
    assert day_after(org=org, day=date(2027, 5, 31)) == datetime(2027, 5, 31, 23, tzinfo=UTC)


def test_a_day_that_skips_midnight_starts_at_its_first_instant() -> None:
    # Santiago moved from -04 to -03 at midnight on 8 September 2024: the day began at 01:00
    # local (-03), 04:00 UTC, which is also where 7 September (at -04) ends.
    org = Organization(timezone="America/Santiago")
    assert day_start(org=org, day=date(2024, 9, 8)) == datetime(2024, 9, 8, 4, tzinfo=UTC)
    assert day_after(org=org, day=date(2024, 9, 7)) == datetime(2024, 9, 8, 4, tzinfo=UTC)

"""Org-local calendar days as instants, so a question about a timestamp column ("broken on or
before 31 March", "opened in March") is asked with a range the column's index can serve, rather
than by converting every row's timestamp to a local date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arhub.models import Organization


def day_start(*, org: Organization, day: date) -> datetime:
    """The first instant of ``day`` where the organization is, in UTC: midnight local time, or
    on a day whose clocks skip midnight, the first instant after it. (Normalised to UTC because
    Python compares a local time inside a skipped hour unequal to every other instant.)"""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(org.timezone)).astimezone(UTC)


def day_after(*, org: Organization, day: date) -> datetime:
    """The first instant after ``day`` ends: "on or before ``day``" is "< day_after(day)"."""
    return day_start(org=org, day=day + timedelta(days=1))

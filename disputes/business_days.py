"""Business days (Monday to Friday) for the dispute response target.

A weekend adds no waiting time: a customer who writes on Saturday with a target of two
business days is overdue from the Wednesday, as one who writes at the very start of Monday.
Public holidays are not known here and count as business days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

_SATURDAY = 5


def _is_weekend(moment: datetime) -> bool:
    return moment.weekday() >= _SATURDAY


def business_days_before(moment: datetime, days: int) -> datetime:
    """The moment ``days`` business days of time before ``moment`` (in ``moment``'s zone):
    anything that started earlier has waited longer than ``days`` business days."""
    if days < 0:
        raise ValueError("days must not be negative")
    if _is_weekend(moment):
        # The weekend so far counts for nothing: wind back to the end of Friday.
        saturday = moment - timedelta(days=moment.weekday() - _SATURDAY)
        moment = saturday.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(days):
        moment -= timedelta(days=1)
        while _is_weekend(moment):
            moment -= timedelta(days=1)
    if moment.weekday() == 0 and moment.time() == time(0):
        # The start of Monday is the end of Friday: a weekend moment is not earlier than it.
        moment -= timedelta(days=2)
    return moment


def business_days_after(moment: datetime, days: int) -> datetime:
    """The moment ``days`` business days of time after ``moment``: the answer is due by then."""
    if days < 0:
        raise ValueError("days must not be negative")
    if _is_weekend(moment):
        # Waiting starts on Monday morning.
        monday = moment + timedelta(days=7 - moment.weekday())
        moment = monday.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(days):
        moment += timedelta(days=1)
        while _is_weekend(moment):
            moment += timedelta(days=1)
    return moment

"""A payment plan's schedule: the dates and amounts of its instalments.

Amounts are equal parts of the total in the currency's minor units (``arhub.money.split_evenly``:
the units rounding leaves over go to the last instalments, one each), so they add up to the
total exactly and no two differ by more than one unit (JPY has no decimals: 1000 in 3 is 333,
333, 334). Dates step by a week, two weeks or a calendar month from the first; a monthly plan
keeps the day of the month, or the month's last day when it has fewer days (31 January,
28 February, 31 March), never drifting to the 28th for good.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arhub.money import is_quantized, split_evenly
from payments.plan_models import PlanFrequency

_DAYS_APART = {PlanFrequency.WEEKLY: 7, PlanFrequency.FORTNIGHTLY: 14}


@dataclass(frozen=True)
class ScheduledInstalment:
    due_date: date
    amount: Decimal


def instalment_date(*, start_date: date, frequency: str, index: int) -> date:
    """The due date of instalment ``index`` (0 for the first) of a plan starting on
    ``start_date``."""
    if index < 0:
        raise ValueError("index must not be negative")
    if frequency in _DAYS_APART:
        return start_date + timedelta(days=_DAYS_APART[PlanFrequency(frequency)] * index)
    if frequency != PlanFrequency.MONTHLY:
        raise ValueError(f"unknown frequency {frequency!r}")
    months = start_date.month - 1 + index
    year, month = start_date.year + months // 12, months % 12 + 1
    # Counted from the first date every time, so a 31st comes back after a short month.
    return date(year, month, min(start_date.day, calendar.monthrange(year, month)[1]))


def plan_schedule(
    *, total: Decimal, currency: str, count: int, frequency: str, start_date: date
) -> list[ScheduledInstalment]:
    """``count`` instalments adding up to ``total`` exactly, the first due on ``start_date``.

    Raises ValueError when no such schedule exists (a total that is not in the currency's minor
    units, or too small to give every instalment at least one unit)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if total <= 0 or not is_quantized(total, currency):
        raise ValueError(f"total must be a positive amount in {currency}'s minor units")
    amounts = split_evenly(total, count, currency)
    if amounts[0] <= 0:
        raise ValueError(f"{total} {currency} cannot be paid in {count} instalments")
    return [
        ScheduledInstalment(
            due_date=instalment_date(start_date=start_date, frequency=frequency, index=index),
            amount=amount,
        )
        for index, amount in enumerate(amounts)
    ]

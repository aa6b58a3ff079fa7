"""Result types shared by the metrics functions, the report pages and the exports.

Plain frozen dataclasses so a figure can be cached, compared in tests and rendered without
touching the database again. Every amount is a Decimal in the one currency the figure is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class AgingBucket:
    """One column of an aging report. ``low``/``high`` are days past due, both inclusive, None
    where the bucket has no limit: "Current" is (None, 0), not yet past due; the last bucket,
    e.g. "90+", is (91, None)."""

    label: str
    low: int | None
    high: int | None
    amount: Decimal
    count: int


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    currency: str
    buckets: list[AgingBucket]
    total: Decimal
    overdue: Decimal
    invoice_count: int


@dataclass(frozen=True)
class DsoFigure:
    """Days sales outstanding. ``method`` is "simple", "countback" or "best"; ``days`` has one
    decimal place."""

    method: str
    days: Decimal
    as_of: date
    period_start: date
    period_end: date
    receivables: Decimal
    credit_sales: Decimal


@dataclass(frozen=True)
class CeiFigure:
    """Collection effectiveness index for [start, end]. ``percent`` has one decimal place and is
    None when the denominator (beginning + credit sales - ending current) is zero."""

    start: date
    end: date
    percent: Decimal | None
    beginning: Decimal
    credit_sales: Decimal
    ending: Decimal
    ending_current: Decimal

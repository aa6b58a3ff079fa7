"""Turning the rows of K runs into one table: median and best of each figure, and the ratio to
its limit. Pure functions, so tests can pin the arithmetic and the layout."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.registry import Row

COLUMNS = ("name", "figure", "limit", "limit figure", "ratio")


def higher_is_better(unit: str) -> bool:
    return unit.endswith("/s")


def ratio(figure: float, limit: float) -> float:
    if limit == 0:
        return math.inf if figure else math.nan
    return figure / limit


@dataclass(frozen=True)
class Summary:
    name: str
    limit_name: str
    unit: str
    figure: float  # median over runs
    figure_best: float
    limit_figure: float
    limit_best: float
    # The median of the per-run ratios, not the ratio of medians: a run's figure and its limit
    # share that run's machine noise, which is the point of measuring them together.
    ratio: float
    ratio_best: float
    runs: int


def _best(values: Sequence[float], unit: str) -> float:
    return max(values) if higher_is_better(unit) else min(values)


def summarize(runs: Sequence[Sequence[Row]]) -> list[Summary]:
    """Group rows by (name, limit name) across runs, keeping the order they first appeared in."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for rows in runs:
        for row in rows:
            groups.setdefault((row.name, row.limit_name), []).append(row)
    summaries = []
    for (name, limit_name), rows in groups.items():
        unit = rows[0].unit
        figures = [r.figure for r in rows]
        limits = [r.limit_figure for r in rows]
        ratios = [ratio(r.figure, r.limit_figure) for r in rows]
        summaries.append(
            Summary(
                name=name,
                limit_name=limit_name,
                unit=unit,
                figure=statistics.median(figures),
                figure_best=_best(figures, unit),
                limit_figure=statistics.median(limits),
                limit_best=_best(limits, unit),
                ratio=statistics.median(ratios),
                # The limit is the floor, so a ratio is "best" in the same direction as the unit.
                ratio_best=_best(ratios, unit),
                runs=len(rows),
            )
        )
    return summaries


def number(value: float) -> str:
    """About three significant digits, without the exponents of ``%g``."""
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.01 or size == 0:
        return f"{value:.2f}"
    return f"{value:.2g}"


def _cell(median: float, best: float, unit: str, runs: int, suffix: str = "") -> str:
    text = f"{number(median)}{suffix} {unit}".rstrip()
    return f"{text} (best {number(best)}{suffix})" if runs > 1 else text


def cells(summary: Summary) -> tuple[str, str, str, str, str]:
    s = summary
    return (
        s.name,
        _cell(s.figure, s.figure_best, s.unit, s.runs),
        s.limit_name,
        _cell(s.limit_figure, s.limit_best, s.unit, s.runs),
        _cell(s.ratio, s.ratio_best, "", s.runs, suffix="x"),
    )


def format_table(summaries: Sequence[Summary]) -> str:
    rows = [COLUMNS, *(cells(s) for s in summaries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    # Figures are right-aligned so their decimal points line up; names read better on the left.
    numeric = {1, 3, 4}

    def line(row: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if i in numeric else value.ljust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        ]
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(COLUMNS), rule, *(line(row) for row in rows[1:])])

"""The charts of the dashboard and the report pages, from the metrics' figures: the aging bar
chart, the DSO and CEI trend lines. One function per chart, so the page and the PDF download
draw the same picture (``show_title`` puts the title in the picture, for print)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from metrics.charts import bar_chart_svg, line_chart_svg
from metrics.figures import AgingReport, CeiFigure, DsoFigure

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(day: date, *, first: bool) -> str:
    """ "Mar"; the first point and each January carry the year on a second line."""
    words = MONTHS[day.month - 1]
    return f"{words}\n{day.year}" if first or day.month == 1 else words


def month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def quarter_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def aging_chart(report: AgingReport, *, show_title: bool = False) -> str:
    return bar_chart_svg(
        title=f"Receivables by days past due, {report.as_of:%-d %b %Y}",
        labels=[bucket.label for bucket in report.buckets],
        values=[bucket.amount for bucket in report.buckets],
        currency=report.currency,
        x_label="Days past due",
        y_label=report.currency,
        alert_from=1,
        show_title=show_title,
    )


def dso_chart(trend: Sequence[DsoFigure], *, period_days: int, show_title: bool = False) -> str:
    return line_chart_svg(
        title=f"DSO, simple method ({period_days}-day period), at each month end",
        points=[(month_label(f.as_of, first=i == 0), f.days) for i, f in enumerate(trend)],
        unit="days",
        show_title=show_title,
    )


def cei_chart(figures: Sequence[CeiFigure], *, quarters: bool, show_title: bool = False) -> str:
    if quarters:
        points = [(quarter_label(f.start).replace(" ", "\n"), f.percent) for f in figures]
        title = f"CEI by quarter, last {len(figures)} quarters"
    else:
        points = [(month_label(f.start, first=i == 0), f.percent) for i, f in enumerate(figures)]
        title = f"CEI by month, last {len(figures)} months"
    return line_chart_svg(title=title, points=points, unit="%", show_title=show_title)


def trend_arrow(trend: Sequence[DsoFigure]) -> str:
    """ "down" (fewer days: better), "up" or "flat": the last figure against the one before."""
    if len(trend) < 2:
        return "flat"
    change = trend[-1].days - trend[-2].days
    return "flat" if change == 0 else ("up" if change > 0 else "down")

"""Two more report pages: how each customer pays (``metrics.customer_stats``) and the cash
expected over the next 13 weeks (``metrics.forecast``), with the downloads of
``metrics.stats_tables`` under the rules of ``metrics.report_views.ReportView``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.http.response import HttpResponseBase

from arhub.clock import org_today
from metrics.activity import ACTIVITY_DAYS, arrangement_stats, dispute_stats, reminder_effect
from metrics.charts import bar_chart_svg
from metrics.customer_stats import customer_stats_list
from metrics.forecast import WeekForecast, cash_forecast, forecast_total
from metrics.report_charts import MONTHS
from metrics.report_forms import AsOfForm, ReportForm
from metrics.report_views import ReportView, export_response
from metrics.stats_tables import customers_table, forecast_table

FORECAST_WEEKS = 13


def forecast_chart(
    weeks: Sequence[WeekForecast], currency: str, *, show_title: bool = False
) -> str:
    return bar_chart_svg(
        title=f"Cash expected by week, next {len(weeks)} weeks",
        labels=[f"{w.start.day}\n{MONTHS[w.start.month - 1]}" for w in weeks],
        values=[w.expected for w in weeks],
        currency=currency,
        x_label="Week starting",
        y_label=currency,
        show_title=show_title,
    )


class CustomerTrendsView(ReportView):
    form_class = AsOfForm
    template_name = "metrics/report_customers.html"

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        as_of = data["as_of"]
        rows = customer_stats_list(org=self.org, as_of=as_of, currency=data["currency"])
        # Disputes, promises, plans and reminders over the days up to the as-of day.
        start = as_of - timedelta(days=ACTIVITY_DAYS - 1)
        return {
            "rows": rows,
            "activity_start": start,
            "disputes": dispute_stats(org=self.org, start=start, end=as_of),
            "arrangements": arrangement_stats(org=self.org, start=start, end=as_of),
            "reminders": reminder_effect(org=self.org, start=start, end=as_of),
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        rows = customer_stats_list(org=self.org, as_of=data["as_of"], currency=data["currency"])
        table = customers_table(rows=rows, as_of=data["as_of"], currency=data["currency"])
        name = (self.org.slug, "customers", data["as_of"].isoformat(), data["currency"])
        return export_response(table, fmt, name=name, view=self)


class ForecastView(ReportView):
    """From today only: a forecast made as of a past day would be history, not a forecast."""

    form_class = ReportForm
    template_name = "metrics/report_forecast.html"

    def _weeks(self, currency: str) -> list[WeekForecast]:
        today = org_today(self.org)
        return cash_forecast(org=self.org, as_of=today, currency=currency, weeks=FORECAST_WEEKS)

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        weeks = self._weeks(data["currency"])
        return {
            "weeks": weeks,
            "four_weeks": forecast_total(weeks, count=4),
            "all_weeks": forecast_total(weeks, count=len(weeks)),
            "chart": forecast_chart(weeks, data["currency"]),
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        weeks = self._weeks(data["currency"])
        today = org_today(self.org)
        table = forecast_table(weeks=weeks, as_of=today, currency=data["currency"])
        charts = [forecast_chart(weeks, data["currency"], show_title=True)]
        name = (self.org.slug, "cash-forecast", today.isoformat(), data["currency"])
        return export_response(table, fmt, name=name, view=self, charts=charts)

"""The DSO and CEI report pages: today's figures with the method named and its formula, and
their trends as line charts (the same SVG goes into the PDF download)."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase

from metrics.cei import cei_months, cei_period, cei_quarters
from metrics.dso import dso_best, dso_countback, dso_simple, dso_trend
from metrics.figures import CeiFigure, DsoFigure
from metrics.metric_tables import cei_table, dso_table
from metrics.report_charts import cei_chart, dso_chart, month_name, quarter_label, trend_arrow
from metrics.report_forms import CeiForm, DsoForm
from metrics.report_views import ReportView, export_response


class DsoReportView(ReportView):
    form_class = DsoForm
    template_name = "metrics/report_dso.html"

    def _trends(self, data: dict[str, Any]) -> tuple[list[DsoFigure], list[DsoFigure]]:
        args = {"org": self.org, "as_of": data["as_of"], "currency": data["currency"]}
        simple = dso_trend(**args, method="simple", period_days=data["period_days"])
        return simple, dso_trend(**args, method="countback")

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        args = {"org": self.org, "as_of": data["as_of"], "currency": data["currency"]}
        simple, countback = self._trends(data)
        return {
            "simple": dso_simple(**args, period_days=data["period_days"]),
            "countback": dso_countback(**args),
            "best": dso_best(**args, period_days=data["period_days"]),
            "period_days": data["period_days"],
            "chart": dso_chart(simple, period_days=data["period_days"]),
            "trend": list(zip(simple, countback, strict=True)),
            "arrow": trend_arrow(simple),
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        simple, countback = self._trends(data)
        table = dso_table(
            simple=simple,
            countback=countback,
            currency=data["currency"],
            period_days=data["period_days"],
        )
        charts = [dso_chart(simple, period_days=data["period_days"], show_title=True)]
        name = (self.org.slug, "dso", data["as_of"].isoformat(), data["currency"])
        return export_response(table, fmt, name=name, view=self, charts=charts)


class CeiReportView(ReportView):
    form_class = CeiForm
    template_name = "metrics/report_cei.html"

    def _figures(self, data: dict[str, Any]) -> tuple[CeiFigure, list[CeiFigure], list[CeiFigure]]:
        args = {"org": self.org, "currency": data["currency"]}
        chosen = cei_period(**args, start=data["start"], end=data["end"])
        months = cei_months(**args, as_of=data["end"], count=12)
        quarters = cei_quarters(**args, as_of=data["end"], count=4)
        return chosen, months, quarters

    @staticmethod
    def labelled(
        chosen: CeiFigure, months: list[CeiFigure], quarters: list[CeiFigure]
    ) -> list[tuple[str, CeiFigure]]:
        return [
            ("Chosen period", chosen),
            *((quarter_label(f.start), f) for f in quarters),
            *((month_name(f.start), f) for f in months),
        ]

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        chosen, months, quarters = self._figures(data)
        return {
            "chosen": chosen,
            "rows": self.labelled(chosen, months, quarters)[1:],
            "month_chart": cei_chart(months, quarters=False),
            "quarter_chart": cei_chart(quarters, quarters=True),
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        chosen, months, quarters = self._figures(data)
        table = cei_table(
            rows=self.labelled(chosen, months, quarters),
            currency=data["currency"],
            title="Collection effectiveness index",
            start=data["start"],
            end=data["end"],
        )
        charts = [cei_chart(quarters, quarters=True, show_title=True)]
        charts.append(cei_chart(months, quarters=False, show_title=True))
        name = (self.org.slug, "cei", data["start"].isoformat(), data["end"].isoformat())
        return export_response(table, fmt, name=name, view=self, charts=charts)

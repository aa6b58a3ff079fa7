"""``/api/v1/reports/``: aging, DSO, CEI, customers' payment behaviour and the cash forecast as
JSON for anyone who may read the organization's receivables, and the same URLs with
``?format=csv|xlsx|pdf`` as files for those who may export (CSV streams).

Views are thin: the query is checked by ``metrics.api_serializers`` (a bad value is a 400 naming
the parameter), the figures come from the metrics functions, the files from the tables of
``metrics.metric_tables``/``stats_tables`` through the export writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.permissions import membership_allows
from arhub.roles import Perm
from invoicing.api import OptionsMetadata
from invoicing.invoice_serializers import validated
from metrics import api_output as out
from metrics import api_serializers as s
from metrics.aging import aging_by_customer, aging_report
from metrics.aging_edges import aging_edges_text
from metrics.cei import CeiFigure, cei_months, cei_period, cei_quarters
from metrics.customer_stats import CustomerStats, customer_stats_list
from metrics.dso import dso_countback, dso_simple, dso_trend
from metrics.export_csv import csv_response
from metrics.export_pdf import PdfTooLarge, pdf_bytes
from metrics.export_xlsx import XLSX_CONTENT_TYPE, xlsx_bytes
from metrics.forecast import WeekForecast, cash_forecast, forecast_total
from metrics.metric_tables import aging_detail_table, aging_summary_table, cei_table, dso_table
from metrics.report_charts import aging_chart, cei_chart, dso_chart, month_name, quarter_label
from metrics.stats_tables import customers_table, forecast_table
from metrics.tables import Table, export_filename


class FileFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` picks the report's file here, not one of DRF's renderers; and a client that
    asks for the file by its type (``Accept: text/csv``) is answered, not refused with a 406
    before the view has seen the request (files bypass the renderers)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


FILE_RESPONSE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="With `format=csv|xlsx|pdf`: the report as a file (text/csv, "
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/pdf), "
    "as an attachment. Needs a role that may export (403 otherwise).",
)
ERRORS = (
    "A bad parameter is a 400 naming it: `as_of` in the future, an unknown `currency` or "
    "`format`, `edges` that do not increase, `end` before `start`."
)


def file_response(
    table: Table, fmt: str, *, name: Sequence[str], org: Any, charts: Sequence[str] = ()
) -> HttpResponseBase:
    """The table as ``fmt`` (csv streamed; xlsx and pdf whole)."""
    if fmt == "csv":
        return csv_response(table, export_filename(*name, ext="csv"))
    if fmt == "xlsx":
        body, content_type = xlsx_bytes(table), XLSX_CONTENT_TYPE
    else:
        try:
            body = pdf_bytes(table, org=org, charts=charts)
        except PdfTooLarge as exc:
            raise serializers.ValidationError({"format": [str(exc)]}) from None
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    filename = export_filename(*name, ext=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReportFile(NamedTuple):
    """What a report's file is made of: the table, its name after the org's slug, the charts."""

    table: Table
    name: tuple[str, ...]
    charts: Sequence[str] = ()


ReportApiT = TypeVar("ReportApiT", bound="ReportApi")


def report_schema(
    *, report: str, summary: str, description: str
) -> Callable[[type[ReportApiT]], type[ReportApiT]]:
    """The OpenAPI description of a report view's GET: its ``query_class`` as the parameters,
    JSON as its ``output_class``, or a file."""

    def decorate(view: type[ReportApiT]) -> type[ReportApiT]:
        schema = extend_schema(
            tags=["reports"],
            operation_id=f"reports_{report}",
            summary=summary,
            description=f"{description} {ERRORS}",
            parameters=[view.query_class],
            responses={200: view.output_class, (200, "application/octet-stream"): FILE_RESPONSE},
        )
        return extend_schema_view(get=schema)(view)

    return decorate


class ReportApi(OrgApiMixin, generics.GenericAPIView):
    """GET with the query of ``query_class``: ``report_data`` as ``output_class`` JSON, or
    ``report_file`` with ``format``."""

    metadata_class = OptionsMetadata  # type: ignore[assignment]
    content_negotiation_class = FileFormatNegotiation
    http_method_names = ["get", "options", "head"]
    query_class: type[s.ReportQuery]
    output_class: type[serializers.Serializer]

    def get(self, request: Request) -> HttpResponseBase:
        q = self.query()
        if q["format"] == "json":
            data = self.report_data(q)
            return Response(self.output_class(data, context={"currency": q["currency"]}).data)
        table, name, charts = self.report_file(q)
        return file_response(
            table, q["format"], name=(self.org.slug, *name), org=self.org, charts=charts
        )

    def query(self) -> dict[str, Any]:
        # An unknown format is a 400 naming it, whoever asks; a file is refused to a role
        # that may not export.
        fmt = self.request.query_params.get("format", "json")
        if fmt in s.FILE_FORMATS and not membership_allows(self.membership, Perm.EXPORT):
            raise exceptions.PermissionDenied("Your role may read reports but not download them.")
        return validated(
            self.query_class(data=self.request.query_params, context={"org": self.org})
        )

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        raise NotImplementedError


@report_schema(
    report="aging",
    summary="Aging: receivables by days past due",
    description="Totals, the buckets, and each customer's amounts.",
)
class AgingApi(ReportApi):
    query_class = s.AgingQuery
    output_class = out.AgingOutput

    def aging_args(self, q: dict[str, Any]) -> dict[str, Any]:
        return {"org": self.org, **{key: q[key] for key in ("as_of", "currency", "edges")}}

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        args = self.aging_args(q)
        report = aging_report(**args)
        return {
            **vars(report),
            "edges": aging_edges_text(q["edges"]),
            "customers": aging_by_customer(**args),
        }

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        args = self.aging_args(q)
        detail = q["view"] == "detail"
        table = (aging_detail_table if detail else aging_summary_table)(**args)
        charts = [] if detail else [aging_chart(aging_report(**args), show_title=True)]
        kind = "aging-detail" if detail else "aging-summary"
        return ReportFile(table, (kind, q["as_of"].isoformat(), q["currency"]), charts)


@report_schema(
    report="dso",
    summary="Days sales outstanding",
    description="The figure by the method asked for, and its trend over 12 month ends. A "
    "file has both methods side by side.",
)
class DsoApi(ReportApi):
    query_class = s.DsoQuery
    output_class = out.DsoOutput

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        org, as_of, currency, days = self.org, q["as_of"], q["currency"], q["period_days"]
        if q["method"] == "countback":
            figure = dso_countback(org=org, as_of=as_of, currency=currency)
            trend = dso_trend(org=org, as_of=as_of, currency=currency, method="countback")
        else:
            figure = dso_simple(org=org, as_of=as_of, currency=currency, period_days=days)
            trend = dso_trend(org=org, as_of=as_of, currency=currency, period_days=days)
        return {**vars(figure), "currency": currency, "trend": trend}

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        org, as_of, currency, days = self.org, q["as_of"], q["currency"], q["period_days"]
        simple = dso_trend(org=org, as_of=as_of, currency=currency, period_days=days)
        countback = dso_trend(org=org, as_of=as_of, currency=currency, method="countback")
        table = dso_table(simple=simple, countback=countback, currency=currency, period_days=days)
        charts = [dso_chart(simple, period_days=days, show_title=True)]
        return ReportFile(table, ("dso", as_of.isoformat(), currency), charts)


@report_schema(
    report="cei",
    summary="Collection effectiveness index",
    description="CEI for the period asked for, and by month and by quarter up to its end.",
)
class CeiApi(ReportApi):
    query_class = s.PeriodQuery
    output_class = out.CeiOutput

    def figures(self, q: dict[str, Any]) -> tuple[CeiFigure, list[CeiFigure], list[CeiFigure]]:
        """The chosen period, the last 12 months and the last 4 quarters up to its end."""
        org, start, end, currency = self.org, q["start"], q["end"], q["currency"]
        chosen = cei_period(org=org, start=start, end=end, currency=currency)
        months = cei_months(org=org, as_of=end, currency=currency, count=12)
        quarters = cei_quarters(org=org, as_of=end, currency=currency, count=4)
        return chosen, months, quarters

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        chosen, months, quarters = self.figures(q)
        return {**vars(chosen), "currency": q["currency"], "months": months, "quarters": quarters}

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        chosen, months, quarters = self.figures(q)
        start, end = q["start"], q["end"]
        rows = [
            ("Chosen period", chosen),
            *((quarter_label(f.start), f) for f in quarters),
            *((month_name(f.start), f) for f in months),
        ]
        title = "Collection effectiveness index"
        table = cei_table(rows=rows, currency=q["currency"], title=title, start=start, end=end)
        charts = [
            cei_chart(quarters, quarters=True, show_title=True),
            cei_chart(months, quarters=False, show_title=True),
        ]
        return ReportFile(table, ("cei", start.isoformat(), end.isoformat()), charts)


@report_schema(
    report="customers",
    summary="How each customer pays",
    description="Every customer with a paid or an open invoice in the currency: days to "
    "pay, days late, on-time share, open balance, broken promises and plans, disputes "
    "and the trend.",
)
class CustomersApi(ReportApi):
    query_class = s.CustomersQuery
    output_class = out.CustomersOutput

    def rows(self, q: dict[str, Any]) -> list[CustomerStats]:
        return customer_stats_list(
            org=self.org, as_of=q["as_of"], currency=q["currency"], limit=q.get("limit")
        )

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        return {"as_of": q["as_of"], "currency": q["currency"], "results": self.rows(q)}

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        as_of, currency = q["as_of"], q["currency"]
        table = customers_table(rows=self.rows(q), as_of=as_of, currency=currency)
        return ReportFile(table, ("customers", as_of.isoformat(), currency))


@report_schema(
    report="forecast",
    summary="Cash forecast, week by week",
    description="Expected receipts per week (Monday to Sunday) from open invoices, plan "
    "instalments and promises to pay, and the next four weeks together.",
)
class ForecastApi(ReportApi):
    query_class = s.ForecastQuery
    output_class = out.ForecastOutput

    def weeks(self, q: dict[str, Any]) -> list[WeekForecast]:
        return cash_forecast(
            org=self.org, as_of=q["as_of"], currency=q["currency"], weeks=q["weeks"]
        )

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        weeks = self.weeks(q)
        return {
            "as_of": q["as_of"],
            "currency": q["currency"],
            "next_4_weeks": forecast_total(weeks),
            "weeks": weeks,
        }

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        as_of, currency = q["as_of"], q["currency"]
        table = forecast_table(weeks=self.weeks(q), as_of=as_of, currency=currency)
        return ReportFile(table, ("forecast", as_of.isoformat(), currency))

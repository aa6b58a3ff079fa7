"""The report pages under /reports/: aging, DSO and CEI on screen, each downloadable as CSV,
XLSX or PDF with ``?format=``.

A page reads its form from the query string (``metrics.report_forms``); bad input is an error
on its field, and the page still renders. The same URL with ``format`` is the download: it
needs the EXPORT permission (a viewer reads the page but gets 403 here and sees no links), an
unknown format or bad input answers 400 naming the parameter. Figures come from
``metrics.aging``/``dso``/``cei``; downloads are the tables of ``metrics.metric_tables`` through
the writers of ``metrics.export_*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import urlencode
from django.views import View

from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from metrics.aging import aging_by_customer, aging_detail, aging_report
from metrics.aging_edges import bucket_limits
from metrics.export_csv import csv_response
from metrics.export_pdf import PdfTooLarge, pdf_bytes
from metrics.export_xlsx import xlsx_bytes
from metrics.metric_tables import aging_detail_table, aging_summary_table
from metrics.report_charts import aging_chart
from metrics.report_forms import REPORT_KEYS, AgingForm, ReportForm
from metrics.tables import Table, export_filename

FORMATS = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "pdf": "PDF",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# On screen the detail stops here; the download has every row.
DETAIL_ROWS_SHOWN = 500


def export_response(
    table: Table, fmt: str, *, name: Sequence[str], view: ReportView, charts: Sequence[str] = ()
) -> HttpResponseBase:
    if fmt == "csv":
        return csv_response(table, export_filename(*name, ext="csv"))
    if fmt == "xlsx":
        body, content_type, ext = xlsx_bytes(table), XLSX_TYPE, "xlsx"
    else:
        try:
            body = pdf_bytes(table, org=view.org, charts=charts)
        except PdfTooLarge as exc:
            return HttpResponseBadRequest(f"format: {exc}\n", content_type="text/plain")
        content_type, ext = "application/pdf", "pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(*name, ext=ext)}"'
    return response


class ReportView(OrgViewMixin, View):
    """GET renders the page; GET with ``format`` downloads it."""

    form_class: ClassVar[type[ReportForm]]
    template_name: ClassVar[str]
    # Query-string keys besides the form's that the page keeps in its links (a tab).
    extra_keys: ClassVar[tuple[str, ...]] = ()
    formats: ClassVar[dict[str, str]] = FORMATS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        fmt = request.GET.get("format", "")
        can_export = membership_allows(self.membership, Perm.EXPORT)
        if "format" in request.GET and not can_export:
            raise PermissionDenied("Your role may read reports but not download them.")
        if "format" in request.GET and fmt not in self.formats:
            return HttpResponseBadRequest(
                f"format: unknown format “{fmt}”; use one of {', '.join(self.formats)}.\n",
                content_type="text/plain",
            )
        form = self.make_form(request.GET)
        if fmt:
            if not form.is_valid():
                return HttpResponseBadRequest(form.errors_text(), content_type="text/plain")
            return self.export(form.cleaned_data, fmt)
        context: dict[str, Any] = {"view": self, "form": form, "can_export": can_export}
        if form.is_valid():
            context.update(self.figures(form.cleaned_data))
            query = self.query()
            context["query"] = query
            context["query_string"] = urlencode(query)
            if can_export:
                context["export_links"] = [
                    (label, "?" + urlencode({**query, "format": fmt}))
                    for fmt, label in self.formats.items()
                ]
        return render(request, self.template_name, context)

    def make_form(self, query: QueryDict) -> ReportForm:
        return self.form_class(query, org=self.org)

    def query(self) -> dict[str, str]:
        keys = (*REPORT_KEYS, *self.extra_keys)
        found: dict[str, str] = {}
        for key in keys:
            value = self.request.GET.get(key, "")
            if value:
                found[key] = value
        return found

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        raise NotImplementedError


class ReportIndexView(OrgViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"can_export": membership_allows(self.membership, Perm.EXPORT)}
        return render(request, "metrics/report_index.html", context)


class AgingReportView(ReportView):
    form_class = AgingForm
    template_name = "metrics/report_aging.html"
    extra_keys = ("view",)

    @property
    def detail(self) -> bool:
        return self.request.GET.get("view") == "detail"

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        args = {
            "org": self.org,
            "as_of": data["as_of"],
            "currency": data["currency"],
            "edges": data["edges"],
        }
        report = aging_report(**args)
        context: dict[str, Any] = {
            "report": report,
            "chart": aging_chart(report),
            "detail": self.detail,
            "labels": [label for label, _, _ in bucket_limits(data["edges"])],
        }
        summary_query = {k: v for k, v in self.query().items() if k != "view"}
        context["tabs"] = {
            "summary": "?" + urlencode(summary_query),
            "detail": "?" + urlencode({**summary_query, "view": "detail"}),
        }
        if self.detail:
            context["rows"] = list(islice(aging_detail(**args), DETAIL_ROWS_SHOWN))
            context["rows_left"] = max(report.invoice_count - DETAIL_ROWS_SHOWN, 0)
        else:
            context["rows"] = aging_by_customer(**args)
        return context

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        args = {
            "org": self.org,
            "as_of": data["as_of"],
            "currency": data["currency"],
            "edges": data["edges"],
        }
        build = aging_detail_table if self.detail else aging_summary_table
        kind = "aging-detail" if self.detail else "aging-summary"
        charts: list[str] = []
        if fmt == "pdf" and not self.detail:
            charts.append(aging_chart(aging_report(**args), show_title=True))
        name = (self.org.slug, kind, data["as_of"].isoformat(), data["currency"])
        return export_response(build(**args), fmt, name=name, view=self, charts=charts)

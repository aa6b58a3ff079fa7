"""One customer's page under /reports/customers/<id>/: what they owed on a day, by bucket and
invoice, and how they pay (``metrics.customer_stats``), in one currency. The download is their
aging detail. Another organization's customer is a 404."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase

from invoicing.selectors import customer_get
from metrics.aging import aging_detail, aging_report
from metrics.aging_edges import bucket_limits
from metrics.customer_stats import customer_stats
from metrics.metric_tables import aging_detail_table
from metrics.report_charts import aging_chart
from metrics.report_forms import CustomerAgingForm, ReportForm
from metrics.report_views import DETAIL_ROWS_SHOWN, ReportView, export_response


class CustomerReportView(ReportView):
    form_class = CustomerAgingForm
    template_name = "metrics/report_customer.html"

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponseBase:  # type: ignore[override]
        self.customer = customer_get(org=self.org, customer_id=customer_id)
        return super().get(request)

    def make_form(self, query: QueryDict) -> ReportForm:
        return CustomerAgingForm(query, org=self.org, customer=self.customer)

    def _args(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"org": self.org, "as_of": data["as_of"], "currency": data["currency"]}

    def figures(self, data: dict[str, Any]) -> dict[str, Any]:
        args, pk = self._args(data), self.customer.pk
        report = aging_report(**args, edges=data["edges"], customer_id=pk)
        rows = aging_detail(**args, edges=data["edges"], customer_id=pk)
        return {
            "stats": customer_stats(**args, customer_id=pk),
            "report": report,
            "chart": aging_chart(report),
            "labels": [label for label, _, _ in bucket_limits(data["edges"])],
            "rows": list(islice(rows, DETAIL_ROWS_SHOWN)),
            "rows_left": max(report.invoice_count - DETAIL_ROWS_SHOWN, 0),
        }

    def export(self, data: dict[str, Any], fmt: str) -> HttpResponseBase:
        table = aging_detail_table(**self._args(data), edges=data["edges"], customer=self.customer)
        name = (self.org.slug, "aging", self.customer.display_name, data["as_of"].isoformat())
        return export_response(table, fmt, name=(*name, data["currency"]), view=self)

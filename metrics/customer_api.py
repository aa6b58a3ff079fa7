"""``/api/v1/reports/customers/<id>/``: one customer's aging and payment habits as of a day,
as JSON or (``?format=``) their aging detail as a file, under the rules of
``metrics.api.ReportApi``. Another organization's customer is a 404."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from rest_framework.request import Request

from invoicing.selectors import customer_get
from metrics import api_output as out
from metrics import api_serializers as s
from metrics.aging import aging_detail, aging_report
from metrics.aging_edges import aging_edges_text
from metrics.api import ReportApi, ReportFile, report_schema
from metrics.customer_stats import customer_stats
from metrics.metric_tables import aging_detail_table


@report_schema(
    report="customer",
    summary="One customer: aging and how they pay",
    description="What the customer owed on `as_of` by bucket and by invoice, with their days "
    "to pay, days late, on-time share, broken promises and plans, disputes and trend. The "
    "currency is the customer's own unless another is asked for.",
)
class CustomerReportApi(ReportApi):
    query_class = s.AgingQuery
    output_class = out.CustomerReportOutput

    def get(self, request: Request, customer_id: int) -> HttpResponseBase:  # type: ignore[override]
        self.customer = customer_get(org=self.org, customer_id=customer_id)
        return super().get(request)

    def query(self) -> dict[str, Any]:
        q = super().query()
        if "currency" not in self.request.query_params:
            q["currency"] = self.customer.currency
        return q

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        args = {"org": self.org, "as_of": q["as_of"], "currency": q["currency"]}
        pk = self.customer.pk
        report = aging_report(**args, edges=q["edges"], customer_id=pk)
        return {
            **vars(report),
            "edges": aging_edges_text(q["edges"]),
            "stats": customer_stats(**args, customer_id=pk),
            "invoices": list(aging_detail(**args, edges=q["edges"], customer_id=pk)),
        }

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        table = aging_detail_table(
            org=self.org,
            as_of=q["as_of"],
            currency=q["currency"],
            edges=q["edges"],
            customer=self.customer,
        )
        name = ("aging", self.customer.display_name, q["as_of"].isoformat(), q["currency"])
        return ReportFile(table, name)

from django.urls import path

from metrics import (
    customer_report_views,
    insight_views,
    register_views,
    report_trend_views,
    report_views,
    statement_views,
)
from metrics.register_views import PERIOD_REPORTS

period_pages = {
    "report_register": "reports/invoices/",
    "report_payments": "reports/payments/",
    "report_credit_notes": "reports/credit-notes/",
    "report_adjustments": "reports/discounts-and-fees/",
}

urlpatterns = [
    path("reports/", report_views.ReportIndexView.as_view(), name="reports"),
    path("reports/aging/", report_views.AgingReportView.as_view(), name="report_aging"),
    path("reports/dso/", report_trend_views.DsoReportView.as_view(), name="report_dso"),
    path("reports/cei/", report_trend_views.CeiReportView.as_view(), name="report_cei"),
    *(
        path(route, register_views.PeriodReportView.as_view(report=PERIOD_REPORTS[name]), name=name)
        for name, route in period_pages.items()
    ),
    path(
        "reports/accounting/",
        register_views.AccountingExportView.as_view(),
        name="report_accounting",
    ),
    path("reports/customers/", insight_views.CustomerTrendsView.as_view(), name="report_customers"),
    path(
        "reports/customers/<int:customer_id>/",
        customer_report_views.CustomerReportView.as_view(),
        name="report_customer",
    ),
    path("reports/forecast/", insight_views.ForecastView.as_view(), name="report_forecast"),
    path("reports/statements/", statement_views.StatementsView.as_view(), name="report_statements"),
]

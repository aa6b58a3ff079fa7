"""``/api/v1/reports/``: the reports as JSON or files, and background exports."""

from django.urls import URLPattern, URLResolver, path

from metrics import activity_api, api, customer_api, export_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/aging/", api.AgingApi.as_view(), name="api_report_aging"),
    path("reports/dso/", api.DsoApi.as_view(), name="api_report_dso"),
    path("reports/cei/", api.CeiApi.as_view(), name="api_report_cei"),
    path("reports/customers/", api.CustomersApi.as_view(), name="api_report_customers"),
    path(
        "reports/customers/<int:customer_id>/",
        customer_api.CustomerReportApi.as_view(),
        name="api_report_customer",
    ),
    path("reports/forecast/", api.ForecastApi.as_view(), name="api_report_forecast"),
    path("reports/activity/", activity_api.ActivityApi.as_view(), name="api_report_activity"),
    path("reports/exports/", export_api.ExportListCreateApi.as_view(), name="api_report_exports"),
    path(
        "reports/exports/<int:job_id>/",
        export_api.ExportDetailApi.as_view(),
        name="api_report_export",
    ),
    path(
        "reports/exports/<int:job_id>/download/",
        export_api.ExportDownloadApi.as_view(),
        name="api_report_export_download",
    ),
]

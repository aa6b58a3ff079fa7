"""The exports pages: recent exports and a new one, a job's page, status and download, and the
member's monthly report email. Included by arhub/urls.py at the site root."""

from django.urls import URLPattern, URLResolver, path

from metrics import export_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/exports/", export_views.ExportListView.as_view(), name="exports"),
    path(
        "reports/exports/schedule/",
        export_views.ExportScheduleView.as_view(),
        name="export_schedule",
    ),
    path("reports/exports/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path(
        "reports/exports/<int:pk>/status.json",
        export_views.ExportJobStatusView.as_view(),
        name="export_job_status",
    ),
    path(
        "reports/exports/<int:pk>/download/",
        export_views.ExportJobDownloadView.as_view(),
        name="export_job_download",
    ),
]

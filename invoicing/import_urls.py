"""Importing customers from CSV (issue 4)."""

from django.urls import URLPattern, URLResolver, path

from invoicing import import_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("customers/import/", import_views.CustomerImportView.as_view(), name="customer_import"),
    path(
        "customers/import/template.csv",
        import_views.CustomerImportTemplateView.as_view(),
        name="customer_import_template",
    ),
    path(
        "customers/import/<int:pk>/",
        import_views.CustomerImportDetailView.as_view(),
        name="customer_import_detail",
    ),
    path(
        "customers/import/<int:pk>/progress.json",
        import_views.CustomerImportProgressView.as_view(),
        name="customer_import_progress",
    ),
]

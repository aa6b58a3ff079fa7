"""The invoice list, its bulk actions, and the zips of PDFs they make."""

from django.urls import URLPattern, URLResolver, path

from invoicing import invoice_list_bulk, invoice_list_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoices/", invoice_list_views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/bulk/", invoice_list_bulk.InvoiceBulkView.as_view(), name="invoice_bulk"),
    path(
        "invoices/bulk/void/",
        invoice_list_bulk.InvoiceBulkVoidView.as_view(),
        name="invoice_bulk_void",
    ),
    path(
        "invoices/exports/<int:pk>/",
        invoice_list_bulk.InvoiceExportView.as_view(),
        name="invoice_export",
    ),
    path(
        "invoices/exports/<int:pk>/progress.json",
        invoice_list_bulk.InvoiceExportProgressView.as_view(),
        name="invoice_export_progress",
    ),
    path(
        "invoices/exports/<int:pk>/download/",
        invoice_list_bulk.InvoiceExportDownloadView.as_view(),
        name="invoice_export_download",
    ),
]

"""PDF downloads of invoices and credit notes (the pay page has its own, in payments)."""

from django.urls import URLPattern, URLResolver, path

from invoicing import pdf_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoices/<int:pk>/pdf/", pdf_views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "invoices/<int:pk>/pdf/preview/",
        pdf_views.InvoicePdfPreviewView.as_view(),
        name="invoice_pdf_preview",
    ),
    path(
        "credit-notes/<int:pk>/pdf/",
        pdf_views.CreditNotePdfView.as_view(),
        name="credit_note_pdf",
    ),
]

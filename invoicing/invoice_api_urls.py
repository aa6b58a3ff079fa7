"""``/api/v1/invoices/`` with its actions and credit notes, ``/api/v1/credit-notes/``,
``/api/v1/tax-rates/`` and ``/api/v1/payment-terms/``."""

from django.urls import URLPattern, URLResolver, path

from invoicing import (
    invoice_api,
    invoice_api_actions,
    invoice_api_credits,
    invoice_api_pdf,
    invoice_api_tax_rates,
    invoice_api_terms,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoices/", invoice_api.InvoiceListCreateApi.as_view(), name="api_invoices"),
    path("invoices/<int:invoice_id>/", invoice_api.InvoiceDetailApi.as_view(), name="api_invoice"),
    path(
        "invoices/<int:invoice_id>/issue/",
        invoice_api_actions.InvoiceIssueApi.as_view(),
        name="api_invoice_issue",
    ),
    path(
        "invoices/<int:invoice_id>/void/",
        invoice_api_actions.InvoiceVoidApi.as_view(),
        name="api_invoice_void",
    ),
    path(
        "invoices/<int:invoice_id>/write-off/",
        invoice_api_actions.InvoiceWriteOffApi.as_view(),
        name="api_invoice_write_off",
    ),
    path(
        "invoices/<int:invoice_id>/send/",
        invoice_api_actions.InvoiceSendApi.as_view(),
        name="api_invoice_send",
    ),
    path(
        "invoices/<int:invoice_id>/duplicate/",
        invoice_api_actions.InvoiceDuplicateApi.as_view(),
        name="api_invoice_duplicate",
    ),
    path(
        "invoices/<int:invoice_id>/pdf/",
        invoice_api_pdf.InvoicePdfApi.as_view(),
        name="api_invoice_pdf",
    ),
    path(
        "invoices/<int:invoice_id>/credit-notes/",
        invoice_api_credits.InvoiceCreditNoteListCreateApi.as_view(),
        name="api_invoice_credit_notes",
    ),
    path("credit-notes/", invoice_api_credits.CreditNoteListApi.as_view(), name="api_credit_notes"),
    path(
        "credit-notes/<int:credit_note_id>/",
        invoice_api_credits.CreditNoteDetailApi.as_view(),
        name="api_credit_note",
    ),
    path(
        "credit-notes/<int:credit_note_id>/pdf/",
        invoice_api_pdf.CreditNotePdfApi.as_view(),
        name="api_credit_note_pdf",
    ),
    path("tax-rates/", invoice_api_tax_rates.TaxRateListCreateApi.as_view(), name="api_tax_rates"),
    path(
        "tax-rates/<int:tax_rate_id>/",
        invoice_api_tax_rates.TaxRateDetailApi.as_view(),
        name="api_tax_rate",
    ),
    path(
        "payment-terms/",
        invoice_api_terms.PaymentTermsListCreateApi.as_view(),
        name="api_payment_terms_list",
    ),
    path(
        "payment-terms/<int:terms_id>/",
        invoice_api_terms.PaymentTermsDetailApi.as_view(),
        name="api_payment_terms",
    ),
]

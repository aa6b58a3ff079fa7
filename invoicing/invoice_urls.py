"""Routes for one invoice: the editor, the invoice page and its actions, credit notes."""

from django.urls import URLPattern, URLResolver, path

from invoicing import invoice_action_views as actions
from invoicing import invoice_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoices/new/", views.InvoiceCreateView.as_view(), name="invoice_create"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.InvoiceEditView.as_view(), name="invoice_edit"),
    path("invoices/<int:pk>/issue/", actions.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/send/", actions.InvoiceSendView.as_view(), name="invoice_send"),
    path("invoices/<int:pk>/void/", actions.InvoiceVoidView.as_view(), name="invoice_void"),
    path(
        "invoices/<int:pk>/write-off/",
        actions.InvoiceWriteOffView.as_view(),
        name="invoice_write_off",
    ),
    path(
        "invoices/<int:pk>/duplicate/",
        actions.InvoiceDuplicateView.as_view(),
        name="invoice_duplicate",
    ),
    path("invoices/<int:pk>/delete/", actions.InvoiceDeleteView.as_view(), name="invoice_delete"),
    path(
        "invoices/<int:pk>/pay-link/replace/",
        actions.InvoicePayLinkRevokeView.as_view(),
        name="invoice_pay_link_revoke",
    ),
    path(
        "invoices/<int:pk>/credit-notes/new/",
        actions.CreditNoteCreateView.as_view(),
        name="credit_note_create",
    ),
]

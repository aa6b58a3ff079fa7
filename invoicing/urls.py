from django.urls import include, path

from invoicing import customer_page_views, views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customers"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path(
        "customers/<int:pk>/",
        customer_page_views.CustomerDetailView.as_view(),
        name="customer_detail",
    ),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path(
        "customers/<int:pk>/notes/",
        customer_page_views.CustomerNoteAddView.as_view(),
        name="customer_note_add",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/consent/",
        customer_page_views.CustomerConsentRecordView.as_view(),
        name="customer_consent_record",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/consent/revoke/",
        customer_page_views.CustomerConsentRevokeView.as_view(),
        name="customer_consent_revoke",
    ),
    path("", include("invoicing.invoice_list_urls")),
    path("", include("invoicing.invoice_urls")),
    path("", include("invoicing.pdf_urls")),
    path("", include("invoicing.recurring_urls")),
    path("", include("invoicing.settings_urls")),
]

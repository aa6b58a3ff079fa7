"""Settings -> Invoices, Payment terms and Tax rates."""

from django.urls import URLPattern, URLResolver, path

from invoicing import settings_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/invoices/", views.InvoiceSettingsView.as_view(), name="invoice_settings"),
    path("settings/payment-terms/", views.PaymentTermsListView.as_view(), name="payment_terms"),
    path(
        "settings/payment-terms/new/",
        views.PaymentTermsCreateView.as_view(),
        name="payment_terms_create",
    ),
    path(
        "settings/payment-terms/<int:pk>/",
        views.PaymentTermsEditView.as_view(),
        name="payment_terms_edit",
    ),
    path(
        "settings/payment-terms/<int:pk>/default/",
        views.PaymentTermsDefaultView.as_view(),
        name="payment_terms_default",
    ),
    path(
        "settings/payment-terms/<int:pk>/delete/",
        views.PaymentTermsDeleteView.as_view(),
        name="payment_terms_delete",
    ),
    path("settings/tax-rates/", views.TaxRateListView.as_view(), name="tax_rates"),
    path("settings/tax-rates/<int:pk>/", views.TaxRateEditView.as_view(), name="tax_rate_edit"),
    path(
        "settings/tax-rates/<int:pk>/retire/",
        views.TaxRateActiveView.as_view(active=False),
        name="tax_rate_retire",
    ),
    path(
        "settings/tax-rates/<int:pk>/reactivate/",
        views.TaxRateActiveView.as_view(active=True),
        name="tax_rate_reactivate",
    ),
    path(
        "settings/tax-rates/<int:pk>/delete/",
        views.TaxRateDeleteView.as_view(),
        name="tax_rate_delete",
    ),
]

"""``/api/v1/customers/`` and each customer's contacts; invoices and what goes with them."""

from django.urls import URLPattern, URLResolver, include, path

from invoicing import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("customers/", api.CustomerListCreateApi.as_view(), name="api_customers"),
    path("customers/<int:customer_id>/", api.CustomerDetailApi.as_view(), name="api_customer"),
    path(
        "customers/<int:customer_id>/contacts/",
        api.ContactListCreateApi.as_view(),
        name="api_customer_contacts",
    ),
    path(
        "customers/<int:customer_id>/contacts/<int:contact_id>/",
        api.ContactDetailApi.as_view(),
        name="api_customer_contact",
    ),
    path("", include("invoicing.invoice_api_urls")),
    path("", include("invoicing.recurring_api_urls")),
]

"""Routes: filled in by the module's owner."""

from django.urls import URLPattern, URLResolver, path

from invoicing import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("invoices/", views.InvoicesView.as_view(), name="invoices"),
]

from django.urls import path

from invoicing import views

urlpatterns = [
    path("customers/", views.CustomersView.as_view(), name="customers"),
    path("invoices/", views.InvoicesView.as_view(), name="invoices"),
]

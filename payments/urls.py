from django.urls import path

from payments import views

urlpatterns = [
    path("payments/", views.PaymentsView.as_view(), name="payments"),
    path("plans/", views.PlansView.as_view(), name="plans"),
]

from django.urls import path

from metrics import views

urlpatterns = [
    path("reports/", views.ReportsView.as_view(), name="reports"),
]

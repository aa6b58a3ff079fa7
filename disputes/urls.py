from django.urls import path

from disputes import views

urlpatterns = [
    path("disputes/", views.DisputesView.as_view(), name="disputes"),
]

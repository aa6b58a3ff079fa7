from django.urls import path

from reminders import views

urlpatterns = [
    path("reminders/", views.RemindersView.as_view(), name="reminders"),
]

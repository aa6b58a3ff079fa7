"""``/api/v1/reminder-policy/``, one policy, and its ``make-default/`` action; an invoice's
reminder timeline with ``pause/`` and ``resume/``; a customer's reminder policy and pause."""

from django.urls import URLPattern, URLResolver, path

from reminders import api, customer_reminders_api, timeline_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reminder-policy/", api.PolicyListCreateApi.as_view(), name="api_reminder_policies"),
    path(
        "reminder-policy/<int:policy_id>/",
        api.PolicyDetailApi.as_view(),
        name="api_reminder_policy",
    ),
    path(
        "reminder-policy/<int:policy_id>/make-default/",
        api.PolicyMakeDefaultApi.as_view(),
        name="api_reminder_policy_make_default",
    ),
    # An invoice's reminder timeline and its pause; a customer's policy and pause.
    path(
        "invoices/<int:invoice_id>/reminders/",
        timeline_api.InvoiceRemindersApi.as_view(),
        name="api_invoice_reminders",
    ),
    path(
        "invoices/<int:invoice_id>/reminders/pause/",
        timeline_api.InvoiceRemindersPauseApi.as_view(),
        name="api_invoice_reminders_pause",
    ),
    path(
        "invoices/<int:invoice_id>/reminders/resume/",
        timeline_api.InvoiceRemindersResumeApi.as_view(),
        name="api_invoice_reminders_resume",
    ),
    path(
        "customers/<int:customer_id>/reminders/",
        customer_reminders_api.CustomerRemindersApi.as_view(),
        name="api_customer_reminders",
    ),
]

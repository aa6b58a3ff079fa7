"""``/api/v1/recurring-invoices/``: templates that become one invoice per period."""

from django.urls import URLPattern, URLResolver, path

from invoicing import recurring_api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "recurring-invoices/",
        recurring_api.RecurringListCreateApi.as_view(),
        name="api_recurring_invoices",
    ),
    path(
        "recurring-invoices/<int:recurring_id>/",
        recurring_api.RecurringDetailApi.as_view(),
        name="api_recurring_invoice",
    ),
    path(
        "recurring-invoices/<int:recurring_id>/pause/",
        recurring_api.RecurringPauseApi.as_view(),
        name="api_recurring_invoice_pause",
    ),
    path(
        "recurring-invoices/<int:recurring_id>/resume/",
        recurring_api.RecurringResumeApi.as_view(),
        name="api_recurring_invoice_resume",
    ),
    path(
        "recurring-invoices/<int:recurring_id>/finish/",
        recurring_api.RecurringFinishApi.as_view(),
        name="api_recurring_invoice_finish",
    ),
]

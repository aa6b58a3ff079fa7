from django.urls import path

from reminders import pause_views, policy_action_views, policy_views, views

urlpatterns = [
    path("reminders/", views.RemindersView.as_view(), name="reminders"),
    path(
        "reminders/policies/new/",
        policy_views.PolicyCreateView.as_view(),
        name="reminder_policy_new",
    ),
    path(
        "reminders/policies/<int:policy_id>/",
        policy_views.PolicyEditView.as_view(),
        name="reminder_policy",
    ),
    path(
        "reminders/policies/<int:policy_id>/make-default/",
        policy_action_views.PolicyMakeDefaultView.as_view(),
        name="reminder_policy_make_default",
    ),
    path(
        "reminders/policies/<int:policy_id>/delete/",
        policy_action_views.PolicyDeleteView.as_view(),
        name="reminder_policy_delete",
    ),
    path(
        "reminders/preview/",
        policy_views.StepPreviewView.as_view(),
        name="reminder_step_preview",
    ),
    path(
        "invoices/<int:invoice_pk>/reminders/pause/",
        pause_views.InvoiceRemindersPauseView.as_view(),
        name="invoice_reminders_pause",
    ),
    path(
        "invoices/<int:invoice_pk>/reminders/resume/",
        pause_views.InvoiceRemindersResumeView.as_view(),
        name="invoice_reminders_resume",
    ),
    path(
        "customers/<int:customer_pk>/reminders/policy/",
        pause_views.CustomerRemindersPolicyView.as_view(),
        name="customer_reminders_policy",
    ),
    path(
        "customers/<int:customer_pk>/reminders/pause/",
        pause_views.CustomerRemindersPauseView.as_view(),
        name="customer_reminders_pause",
    ),
    path(
        "customers/<int:customer_pk>/reminders/resume/",
        pause_views.CustomerRemindersResumeView.as_view(),
        name="customer_reminders_resume",
    ),
]

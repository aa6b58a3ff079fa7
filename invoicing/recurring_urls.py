"""Dashboard routes for recurring invoices."""

from django.urls import URLPattern, URLResolver, path

from invoicing import recurring_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("recurring/", views.RecurringListView.as_view(), name="recurring_list"),
    path("recurring/new/", views.RecurringCreateView.as_view(), name="recurring_create"),
    path("recurring/<int:pk>/", views.RecurringDetailView.as_view(), name="recurring_detail"),
    path("recurring/<int:pk>/edit/", views.RecurringEditView.as_view(), name="recurring_edit"),
    path("recurring/<int:pk>/pause/", views.RecurringPauseView.as_view(), name="recurring_pause"),
    path(
        "recurring/<int:pk>/resume/", views.RecurringResumeView.as_view(), name="recurring_resume"
    ),
    path(
        "recurring/<int:pk>/finish/", views.RecurringFinishView.as_view(), name="recurring_finish"
    ),
    path(
        "recurring/<int:pk>/delete/", views.RecurringDeleteView.as_view(), name="recurring_delete"
    ),
]

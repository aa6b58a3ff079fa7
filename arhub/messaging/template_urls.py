"""Dashboard routes of messaging: Settings -> Messages, where the owner words each message."""

from django.urls import URLPattern, URLResolver, path

from arhub.messaging import views

_ONE = "settings/messages/<str:kind>/<str:channel>/<str:language>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/messages/", views.MessageTemplateListView.as_view(), name="message_templates"),
    path(_ONE, views.MessageTemplateEditView.as_view(), name="message_template_edit"),
    path(
        _ONE + "preview/",
        views.MessageTemplatePreviewView.as_view(),
        name="message_template_preview",
    ),
    path(_ONE + "reset/", views.MessageTemplateResetView.as_view(), name="message_template_reset"),
]

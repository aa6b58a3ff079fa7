"""API routes of messaging, under /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from arhub.messaging import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("messages/", api.MessageListApi.as_view(), name="api_messages"),
]

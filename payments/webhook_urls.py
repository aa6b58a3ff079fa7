"""Webhooks from payment providers: public, each authenticated by its own signature."""

from django.urls import URLPattern, URLResolver, path

from payments import webhooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/stripe/<slug:org_slug>/", webhooks.stripe_webhook, name="stripe_webhook"),
]

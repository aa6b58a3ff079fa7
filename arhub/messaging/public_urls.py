"""Public messaging routes: provider webhooks and the customer's unsubscribe link. None of them
uses a session; each is authenticated by what it carries (a provider's signature or basic auth,
or a signed link)."""

from django.urls import URLPattern, URLResolver, include, path

from arhub.messaging import unsubscribe_views, webhooks

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/sms/", webhooks.webhook_sms, name="webhook_sms"),
    # django-anymail's tracking (and inbound) webhooks, one per ESP, e.g.
    # /webhooks/email/postmark/tracking/, authenticated by ANYMAIL["WEBHOOK_SECRET"] (basic
    # auth) and by the ESP's own signature where it has one. Events reach
    # arhub.messaging.tracking through anymail's `tracking` signal.
    path("webhooks/email/", include("anymail.urls")),
    path("u/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
]

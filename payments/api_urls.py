"""``/api/v1/payments/``, one payment, and its actions."""

from django.urls import URLPattern, URLResolver, path

from payments import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("payments/", api.PaymentListCreateApi.as_view(), name="api_payments"),
    path("payments/<int:payment_id>/", api.PaymentDetailApi.as_view(), name="api_payment"),
    path(
        "payments/<int:payment_id>/reverse/",
        api.PaymentReverseApi.as_view(),
        name="api_payment_reverse",
    ),
    path(
        "payments/<int:payment_id>/apply-credit/",
        api.PaymentApplyCreditApi.as_view(),
        name="api_payment_apply_credit",
    ),
]

"""``/api/v1/payments/``, one payment, and its actions; the organization's payment settings."""

from django.urls import URLPattern, URLResolver, path

from payments import api, late_fee_api, settings_api

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
    path(
        "organization/payments/",
        settings_api.PaymentSettingsApi.as_view(),
        name="api_payment_settings",
    ),
    path(
        "organization/payments/test-connection/",
        settings_api.PaymentSettingsTestApi.as_view(),
        name="api_payment_settings_test",
    ),
    path(
        "invoices/<int:invoice_id>/late-fees/",
        late_fee_api.LateFeeListApi.as_view(),
        name="api_invoice_late_fees",
    ),
    path(
        "invoices/<int:invoice_id>/late-fees/<int:fee_id>/waive/",
        late_fee_api.LateFeeWaiveApi.as_view(),
        name="api_invoice_late_fee_waive",
    ),
]

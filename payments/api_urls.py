"""``/api/v1/payments/``, one payment, and its actions; the organization's payment settings."""

from django.urls import URLPattern, URLResolver, path

from payments import api, late_fee_api, plan_api, promise_api, settings_api

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
    path("promises/", promise_api.PromiseListCreateApi.as_view(), name="api_promises"),
    path("promises/<int:promise_id>/", promise_api.PromiseDetailApi.as_view(), name="api_promise"),
    path(
        "promises/<int:promise_id>/cancel/",
        promise_api.PromiseCancelApi.as_view(),
        name="api_promise_cancel",
    ),
    # Payment plans
    path("payment-plans/", plan_api.PlanListCreateApi.as_view(), name="api_payment_plans"),
    path("payment-plans/<int:plan_id>/", plan_api.PlanDetailApi.as_view(), name="api_payment_plan"),
    path(
        "payment-plans/<int:plan_id>/approve/",
        plan_api.PlanApproveApi.as_view(),
        name="api_payment_plan_approve",
    ),
    path(
        "payment-plans/<int:plan_id>/decline/",
        plan_api.PlanDeclineApi.as_view(),
        name="api_payment_plan_decline",
    ),
    path(
        "payment-plans/<int:plan_id>/counter/",
        plan_api.PlanCounterApi.as_view(),
        name="api_payment_plan_counter",
    ),
    path(
        "payment-plans/<int:plan_id>/cancel/",
        plan_api.PlanCancelApi.as_view(),
        name="api_payment_plan_cancel",
    ),
    path(
        "payment-plans/<int:plan_id>/instalments/<int:instalment_id>/move/",
        plan_api.InstalmentMoveApi.as_view(),
        name="api_payment_plan_instalment_move",
    ),
]

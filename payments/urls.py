from django.urls import include, path

from payments import (
    late_fee_views,
    payment_detail_views,
    payment_form_views,
    payment_list_views,
    promise_views,
    settings_views,
    stripe_review_views,
)

urlpatterns = [
    path("payments/", payment_list_views.PaymentListView.as_view(), name="payments"),
    path("payments/new/", payment_form_views.PaymentCreateView.as_view(), name="payment_create"),
    path(
        "payments/<int:pk>/",
        payment_detail_views.PaymentDetailView.as_view(),
        name="payment_detail",
    ),
    path(
        "payments/<int:pk>/apply-credit/",
        payment_detail_views.PaymentApplyCreditView.as_view(),
        name="payment_apply_credit",
    ),
    path(
        "payments/<int:pk>/reverse/",
        payment_detail_views.PaymentReverseView.as_view(),
        name="payment_reverse",
    ),
    path(
        "payments/credit/<int:customer_pk>/apply/",
        payment_detail_views.CustomerCreditApplyView.as_view(),
        name="customer_credit_apply",
    ),
    path(
        "invoices/<int:invoice_pk>/late-fees/<int:pk>/waive/",
        late_fee_views.LateFeeWaiveView.as_view(),
        name="late_fee_waive",
    ),
    # Payment plans: the list, one plan and the owner's decisions, offering (payments.plan_urls).
    path("", include("payments.plan_urls")),
    path("payments/promises/", promise_views.PromiseListView.as_view(), name="promises"),
    path(
        "payments/promises/<int:pk>/cancel/",
        promise_views.PromiseCancelView.as_view(),
        name="promise_cancel",
    ),
    path(
        "invoices/<int:invoice_pk>/promise/",
        promise_views.InvoicePromiseCreateView.as_view(),
        name="invoice_promise_create",
    ),
    path(
        "payments/review/", stripe_review_views.StripeReviewListView.as_view(), name="stripe_review"
    ),
    path(
        "payments/review/<int:pk>/",
        stripe_review_views.StripeReviewDetailView.as_view(),
        name="stripe_review_detail",
    ),
    path(
        "payments/review/<int:pk>/credit/",
        stripe_review_views.StripeReviewCreditView.as_view(),
        name="stripe_review_credit",
    ),
    path(
        "payments/review/<int:pk>/dismiss/",
        stripe_review_views.StripeReviewDismissView.as_view(),
        name="stripe_review_dismiss",
    ),
    path(
        "settings/payments/", settings_views.PaymentSettingsView.as_view(), name="payment_settings"
    ),
    path(
        "settings/payments/stripe/",
        settings_views.StripeConnectView.as_view(),
        name="payment_settings_stripe",
    ),
    path(
        "settings/payments/stripe/test/",
        settings_views.StripeTestView.as_view(),
        name="payment_settings_stripe_test",
    ),
    path(
        "settings/payments/stripe/disconnect/",
        settings_views.StripeDisconnectView.as_view(),
        name="payment_settings_stripe_disconnect",
    ),
]

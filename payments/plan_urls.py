"""The dashboard's payment plan pages (included by ``payments.urls``)."""

from django.urls import URLPattern, path

from payments import plan_offer_views, plan_views

urlpatterns: list[URLPattern] = [
    path("payments/plans/", plan_views.PlanListView.as_view(), name="plan_list"),
    path("payments/plans/new/", plan_offer_views.PlanOfferView.as_view(), name="plan_offer"),
    path("payments/plans/<int:pk>/", plan_views.PlanDetailView.as_view(), name="plan_detail"),
    path(
        "payments/plans/<int:pk>/approve/",
        plan_views.PlanApproveView.as_view(),
        name="plan_approve",
    ),
    path(
        "payments/plans/<int:pk>/decline/",
        plan_views.PlanDeclineView.as_view(),
        name="plan_decline",
    ),
    path(
        "payments/plans/<int:pk>/counter/",
        plan_offer_views.PlanCounterView.as_view(),
        name="plan_counter",
    ),
    path(
        "payments/plans/<int:pk>/cancel/", plan_views.PlanCancelView.as_view(), name="plan_cancel"
    ),
    path(
        "payments/plans/<int:pk>/move/",
        plan_views.InstalmentMoveView.as_view(),
        name="plan_instalment_move",
    ),
]

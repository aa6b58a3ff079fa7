"""``/api/v1/disputes/``, one dispute, its actions and its attachments."""

from django.urls import URLPattern, URLResolver, path

from disputes import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("disputes/", api.DisputeListCreateApi.as_view(), name="api_disputes"),
    path("disputes/<int:dispute_id>/", api.DisputeDetailApi.as_view(), name="api_dispute"),
    path(
        "disputes/<int:dispute_id>/reply/", api.DisputeReplyApi.as_view(), name="api_dispute_reply"
    ),
    path(
        "disputes/<int:dispute_id>/review/",
        api.DisputeReviewApi.as_view(),
        name="api_dispute_review",
    ),
    path(
        "disputes/<int:dispute_id>/resolve/",
        api.DisputeResolveApi.as_view(),
        name="api_dispute_resolve",
    ),
    path(
        "disputes/<int:dispute_id>/attachments/<int:attachment_id>/",
        api.DisputeAttachmentApi.as_view(),
        name="api_dispute_attachment",
    ),
]

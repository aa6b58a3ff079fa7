from django.urls import path

from disputes import views

urlpatterns = [
    path("disputes/", views.DisputeListView.as_view(), name="disputes"),
    path("disputes/settings/", views.DisputeSettingsView.as_view(), name="dispute_settings"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="dispute_detail"),
    path("disputes/<int:pk>/reply/", views.DisputeReplyView.as_view(), name="dispute_reply"),
    path("disputes/<int:pk>/review/", views.DisputeReviewView.as_view(), name="dispute_review"),
    path("disputes/<int:pk>/resolve/", views.DisputeResolveView.as_view(), name="dispute_resolve"),
    path(
        "disputes/<int:pk>/attachments/<int:attachment_pk>/",
        views.DisputeAttachmentView.as_view(),
        name="dispute_attachment",
    ),
]

"""Serving a dispute attachment to a member of its organization: always as a download, never
rendered, so a file a customer sent cannot run in the dashboard's origin."""

from __future__ import annotations

from django.http import FileResponse, Http404

from disputes.attachments import stored_path
from disputes.models import DisputeAttachment


def attachment_download(attachment: DisputeAttachment) -> FileResponse:
    """The stored file as a download (never shown inline), with the type found from its
    content when it was stored; the dashboard and the API serve it alike."""
    path = stored_path(attachment)
    if not path.is_file():
        raise Http404("The file is missing.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

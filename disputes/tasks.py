"""Thin Celery tasks for disputes."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from disputes.attachments import attachment_orphans_remove


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def dispute_attachment_orphans_sweep() -> int:
    """Files an outer transaction rolled back after they were stored: removed an hour on."""
    return sum(attachment_orphans_remove(org=org) for org in Organization.objects.order_by("pk"))

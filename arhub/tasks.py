"""Core background tasks. Tasks stay thin: take ids, call a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from arhub.emails import notice_email_send
from arhub.models import Notice
from arhub.services.housekeeping import invitations_purge_expired as purge


@shared_task(acks_late=True)
def invitations_purge_expired() -> int:
    return purge()


@shared_task(acks_late=True)
def ping() -> str:
    """A no-op round trip, used by health checks and as the floor in task benchmarks."""
    return "pong"


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def notice_email_task(org_id: int, notice_id: int) -> int:
    """Email a notice once; a redelivered task finds it emailed and does nothing."""
    claimed = Notice.objects.filter(
        organization_id=org_id, pk=notice_id, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    return notice_email_send(notice=Notice.objects.select_related("organization").get(pk=notice_id))

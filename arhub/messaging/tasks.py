"""Messaging tasks: thin, take ids, idempotent. The rows are the queue; the broker only says
"look at message N now", so a lost task loses nothing (the stale sweep finds the row)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from arhub.messaging import services
from arhub.messaging.channels import TransientSendError
from arhub.models import Organization


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=6,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    # SMTP and Twilio give up within 20 s; the limit makes sure no send is still running when
    # the stale sweep (services.STALE_AFTER) takes its row for a dead worker's and sends again.
    soft_time_limit=120,
    time_limit=150,
)
def message_send_task(self: Any, org_id: int, message_id: int) -> str:
    """Send a queued message. A message already sent, or held by another worker, is left
    alone, so a task delivered twice sends once."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "no such organization"
    try:
        message = services.message_send(org=org, message_id=message_id)
    except TransientSendError as exc:
        # Celery's autoretry_for with the same options, except that the backoff is read from
        # the task when it fails rather than frozen at import, so a test can shorten it.
        # After the last retry the row stays queued and the stale sweep starts over.
        countdown = get_exponential_backoff_interval(
            factor=self.retry_backoff,
            retries=self.request.retries,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return message.status if message is not None else "nothing to do"


@shared_task(acks_late=True)
def messages_requeue_stale() -> int:
    return services.messages_requeue_stale()

"""Core background tasks. Tasks stay thin: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from arhub.services.housekeeping import invitations_purge_expired as purge


@shared_task(acks_late=True)
def invitations_purge_expired() -> int:
    return purge()


@shared_task(acks_late=True)
def ping() -> str:
    """A no-op round trip, used by health checks and as the floor in task benchmarks."""
    return "pong"

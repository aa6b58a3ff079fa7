"""Reminder tasks: thin, take ids, idempotent. The rows are the queue: a task lost with the
broker loses nothing, because the next sweep queues every batch still due."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from reminders.sending import reminder_batch_send
from reminders.sweep import reminders_sweep


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def reminders_sweep_task() -> int:
    result = reminders_sweep()
    return len(result.planned)


# A send renders one message and hands it to messaging: a minute is plenty.
@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def reminder_batch_send_task(org_id: int, batch_id: int) -> str:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "no such organization"
    batch = reminder_batch_send(org=org, batch_id=batch_id)
    return batch.status if batch is not None else "nothing to do"

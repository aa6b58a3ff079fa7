"""The worker settings the reminder engine's "exactly once" rests on, read from the Celery app
as a worker would load it: tasks acknowledged only after they ran and handed back when their
worker dies, one task at a time per worker process, sends that end (time limits) well before
the stale sweeps would take them for dead, and no countdown that outlives the broker's
visibility timeout or the rows' own stale thresholds."""

from __future__ import annotations

from celery.utils.time import get_exponential_backoff_interval
from kombu.transport.redis import Channel as RedisChannel

from arhub.celery import app
from arhub.messaging.services import STALE_AFTER
from arhub.messaging.tasks import message_send_task
from reminders.sweep import STALE_CLAIM
from reminders.tasks import reminder_batch_send_task, reminders_sweep_task

TASKS = (reminders_sweep_task, reminder_batch_send_task, message_send_task)


def visibility_timeout() -> float:
    """Seconds Redis waits before it hands an unacknowledged task to another worker."""
    options = app.conf.broker_transport_options or {}
    return float(options.get("visibility_timeout", RedisChannel.visibility_timeout))


def test_a_task_is_acknowledged_after_it_ran_and_handed_back_when_its_worker_dies() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    for task in TASKS:
        assert task.acks_late is True, task.name


def test_a_worker_process_takes_one_task_at_a_time() -> None:
    assert app.conf.worker_prefetch_multiplier == 1


def test_every_send_ends_before_its_claim_is_taken_for_dead() -> None:
    # A send still running when the stale sweep looks would be handed out a second time.
    for task, stale in ((reminder_batch_send_task, STALE_CLAIM), (message_send_task, STALE_AFTER)):
        assert task.soft_time_limit is not None and task.time_limit is not None, task.name
        assert task.soft_time_limit < task.time_limit < stale.total_seconds(), task.name
    assert reminders_sweep_task.soft_time_limit < reminders_sweep_task.time_limit


def test_no_task_waits_on_the_broker_longer_than_the_rows_would() -> None:
    """The longest retry countdown is shorter than the stale-message threshold (a retry comes
    before the sweep would queue the row again) and both are far inside the visibility
    timeout (a task held for later is never handed to a second worker meanwhile)."""
    longest = max(
        get_exponential_backoff_interval(
            factor=message_send_task.retry_backoff,
            retries=retries,
            maximum=message_send_task.retry_backoff_max,
            full_jitter=False,
        )
        for retries in range(message_send_task.max_retries + 1)
    )
    assert longest <= message_send_task.retry_backoff_max
    assert longest < STALE_AFTER.total_seconds() < visibility_timeout()
    for task in TASKS:
        assert task.time_limit is not None and task.time_limit < visibility_timeout(), task.name

"""The reminder engine with real processes: Celery workers in subprocesses on the test's Redis
broker and database, mail at a real SMTP server, texts at a stand-in for Twilio's API.

- Two sweeps started at once (two threads, each with its own database connection), four times
  over, with two workers taking the tasks: each reminder is written once and each message
  reaches its provider once.
- A worker killed with SIGKILL inside an email, inside a text, or inside a batch's transaction,
  then restarted: after beat's housekeeping (and the dead worker's task handed out again, as
  Redis does an hour later) every email has arrived exactly once and no text twice.
- Redis flushed twice mid-run (the sweep's tasks, then the messages' tasks): the next sweep and
  the stale-message sweep bring everything back, nothing lost and nothing twice.

"16 minutes later" runs beat's housekeeping in this process with the clock moved past the
stale thresholds (time_machine); the workers keep real time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.db import connection, connections

from arhub.messaging.services import SMS_NOT_RESENT, messages_requeue_stale
from arhub.models import Channel, Message, MessageKind, MessageStatus
from reminders.models import Reminder, ReminderBatch, ReminderStatus
from reminders.sweep import SweepResult, reminders_sweep
from tests.conftest import Tenant
from tests.reminders.process_helpers import DueNow, Rig, due_now, rig, stale_later, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REMINDER_KINDS = (MessageKind.REMINDER, MessageKind.REMINDER_DIGEST)


@pytest.fixture
def procs(tmp_path: Path, transactional_db: None) -> Iterator[Rig]:
    with rig(tmp_path) as the_rig:
        yield the_rig


def housekeeping_later(procs: Rig, *, lost: int = 0) -> SweepResult:
    """Beat's two sweeps, 16 minutes on: the reminder sweep (reclaims dead claims, queues every
    batch still due) and the stale-message sweep; the workers settle after each. One at a
    time, as in production, where a live send is never 15 minutes old."""
    with time_machine.travel(stale_later()):
        result = reminders_sweep()
    procs.settle(lost=lost)
    with time_machine.travel(stale_later()):
        messages_requeue_stale()
    procs.settle(lost=lost)
    return result


def reminder_messages() -> list[Message]:
    return list(Message.objects.filter(kind__in=REMINDER_KINDS).order_by("pk"))


def assert_each_sent_once(procs: Rig, due: DueNow) -> None:
    assert procs.smtp.delivered_to() == due.emails
    assert procs.twilio.numbers() == due.texts
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == due.reminders
    assert Reminder.objects.count() == due.reminders + due.superseded
    batches = list(ReminderBatch.objects.all())
    assert len(batches) == due.batches
    assert {b.status for b in batches} == {ReminderStatus.SENT}
    assert len({b.message_id for b in batches}) == due.batches
    assert len(reminder_messages()) == due.batches


def sweeps_at_once(count: int) -> list[SweepResult]:
    """``count`` sweeps let go together, each in a thread with its own connection."""
    start = threading.Barrier(count)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait(10)
            results.append(reminders_sweep())
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=sweep) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_sweeps_at_once_write_and_send_each_reminder_once(tenant: Tenant, procs: Rig) -> None:
    due = due_now(tenant, emails=12, with_texts=6, digests=6)
    procs.start_worker("a")
    procs.start_worker("b")
    results: list[SweepResult] = []
    for _ in range(4):
        results += sweeps_at_once(2)
    procs.settle()

    # Each reminder was planned by exactly one sweep; the others found it written.
    assert sum(len(r.planned) for r in results if r.ran) == due.reminders
    assert_each_sent_once(procs, due)
    assert {m.status for m in reminder_messages()} == {MessageStatus.SENT}


@pytest.mark.parametrize("killed_in", ["email", "text", "batch"])
def test_a_worker_killed_mid_send_then_restarted_sends_each_email_once_and_no_text_twice(
    tenant: Tenant, procs: Rig, killed_in: str
) -> None:
    due = due_now(tenant, emails=3, with_texts=3, digests=1)
    blocker = connections.create_connection("default")
    if killed_in == "email":
        victim = due.emails[2]
        procs.smtp.stall = lambda recipients: victim in recipients
    elif killed_in == "text":
        victim = due.texts[1]
        procs.twilio.stall_to = victim
    else:
        # Nothing can write a message while this is held: the first batch's transaction waits
        # inside, after its claim, before anything is handed to messaging.
        with blocker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE arhub_message IN SHARE MODE")
    try:
        assert len(reminders_sweep().queued_batches) == due.batches
        first = procs.start_worker("first")
        if killed_in == "email":
            assert procs.smtp.stalled.wait(30), first.tail()
        elif killed_in == "text":
            assert procs.twilio.stalled.wait(30), first.tail()
        else:
            wait_until(_inserting_a_message_waits, "the worker waits inside a batch", 30)
        first.kill()
    finally:
        if killed_in == "batch":
            with blocker.cursor() as cursor:
                cursor.execute("ROLLBACK")
        blocker.close()
    # The dead worker's transaction, if any, is rolled back by the server once it notices.
    wait_until(_no_write_waits, "the dead worker's session is gone", 30)

    if killed_in == "batch":
        [stuck] = ReminderBatch.objects.filter(status=ReminderStatus.SENDING)
        assert stuck.message_id is None
    else:
        channel = Channel.EMAIL if killed_in == "email" else Channel.SMS
        [stuck_message] = Message.objects.filter(status=MessageStatus.SENDING)
        assert (stuck_message.channel, stuck_message.recipient) == (channel, victim)

    procs.start_worker("restarted")
    procs.settle(lost=1)
    # Everything else went; what the dead worker held waits for the housekeeping.
    if killed_in == "batch":
        stuck.refresh_from_db()
        assert stuck.status == ReminderStatus.SENDING
    else:
        stuck_message.refresh_from_db()
        assert stuck_message.status == MessageStatus.SENDING
    if killed_in == "email":
        assert victim not in procs.smtp.delivered_to()
        assert [victim] in procs.smtp.offered  # offered, never accepted

    result = housekeeping_later(procs, lost=1)
    # An hour on, Redis hands the dead worker's task to the live one: it finds nothing to do.
    procs.broker.redeliver_unacked()
    procs.settle()
    housekeeping_later(procs)

    assert procs.smtp.delivered_to() == due.emails
    if killed_in == "text":
        # Twilio had it when the worker died: it may have gone, so it never goes again.
        assert procs.twilio.numbers() == due.texts
        stuck_message.refresh_from_db()
        assert stuck_message.status == MessageStatus.FAILED
        assert stuck_message.status_reason == SMS_NOT_RESENT
        others = [m for m in reminder_messages() if m.pk != stuck_message.pk]
        assert {m.status for m in others} == {MessageStatus.SENT}
    else:
        assert_each_sent_once(procs, due)
        assert {m.status for m in reminder_messages()} == {MessageStatus.SENT}
    if killed_in == "email":
        stuck_message.refresh_from_db()
        assert stuck_message.attempts == 2
        assert procs.smtp.offered.count([victim]) == 2
    if killed_in == "batch":
        assert result.reclaimed == 1
        stuck.refresh_from_db()
        assert (stuck.status, stuck.attempts) == (ReminderStatus.SENT, 2)
    assert Reminder.objects.count() == due.reminders + due.superseded


def test_redis_flushed_mid_run_is_recovered_by_the_next_sweeps(tenant: Tenant, procs: Rig) -> None:
    due = due_now(tenant, emails=5, with_texts=3, digests=2)
    first = reminders_sweep()
    assert procs.broker.waiting() == due.batches
    procs.broker.flush()  # every batch's task gone before any worker took it

    procs.smtp.stall = lambda recipients: True  # hold the first email that comes
    procs.start_worker("w")
    second = reminders_sweep()
    assert sorted(second.queued_batches) == sorted(first.queued_batches)
    assert procs.smtp.stalled.wait(30)
    # The worker is inside the first send; the rest of the tasks wait on the broker.
    assert procs.broker.waiting() > 0
    procs.broker.flush()
    procs.smtp.release.set()
    procs.settle()
    lost_messages = Message.objects.filter(status=MessageStatus.QUEUED).count()
    lost_batches = ReminderBatch.objects.filter(status=ReminderStatus.QUEUED).count()
    assert lost_messages + lost_batches > 0
    assert len(procs.smtp.delivered_to()) < len(due.emails)

    housekeeping_later(procs)

    assert_each_sent_once(procs, due)
    assert {m.status for m in reminder_messages()} == {MessageStatus.SENT}


def _inserting_a_message_waits() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"arhub_message\"%%'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _no_write_waits() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state <> 'idle'"
            " AND (wait_event_type = 'Lock' OR state LIKE 'idle in transaction%%')"
        )
        row = cursor.fetchone()
    return not (row and row[0])

"""Reminder send throughput on a real Celery worker (prefork, one process, prefetch 1, as
production runs it) with the locmem email and SMS backends: messages per second from queued
batches to sent messages, against a no-op task's throughput on the same worker and broker in the
same run. Each message takes two tasks (the batch's task re-checks it and hands one message to
messaging, whose task sends it), so a ratio of 0.5 would mean the sending itself cost nothing.

The organization ``bench-reminder-send-N`` (``BENCH_REMINDER_SENDS`` customers, 1,000 by
default) is made once per size through the services: one invoice each, a third of them taking
texts too (with consent), so 1,000 customers make about 1,333 messages. Each run moves their
zone to where it is early afternoon now and their invoices' due date to that day, deletes the
previous run's reminders and batches (its messages stay, as the customers' history, two days
older), and sweeps without enqueuing: the batches are queued rows. The first few batches warm
the worker up untimed; then the clock starts, one send task per remaining batch
is published, and it stops when every message is sent (each must end "sent": a message that
failed or was skipped stops the benchmark).
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bench.registry import Context, Row
from bench.worker import celery_worker, purge, wait_drained

CUSTOMERS = int(os.environ.get("BENCH_REMINDER_SENDS", "1000"))
WARMUP = 20  # customers whose batches are sent before the clock starts
TEXTS_EVERY = 3  # one customer in three takes texts too
BACKENDS = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SMS_BACKEND": "locmem",
}


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    from arhub.tasks import ping
    from reminders.tasks import reminder_batch_send_task

    org = _organization(CUSTOMERS + WARMUP)
    batches = _queued_batches(org)
    since = _last_message_pk(org)
    customers_first = sorted({customer for customer, _ in batches})[:WARMUP]
    warmup = [b for customer, b in batches if customer in customers_first]
    timed = [b for customer, b in batches if customer not in customers_first]
    env = {**ctx.env, **BACKENDS, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    purge()
    with celery_worker(env):
        for batch_id in warmup:
            reminder_batch_send_task.delay(org.pk, batch_id)
        _wait_sent(org, since, len(warmup))
        for _ in range(2 * WARMUP):
            ping.delay()
        wait_drained()
        _analyze()

        start = time.perf_counter()
        for batch_id in timed:
            reminder_batch_send_task.delay(org.pk, batch_id)
        _wait_sent(org, since, len(warmup) + len(timed))
        send_seconds = time.perf_counter() - start

        tasks = 2 * len(timed)
        start = time.perf_counter()
        for _ in range(tasks):
            ping.delay()
        wait_drained()
        noop_seconds = time.perf_counter() - start
    purge()
    _log(
        f"{len(timed):,} messages in {send_seconds:.1f}s; {tasks:,} no-op tasks in"
        f" {noop_seconds:.1f}s"
    )
    return [
        Row(
            f"reminders sent by one worker, locmem email and SMS ({len(timed):,} messages)",
            len(timed) / send_seconds,
            "no-op tasks run by the same worker (tasks/s)",
            tasks / noop_seconds,
            "msg/s",
        )
    ]


def _wait_sent(org: Any, since: int, expected: int, timeout: float = 1800) -> None:
    from django.db.models import Count

    from arhub.models import Message, MessageStatus
    from reminders.sending import REMINDER_KINDS

    messages = Message.objects.filter(organization=org, kind__in=REMINDER_KINDS, pk__gt=since)
    deadline = time.monotonic() + timeout
    while True:
        counts = dict(messages.values_list("status").annotate(n=Count("pk")).order_by())
        if set(counts) - {MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT}:
            raise RuntimeError(f"a reminder did not go out: {counts}")
        if counts.get(MessageStatus.SENT, 0) >= expected:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{counts} after {timeout:.0f}s, expected {expected} sent")
        time.sleep(0.01)


def _queued_batches(org: Any) -> list[tuple[int, int]]:
    """Today's batches for every customer, queued and not enqueued: (customer, batch) pairs."""
    from django.db import transaction
    from django.db.models import F

    from arhub.models import Message
    from invoicing.models import Customer, Invoice
    from reminders.models import Reminder, ReminderBatch
    from reminders.sweep import reminders_sweep

    zone = _zone_at(14)
    today: date = datetime.now(ZoneInfo(zone)).date()
    with transaction.atomic():
        Reminder.objects.filter(organization=org).delete()
        ReminderBatch.objects.filter(organization=org).delete()
        # Earlier runs' messages stay as the customers' history, two days older each run, so
        # today's gap and daily cap let today's reminders go.
        Message.objects.filter(organization=org).update(created_at=F("created_at") - timedelta(2))
        Customer.objects.filter(organization=org).update(timezone=zone)
        Invoice.objects.filter(organization=org).update(
            issue_date=today - timedelta(days=30), due_date=today
        )
    result = reminders_sweep(org=org, enqueue=False)
    if not result.ran:
        raise RuntimeError("another reminder sweep held the lock")
    _analyze()
    batch_ids = [batch_id for _, batch_id in result.queued_batches]
    pairs = list(ReminderBatch.objects.filter(pk__in=batch_ids).values_list("customer_id", "pk"))
    expected = CUSTOMERS + WARMUP + len(range(0, CUSTOMERS + WARMUP, TEXTS_EVERY))
    if len(pairs) != expected:
        raise RuntimeError(f"the sweep queued {len(pairs)} batches, expected {expected}")
    return pairs


def _last_message_pk(org: Any) -> int:
    from arhub.models import Message

    last = Message.objects.filter(organization=org).order_by("-pk").values_list("pk", flat=True)
    return last.first() or 0


def _analyze() -> None:
    """What a long-lived server's autovacuum does after the deletes, the sweep and the first
    messages: with the statistics of an organization that had no batch or message the planner
    joins each one looked up by id to every customer in the database (8 ms a lookup)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("reminders_reminderbatch", "reminders_reminder", "arhub_message"):
            cursor.execute(f"ANALYZE {table}")


def _zone_at(hour: int) -> str:
    """A fixed-offset zone where it is about ``hour`` o'clock now, so the window is open."""
    utc_hour = datetime.now(ZoneInfo("UTC")).hour
    offset = hour - utc_hour
    offset += 24 if offset < -12 else -24 if offset > 14 else 0
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _organization(customers: int) -> Any:
    from datetime import time as t

    from arhub.messaging.consent import sms_consent_record
    from arhub.models import Organization, User
    from arhub.services.accounts import organization_create
    from invoicing.invoice_input import InvoiceData, LineData
    from invoicing.invoice_services import invoice_create, invoice_issue
    from invoicing.models import Contact, Customer
    from reminders.policies import policy_default

    slug = f"bench-reminder-send-{customers}"
    org = Organization.objects.filter(slug=slug).first()
    if org is not None:
        return org
    started = time.monotonic()
    user = User.objects.create_user(f"{slug}+{uuid.uuid4().hex[:6]}@arhub.test", None)
    org = organization_create(owner=user, name="Bench reminder sends", slug=slug)
    policy = policy_default(org=org)
    policy.weekdays = list(range(7))
    policy.window_start, policy.window_end = t(8, 0), t(21, 0)
    policy.skip_holidays = False
    policy.save()
    today = datetime.now(ZoneInfo("UTC")).date()
    for n in range(customers):
        texts = n % TEXTS_EVERY == 0
        customer = Customer.objects.create(
            organization=org,
            display_name=f"Customer {n:05d}",
            currency="USD",
            preferred_channel="both" if texts else "email",
        )
        phone = f"+1212555{n:04d}" if texts else ""
        Contact.objects.create(
            organization=org,
            customer=customer,
            name=f"Pat {n:05d}",
            email=f"ap{n:05d}@customer.test",
            phone=phone,
            is_primary=True,
        )
        if texts:
            sms_consent_record(org=org, phone=phone, method="owner", recorded_by=user)
        data = InvoiceData(
            customer_id=customer.pk,
            issue_date=today - timedelta(days=30),
            due_date=today,
            lines=[
                LineData(
                    description="Boiler service",
                    quantity=Decimal(1),
                    unit_price=Decimal(f"{120 + n % 200}.00"),
                )
            ],
        )
        invoice_issue(org=org, actor=None, invoice=invoice_create(org=org, actor=None, data=data))
    _log(
        f"'{slug}': {customers:,} customers and invoices made in {time.monotonic() - started:.0f}s"
    )
    return org


def _log(message: str) -> None:
    print(f"[bench] reminder_send: {message}", file=sys.stderr, flush=True)

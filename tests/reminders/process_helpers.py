"""Real processes for the reminder engine's tests: Celery workers started as subprocesses on the
test's Redis and database (and killed with SIGKILL when a test says so), an SMTP server and a
stand-in for Twilio that can hold one message unanswered (so a worker is caught inside a send),
the broker's queue as Redis holds it, and invoices due right now somewhere on Earth.

The worker runs ``tests.reminders.worker_settings``: mail goes to the SMTP server here, texts to
the Twilio stand-in here, so what reached a provider is counted where it arrived."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from arhub.celery import app
from arhub.messaging.consent import sms_consent_record
from tests.conftest import Tenant
from tests.reminders.engine_helpers import EVERY_DAY, customer_in, default_policy, invoice_due
from tests.smtp_server import Inbox, free_port

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "celery"  # Celery's default queue: every task of the app goes there
TWILIO_SID = "AC" + "3" * 32


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f}s waiting until {what}")
        time.sleep(0.05)


# ---- Providers that can be made to hold one message


class StallingInbox(Inbox):
    """An SMTP inbox that, for the first message matching ``stall``, takes the whole message but
    never answers it until ``release`` is set: the client is left inside ``DATA``, the message
    not accepted. A client that goes away meanwhile cancels the wait; nothing is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.stall: Callable[[list[str]], bool] | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        # Everyone a message was offered to (accepted or not), in arrival order.
        self.offered: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        recipients = list(envelope.rcpt_tos)
        self.offered.append(recipients)
        if self.stall is not None and not self.stalled.is_set() and self.stall(recipients):
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)

    def delivered_to(self) -> list[str]:
        return sorted(address for _, rcpts in self.envelopes for address in rcpts)


@dataclass
class FakeTwilio:
    """Answers Twilio's Messages endpoint; holds the first text to ``stall_to`` unanswered until
    ``release`` is set. Every text counts as received when its request arrives: from then on
    Twilio may deliver it, whatever becomes of the client."""

    url: str = ""
    stall_to: str | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    received: list[tuple[str, str]] = field(default_factory=list)  # (to, body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def numbers(self) -> list[str]:
        with self.lock:
            return sorted(to for to, _ in self.received)


@contextlib.contextmanager
def twilio_server() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            to = form["To"][0]
            with fake.lock:
                fake.received.append((to, form["Body"][0]))
                hold = to == fake.stall_to and not fake.stalled.is_set()
                if hold:
                    fake.stalled.set()
            if hold:
                fake.release.wait(120)
            payload = json.dumps({"sid": "SM" + uuid.uuid4().hex, "status": "queued"}).encode()
            with contextlib.suppress(OSError):  # the client may be dead by now
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()


# ---- The broker


class Broker:
    """The test's Redis database as Celery's Redis transport uses it: a list per queue, and a
    hash of the messages delivered to a worker and not yet acknowledged (``acks_late``)."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)

    def flush(self) -> None:
        # FLUSHDB, not FLUSHALL: to the app it is the same (it uses this one database), and a
        # shared Redis server keeps everybody else's databases.
        self.redis.flushdb()

    def waiting(self) -> int:
        return int(self.redis.llen(QUEUE))

    def in_flight(self) -> int:
        return int(self.redis.hlen("unacked"))

    def redeliver_unacked(self) -> None:
        """What Redis does an hour (the visibility timeout) after a worker took a task and
        never acknowledged it: put it back on its queue. Call it only when no live worker holds
        a task, or that one would be handed out twice."""
        with app.connection_for_write(transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=1000, interval=1)


# ---- Workers


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, limit: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-limit:]

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no rollback from the client."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown: the task at hand finishes first
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name in place of the development one."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/arhub"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


@dataclass
class Rig:
    """The processes a real-process test runs against."""

    smtp: StallingInbox
    twilio: FakeTwilio
    broker: Broker
    env: dict[str, str]
    logs: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(self, name: str) -> WorkerProcess:
        """A worker as production runs one (acks_late, prefetch 1), with the solo pool so that
        SIGKILL stops the very process inside the send; ready when it returns."""
        log = self.logs / f"worker-{name}.log"
        argv = [
            sys.executable, "-m", "celery", "-A", "arhub", "worker",
            "--pool", "solo", "--concurrency", "1", "-Q", QUEUE, "--loglevel", "INFO",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "-n", f"{name}-{uuid.uuid4().hex[:8]}@%h",
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = WorkerProcess(name, process, log)
        self.workers.append(worker)

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"worker {name} exited:\n{worker.tail()}")
            return " ready." in worker.tail(100_000)

        wait_until(ready, f"worker {name} is ready", timeout=60)
        return worker

    def settle(self, *, lost: int = 0, timeout: float = 60) -> None:
        """Until nothing waits on the broker and no task is in a worker's hands but the
        ``lost`` ones of killed workers, for several looks in a row (a task between the queue
        and the unacked hash is in neither for an instant)."""
        calm = 0

        def quiet() -> bool:
            nonlocal calm
            idle = self.broker.waiting() == 0 and self.broker.in_flight() == lost
            calm = calm + 1 if idle else 0
            return calm >= 6

        try:
            wait_until(quiet, "the workers are idle", timeout)
        except AssertionError as exc:
            logs = "\n".join(f"--- {w.name}\n{w.tail()}" for w in self.workers)
            raise AssertionError(f"{exc}\n{logs}") from exc

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()


@contextlib.contextmanager
def rig(logs: Path) -> Iterator[Rig]:
    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    broker = Broker(settings.REDIS_URL)
    broker.flush()  # a task left by an earlier test must not run against this test's rows
    try:
        with twilio_server() as twilio:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
                "DATABASE_URL": _test_database_url(),
                "REDIS_URL": settings.REDIS_URL,
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(controller.port),
                "SMS_BACKEND": "twilio",
                "TWILIO_ACCOUNT_SID": TWILIO_SID,
                "TWILIO_AUTH_TOKEN": "twilio-auth-token-for-tests",
                "TWILIO_API_BASE_URL": twilio.url,
                "TWILIO_FROM_NUMBER": "+15005550006",
            }
            env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            the_rig = Rig(inbox, twilio, broker, env, logs)
            try:
                yield the_rig
            finally:
                inbox.release.set()
                the_rig.stop_all()
    finally:
        controller.stop()
        # The killed workers' unacknowledged tasks would come back in an hour, to whoever uses
        # this database then.
        broker.flush()


# ---- Invoices due now


def zone_at(hour: int, now: datetime | None = None) -> str:
    """A time zone where it is about ``hour`` o'clock now (a fixed-offset one, so no DST)."""
    utc_hour = (now or timezone.now()).astimezone(ZoneInfo("UTC")).hour
    offset = hour - utc_hour
    if offset < -12:
        offset += 24
    if offset > 14:
        offset -= 24
    # The POSIX sign: Etc/GMT-5 is five hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@dataclass(frozen=True)
class DueNow:
    emails: list[str]  # every address that is due exactly one email (a digest counts once)
    texts: list[str]  # every number that is due exactly one text
    reminders: int  # to be sent
    batches: int
    # Each invoice's "3 days before" step, never sent: it came before the sweep first saw the
    # invoice, and the due-day step supersedes it.
    superseded: int


def due_now(tenant: Tenant, *, emails: int, with_texts: int, digests: int) -> DueNow:
    """Customers in a zone where it is early afternoon, each with the due-day step ("both")
    due now: ``emails`` who take email, ``with_texts`` who take both and agreed to texts, and
    ``digests`` with three invoices due at once (one email for the three)."""
    org = tenant.org
    default_policy(org, weekdays=EVERY_DAY, skip_holidays=False)
    zone = zone_at(14)
    today: date = timezone.now().astimezone(ZoneInfo(zone)).date()
    addresses: list[str] = []
    numbers: list[str] = []
    reminders = 0
    for _ in range(emails):
        customer = customer_in(org, zone)
        invoice_due(org, customer, today)
        addresses.append(f"ap{customer.pk}@example.test")
        reminders += 1
    for n in range(with_texts):
        phone = f"+1212555{100 + n:04d}"
        customer = customer_in(org, zone, preferred="both", phone=phone)
        sms_consent_record(org=org, phone=phone, method="owner", recorded_by=tenant.owner.user)
        invoice_due(org, customer, today)
        addresses.append(f"ap{customer.pk}@example.test")
        numbers.append(phone)
        reminders += 2
    for _ in range(digests):
        customer = customer_in(org, zone)
        for price in ("90.00", "140.00", "35.50"):
            invoice_due(org, customer, today, price=price)
        addresses.append(f"ap{customer.pk}@example.test")
        reminders += 3
    return DueNow(
        emails=sorted(addresses),
        texts=sorted(numbers),
        reminders=reminders,
        batches=len(addresses) + len(numbers),
        superseded=emails + with_texts + 3 * digests,
    )


def stale_later() -> datetime:
    """A moment after every "stale" threshold (a claim, a message in flight): when beat's next
    housekeeping would find what a dead worker left."""
    return timezone.now() + timedelta(minutes=16)

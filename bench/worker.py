"""A Celery worker for one benchmark: a subprocess on the benchmark's broker and database,
started as production starts one (prefork, acks_late, prefetch 1), ready when the context is
entered, always stopped afterwards. Also: waiting until the broker has drained (nothing
waiting, nothing in a worker's hands), and emptying the default queue."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

BASE_DIR = Path(__file__).resolve().parent.parent


def _drained(client: Any, queue: str) -> bool:
    """No task waits on the queue and none is held unacknowledged by a worker."""
    return bool(client.llen(queue) == 0 and client.hlen("unacked") == 0)


def wait_drained(timeout: float = 600, poll: float = 0.005) -> None:
    from arhub.celery import app

    deadline = time.monotonic() + timeout
    calm = 0
    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel  # kombu's Redis channel
        client = channel.client
        # A task between the queue and the unacked hash is in neither for an instant.
        while calm < 3:
            calm = calm + 1 if _drained(client, app.conf.task_default_queue) else 0
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not drain the queue within {timeout:.0f}s")
            time.sleep(poll)


def queue_length() -> int:
    from arhub.celery import app

    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel
        return int(channel.client.llen(app.conf.task_default_queue))


def purge() -> None:
    from arhub.celery import app

    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel
        channel.queue_purge(app.conf.task_default_queue)


@contextlib.contextmanager
def celery_worker(env: dict[str, str], *, concurrency: int = 1) -> Iterator[int]:
    """Yields the worker's pid once it has answered a no-op task."""
    from arhub.celery import app
    from arhub.tasks import ping

    argv = [
        sys.executable, "-m", "celery", "-A", "arhub", "worker",
        "--pool", "prefork", "--concurrency", str(concurrency),
        "-Q", app.conf.task_default_queue, "--loglevel", "WARNING",
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"bench-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            ping.delay()
            try:
                wait_drained(timeout=60)
            except RuntimeError as error:
                raise RuntimeError(f"{error}; the worker said:\n{_tail(log)}") from error
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{_tail(log)}")
            yield process.pid
        finally:
            _stop(process)


def _tail(log: IO[bytes], limit: int = 4000) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-limit:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # warm shutdown: the pool's children finish and exit
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

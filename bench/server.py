"""A gunicorn server for one benchmark: started on a free port, always stopped afterwards."""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int  # the gunicorn master

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def worker_pids(self) -> list[int]:
        return [child.pid for child in psutil.Process(self.pid).children()]


def peak_rss_bytes(pid: int) -> int:
    """The process's high-water mark of resident memory (Linux VmHWM); elsewhere, current RSS."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return int(psutil.Process(pid).memory_info().rss)


@contextlib.contextmanager
def gunicorn(
    app: str, env: dict[str, str], *, ready_path: str, workers: int = 1, worker_class: str = "sync"
) -> Iterator[Server]:
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", app,
        "--chdir", str(BASE_DIR),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", worker_class,
        "--log-level", "warning",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        # A session of its own, so a Ctrl-C meant for us does not also kill the server half-way
        # through a request; we stop it ourselves below.
        process = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            server = Server("127.0.0.1", port, process.pid)
            _wait_ready(server, process, ready_path, log)
            yield server
        finally:
            _stop(process)


def _wait_ready(
    server: Server,
    process: subprocess.Popen[bytes],
    path: str,
    log: IO[bytes],
    timeout: float = 60,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}:\n{_tail(log)}")
        conn = server.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            raise RuntimeError(f"GET {path} answered {response.status}:\n{_tail(log)}")
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)  # not listening yet, or a worker still booting
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer GET {path} within {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: IO[bytes], limit: int = 4000) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-limit:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    workers: list[psutil.Process] = []
    # Found before the master goes: if it has to be killed, its workers would be orphaned.
    with contextlib.suppress(psutil.Error):
        workers = psutil.Process(process.pid).children()
    process.terminate()  # gunicorn's master stops its workers gracefully on SIGTERM
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        for worker in workers:
            with contextlib.suppress(psutil.Error):
                worker.kill()

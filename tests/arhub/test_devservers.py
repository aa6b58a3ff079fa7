"""The embedded servers behind make run and make test: real engines, nothing left running."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, os, psycopg2, redis
conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor(); cur.execute("SELECT pg_backend_pid(), current_setting('data_directory')")
pid, data_dir = cur.fetchone()
cur.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'postmaster'")
r = redis.Redis.from_url(os.environ["REDIS_URL"]); r.set("k", "v")
print(json.dumps({"redis_port": r.connection_pool.connection_kwargs["port"],
                  "redis_ok": r.get("k") == b"v", "data_dir": data_dir}))
"""


@pytest.mark.integration
def test_exec_starts_real_servers_and_stops_them(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-m", "arhub.devservers", "--root", str(tmp_path), "exec", "--",
         sys.executable, "-c", CHILD],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["redis_ok"]
    assert Path(report["data_dir"]).resolve() == (tmp_path / "pgdata").resolve()
    # Nothing of the run is left: no postmaster on that data directory, the Redis port closed.
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
    for proc in psutil.process_iter(["cmdline"]):
        assert str(tmp_path) not in " ".join(proc.info["cmdline"] or [])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", report["redis_port"]), 1):
        pass


@pytest.mark.integration
def test_exec_passes_on_the_exit_status(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://unused@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "arhub.devservers", "--root", str(tmp_path), "exec", "--",
         sys.executable, "-c", "raise SystemExit(5)"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    # pytest's "no tests collected" is 5: it must reach make and CI as a failure.
    assert result.returncode == 5
    assert not (tmp_path / "pgdata").exists()  # given URLs are used as they are

"""The audit-events list API under gunicorn, against a bare Django view on the same server and
against the one SQL query it stands on, run straight through psycopg2."""

from __future__ import annotations

import contextlib
import http.client
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.registry import Context, Row
from bench.server import gunicorn, peak_rss_bytes

PAGE_SIZE = 50
API_PATH = f"/api/v1/audit-events/?page_size={PAGE_SIZE}"
BARE_PATH = "/bench/bare/"
REQUESTS = 300
WARMUP = 30
# What the API's page query asks for: every column, one row more than the page to know there is
# a next one (CursorPagination), in the order of the (organization, -created_at, -id) index.
PAGE_SQL = """
    SELECT id, organization_id, actor_id, actor_email, action, summary, data, ip_address,
           created_at
      FROM arhub_auditevent
     WHERE organization_id = %s
  ORDER BY created_at DESC, id DESC
     LIMIT 51
"""


def run(ctx: Context) -> list[Row]:
    env = {**ctx.env, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    headers = {"Authorization": f"Bearer {ctx.token}"}
    with (
        contextlib.closing(ctx.connect()) as db,
        gunicorn("bench.wsgi:application", env, ready_path=BARE_PATH) as srv,
    ):
        with db.cursor() as cursor:
            cursor.execute("SELECT id FROM arhub_organization WHERE slug = %s", [ctx.org_slug])
            (org_id,) = cursor.fetchone()
        (worker,) = srv.worker_pids()
        http_conn = srv.connection()

        def api() -> None:
            _get(http_conn, API_PATH, headers)

        def bare() -> None:
            _get(http_conn, BARE_PATH, {})

        def sql() -> None:
            with db.cursor() as cursor:
                cursor.execute(PAGE_SQL, [org_id])
                cursor.fetchall()

        for _ in range(WARMUP):
            bare()
            sql()
        rss_before_api = peak_rss_bytes(worker)
        _check_full_page(http_conn, headers)
        for _ in range(WARMUP):
            api()
        # Interleaved, so a slow patch of the machine lands on all three alike.
        api_s, bare_s, sql_s = _interleaved([api, bare, sql], REQUESTS)
        rss_peak = peak_rss_bytes(worker)
        http_conn.close()

    api_ms, bare_ms, sql_ms = (statistics.median(t) * 1000 for t in (api_s, bare_s, sql_s))
    mib = 1024 * 1024
    name = "GET audit-events (50 rows)"
    return [
        Row(f"{name} p50 latency", api_ms, "bare view p50 latency", bare_ms, "ms"),
        Row(f"{name} p50 latency", api_ms, "raw SQL page query p50", sql_ms, "ms"),
        Row(f"{name} throughput", _rate(api_s), "bare view throughput", _rate(bare_s), "req/s"),
        Row(
            "gunicorn worker peak RSS",
            rss_peak / mib,
            "worker peak RSS before any API call",
            rss_before_api / mib,
            "MiB",
        ),
    ]


def _check_full_page(conn: http.client.HTTPConnection, headers: dict[str, str]) -> None:
    """A broken API that answers an empty page fast must not pass for a fast API."""
    body = _get(conn, API_PATH, headers)
    rows = len(json.loads(body)["results"])
    if rows != PAGE_SIZE:
        raise RuntimeError(f"GET {API_PATH} returned {rows} rows, expected {PAGE_SIZE}")


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> bytes:
    # The gunicorn sync worker closes every connection after its response; http.client then
    # reconnects on the next request, so both endpoints pay the same loopback connect.
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:500]!r}")
    return body


def _interleaved(actions: list[Callable[[], Any]], rounds: int) -> list[list[float]]:
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for action, times in zip(actions, timings, strict=True):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
    return timings


def _rate(seconds: list[float]) -> float:
    """Requests per second from one client sending one request at a time."""
    return len(seconds) / sum(seconds)

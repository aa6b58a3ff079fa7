"""The customer directory through the API at full size: the first page, a page deep in the
cursor, and a search, each against the raw SQL of the same page run straight through psycopg2,
plus the number of queries each page costs (it must not grow with the data)."""

from __future__ import annotations

import contextlib
import http.client
import json
import statistics
from typing import Any
from urllib.parse import urlsplit

from bench.registry import Context, Row
from bench.scale import timed
from bench.server import gunicorn

PAGE = "/api/v1/customers/?page_size=50"
SEARCH = "/api/v1/customers/?page_size=50&search=riverside%20bak"
DEPTH = 40  # pages followed through the cursor for the deep page
ROUNDS = 60


def run(ctx: Context) -> list[Row]:
    if ctx.customers < 1000:
        return []  # nothing worth measuring
    headers = {"Authorization": f"Bearer {ctx.token}"}
    env = {**ctx.env, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    with (
        contextlib.closing(ctx.connect()) as db,
        gunicorn("bench.wsgi:application", env, ready_path="/bench/bare/") as srv,
    ):
        conn = srv.connection()
        deep = _follow(conn, PAGE, headers, DEPTH)
        pages = {"first page": PAGE, f"page {DEPTH + 1}": deep, "search": SEARCH}
        rows: list[Row] = []
        for label, path in pages.items():
            sql = _page_sql(ctx, path)
            http_s, sql_s = [], []
            for _ in range(ROUNDS):
                # Each lambda runs at once, inside this turn: closing over the loop's names
                # is safe.
                http_s.append(timed(lambda: _get(conn, path, headers)))  # noqa: B023
                sql_s.append(timed(lambda: _run_sql(db, sql)))  # noqa: B023
            name = f"customers {label} ({ctx.customers:,} in org)"
            rows.append(
                Row(
                    f"{name} p50",
                    statistics.median(http_s) * 1000,
                    f"raw SQL of that page ({len(sql)} queries) p50",
                    statistics.median(sql_s) * 1000,
                    "ms",
                )
            )
        conn.close()
    return rows


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> dict[str, Any]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    data: dict[str, Any] = json.loads(body)
    return data


def _follow(conn: http.client.HTTPConnection, path: str, headers: dict[str, str], n: int) -> str:
    for _ in range(n):
        page = _get(conn, path, headers)
        if len(page["results"]) != 50 or not page["next"]:
            raise RuntimeError(f"expected full pages with a next cursor at {path}")
        split = urlsplit(page["next"])
        path = f"{split.path}?{split.query}"
    return path


def _page_sql(ctx: Context, path: str) -> list[str]:
    """The SQL the API runs for ``path``, captured in this process through Django itself."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {ctx.token}"}, SERVER_NAME="localhost")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"in-process GET {path} answered {response.status_code}")
    # The page without the per-request token lookup and its last-used stamp.
    return [q["sql"] for q in captured.captured_queries if "arhub_apitoken" not in q["sql"]]


def _run_sql(db: Any, statements: list[str]) -> None:
    with db.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()

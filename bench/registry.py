"""What a benchmark is given (:class:`Context`), what it returns (:class:`Row`), and how the
runner finds them: every public module in :mod:`bench.benchmarks` with a ``run`` function."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import dj_database_url
import psycopg2

BENCHMARKS_PACKAGE = "bench.benchmarks"


class Row(NamedTuple):
    """One figure and the limit it is judged against, both from the same run."""

    name: str
    figure: float
    limit_name: str
    limit_figure: float
    # Units ending in "/s" are rates (higher is better); all others are costs (lower is better).
    unit: str


@dataclass(frozen=True)
class Context:
    scale: int
    org_slug: str
    token: str  # a bearer secret for the owner of the benchmark organization
    database_url: str
    # The environment subprocesses (gunicorn, manage.py, celery) should run with.
    env: dict[str, str] = field(default_factory=dict, repr=False)
    customers: int = 0  # customers seeded in the benchmark organization
    invoices: int = 0  # invoices in the invoice-list benchmark's own organization

    def connect(self) -> Any:
        """A raw psycopg2 connection in autocommit, as Django holds its own: the SQL floor."""
        db = dj_database_url.parse(self.database_url)
        conn = psycopg2.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
        )
        conn.autocommit = True
        return conn


Benchmark = Callable[[Context], list[Row]]


def discover(package: str = BENCHMARKS_PACKAGE) -> dict[str, Benchmark]:
    """Benchmarks by module name, sorted so the table comes out in the same order every time."""
    pkg = importlib.import_module(package)
    found: dict[str, Benchmark] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        run = getattr(module, "run", None)
        # Fail loudly: a benchmark that is silently skipped proves nothing.
        if not callable(run):
            raise TypeError(f"{module.__name__} has no run(ctx) function")
        found[info.name] = run
    return dict(sorted(found.items()))


def select(benchmarks: dict[str, Benchmark], only: str | None) -> dict[str, Benchmark]:
    if only is None:
        return benchmarks
    if only not in benchmarks:
        known = ", ".join(benchmarks) or "none"
        raise KeyError(f"no benchmark named {only!r}; known: {known}")
    return {only: benchmarks[only]}

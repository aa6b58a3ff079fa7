"""What the benchmarks that measure at a size share: an organization seeded once per size with
``n`` invoices, and the median of two actions timed in alternate rounds."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def medians_ms(
    ours: Callable[[], Any], floor: Callable[[], Any], *, rounds: int
) -> tuple[float, float]:
    """The median milliseconds of each; taken in turns, so a slow spell of the machine falls on
    both rather than on one."""
    ours_s, floor_s = [], []
    for _ in range(rounds):
        ours_s.append(timed(ours))
        floor_s.append(timed(floor))
    return statistics.median(ours_s) * 1000, statistics.median(floor_s) * 1000


def sized_organization(
    *,
    slug: str,
    n: int,
    customers: int,
    build: Callable[[Any, int], None],
    log: Callable[[str], None],
    built: str = "invoices",
) -> Any:
    """The organization ``slug`` with ``customers`` demo customers and the ``n`` invoices
    ``build`` makes, both made on first use and kept for the next run (``make clean`` drops
    them)."""
    from django.core.management import call_command

    from arhub.models import Organization
    from invoicing.models import Invoice

    if not Organization.objects.filter(slug=slug).exists():
        log(f"seeding '{slug}': {customers} customers (once per size)")
        call_command(
            "seed_demo", "--org", slug, "--events", "0", "--customers", str(customers),
            "--invoices", "0", "--seed", "1", stdout=io.StringIO(),
        )  # fmt: skip
    org = Organization.objects.get(slug=slug)
    have = Invoice.objects.for_org(org).count()
    if have == 0:
        started = time.monotonic()
        build(org, n)
        log(f"'{slug}': {n:,} {built} built in {time.monotonic() - started:.1f}s")
    elif have != n:
        raise RuntimeError(f"'{slug}' holds {have:,} invoices, not {n:,}; run `make clean`")
    return org

"""``python -m bench``: prepare the database, run the benchmarks, print one table."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from bench.registry import Context, Row, discover, select
from bench.report import Summary, format_table, summarize

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale", type=int, default=10_000, help="rows of demo data (seed_demo --events)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="run each benchmark K times; report median and best"
    )
    parser.add_argument(
        "--customers", type=int, default=50_000, help="customers in the benchmark organization"
    )
    parser.add_argument(
        "--invoices", type=int, default=100_000, help="invoices in the invoice-list organization"
    )
    parser.add_argument("--only", metavar="NAME", help="run just this benchmark")
    args = parser.parse_args(argv)
    if args.scale < 0 or args.repeat < 1 or args.customers < 0 or args.invoices < 0:
        parser.error("--scale, --customers and --invoices must be 0 or more and --repeat 1 or more")
    return args


def _log(message: str) -> None:
    # Progress goes to stderr, so stdout carries nothing but the table.
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return result.stdout


def prepare(scale: int, customers: int, invoices: int = 0) -> Context:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set; run through `make bench`.")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "0"}
    _log("migrating")
    _manage(env, "migrate", "--no-input", "-v", "0")
    # One organization per size, so runs at different sizes reuse their own data.
    org = f"bench-{scale}-{customers}"
    _log(f"seeding '{org}': {scale} audit events, {customers} customers (once per size)")
    seeded = _manage(
        env, "seed_demo", "--org", org, "--events", str(scale), "--customers", str(customers),
        "--seed", "1", "--if-missing",
    )  # fmt: skip
    _log(seeded.strip())
    # A fresh token each run: the secret is shown only once, when it is made.
    out = _manage(
        env, "apitoken", "--email", f"demo+{org}@arhub.test", "--org", org, "--name", "Benchmarks"
    )
    ctx = Context(
        scale=scale,
        org_slug=org,
        token=out.strip().splitlines()[-1],
        database_url=url,
        env=env,
        customers=customers,
        invoices=invoices,
    )
    with closing(ctx.connect()) as db, db.cursor() as cursor:
        # A long-lived server's autovacuum would have analyzed the freshly seeded tables; the
        # embedded one never lives long enough, and without statistics the planner sorts every
        # row of the organization instead of walking the (organization, -created_at) index.
        cursor.execute("ANALYZE")
    return ctx


def _stop_on_sigterm() -> None:
    # The default SIGTERM action skips `finally`, which is where the servers are stopped.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _stop_on_sigterm()
    try:
        benchmarks = select(discover(), args.only)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ctx = prepare(args.scale, args.customers, args.invoices)
    summaries: list[Summary] = []
    for name, benchmark in benchmarks.items():
        runs: list[list[Row]] = []
        for attempt in range(1, args.repeat + 1):
            started = time.monotonic()
            runs.append(benchmark(ctx))
            _log(f"{name}: run {attempt} of {args.repeat} took {time.monotonic() - started:.1f}s")
        # Per benchmark, so two benchmarks may name a figure alike without being merged.
        summaries.extend(summarize(runs))
    print(
        f"AR Hub benchmarks: --scale {args.scale}, --customers {args.customers},"
        f" --invoices {args.invoices}, --repeat {args.repeat}"
    )
    print(format_table(summaries))
    if args.repeat > 1:
        print(
            f"Medians of {args.repeat} runs, best in brackets; a ratio is figure / limit,"
            " each pair measured in the same run."
        )
    return 0

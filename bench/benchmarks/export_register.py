"""The invoice register exported to CSV at size: 1,000,000 invoices (``BENCH_REGISTER_INVOICES``)
through ``metrics.report_tables.invoice_register_table`` and ``metrics.export_csv.csv_stream``,
against PostgreSQL writing the very same rows and columns itself with ``COPY (…) TO STDOUT``
(the SQL is the register's own query), in the same run.

Memory must stay flat as the rows grow: each export runs in a fresh Python process (``python
-m bench.benchmarks.export_register --child``) that writes the CSV to /dev/null and reports its
peak resident set size; the figure is the peak at the full size against the peak at a tenth of
it, so a ratio near 1 means the rows stream and one well above 1 means something holds them.

The organization, ``bench-register-N``, is made once per size: ``seed_demo`` gives it customers,
then the invoices go in with one ``INSERT … SELECT`` over ``generate_series`` (the services
would take an hour). Every invoice is issued and none is void, so all of them are in the
register; their issue dates spread evenly over two years, so the last tenth of the days holds a
tenth of the invoices.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from bench.registry import Context, Row
from bench.scale import sized_organization

INVOICES = int(os.environ.get("BENCH_REGISTER_INVOICES", "1000000"))
CUSTOMERS = 2000
DAYS = 730
STATUSES = ["open", "partially_paid", "paid", "paid", "paid", "paid", "uncollectible"]


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    n = INVOICES
    org = _organization(n)
    today = _today(org)
    full = (today - timedelta(days=DAYS + 1), today)
    tenth = (today - timedelta(days=DAYS // 10 - 1), today)
    big = _child(ctx, org.slug, *full)
    small = _child(ctx, org.slug, *tenth)
    with contextlib.closing(ctx.connect()) as db:
        copy_big = _copy(db, org, *full)
        copy_small = _copy(db, org, *tenth)
    _log(
        f"{big['rows']:,} rows in {big['seconds']:.1f}s (COPY {copy_big:.1f}s), "
        f"{small['rows']:,} in {small['seconds']:.1f}s (COPY {copy_small:.1f}s); peak RSS "
        f"{big['peak_mb']:.0f} MB / {small['peak_mb']:.0f} MB, before export "
        f"{big['base_mb']:.0f} MB"
    )
    copy = "Postgres COPY of the same rows and columns"
    return [
        Row(f"register CSV, {big['rows']:,} rows", big["seconds"], copy, copy_big, "s"),
        Row(f"register CSV, {small['rows']:,} rows", small["seconds"], copy, copy_small, "s"),
        Row(
            f"peak RSS exporting {big['rows']:,} rows",
            big["peak_mb"],
            f"peak RSS exporting {small['rows']:,} rows",
            small["peak_mb"],
            "MB",
        ),
    ]


def _today(org: Any) -> date:
    from arhub.clock import org_today

    return org_today(org)


def _child(ctx: Context, slug: str, start: date, end: date) -> dict[str, Any]:
    """One export in a fresh process, so its peak memory is the export's alone."""
    args = [sys.executable, "-m", "bench.benchmarks.export_register", "--child", slug]
    result = subprocess.run(
        [*args, start.isoformat(), end.isoformat()],
        env={**ctx.env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_main(slug: str, start: str, end: str) -> None:
    import django

    django.setup()
    from arhub.models import Organization
    from metrics.export_csv import csv_stream
    from metrics.report_tables import invoice_register_table

    org = Organization.objects.get(slug=slug)
    base = _peak_mb()
    table = invoice_register_table(
        org=org,
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        currency=org.default_currency,
    )
    lines = 0
    began = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        for text in csv_stream(table):
            sink.write(text.encode("utf-8"))
            lines += 1
    seconds = time.perf_counter() - began
    rows = lines - 2  # less the header and the totals row
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": _peak_mb(), "base_mb": base}))


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def _copy(db: Any, org: Any, start: date, end: date) -> float:
    """COPY of the register's own query, its parameters bound as Django binds them."""
    from django.db import connection

    from metrics.report_tables import invoice_register_queryset

    queryset = invoice_register_queryset(
        org=org, start=start, end=end, currency=org.default_currency
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        bound = cursor.mogrify(sql, params)
    statement = f"COPY ({bound.decode() if isinstance(bound, bytes) else bound}) TO STDOUT"
    with db.cursor() as cursor:
        began = time.perf_counter()
        cursor.copy_expert(statement + " WITH (FORMAT csv, HEADER true)", _Discard())
        return time.perf_counter() - began


# --------------------------------------------------------------------------------------------
# The organization


def _organization(n: int) -> Any:
    return sized_organization(
        slug=f"bench-register-{n}", n=n, customers=CUSTOMERS, build=_build, log=_log
    )


def _build(org: Any, n: int) -> None:
    from django.db import connection, transaction

    from arhub.clock import org_today
    from invoicing.models import Customer

    customers = list(
        Customer.objects.for_org(org)
        .filter(currency=org.default_currency)
        .values_list("pk", flat=True)
    )
    params = {
        "org": org.pk,
        "n": n,
        "ids": customers,
        "currency": org.default_currency,
        "statuses": STATUSES,
        "today": org_today(org),
        "days": DAYS,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BUILD_SQL, params)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")


# Subtotal between 40 and 2,040 with cents, 10% tax; paid, part paid (40%) and balances follow
# the status; written-off ones keep their balance.
BUILD_SQL = """
WITH g AS (
    SELECT i,
           (%(ids)s::bigint[])[1 + i %% cardinality(%(ids)s::bigint[])] AS customer_id,
           (%(statuses)s::text[])[1 + (i * 7) %% cardinality(%(statuses)s::text[])] AS status,
           %(today)s::date - ((%(n)s - i) * %(days)s / %(n)s)::int AS day,
           (40 + (i * 37) %% 2000 + (i %% 100) / 100.0)::numeric(18, 2) AS subtotal
      FROM generate_series(1, %(n)s) AS i
), priced AS (
    SELECT g.*, round(subtotal * 0.10, 2) AS tax FROM g
), settled AS (
    SELECT priced.*, subtotal + tax AS total,
           CASE status WHEN 'paid' THEN subtotal + tax
                       WHEN 'partially_paid' THEN round((subtotal + tax) * 0.4, 2)
                       ELSE 0 END AS paid
      FROM priced
)
INSERT INTO invoicing_invoice (
    organization_id, customer_id, status, number, currency, issue_date, due_date, terms,
    bill_to, po_number, notes, memo, discount_kind, discount_value, subtotal, discount_total,
    tax_total, total, amount_paid, amount_credited, amount_discounted, fees_total, balance_due,
    tax_breakdown, created_at, updated_at, issued_at, paid_at, written_off_at, void_reason
)
SELECT %(org)s, customer_id, status, 'REG-' || lpad(i::text, 8, '0'), %(currency)s,
       day, day + 30, '{}'::jsonb, '{}'::jsonb, '', '', '', 'none', 0, subtotal, 0, tax, total,
       paid, 0, 0, 0, total - paid, '[]'::jsonb,
       day + time '15:00', day + time '15:00', day + time '15:00',
       CASE WHEN status = 'paid' THEN day + 20 + time '18:00' END,
       CASE WHEN status = 'uncollectible' THEN day + 150 + time '18:00' END,
       ''
  FROM settled
"""


def _log(message: str) -> None:
    print(f"[bench] export_register: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    child_main(*sys.argv[2:5])

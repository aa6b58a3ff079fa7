"""The customer CSV import at size: N generated rows in our template, checked (the preview) and
written (the run, in one transaction, with progress through its second connection), first as
new customers and then again as a re-import that updates every one of them. Each is judged
against PostgreSQL's own floor for loading N such rows: ``COPY`` into a temporary table with
the same columns, straight through psycopg2.

The services are called in this process, not through Celery: what is measured is the import,
not the broker. Each run imports into a new organization of its own (a unique slug), whose
customers are deleted afterwards. ``BENCH_IMPORT_ROWS`` sets N (10,000 by default).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import time
import uuid
from typing import Any

from bench.registry import Context, Row

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))

# The same columns as our template, typed as the customer and contact tables type them.
COPY_TABLE = """
    CREATE TEMPORARY TABLE bench_customer_import (
        name varchar(200), company varchar(200), email varchar(254), phone varchar(128),
        contact_name varchar(200), role varchar(100), timezone varchar(64),
        language varchar(8), currency varchar(3), payment_terms_days smallint,
        preferred_channel varchar(8), credit_limit numeric(18, 3), tags text,
        external_id varchar(100), notes text
    )
"""


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    from arhub.models import User
    from arhub.services.accounts import organization_create
    from invoicing.import_services import customer_import_preview, customer_import_run
    from invoicing.models import Contact, Customer, CustomerImport, ImportStatus

    n = ROWS
    content = _csv(n).encode()
    suffix = uuid.uuid4().hex[:10]
    user = User.objects.create_user(f"bench-import+{suffix}@arhub.test", None)
    org = organization_create(
        owner=user, name=f"Bench import {suffix}", currency="GBP", slug=f"bench-import-{suffix}"
    )
    org.country = "GB"
    org.save()

    def import_once() -> tuple[float, float]:
        start = time.perf_counter()
        job = customer_import_preview(org=org, actor=user, file_name="c.csv", content=content)
        checked = time.perf_counter()
        if job.total != n:
            raise RuntimeError(f"preview kept {job.total} of {n} rows: {job.row_errors[:3]}")
        CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
        result = customer_import_run(org=org, import_id=job.pk)
        written = time.perf_counter()
        if result is None or result.status != ImportStatus.DONE:
            raise RuntimeError(f"import failed: {result and result.error_message}")
        print(
            f"[bench] customer_import: {n} rows, preview {checked - start:.2f}s,"
            f" run {written - checked:.2f}s",
            file=sys.stderr,
            flush=True,
        )
        return checked - start, written - checked

    try:
        create_preview, create_run = import_once()
        update_preview, update_run = import_once()
        with contextlib.closing(ctx.connect()) as db:
            copy_s = min(_copy(db, content) for _ in range(3))
    finally:
        # The customers go; the empty organization (its owner and audit trail are protected)
        # stays behind under its unique slug.
        Contact.objects.filter(organization=org).delete()
        Customer.objects.filter(organization=org).delete()
        CustomerImport.objects.filter(organization=org).delete()

    limit = "COPY of the same rows into a temp table"
    copy_rate = n / copy_s
    return [
        Row(f"import preview ({n:,} new rows)", n / create_preview, limit, copy_rate, "rows/s"),
        Row(f"import run ({n:,} new customers)", n / create_run, limit, copy_rate, "rows/s"),
        Row(f"import preview ({n:,} re-import)", n / update_preview, limit, copy_rate, "rows/s"),
        Row(f"import run ({n:,} updates)", n / update_run, limit, copy_rate, "rows/s"),
    ]


def _csv(n: int) -> str:
    from invoicing.importing import TEMPLATE_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    for i in range(n):
        values = {
            "name": f"Customer {i} Trading",
            "company": f"Customer {i} Ltd",
            "email": f"ap{i}@customer{i}.example",
            # Ofcom's drama range, 020 7946 0000 to 0999: valid, and nobody's.
            "phone": f"+44 20 7946 {i % 1000:04d}",
            "contact_name": f"Jo Customer{i}",
            "role": "Accounts payable",
            "timezone": "Europe/London",
            "language": "en",
            "currency": "GBP",
            "payment_terms_days": "30",
            "preferred_channel": "email",
            "credit_limit": f"{(i % 97) * 100}.00",
            "tags": "wholesale;north" if i % 2 else "retail",
            "external_id": f"C-{i:06d}",
            "notes": "Prefers statements monthly",
        }
        writer.writerow([values[column] for column in TEMPLATE_COLUMNS])
    return out.getvalue()


def _copy(db: Any, content: bytes) -> float:
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_customer_import")
        cursor.execute(COPY_TABLE)
        start = time.perf_counter()
        cursor.copy_expert(
            "COPY bench_customer_import FROM STDIN WITH (FORMAT csv, HEADER true)",
            io.StringIO(content.decode()),
        )
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_customer_import")
    return elapsed

"""Automatic allocation of one payment across a customer with many open invoices.

``payment_record`` with no allocations locks the customer's open invoices, spreads the money
oldest due first, writes the allocations and the invoices' new balances. Its number of queries
must not grow with the number of invoices: the figure is the count at N open invoices
(``BENCH_ALLOCATION_INVOICES``, 2,000 by default) against the count at 20. Its time is judged
against the same work done by hand in raw SQL over one connection (lock the rows, insert the
payment and N allocations, update N invoices), rolled back.

Each run uses a new organization of its own (a unique slug); its rows stay in the benchmark
database.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.registry import Context, Row

INVOICES = int(os.environ.get("BENCH_ALLOCATION_INVOICES", "2000"))
SMALL = 20
AMOUNT = Decimal("100.00")


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from arhub.models import User
    from arhub.services.accounts import organization_create
    from payments.services import payment_record

    suffix = uuid.uuid4().hex[:10]
    user = User.objects.create_user(f"bench-allocation+{suffix}@arhub.test", None)
    org = organization_create(
        owner=user, name=f"Bench allocation {suffix}", currency="USD", slug=f"bench-alloc-{suffix}"
    )

    def record(count: int) -> tuple[int, float, int]:
        customer = _customer_with_open_invoices(org, count)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            payment = payment_record(
                org=org,
                actor=None,
                customer_id=customer.pk,
                amount=AMOUNT * count,
                currency="USD",
                method="bank_transfer",
                received_on=date(2027, 6, 1),
                notify=False,
            )
            elapsed = time.perf_counter() - start
        applied = payment.allocations.count()
        if applied != count:
            raise RuntimeError(f"the payment was applied to {applied} of {count} invoices")
        return len(queries), elapsed, customer.pk

    small_queries, _, _ = record(SMALL)
    big_queries, big_seconds, _ = record(INVOICES)
    floor_customer = _customer_with_open_invoices(org, INVOICES)
    with contextlib.closing(ctx.connect()) as db:
        floor_seconds = min(_raw_sql(db, org.pk, floor_customer.pk) for _ in range(3))

    return [
        Row(
            f"auto-allocation queries, {INVOICES:,} open invoices",
            big_queries,
            f"the same at {SMALL} open invoices",
            small_queries,
            "queries",
        ),
        Row(
            f"auto-allocation across {INVOICES:,} open invoices",
            big_seconds * 1000,
            "raw SQL: lock, insert payment and allocations, update invoices",
            floor_seconds * 1000,
            "ms",
        ),
    ]


def _customer_with_open_invoices(org: Any, count: int) -> Any:
    from invoicing.models import Customer, Invoice, InvoiceStatus

    customer = Customer.objects.create(
        organization=org, display_name=f"Bench payer {uuid.uuid4().hex[:6]}", currency="USD"
    )
    first_due = date(2027, 1, 1)
    Invoice.objects.bulk_create(
        Invoice(
            organization=org,
            customer=customer,
            status=InvoiceStatus.OPEN,
            number=f"BENCH-{customer.pk}-{n:05d}",
            currency="USD",
            issue_date=first_due - timedelta(days=30),
            due_date=first_due + timedelta(days=n % 365),
            subtotal=AMOUNT,
            total=AMOUNT,
            balance_due=AMOUNT,
        )
        for n in range(count)
    )
    return customer


def _raw_sql(db: Any, org_id: int, customer_id: int) -> float:
    from psycopg2.extras import execute_values

    with db.cursor() as cursor:
        cursor.execute("BEGIN")
        start = time.perf_counter()
        cursor.execute(
            "SELECT id, balance_due FROM invoicing_invoice WHERE organization_id = %s"
            " AND customer_id = %s AND status IN ('open', 'partially_paid') AND balance_due > 0"
            " ORDER BY due_date, id FOR UPDATE",
            [org_id, customer_id],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "INSERT INTO payments_payment (organization_id, customer_id, amount, currency, method,"
            " received_on, reference, status, unapplied_amount, reversal_reason, refunded_amount,"
            " stripe_payment_intent, chargeback_reason, created_at)"
            " VALUES (%s, %s, %s, 'USD', 'bank_transfer', '2027-06-01', '', 'completed', 0, '',"
            " 0, '', '', now()) RETURNING id",
            [org_id, customer_id, AMOUNT * len(rows)],
        )
        payment_id = cursor.fetchone()[0]
        execute_values(
            cursor,
            "INSERT INTO payments_paymentallocation"
            " (organization_id, payment_id, invoice_id, amount, discount, created_at) VALUES %s",
            [(org_id, payment_id, invoice_id, balance) for invoice_id, balance in rows],
            template="(%s, %s, %s, %s, 0, now())",
        )
        execute_values(
            cursor,
            "UPDATE invoicing_invoice AS i SET amount_paid = i.amount_paid + v.paid,"
            " balance_due = 0, status = 'paid', paid_at = now(), updated_at = now()"
            " FROM (VALUES %s) AS v(id, paid) WHERE i.id = v.id",
            [(invoice_id, balance) for invoice_id, balance in rows],
        )
        elapsed = time.perf_counter() - start
        cursor.execute("ROLLBACK")
    return elapsed

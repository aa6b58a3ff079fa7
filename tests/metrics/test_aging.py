"""Aging by bucket, by customer and per invoice, worked out by hand from the ledger in
tests/metrics/ledger.py, and a property: however the invoices, payments, edges and day fall,
the buckets add up to the receivables."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.models import Invoice, InvoiceStatus
from metrics.aging import aging_by_customer, aging_detail, aging_report
from metrics.figures import AgingBucket
from metrics.receivables import receivables_at
from payments.models import Payment, PaymentAllocation
from tests.invoicing.factories import CustomerFactory
from tests.metrics.ledger import NOW, TODAY, at

D = Decimal


def dash(label: str) -> str:
    """A bucket label as shown: its days joined by an en dash."""
    return label.replace("-", "\N{EN DASH}")


pytestmark = pytest.mark.django_db


def test_report_today_in_the_default_buckets(ledger):
    with CaptureQueriesContext(connection) as queries:
        report = aging_report(org=ledger.org, as_of=TODAY, currency="USD")
    assert len(queries) == 1
    # Days past due on 15 April: D -25 (current), C 15 (due 31 Mar), B, I and K 43 (due
    # 3 Mar), A 65 (due 9 Feb). Current 250; 1-30: 215; 31-60: 500 + 120 + 100 = 720;
    # 61-90: 400; total 1585, overdue 1585 - 250 = 1335.
    assert report.buckets == [
        AgingBucket("Current", None, 0, D("250.00"), 1),
        AgingBucket(dash("1-30"), 1, 30, D("215.00"), 1),
        AgingBucket(dash("31-60"), 31, 60, D("720.00"), 3),
        AgingBucket(dash("61-90"), 61, 90, D("400.00"), 1),
        AgingBucket("90+", 91, None, D("0.00"), 0),
    ]
    assert (report.total, report.overdue, report.invoice_count) == (D("1585.00"), D("1335.00"), 6)
    assert (report.as_of, report.currency) == (TODAY, "USD")


def test_report_as_of_a_past_day_with_other_edges(ledger):
    # 19 March: C 200 current (due 31 Mar); B 500 and K 120 are 16 days past due (3 Mar), on
    # the edge of 1-16; A 400 is 38 (9 Feb); E 800 is 43 (4 Feb). Total 2020.
    report = aging_report(org=ledger.org, as_of=date(2027, 3, 19), currency="USD", edges=(16, 40))
    assert [(b.label, b.amount, b.count) for b in report.buckets] == [
        ("Current", D("200.00"), 1),
        (dash("1-16"), D("620.00"), 2),
        (dash("17-40"), D("400.00"), 1),
        ("40+", D("800.00"), 1),
    ]
    assert (report.total, report.overdue) == (D("2020.00"), D("1820.00"))


def test_report_for_one_customer(ledger):
    report = aging_report(org=ledger.org, as_of=TODAY, currency="USD", customer_id=ledger.gamma.pk)
    # Gamma: D 250 current, C 215 (1-30), I 120 (31-60).
    assert [b.amount for b in report.buckets] == [D("250.00"), D("215.00"), D("120.00"), 0, 0]
    assert report.total == D("585.00")


def test_by_customer_largest_first(ledger):
    with CaptureQueriesContext(connection) as queries:
        rows = aging_by_customer(org=ledger.org, as_of=TODAY, currency="USD", edges=(30, 60, 90))
    assert len(queries) == 1
    # Alpha: B 500 + K 100 (31-60), A 400 (61-90) = 1000, oldest due A's 9 Feb.
    # Gamma: D 250, C 215, I 120 = 585, oldest due I's 3 March. Beta owes only EUR.
    assert [(r.name, r.amounts, r.total, r.oldest_due_date) for r in rows] == [
        ("Alpha Ltd", (0, 0, D("600.00"), D("400.00"), 0), D("1000.00"), date(2027, 2, 9)),
        (
            "Gamma Inc",
            (D("250.00"), D("215.00"), D("120.00"), 0, 0),
            D("585.00"),
            date(2027, 3, 3),
        ),
    ]
    assert rows[0].customer_id == ledger.alpha.pk


def test_by_customer_in_euros_has_only_beta(ledger):
    # H: 700 EUR due 3 March, 43 days past due on 15 April.
    [row] = aging_by_customer(org=ledger.org, as_of=TODAY, currency="EUR", edges=(30, 60, 90))
    assert (row.name, row.amounts, row.total) == ("Beta GmbH", (0, 0, D("700.00"), 0, 0), 700)


def test_detail_by_customer_then_due_date_with_buckets(ledger):
    rows = list(aging_detail(org=ledger.org, as_of=TODAY, currency="USD", edges=(30, 60, 90)))
    n = {invoice.pk: name for name, invoice in ledger.invoices.items()}
    assert [(n[r.invoice_id], r.customer_name, r.bucket, r.open_amount) for r in rows] == [
        ("A", "Alpha Ltd", dash("61-90"), D("400.00")),
        ("B", "Alpha Ltd", dash("31-60"), D("500.00")),
        ("K", "Alpha Ltd", dash("31-60"), D("100.00")),
        ("I", "Gamma Inc", dash("31-60"), D("120.00")),
        ("C", "Gamma Inc", dash("1-30"), D("215.00")),
        ("D", "Gamma Inc", "Current", D("250.00")),
    ]


def test_bad_edges_and_future_days_are_refused(ledger):
    with pytest.raises(ValueError, match="must increase"):
        aging_report(org=ledger.org, as_of=TODAY, currency="USD", edges=(60, 30))
    with pytest.raises(ValueError, match="in the future"):
        aging_by_customer(org=ledger.org, as_of=TODAY + timedelta(days=1), currency="USD")
    with pytest.raises(ValueError, match="in the future"):
        aging_detail(org=ledger.org, as_of=TODAY + timedelta(days=1), currency="USD")


# ---- the property


class _Rollback(Exception):
    pass


invoice_specs = st.tuples(
    st.integers(min_value=0, max_value=400),  # issued this many days before today
    st.integers(min_value=0, max_value=120),  # due this many days after issue
    st.integers(min_value=1, max_value=500_000),  # total in cents
    st.integers(min_value=0, max_value=100),  # percent paid
    st.integers(min_value=0, max_value=200),  # paid this many days after issue
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    specs=st.lists(invoice_specs, max_size=20),
    edges=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6, unique=True),
    back=st.integers(min_value=0, max_value=400),
)
def test_buckets_always_add_up_to_the_receivables(tenant, specs, edges, back):
    edges = sorted(edges)
    as_of = TODAY - timedelta(days=back)
    try:
        with at(NOW), transaction.atomic():
            _ledger(tenant.org, specs)
            report = aging_report(org=tenant.org, as_of=as_of, currency="USD", edges=edges)
            total = receivables_at(org=tenant.org, days=[as_of], currency="USD")[as_of]
            customers = aging_by_customer(org=tenant.org, as_of=as_of, currency="USD", edges=edges)
            detail = list(aging_detail(org=tenant.org, as_of=as_of, currency="USD", edges=edges))

            assert sum(b.amount for b in report.buckets) == report.total == total.total
            assert sum(b.count for b in report.buckets) == report.invoice_count == len(detail)
            assert report.total - report.overdue == report.buckets[0].amount == total.current
            assert sum(row.total for row in customers) == report.total
            assert sum(row.open_amount for row in detail) == report.total
            for index, bucket in enumerate(report.buckets):
                assert sum(row.amounts[index] for row in customers) == bucket.amount
                mine = [row for row in detail if row.bucket == bucket.label]
                assert sum(row.open_amount for row in mine) == bucket.amount
                for row in mine:
                    assert bucket.low is None or row.days_past_due >= bucket.low
                    assert bucket.high is None or row.days_past_due <= bucket.high
            raise _Rollback
    except _Rollback:
        pass


def _ledger(org, specs) -> None:
    """Issued invoices and part payments written straight to the tables (hundreds of
    examples through the services would take minutes), over two customers."""
    customers = [CustomerFactory(organization=org, currency="USD") for _ in range(2)]
    for n, (ago, terms, cents, percent, paid_after) in enumerate(specs):
        issued = TODAY - timedelta(days=ago)
        total = D(cents) / 100
        paid = (total * percent / 100).quantize(D("0.01"))
        invoice = Invoice.objects.create(
            organization=org,
            customer=customers[n % 2],
            status=InvoiceStatus.PAID if paid == total else InvoiceStatus.OPEN,
            number=f"P-{n}",
            currency="USD",
            issue_date=issued,
            due_date=issued + timedelta(days=terms),
            subtotal=total,
            total=total,
            amount_paid=paid,
            balance_due=total - paid,
        )
        if paid:
            payment = Payment.objects.create(
                organization=org,
                customer=invoice.customer,
                amount=paid,
                currency="USD",
                method="cash",
                received_on=issued + timedelta(days=paid_after),
            )
            PaymentAllocation.objects.create(
                organization=org, payment=payment, invoice=invoice, amount=paid
            )

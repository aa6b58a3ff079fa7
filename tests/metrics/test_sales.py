"""Credit sales of periods, worked out by hand from the ledger in tests/metrics/ledger.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.sales import credit_sales

D = Decimal
pytestmark = pytest.mark.django_db


def test_sales_by_month_in_one_query(ledger):
    months = [
        (date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 4, 15)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]
    with CaptureQueriesContext(connection) as queries:
        sales = credit_sales(org=ledger.org, currency="USD", periods=months)
    assert len(queries) == 1
    # January: A 1000 + E 800 (written off later, still a sale). February: B 500 + I 300 +
    # K 100 (F void, H in EUR). March: C 300; K's 20 fee of 4 March was waived on 25 March,
    # inside the month. April: L 200 + D 250 + C's 15 fee of 1 April. December: nothing.
    assert sales == [D("1800.00"), D("900.00"), D("300.00"), D("465.00"), D("0.00")]


def test_a_fee_waived_after_the_period_was_a_sale_in_it(ledger):
    # 1-20 March: C 300 + K's fee 20 (waived only on 25 March).
    assert credit_sales(
        org=ledger.org, currency="USD", periods=[(date(2027, 3, 1), date(2027, 3, 20))]
    ) == [D("320.00")]


def test_overlapping_periods_and_another_currency(ledger):
    sales = credit_sales(
        org=ledger.org,
        currency="EUR",
        periods=[(date(2027, 1, 1), date(2027, 3, 31)), (date(2027, 2, 1), date(2027, 2, 1))],
    )
    assert sales == [D("700.00"), D("700.00")]  # H, issued 1 February


def test_a_backwards_period_is_refused(ledger):
    with pytest.raises(ValueError, match="2027-01-01 is before 2027-02-01"):
        credit_sales(org=ledger.org, currency="USD", periods=[(date(2027, 2, 1), date(2027, 1, 1))])

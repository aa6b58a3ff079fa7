"""CEI worked out by hand from the ledger in tests/metrics/ledger.py (receivables in
test_receivables.py, sales in test_sales.py):

receivables: 31 Dec 0; 28 Feb 2400; 31 Mar 1200, current 200 (C, due that day); 15 Apr 1585,
current 250. Credit sales: Jan 1800, Feb 900, Mar 300, 1-15 Apr 465.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.cei import cei_months, cei_percent, cei_period, cei_quarters
from metrics.figures import CeiFigure
from tests.metrics.ledger import NOW, TODAY, at

D = Decimal
pytestmark = pytest.mark.django_db


def test_a_month(ledger):
    # (2400 + 300 - 1200) / (2400 + 300 - 200) = 1500 / 2500 = 60.0 %. E's write-off (800) left
    # the receivables in March, so it counts as collected, as CEI always has it.
    assert cei_period(
        org=ledger.org, start=date(2027, 3, 1), end=date(2027, 3, 31), currency="USD"
    ) == CeiFigure(
        start=date(2027, 3, 1),
        end=date(2027, 3, 31),
        percent=D("60.0"),
        beginning=D("2400.00"),
        credit_sales=D("300.00"),
        ending=D("1200.00"),
        ending_current=D("200.00"),
    )


def test_months_in_two_queries(ledger):
    with CaptureQueriesContext(connection) as queries:
        figures = cei_months(org=ledger.org, as_of=TODAY, currency="USD", count=2)
    assert len(queries) == 2
    # April to the 15th: (1200 + 465 - 1585) / (1200 + 465 - 250) = 80 / 1415 = 5.65 -> 5.7.
    assert [(f.start, f.end, f.percent) for f in figures] == [
        (date(2027, 3, 1), date(2027, 3, 31), D("60.0")),
        (date(2027, 4, 1), TODAY, D("5.7")),
    ]


def test_quarters(ledger):
    figures = cei_quarters(org=ledger.org, as_of=TODAY, currency="USD", count=2)
    # Q1: (0 + 3000 - 1200) / (0 + 3000 - 200) = 1800 / 2800 = 64.29 -> 64.3.
    assert [(f.start, f.end, f.beginning, f.credit_sales, f.percent) for f in figures] == [
        (date(2027, 1, 1), date(2027, 3, 31), D("0.00"), D("3000.00"), D("64.3")),
        (date(2027, 4, 1), TODAY, D("1200.00"), D("465.00"), D("5.7")),
    ]


def test_nothing_collectable_has_no_percent(tenant):
    with at(NOW):
        figure = cei_period(
            org=tenant.org, start=date(2027, 1, 1), end=date(2027, 1, 31), currency="GBP"
        )
    assert figure.percent is None and figure.beginning == figure.ending == 0
    assert cei_percent(beginning=D(0), credit_sales=D(0), ending=D(0), ending_current=D(0)) is None


def test_refusals(ledger):
    with pytest.raises(ValueError, match=r"end: the period ends \(2027-02-28\) before"):
        cei_period(org=ledger.org, start=date(2027, 3, 1), end=date(2027, 2, 28), currency="USD")
    with pytest.raises(ValueError, match="in the future"):
        cei_period(org=ledger.org, start=date(2027, 4, 1), end=date(2027, 4, 30), currency="USD")

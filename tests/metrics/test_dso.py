"""DSO by the three methods and its monthly trend, worked out by hand from the ledger in
tests/metrics/ledger.py (receivables in test_receivables.py, sales in test_sales.py):

receivables: 28 Feb 2400, 31 Mar 1200, 15 Apr 1585 (current 250).
credit sales: Jan 1800, Feb 900, Mar 300, 1-15 Apr 465.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.dso import dso_best, dso_countback, dso_simple, dso_trend
from metrics.figures import DsoFigure
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.ledger import NOW, TODAY, at

D = Decimal
pytestmark = pytest.mark.django_db


def test_simple(ledger):
    figure = dso_simple(org=ledger.org, as_of=TODAY, currency="USD")
    # 90 days back to 16 Jan: sales Feb 900 + Mar 300 + Apr 465 = 1665 (A and E were issued
    # before 16 Jan). 1585 / 1665 x 90 = 85.68 -> 85.7.
    assert figure == DsoFigure(
        method="simple",
        days=D("85.7"),
        as_of=TODAY,
        period_start=date(2027, 1, 16),
        period_end=TODAY,
        receivables=D("1585.00"),
        credit_sales=D("1665.00"),
    )


def test_simple_over_a_shorter_period_in_the_past(ledger):
    # 30 days to 28 Feb (30 Jan - 28 Feb): sales 900; 2400 / 900 x 30 = 80.0.
    figure = dso_simple(org=ledger.org, as_of=date(2027, 2, 28), currency="USD", period_days=30)
    assert (figure.days, figure.period_start, figure.credit_sales) == (
        D("80.0"),
        date(2027, 1, 30),
        D("900.00"),
    )


def test_best_counts_only_what_is_not_yet_due(ledger):
    # Only D (250) is not yet due: 250 / 1665 x 90 = 13.51 -> 13.5.
    figure = dso_best(org=ledger.org, as_of=TODAY, currency="USD")
    assert (figure.method, figure.days, figure.receivables) == ("best", D("13.5"), D("250.00"))


def test_countback_walks_months_back_until_the_receivables_are_used(ledger):
    with CaptureQueriesContext(connection) as queries:
        figure = dso_countback(org=ledger.org, as_of=TODAY, currency="USD")
    assert len(queries) == 2
    # 1585: April 1-15 sold 465 (15 days, 1120 left), March 300 (31 days, 820 left), February
    # 900 covers the rest: 28 x 820 / 900 = 25.51. 15 + 31 + 25.51 = 71.51 -> 71.5.
    assert figure == DsoFigure(
        method="countback",
        days=D("71.5"),
        as_of=TODAY,
        period_start=date(2027, 2, 1),
        period_end=TODAY,
        receivables=D("1585.00"),
        credit_sales=D("1665.00"),
    )


def test_trend_one_figure_per_month_end_in_two_queries(ledger):
    with CaptureQueriesContext(connection) as queries:
        trend = dso_trend(org=ledger.org, as_of=TODAY, currency="USD", months=3)
    assert len(queries) == 2
    # 28 Feb: 2400 / (Dec-Feb sales 2700) x 90 = 80.0. 31 Mar: 1200 / (Jan-Mar 3000) x 90 =
    # 36.0. 15 Apr: 85.7 as above.
    assert [(f.as_of, f.days) for f in trend] == [
        (date(2027, 2, 28), D("80.0")),
        (date(2027, 3, 31), D("36.0")),
        (TODAY, D("85.7")),
    ]


def test_countback_trend(ledger):
    with CaptureQueriesContext(connection) as queries:
        trend = dso_trend(org=ledger.org, as_of=TODAY, currency="USD", months=2, method="countback")
    assert len(queries) == 2
    # 31 Mar: 1200 - March's 300 (31 days) leaves 900, exactly February's sales (28 days): 59.0.
    assert [(f.as_of, f.days, f.period_start) for f in trend] == [
        (date(2027, 3, 31), D("59.0"), date(2027, 2, 1)),
        (TODAY, D("71.5"), date(2027, 2, 1)),
    ]


def test_no_sales_in_the_period(tenant):
    tenant.org.timezone = "America/New_York"
    tenant.org.save()
    with at(NOW):
        assert dso_simple(org=tenant.org, as_of=TODAY, currency="GBP").days == D("0.0")
        with at(date(2026, 10, 20)):
            invoice_make(
                tenant.org, lines=(("Work", "1", "100.00"),), issue_date=date(2026, 10, 20)
            )
        # Nothing sold in the last 90 days, 100 owed: at least the whole period.
        assert dso_simple(org=tenant.org, as_of=TODAY, currency="GBP").days == D("90.0")
        # Countback: Apr 15 + Mar 31 + Feb 28 + Jan 31 + Dec 31 + Nov 30 days with no sales,
        # then all of October's 100: 166 + 31 = 197.
        figure = dso_countback(org=tenant.org, as_of=TODAY, currency="GBP")
        assert (figure.days, figure.period_start) == (D("197.0"), date(2026, 10, 1))


def test_refusals(ledger):
    with pytest.raises(ValueError, match="in the future"):
        dso_simple(org=ledger.org, as_of=date(2027, 4, 16), currency="USD")
    with pytest.raises(ValueError, match="method"):
        dso_trend(org=ledger.org, as_of=TODAY, currency="USD", method="median")
    with pytest.raises(ValueError, match="period_days"):
        dso_best(org=ledger.org, as_of=TODAY, currency="USD", period_days=0)

"""The "How customers pay" and "Cash forecast" pages. Today is Wednesday 14 April 2027 (London);
forecast weeks run Monday to Sunday: week 1 is 12-18 April, week 2 is 19-25 April.

    Prompt Ltd  P1 100 due 04-01, paid 03-30 (early: on time)      nothing open
    Late Ltd    L1 200 due 03-01, paid 03-11 (10 days late)
                L2 300 due 04-19: open; expected 04-19 + 10 = 04-29   week 3
                L3  50 due 03-20: open, past due; expected today       week 1
    next 4 weeks: 50 + 300 = 350, all of Late's open 350.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from arhub.roles import Role
from tests.conftest import Tenant
from tests.metrics.ledger_factories import customer_make, issued, paid

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 4, 14, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def books(tenant: Tenant) -> None:
    org = tenant.org
    org.default_currency, org.timezone = "USD", "Europe/London"
    org.save()
    with time_machine.travel(
        datetime(2027, 2, 1, 12, tzinfo=ZoneInfo("Europe/London")), tick=False
    ):
        prompt, late = customer_make(org, "Prompt Ltd"), customer_make(org, "Late Ltd")
        p1 = issued(org, prompt, "100.00", on=date(2027, 1, 30), due=date(2027, 4, 1))
        l1 = issued(org, late, "200.00", on=date(2027, 1, 30), due=date(2027, 3, 1))
        issued(org, late, "300.00", on=date(2027, 1, 30), due=date(2027, 4, 19))
        issued(org, late, "50.00", on=date(2027, 1, 30), due=date(2027, 3, 20))
    with time_machine.travel(NOW, tick=False):
        paid(org, prompt, (p1, "100.00"), on=date(2027, 3, 30))
        paid(org, late, (l1, "200.00"), on=date(2027, 3, 11))


@pytest.fixture
def clock() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_how_customers_pay(tenant: Tenant, books: None, clock: object) -> None:
    html = tenant.client().get(reverse("report_customers")).content.decode()
    # Largest open balance first: Late owes 350, Prompt nothing.
    assert html.index("Late Ltd") < html.index("Prompt Ltd")
    assert "$350.00" in html
    assert "format=csv" in html


def test_how_customers_pay_shows_the_last_90_days_activity(
    tenant: Tenant, books: None, clock: object
) -> None:
    html = tenant.client(Role.VIEWER).get(reverse("report_customers")).content.decode()
    # The window is the 90 days to 14 April 2027, both ends included: 15 January to 14 April.
    assert "From 15 Jan 2027 to 14 Apr 2027" in html
    # Both payments (30 March, 11 March) fall in it, and neither had a reminder sent.
    assert "2, of which 2 with no reminder at all" in html
    assert "Disputes raised</dt><dd>0" in html


def test_how_customers_pay_as_csv_for_the_accountant_only(
    tenant: Tenant, books: None, clock: object
) -> None:
    url = reverse("report_customers") + "?format=csv"
    assert tenant.client(Role.VIEWER).get(url).status_code == 403
    response = tenant.client(Role.ACCOUNTANT).get(url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    late = next(row for row in rows if row[0] == "Late Ltd")
    header = rows[0]
    assert late[header.index("Open balance")] == "350.00"
    assert late[header.index("Average days late")] in ("10", "10.0")


def test_the_cash_forecast(tenant: Tenant, books: None, clock: object) -> None:
    html = tenant.client().get(reverse("report_forecast")).content.decode()
    four = html[html.index("Next 4 weeks") :]
    assert "$350.00" in four[:200]
    assert "<svg" in html and "Cash expected by week, next 13 weeks" in html
    # Week 1 (12 Apr) expects L3's 50 now; week 3 (26 Apr) L2's 300, ten days after its due date.
    rows = html[html.index("<tbody>") :]
    assert rows.index("12 Apr") < rows.index("$50.00") < rows.index("19 Apr")
    assert rows.index("26 Apr") < rows.index("$300.00") < rows.index("3 May")


def test_the_forecast_has_no_as_of(tenant: Tenant, books: None, clock: object) -> None:
    # A forecast is from today; an as_of in the query is not a field of its form and is ignored.
    html = tenant.client().get(reverse("report_forecast") + "?as_of=2027-01-01").content.decode()
    assert 'name="as_of"' not in html and "$350.00" in html

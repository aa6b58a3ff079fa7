"""``/api/v1/reports/activity/``: the period's disputes, promises, plans and reminders as JSON
and as files. The figures are worked by ``metrics.activity`` (tested in test_activity.py); here a
small May 2027 in London, with "today" 30 June, checks what the API says and writes:

- invoices issued in May: I1 and I2; I1 is disputed on 3 May 09:00 UTC, answered on 4 May
  15:00 (30.0 hours) and resolved on 10 May 09:00 (7.0 days): 1 dispute per 2 invoices, 50.0;
- a promise kept on 2 May and one broken on 15 May (50.0 %), a plan paid off on 5 May (100.0 %);
- P1, issued in April and due 4 May, paid on 11 May after the due-date reminder of 4 May.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from arhub.roles import Role
from disputes.models import Author
from payments.models import PlanStatus, PromiseStatus
from tests.conftest import Tenant
from tests.metrics.export_helpers import csv_rows
from tests.metrics.ledger_factories import (
    customer_make,
    dispute_row,
    dispute_say,
    issued,
    paid,
    plan_row,
    promise_row,
    reminder_sent,
    utc,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/activity/"
MAY = {"start": "2027-05-01", "end": "2027-05-31"}


@pytest.fixture
def may(tenant: Tenant) -> Iterator[None]:
    with time_machine.travel(utc(2027, 6, 30), tick=False):
        org = tenant.org
        customer = customer_make(org, "Cleo")
        i1, i2 = (issued(org, customer, "100.00", on=date(2027, 5, d), due=date(2027, 7, 31))
                  for d in (2, 20))  # fmt: skip
        dispute = dispute_row(
            org, i1, utc(2027, 5, 3, 9), status="resolved", resolved_at=utc(2027, 5, 10, 9)
        )
        dispute_say(org, dispute, Author.OWNER, utc(2027, 5, 4, 15))
        promise_row(org, i1, status=PromiseStatus.KEPT, at=utc(2027, 5, 2))
        promise_row(org, i2, status=PromiseStatus.BROKEN, at=utc(2027, 5, 15))
        plan_row(org, customer, status=PlanStatus.COMPLETED, at=utc(2027, 5, 5))
        p1 = issued(org, customer, "50.00", on=date(2027, 4, 1), due=date(2027, 5, 4))
        reminder_sent(org, p1, 0, at=utc(2027, 5, 4, 9), sent_at=utc(2027, 5, 4, 9, 1))
        paid(org, customer, (p1, "50.00"), on=date(2027, 5, 11))
        yield


def get(tenant: Tenant, role: str = Role.VIEWER, **query: Any) -> Any:
    return tenant.api(role).get(URL, query)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_period_as_json(tenant: Tenant, may: None) -> None:
    response = get(tenant, **MAY)
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {
        **MAY,
        "disputes": {
            "count": 1,
            "invoices_issued": 2,
            "rate": "50.0",
            "answered": 1,
            "avg_hours_to_first_reply": "30.0",
            "resolved": 1,
            "avg_days_to_resolution": "7.0",
        },
        "arrangements": {
            "promises_kept": 1,
            "promises_broken": 1,
            "promises_kept_rate": "50.0",
            "plans_completed": 1,
            "plans_broken": 0,
            "plans_completed_rate": "100.0",
        },
        "reminders": {
            "paid_count": 1,
            "no_reminder": 0,
            "steps": [{"offset_days": 0, "label": "On the due date", "count": 1}],
            "top_step": 0,
        },
    }


def test_the_last_90_days_unless_told(tenant: Tenant, may: None) -> None:
    data = get(tenant).json()
    assert (data["start"], data["end"]) == ("2027-04-02", "2027-06-30")  # 90 days, both counted
    assert data["disputes"]["count"] == 1
    quiet = get(tenant, start="2027-06-01").json()
    assert (quiet["disputes"]["count"], quiet["disputes"]["rate"]) == (0, None)
    assert quiet["reminders"] == {"paid_count": 0, "no_reminder": 0, "steps": [], "top_step": None}


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ({"start": "2027-05-31", "end": "2027-05-01"}, "end"),
        ({"end": "2027-07-01"}, "end"),
        ({"start": "May"}, "start"),
        ({"format": "docx"}, "format"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    tenant: Tenant, may: None, query: dict, key: str
) -> None:
    response = get(tenant, **query)
    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_files_for_those_who_may_export(tenant: Tenant, may: None) -> None:
    assert get(tenant, Role.VIEWER, format="csv", **MAY).status_code == 403
    response = get(tenant, Role.ACCOUNTANT, format="csv", **MAY)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{tenant.org.slug}-activity-2027-05-01-2027-05-31.csv"'
    )
    rows = csv_rows(body(response))
    assert rows[0] == ["Figure", "Value", "Unit"]
    figures = {figure: (value, unit) for figure, value, unit in rows[1:]}
    assert figures["Dispute rate"] == ("50.0", "per 100 invoices issued")
    assert figures["First answer, on average"] == ("30.0", "hours")
    assert figures["Promises kept rate"] == ("50.0", "percent")
    assert figures["Last reminder before payment: On the due date (most often)"] == (
        "1",
        "invoices",
    )
    assert "Total" not in {row[0] for row in rows}  # counts of different things: no totals row

    book = load_workbook(io.BytesIO(body(get(tenant, Role.ACCOUNTANT, format="xlsx", **MAY))))
    assert book["Report"]["A2"].value == "Disputes opened" and book["Report"]["B2"].value == 1
    about = [[cell.value for cell in row] for row in book["About"].iter_rows()]
    assert ["From", "2027-05-01"] in about
    assert not any(row and row[0] == "Currency" for row in about)  # no money in it

    pdf = get(tenant, Role.ACCOUNTANT, format="pdf", **MAY)
    assert pdf["Content-Type"] == "application/pdf" and body(pdf).startswith(b"%PDF-")

"""``/api/v1/reports/``: JSON figures for any role, files for roles that may export, bad input a
400 naming the parameter; and background exports through the API.

Figures from the hand-worked ledger (tests/metrics/ledger.py, "today" 15 April 2027, USD), as
worked in test_aging.py, test_dso.py and test_cei.py: aging 1585.00 (Current 250, 1-30 215,
31-60 720, 61-90 400), overdue 1335.00; DSO simple 85.7 (1585 / 1665 x 90), count-back 71.5;
March's CEI 60.0 % ((2400 + 300 - 1200) / (2400 + 300 - 200)).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from arhub.roles import Role
from metrics.export_services import export_job_run
from metrics.models import ExportJob
from tests.conftest import Tenant
from tests.metrics.export_helpers import csv_rows, export_root  # noqa: F401
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db


def get(tenant: Tenant, path: str, role: str = Role.OWNER, **query: Any) -> Any:
    return tenant.api(role).get(f"/api/v1/reports/{path}", query)


def ok(tenant: Tenant, path: str, role: str = Role.VIEWER, **query: Any) -> Any:
    response = get(tenant, path, role, **query)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_aging_as_json(tenant: Tenant, ledger: Ledger) -> None:
    data = ok(tenant, "aging/")
    assert {k: data[k] for k in ("as_of", "currency", "edges", "total", "overdue")} == {
        "as_of": "2027-04-15",
        "currency": "USD",
        "edges": "30,60,90",
        "total": "1585.00",
        "overdue": "1335.00",  # 1585 - 250 current
    }
    assert [(b["label"], b["amount"], b["count"]) for b in data["buckets"]] == [
        ("Current", "250.00", 1),  # D
        ("1\u201330", "215.00", 1),  # C: 300 - 100 credit + 15 fee
        ("31\u201360", "720.00", 3),  # B 500, I 120, K 100
        ("61\u201390", "400.00", 1),  # A: 1000 - 600
        ("90+", "0.00", 0),
    ]
    assert [(c["name"], c["total"], c["amounts"][2]) for c in data["customers"]] == [
        ("Alpha Ltd", "1000.00", "600.00"),
        ("Gamma Inc", "585.00", "120.00"),
    ]


def test_aging_as_of_a_past_day_with_own_edges(tenant: Tenant, ledger: Ledger) -> None:
    data = ok(tenant, "aging/", as_of="2027-03-31", edges="45")
    assert (data["total"], data["edges"]) == ("1200.00", "45")
    assert [b["label"] for b in data["buckets"]] == ["Current", "1\u201345", "45+"]


def test_dso_by_either_method(tenant: Tenant, ledger: Ledger) -> None:
    simple = ok(tenant, "dso/")
    assert (simple["method"], simple["days"], simple["credit_sales"]) == (
        "simple",
        "85.7",
        "1665.00",
    )
    assert len(simple["trend"]) == 12 and simple["trend"][-1]["days"] == "85.7"
    countback = ok(tenant, "dso/", method="countback")
    assert (countback["method"], countback["days"], countback["period_start"]) == (
        "countback",
        "71.5",
        "2027-02-01",
    )


def test_cei_for_a_period(tenant: Tenant, ledger: Ledger) -> None:
    data = ok(tenant, "cei/", start="2027-03-01", end="2027-03-31")
    assert (data["percent"], data["beginning"], data["ending_current"]) == (
        "60.0",
        "2400.00",
        "200.00",
    )
    assert len(data["months"]) == 12 and len(data["quarters"]) == 4


def test_customers_and_forecast(tenant: Tenant, ledger: Ledger) -> None:
    customers = ok(tenant, "customers/")["results"]
    assert [(c["name"], c["open_balance"]) for c in customers[:2]] == [
        ("Alpha Ltd", "1000.00"),
        ("Gamma Inc", "585.00"),
    ]
    assert len(ok(tenant, "customers/", limit=1)["results"]) == 1
    forecast = ok(tenant, "forecast/", weeks=4)
    assert len(forecast["weeks"]) == 4 and forecast["weeks"][0]["start"] == "2027-04-12"
    total = sum(float(w["expected"]) for w in forecast["weeks"])
    assert float(forecast["next_4_weeks"]) == pytest.approx(total)


@pytest.mark.parametrize(
    ("path", "query", "key"),
    [
        ("aging/", {"as_of": "2027-04-16"}, "as_of"),
        ("aging/", {"format": "docx"}, "format"),
        ("aging/", {"edges": "60,30"}, "edges"),
        ("aging/", {"edges": "thirty"}, "edges"),
        ("aging/", {"currency": "EURO"}, "currency"),
        ("dso/", {"method": "guess"}, "method"),
        ("cei/", {"start": "2027-04-10", "end": "2027-04-01"}, "end"),
        ("cei/", {"end": "2027-05-01"}, "end"),
        ("forecast/", {"weeks": "0"}, "weeks"),
        ("customers/", {"as_of": "yesterday"}, "as_of"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    tenant: Tenant, ledger: Ledger, path: str, query: dict, key: str
) -> None:
    response = get(tenant, path, **query)
    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_future_as_of_says_why(tenant: Tenant, ledger: Ledger) -> None:
    response = get(tenant, "aging/", as_of="2027-04-16")
    assert response.json() == {"as_of": ["2027-04-16 is in the future (today is 2027-04-15)."]}


def test_files_need_the_export_permission(tenant: Tenant, ledger: Ledger) -> None:
    assert get(tenant, "aging/", Role.VIEWER, format="csv").status_code == 403
    assert get(tenant, "aging/", Role.VIEWER).status_code == 200


def test_csv_streams_and_xlsx_and_pdf_download(tenant: Tenant, ledger: Ledger) -> None:
    response = get(tenant, "aging/", Role.ACCOUNTANT, format="csv", view="detail")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{tenant.org.slug}-aging-detail-2027-04-15-usd.csv"'
    )
    rows = csv_rows(body(response))
    assert len(rows) == 1 + 6 + 1  # header, A B K C D I, totals
    assert rows[-1][-1] == "1585.00"
    # A file asked for by its type is answered, not refused by content negotiation.
    typed = tenant.api(Role.ACCOUNTANT).get(
        "/api/v1/reports/dso/", {"format": "csv"}, headers={"Accept": "text/csv"}
    )
    assert typed.status_code == 200 and csv_rows(body(typed))[0][0] == "Month end"
    book = load_workbook(io.BytesIO(body(get(tenant, "customers/", format="xlsx"))))
    assert book["Report"]["A2"].value == "Alpha Ltd"
    for path in ("aging/", "dso/", "cei/", "forecast/"):
        pdf = get(tenant, path, format="pdf")
        assert pdf["Content-Type"] == "application/pdf" and body(pdf).startswith(b"%PDF-"), path


# ---- background exports


def test_an_export_through_the_api(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger, monkeypatch: Any
) -> None:
    monkeypatch.setattr("metrics.tasks.export_job_run_task.delay", lambda *args: None)
    api = tenant.api(Role.ACCOUNTANT)
    response = api.post(
        "/api/v1/reports/exports/",
        {"report": "aging_detail", "format": "csv", "as_of": "2027-03-31"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["params"]) == (
        "queued",
        {"currency": "USD", "as_of": "2027-03-31"},
    )
    assert created["download_url"] is None
    job_url = f"/api/v1/reports/exports/{created['id']}/"
    assert created["url"] == "http://testserver" + job_url
    assert api.get(job_url + "download/").status_code == 404  # not made yet
    export_job_run(org=tenant.org, job_id=created["id"])
    status = api.get(job_url).json()
    assert (status["status"], status["percent"]) == ("done", 100)
    download = api.get(status["download_url"])
    assert download.status_code == 200
    assert csv_rows(body(download))[-1][-1] == "1200.00"  # receivables on 31 March
    listed = api.get("/api/v1/reports/exports/").json()["results"]
    assert [job["id"] for job in listed] == [created["id"]]
    # Another organization's job is not there at all.
    theirs = other_tenant.api(Role.OWNER)
    assert theirs.get(job_url).status_code == 404
    assert theirs.get(job_url + "download/").status_code == 404
    assert theirs.get("/api/v1/reports/exports/").json()["results"] == []


def test_export_requests_are_checked_and_need_the_permission(
    tenant: Tenant, ledger: Ledger
) -> None:
    url = reverse("api_report_exports")
    api = tenant.api(Role.OWNER)
    refused = api.post(
        url, {"report": "qbo_invoices", "format": "xlsx"}, content_type="application/json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["format"]
    future = api.post(
        url,
        {"report": "dso", "format": "csv", "as_of": "2030-01-01"},
        content_type="application/json",
    )
    assert future.status_code == 400 and list(future.json()) == ["as_of"]
    viewer = tenant.api(Role.VIEWER)
    assert (
        viewer.post(
            url, {"report": "dso", "format": "csv"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert viewer.get(url).status_code == 403
    assert not ExportJob.objects.exists()

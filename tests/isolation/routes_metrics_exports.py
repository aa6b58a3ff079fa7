"""Isolation sweep entries for background exports and the reports API: the exports pages (list
and new export, a job's page, status and download, the monthly email), ``/api/v1/reports/``
(aging, DSO, CEI, customers, forecast, activity, as JSON and as files) and
``/api/v1/reports/exports/``.

B's job id in a URL is a 404. B always has an open invoice (its customer named after B, a sweep
marker), so a report that added B's figures into A's would name B's customer in its customer
rows. The activity report names nobody, so it is checked by its counts: B's dispute is not
counted in A's, and A's own is. B's customer id in an export request is refused as if it did not exist, with no job made.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from metrics.export_services import export_job_create, export_job_run
from metrics.models import ExportJob
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.routes_disputes import new_dispute
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    request_as_a,
    sweep_org_page,
)


def finished_export(tenant: Tenant) -> ExportJob:
    """A done aging export of the tenant's open invoice (its customer's name is in the file)."""
    new_invoice(tenant)
    job = export_job_create(
        org=tenant.org, actor=None, report="aging_summary", format="csv", params={}
    )
    done = export_job_run(org=tenant.org, job_id=job.pk)
    assert done is not None and done.status == "done", done and done.error
    return done


def export_unchanged(built: ExportJob) -> None:
    current = ExportJob.objects.get(pk=built.pk)
    assert (current.status, current.file_name, current.emailed_at) == (
        built.status,
        built.file_name,
        built.emailed_at,
    ), "org B's export changed"


def sweep_report_api(world: World, found: FoundRoute, route: Route) -> None:
    """A report as JSON and as a CSV, with B's open invoice and B's export there to leak."""
    finished_export(world.b)
    new_invoice(world.a)
    sweep_org_page(world, found, route)
    url = reverse(found.name or "") + "?format=csv"
    for who, make_client in a_clients(world, found):
        response = request_as_a(world, make_client(), "GET", url, None, who)
        assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"


def sweep_activity_api(world: World, found: FoundRoute, route: Route) -> None:
    """B's dispute opened today is not among A's; A's own dispute is (so 0 meant something)."""
    new_dispute(world.b)
    url = reverse(found.name or "")

    def disputes_seen(client: Any, who: str) -> int:
        response = request_as_a(world, client, "GET", url, None, who)
        assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"
        count: int = response.json()["disputes"]["count"]
        return count

    for who, make_client in a_clients(world, found):
        assert disputes_seen(make_client(), who) == 0, f"{who} counted org B's dispute"
    new_dispute(world.a)
    assert disputes_seen(world.a.api(), "A's owner (A's dispute)") == 1, "control"
    sweep_report_api(world, found, route)


def _no_export_of_b(world: World) -> None:
    assert not ExportJob.objects.filter(organization=world.a.org).exists(), (
        "an export was made with org B's customer"
    )


def sweep_export_list(world: World, found: FoundRoute, route: Route) -> None:
    """The list with B's export there to leak; a new export of B's customer's statement is
    refused on the form, and A's own customer's is made (so the refusal meant something)."""
    finished_export(world.b)
    theirs = new_invoice(world.b).customer_id
    url = reverse("exports")
    for who, make_client in a_clients(world, found):
        listed = request_as_a(world, make_client(), "GET", url, None, who)
        assert listed.status_code == 200, f"GET {url} as {who}: {listed.status_code}"
        body = {"report": "statements", "format": "pdf", "customer": theirs}
        refused = request_as_a(world, make_client(), "POST", url, body, who)
        assert refused.status_code == 200, f"POST {url} (B's customer) as {who}"
        _no_export_of_b(world)
    mine = new_invoice(world.a).customer_id
    body = {"report": "statements", "format": "pdf", "customer": mine}
    made = request_as_a(world, world.a.client(), "POST", url, body, "A's owner (A's customer)")
    assert made.status_code == 302, f"control: POST {url}: {made.status_code}"


def sweep_export_api(world: World, found: FoundRoute, route: Route) -> None:
    """GET lists without B's exports; POST with B's customer is a 400 under ``customer``, and
    with A's own a 201."""
    finished_export(world.b)
    theirs = new_invoice(world.b).customer_id
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        listed = request_as_a(world, make_client(), "GET", url, None, who)
        assert listed.status_code == 200 and listed.json()["results"] == [], who
        body = {"report": "statements", "format": "pdf", "customer": theirs}
        refused = request_as_a(world, make_client(), "POST", url, body, who)
        assert refused.status_code == 400, f"POST {url} (B's customer) as {who}: {refused}"
        assert set(refused.json()) == {"customer"}
        _no_export_of_b(world)
    body = {"report": "statements", "format": "pdf", "customer": new_invoice(world.a).customer_id}
    made = request_as_a(world, world.a.api(), "POST", url, body, "A's owner (A's customer)")
    assert made.status_code == 201, f"control: POST {url}: {made.status_code}"


JOB = {"build": finished_export, "unchanged": export_unchanged}
API_JOB = {**JOB, "kwargs": lambda job: {"job_id": job.pk}}
REPORT_API = Route("custom", custom=sweep_report_api, methods=("GET",))

ROUTES: dict[str, Route] = {
    "exports": Route("custom", custom=sweep_export_list),
    "export_job": Route("object", **JOB),  # type: ignore[arg-type]
    "export_job_status": Route("object", **JOB),  # type: ignore[arg-type]
    "export_job_download": Route("object", **JOB),  # type: ignore[arg-type]
    "export_schedule": Route(
        "org_page",
        data={"POST": {"reports": ["dso"], "format": "pdf", "day_of_month": "1", "active": "on"}},
        expect={"GET": {200}, "POST": {302}},
    ),
    "api_report_aging": REPORT_API,
    "api_report_dso": REPORT_API,
    "api_report_cei": REPORT_API,
    "api_report_customers": REPORT_API,
    "api_report_forecast": REPORT_API,
    "api_report_activity": Route("custom", custom=sweep_activity_api, methods=("GET",)),
    "api_report_exports": Route("custom", custom=sweep_export_api),
    "api_report_export": Route("object", **API_JOB),  # type: ignore[arg-type]
    "api_report_export_download": Route("object", **API_JOB),  # type: ignore[arg-type]
}

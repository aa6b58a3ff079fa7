"""The exports pages: the list with its form, a job's page with its self-refreshing progress bar
(a static script and a <noscript> refresh, no inline JS), the JSON status, the download, and the
monthly email's page; by role and across organizations."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from arhub.roles import Role
from metrics.export_services import export_job_create
from metrics.models import ExportJob, ReportSchedule
from tests.conftest import Tenant
from tests.metrics.export_helpers import csv_rows, export_root, job_file, job_run  # noqa: F401
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db
EXPORTS = "/reports/exports/"


def text(response: Any) -> str:
    return unescape(response.content.decode())


def test_the_form_starts_an_export_and_opens_its_page(tenant: Tenant, ledger: Ledger) -> None:
    client = tenant.client(Role.ACCOUNTANT)
    assert reverse("exports") == EXPORTS
    page = text(client.get(EXPORTS + "?report=aging_detail&format=xlsx"))
    assert '<option value="aging_detail" selected>' in page  # prefilled from a report page
    response = client.post(
        EXPORTS, {"report": "aging_detail", "format": "xlsx", "as_of": "2027-03-31"}
    )
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert job.params == {"currency": "USD", "as_of": "2027-03-31"}
    assert job.requested_by == tenant.user(Role.ACCOUNTANT)


def test_bad_values_are_shown_on_their_fields(tenant: Tenant, ledger: Ledger) -> None:
    response = tenant.client().post(
        EXPORTS,
        {"report": "invoice_register", "format": "csv", "start": "2027-04-10", "end": "2027-04-01"},
    )
    assert response.status_code == 200
    page = text(response)
    assert 'href="#id_end">To: the period ends (2027-04-01) before it starts (2027-04-10).' in page
    assert not ExportJob.objects.exists()


def test_a_running_job_page_refreshes_itself_without_inline_script(
    tenant: Tenant, ledger: Ledger
) -> None:
    job = export_job_create(
        org=tenant.org, actor=None, report="aging_detail", format="csv", params={}
    )
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=2, rows_total=6)
    response = tenant.client(Role.ACCOUNTANT).get(f"/reports/exports/{job.pk}/")
    page = text(response)
    assert response["Cache-Control"] == "private, no-store"
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f'data-job-progress="/reports/exports/{job.pk}/status.json"' in page
    assert 'max="6" value="2"' in page
    assert "Written 2 of 6 rows (33%)." in page  # 2 * 100 // 6
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert all(body.strip() == "" for _, body in scripts)
    assert any("arhub/job_progress.js" in attrs for attrs, _ in scripts)
    status = tenant.client(Role.ACCOUNTANT).get(f"/reports/exports/{job.pk}/status.json").json()
    assert status == {
        "id": job.pk,
        "status": "running",
        "status_label": "Running",
        "processed": 2,
        "total": 6,
        "percent": 33,
        "finished": False,
        "message": "Written 2 of 6 rows (33%).",
    }


def test_a_done_job_downloads_for_the_accountant_and_the_owner(
    tenant: Tenant, ledger: Ledger
) -> None:
    job = job_run(tenant, "aging_summary", "csv", role=Role.ACCOUNTANT)
    page = text(tenant.client(Role.OWNER).get(f"/reports/exports/{job.pk}/"))
    assert "Your file is ready" in page and "<noscript>" not in page
    for role in (Role.ACCOUNTANT, Role.OWNER):
        response = tenant.client(role).get(f"/reports/exports/{job.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="{tenant.org.slug}-aging-summary-2027-04-15-usd.csv"'
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        body = b"".join(response.streaming_content)
        assert csv_rows(body)[-1][6] == "1585.00"  # 1000 + 585


def test_viewers_get_403_everywhere(tenant: Tenant, ledger: Ledger) -> None:
    job = job_run(tenant, "aging_summary", "csv")
    client = tenant.client(Role.VIEWER)
    for url in (
        EXPORTS,
        f"/reports/exports/{job.pk}/",
        f"/reports/exports/{job.pk}/status.json",
        f"/reports/exports/{job.pk}/download/",
        "/reports/exports/schedule/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(EXPORTS, {"report": "dso", "format": "csv"}).status_code == 403
    assert ExportJob.objects.count() == 1


def test_another_organizations_job_is_404(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger
) -> None:
    theirs = job_run(tenant, "aging_summary", "csv")
    client = other_tenant.client(Role.OWNER)
    for suffix in ("", "status.json", "download/"):
        assert client.get(f"/reports/exports/{theirs.pk}/{suffix}").status_code == 404
    assert "Acme" not in text(client.get(EXPORTS))


def test_an_expired_or_unfinished_job_has_no_download(tenant: Tenant, ledger: Ledger) -> None:
    done = job_run(tenant, "aging_summary", "csv")
    job_file(done).unlink()
    ExportJob.objects.filter(pk=done.pk).update(status="expired", file_name="")
    queued = export_job_create(org=tenant.org, actor=None, report="dso", format="csv", params={})
    client = tenant.client()
    assert client.get(f"/reports/exports/{done.pk}/download/").status_code == 404
    assert client.get(f"/reports/exports/{queued.pk}/download/").status_code == 404
    assert "This export has expired" in text(client.get(f"/reports/exports/{done.pk}/"))


def test_the_list_shows_recent_exports(tenant: Tenant, ledger: Ledger) -> None:
    job = job_run(tenant, "dso", "pdf", role=Role.ACCOUNTANT)
    page = text(tenant.client().get(EXPORTS))
    assert f'href="/reports/exports/{job.pk}/">DSO and CEI</a>' in page
    assert f'href="/reports/exports/{job.pk}/download/"' in page
    assert tenant.user(Role.ACCOUNTANT).full_name in page


def test_the_schedule_page_saves_the_members_own_email(tenant: Tenant) -> None:
    client = tenant.client(Role.ACCOUNTANT)
    page = text(client.get("/reports/exports/schedule/"))
    assert tenant.user(Role.ACCOUNTANT).email in page
    response = client.post(
        "/reports/exports/schedule/",
        {
            "reports": ["aging_summary", "dso"],
            "format": "xlsx",
            "day_of_month": "3",
            "active": "on",
        },
    )
    assert response["Location"] == "/reports/exports/schedule/"
    schedule = ReportSchedule.objects.get()
    assert schedule.membership == tenant.members[Role.ACCOUNTANT]
    assert (schedule.reports, schedule.format, schedule.day_of_month, schedule.active) == (
        ["aging_summary", "dso"],
        "xlsx",
        3,
        True,
    )
    refused = client.post(
        "/reports/exports/schedule/", {"reports": [], "format": "pdf", "day_of_month": "3"}
    )
    assert "Reports: Choose at least one report." in text(refused)
    # The owner's page is the owner's own, not the accountant's schedule.
    assert 'value="3" selected' not in text(tenant.client().get("/reports/exports/schedule/"))

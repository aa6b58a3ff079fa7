"""Background exports: asked for, claimed once, written with progress, finished or failed with a
clear reason, emailed, expired; and one job made by a real Celery worker.

Figures from the hand-worked ledger (tests/metrics/ledger.py, "today" 15 April 2027, USD): aging
by customer is Alpha 1000.00 (A 400 + B 500 + K 100) and Gamma 585.00 (C 215 + D 250 + I 120),
1585.00 in all, of which Current 250, 1-30 215, 31-60 720, 61-90 400.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from arhub.roles import Role
from metrics import export_files, export_services
from metrics.export_services import (
    FAILED_OUR_SIDE,
    export_files_root,
    export_job_create,
    export_job_run,
    export_jobs_expire,
    export_jobs_requeue_stale,
)
from metrics.models import ExportJob, ExportStatus
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.export_helpers import csv_rows, export_root, job_file, job_run  # noqa: F401
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db


def register_of(tenant: Tenant, count: int) -> None:
    for n in range(count):
        invoice_make(tenant.org, lines=(("Work", "1", f"{n + 1}00.00"),))


# ---- asking


def test_a_job_is_stored_checked_and_queued_after_commit(
    tenant: Tenant, ledger: Ledger, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr("metrics.tasks.export_job_run_task.delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_job_create(
            org=tenant.org,
            actor=tenant.user(Role.ACCOUNTANT),
            report="aging_summary",
            format="csv",
            params={"edges": "30, 60"},
        )
        assert sent == []  # nothing reaches the broker before the row is committed
    for callback in callbacks:
        callback()
    assert sent == [(tenant.org.pk, job.pk)]
    assert (job.status, job.report, job.format) == ("queued", "aging_summary", "csv")
    # The day it was asked for is kept, so a worker that starts after midnight runs the same.
    assert job.params == {"currency": "USD", "as_of": "2027-04-15", "edges": "30,60"}


def test_bad_input_makes_no_job(tenant: Tenant, ledger: Ledger) -> None:
    with pytest.raises(ValidationError) as caught:
        export_job_create(
            org=tenant.org, actor=None, report="aging_summary", format="docx", params={}
        )
    assert list(caught.value.message_dict) == ["format"]
    assert not ExportJob.objects.exists()


def test_a_pdf_too_long_is_refused_before_it_is_queued(
    tenant: Tenant, ledger: Ledger, monkeypatch: Any
) -> None:
    # Aging detail on the day: A, B, K, C, D and I are open (L was paid in full): 6 rows.
    monkeypatch.setattr(export_services, "PDF_MAX_ROWS", 5)
    with pytest.raises(ValidationError) as caught:
        export_job_create(
            org=tenant.org, actor=None, report="aging_detail", format="pdf", params={}
        )
    assert caught.value.message_dict == {
        "format": [
            "Aging detail by invoice has 6 rows, more than a PDF holds (5); choose CSV or XLSX."
        ]
    }
    job_run(tenant, "aging_detail", "xlsx")  # the same rows as a spreadsheet are fine


# ---- running


def test_the_file_is_written_under_a_random_name_and_the_requester_emailed(
    tenant: Tenant, ledger: Ledger
) -> None:
    root = export_files_root()
    job = job_run(tenant, "aging_summary", "csv", role=Role.ACCOUNTANT)
    assert job.status == ExportStatus.DONE, job.error
    assert (job.rows_done, job.rows_total, job.percent) == (2, 2, 100)
    path = job_file(job)
    assert path.parent == root and len(path.stem) == 32 and path.suffix == ".csv"
    assert job.download_name == f"{tenant.org.slug}-aging-summary-2027-04-15-usd.csv"
    assert job.size == path.stat().st_size
    assert list(root.iterdir()) == [path]  # no temporary file left behind
    rows = csv_rows(path.read_bytes())
    assert rows[0] == [
        "Customer",
        "Current",
        "1\u201330",
        "31\u201360",
        "61\u201390",
        "90+",
        "Total",
        "Oldest due date",
    ]
    # Alpha: A 400 (61-90) + B 500 + K 100 (31-60); Gamma: D 250 current, C 215, I 120.
    assert rows[1] == [
        "Alpha Ltd",
        "0.00",
        "0.00",
        "600.00",
        "400.00",
        "0.00",
        "1000.00",
        "2027-02-09",
    ]
    assert rows[2] == [
        "Gamma Inc",
        "250.00",
        "215.00",
        "120.00",
        "0.00",
        "0.00",
        "585.00",
        "2027-03-03",
    ]
    assert rows[3][6] == "1585.00"
    [message] = mail.outbox
    assert message.to == [tenant.user(Role.ACCOUNTANT).email]
    assert "your export is ready" in message.subject
    link = "http://localhost:8000" + reverse("export_job", args=[job.pk])
    assert link in message.body
    assert ExportJob.objects.get(pk=job.pk).emailed_at is not None


def test_xlsx_and_pdf(tenant: Tenant, ledger: Ledger) -> None:
    book = load_workbook(job_file(job_run(tenant, "dso", "xlsx")))
    sheet = book["Report"]
    # Twelve month ends up to 15 April: the last row is April's, 85.7 days simple, 71.5
    # count-back (worked in test_dso.py).
    last = [cell.value for cell in sheet[13]]
    assert last[0] == "Apr 2027" and float(last[2]) == 85.7 and float(last[3]) == 71.5
    pdf = job_file(job_run(tenant, "aging_summary", "pdf"))
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_progress_is_written_as_the_rows_go_by(tenant: Tenant, monkeypatch: Any) -> None:
    register_of(tenant, 5)
    monkeypatch.setattr(export_files, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int | None]] = []
    original = export_services._Progress.__call__

    def watch(self: Any, done: int) -> None:
        original(self, done)
        job = ExportJob.objects.get()
        seen.append((job.rows_done, job.rows_total))

    monkeypatch.setattr(export_services._Progress, "__call__", watch)
    job = job_run(tenant, "invoice_register", "csv")
    # Every 2 rows, then the end: the register counted 5 invoices before it started.
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert (job.rows_done, job.rows_total) == (5, 5)


def test_a_total_that_was_too_low_grows_with_the_rows(tenant: Tenant, monkeypatch: Any) -> None:
    register_of(tenant, 3)
    monkeypatch.setattr(export_files, "PROGRESS_EVERY", 1)
    spec = replace(export_services.SPECS["invoice_register"], estimate=lambda org, params: 1)
    monkeypatch.setitem(export_services.SPECS, "invoice_register", spec)
    job = job_run(tenant, "invoice_register", "csv")
    assert job.status == ExportStatus.DONE, job.error
    assert (job.rows_done, job.rows_total) == (3, 3)


def test_a_job_is_run_once(tenant: Tenant, ledger: Ledger) -> None:
    job = job_run(tenant, "aging_summary", "csv")
    first = (job.file_name, job.finished_at)
    again = export_job_run(org=tenant.org, job_id=job.pk)
    assert again is not None and (again.file_name, again.finished_at) == first
    assert len(mail.outbox) == 1


def test_a_running_job_is_left_to_its_worker_until_it_looks_dead(
    tenant: Tenant, ledger: Ledger
) -> None:
    root = export_files_root()
    job = export_job_create(
        org=tenant.org, actor=None, report="aging_summary", format="csv", params={}
    )
    ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    left = export_job_run(org=tenant.org, job_id=job.pk)
    assert left is not None and left.status == "running" and not root.exists()
    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=4))
    taken = export_job_run(org=tenant.org, job_id=job.pk)
    assert taken is not None and taken.status == "done"


def test_another_organizations_job_is_not_run(tenant: Tenant, other_tenant: Tenant) -> None:
    job = export_job_create(
        org=other_tenant.org, actor=None, report="aging_summary", format="csv", params={}
    )
    assert export_job_run(org=tenant.org, job_id=job.pk) is None
    assert ExportJob.objects.get(pk=job.pk).status == "queued"


def test_a_failure_is_recorded_in_words_and_leaves_no_file(
    tenant: Tenant, ledger: Ledger, monkeypatch: Any
) -> None:
    root = export_files_root()

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_files, "xlsx_bytes", broken)
    job = job_run(tenant, "aging_summary", "xlsx")
    assert (job.status, job.error, job.file_name) == ("failed", FAILED_OUR_SIDE, "")
    assert list(root.iterdir()) == []
    assert mail.outbox == []


def test_a_pdf_that_turns_out_too_long_fails_saying_what_to_do(
    tenant: Tenant, ledger: Ledger, monkeypatch: Any
) -> None:
    monkeypatch.setattr("metrics.export_pdf.MAX_ROWS", 1)
    job = job_run(tenant, "aging_summary", "pdf")
    assert job.status == "failed"
    assert job.error == (
        "Aging summary by customer has more than 1 rows, too many for a PDF; download it as "
        "CSV or XLSX instead."
    )


# ---- housekeeping


def test_files_older_than_the_keep_days_are_deleted(
    tenant: Tenant, ledger: Ledger, settings: Any
) -> None:
    settings.EXPORT_KEEP_DAYS = 7
    old, recent = job_run(tenant, "aging_summary", "csv"), job_run(tenant, "dso", "csv")
    now = timezone.now()
    ExportJob.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=7, minutes=1))
    ExportJob.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=6))
    old_path, recent_path = job_file(old), job_file(recent)
    stray = old_path.parent / "abandoned.csv.part"
    stray.write_bytes(b"half")
    os.utime(stray, (time.time() - 4 * 3600, time.time() - 4 * 3600))
    assert export_jobs_expire(now=now) == 1
    assert not old_path.exists() and recent_path.exists() and not stray.exists()
    old.refresh_from_db()
    assert (old.status, old.file_name) == ("expired", "")
    assert ExportJob.objects.get(pk=recent.pk).status == "done"


def test_stale_jobs_are_sent_again(tenant: Tenant, ledger: Ledger, monkeypatch: Any) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr("metrics.tasks.export_job_run_task.delay", lambda *args: sent.append(args))
    _fresh, lost = (
        export_job_create(org=tenant.org, actor=None, report="dso", format="csv", params={})
        for _ in range(2)
    )
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert export_jobs_requeue_stale() == 1
    assert sent == [(tenant.org.pk, lost.pk)]


# ---- through a real worker


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_export_is_made_by_a_real_celery_worker(tenant: Tenant, worker: None) -> None:
    register_of(tenant, 3)  # 100.00, 200.00, 300.00
    job = export_job_create(
        org=tenant.org,
        actor=tenant.user(Role.ACCOUNTANT),
        report="invoice_register",
        format="csv",
        params={},
    )
    deadline = time.monotonic() + 60
    while job.status not in ("done", "failed"):
        assert time.monotonic() < deadline, f"export {job.pk} still {job.status}"
        time.sleep(0.1)
        job.refresh_from_db()
    assert job.status == "done", job.error
    assert (job.rows_done, job.rows_total) == (3, 3)
    rows = csv_rows(job_file(job).read_bytes())
    assert rows[-1][0] == "Total" and rows[-1][8] == "600.00"  # 100 + 200 + 300
    # The email follows the finish (never before the file is there to download).
    while not mail.outbox:
        assert time.monotonic() < deadline, "no email about the finished export"
        time.sleep(0.05)
    [message] = mail.outbox
    assert message.to == [tenant.user(Role.ACCOUNTANT).email]
    for role in (Role.ACCOUNTANT, Role.OWNER):
        response = tenant.client(role).get(reverse("export_job_download", args=[job.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == job_file(job).read_bytes()

"""Exports made in the background: asked for (checked, stored, queued after commit), run by a
worker (claimed once, written to a temporary file, moved into place under a random name),
downloaded, and expired.

A job is claimed with a conditional update (queued → running, stamping ``started_at``) that only
one delivery can win, so a task delivered twice writes one file. The stamp is the claim's token:
progress and the finish are conditional on it, so a worker that lost its job (it looked dead
and was claimed again) can neither move the bar nor finish it. A worker that died leaves a
running job; after :data:`STALE_RUNNING` another delivery may claim it again.

Progress is ``rows_done`` out of ``rows_total``, written every ``PROGRESS_EVERY`` rows outside any
transaction, so the page's bar moves while the file is being written. When the file is ready the
person who asked gets an email with a link to the job's page (a scheduled job's file goes in the
schedule's own email instead, ``metrics.schedule_email``).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arhub.clock import org_today
from arhub.models import Organization, User
from metrics.export_emails import export_ready_email_send
from metrics.export_files import download_name, export_write
from metrics.export_params import ExportParams
from metrics.export_pdf import MAX_ROWS as PDF_MAX_ROWS
from metrics.export_pdf import PdfTooLarge
from metrics.export_registry import SPECS, export_request_check
from metrics.models import ExportFormat, ExportJob, ExportStatus, ReportSchedule

logger = logging.getLogger(__name__)

# A queued job whose task never reached a worker (the broker was down when it was queued).
STALE_QUEUED = timedelta(minutes=10)
# A running job this old lost its worker. Generous: a million-row register takes minutes, and
# a job claimed again while its first worker still writes costs a second file, not a wrong one.
STALE_RUNNING = timedelta(hours=3)
PART_SUFFIX = ".part"
FAILED_OUR_SIDE = "Something went wrong on our side while making the file. Please try again."


def export_files_root() -> Path:
    return Path(settings.EXPORT_FILES_ROOT)


def export_file_path(job: ExportJob) -> Path | None:
    """Where a finished job's file is, or None when it has none (not done, or expired)."""
    if not job.file_name:
        return None
    return export_files_root() / job.file_name


def export_job_get(*, org: Organization, job_id: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.for_org(org), pk=job_id)


def export_job_list(*, org: Organization) -> QuerySet[ExportJob]:
    return (
        ExportJob.objects.for_org(org).select_related("requested_by").order_by("-created_at", "-pk")
    )


def _queue(job: ExportJob) -> None:
    # Imported here, not at the top: the tasks module imports this one.
    from metrics.tasks import export_job_run_task

    # After commit, so the worker never looks for a job it cannot see yet.
    transaction.on_commit(partial(export_job_run_task.delay, job.organization_id, job.pk))


def export_job_create(
    *,
    org: Organization,
    actor: User | None,
    report: str,
    format: str,
    params: Mapping[str, object],
    schedule: ReportSchedule | None = None,
) -> ExportJob:
    """Check the request and queue the job. ValidationError names ``report``, ``format`` or
    the filter that is wrong; a PDF that would hold more rows than a PDF takes is refused under
    ``format`` now, not after a wait."""
    spec, fmt, checked = export_request_check(org=org, report=report, format=format, params=params)
    if fmt == ExportFormat.PDF and spec.table is not None and spec.estimate is not None:
        rows = spec.estimate(org, checked)
        if rows > PDF_MAX_ROWS:
            raise ValidationError(
                {
                    "format": [
                        f"{spec.label} has {rows:,} rows, more than a PDF holds "
                        f"({PDF_MAX_ROWS:,}); choose CSV or XLSX."
                    ]
                }
            )
    with transaction.atomic():
        job = ExportJob.objects.create(
            organization=org,
            requested_by=actor,
            report=spec.kind,
            format=fmt,
            params=checked.stored(),
            schedule=schedule,
        )
        _queue(job)
    return job


def _claim(org: Organization, job_id: int) -> datetime | None:
    """Queued → running (or running but long dead → running again); the stamp that proves this
    caller holds the job, or None when another does."""
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    claimed = (
        ExportJob.objects.for_org(org)
        .filter(claimable, pk=job_id)
        .update(
            status=ExportStatus.RUNNING,
            started_at=now,
            rows_done=0,
            rows_total=None,
            error="",
        )
    )
    return now if claimed == 1 else None


class _Progress:
    """Writes the running count to the job, raising the total when the rows pass an
    estimate (the table's check keeps ``rows_done <= rows_total``)."""

    def __init__(self, org: Organization, job_id: int, claim: datetime, total: int | None) -> None:
        self.rows = ExportJob.objects.for_org(org).filter(
            pk=job_id, status=ExportStatus.RUNNING, started_at=claim
        )
        self.total = total
        self.rows.update(rows_total=total)

    def __call__(self, done: int) -> None:
        if self.total is not None and done > self.total:
            self.total = done
        self.rows.update(rows_done=done, rows_total=self.total)


def _fail(org: Organization, job_id: int, claim: datetime, reason: str) -> None:
    ExportJob.objects.for_org(org).filter(
        pk=job_id, status=ExportStatus.RUNNING, started_at=claim
    ).update(status=ExportStatus.FAILED, error=reason[:500], finished_at=timezone.now())


def export_job_run(*, org: Organization, job_id: int) -> ExportJob | None:
    """Make the file of a queued job. Idempotent: a job running elsewhere, done, failed or
    expired is left as it is."""
    if not ExportJob.objects.for_org(org).filter(pk=job_id).exists():
        return None
    claim = _claim(org, job_id)
    job = ExportJob.objects.for_org(org).get(pk=job_id)
    if claim is None:
        return job
    spec = SPECS[job.report]
    params = ExportParams.from_stored(job.params)
    root = export_files_root()
    root.mkdir(parents=True, exist_ok=True)
    # Random: the path is never guessable, though nothing serves the folder.
    name = f"{secrets.token_hex(16)}.{job.format}"
    part = root / (name + PART_SUFFIX)
    try:
        total = spec.estimate(org, params) if spec.estimate else None
        progress = _Progress(org, job_id, claim, total)
        with part.open("wb") as out:
            rows = export_write(
                org=org,
                spec=spec,
                fmt=job.format,
                params=params,
                out=out,
                on_rows=progress,
                today=org_today(org),
            )
        size = part.stat().st_size
        os.replace(part, root / name)
        finished = (
            ExportJob.objects.for_org(org)
            .filter(pk=job_id, status=ExportStatus.RUNNING, started_at=claim)
            .update(
                status=ExportStatus.DONE,
                file_name=name,
                download_name=download_name(
                    org=org, spec=spec, fmt=job.format, params=params, on=org_today(org)
                ),
                size=size,
                rows_done=rows,
                rows_total=rows,
                finished_at=timezone.now(),
            )
        )
        if not finished:  # claimed again meanwhile: keep only the other worker's file
            (root / name).unlink(missing_ok=True)
    except PdfTooLarge as exc:
        _fail(org, job_id, claim, str(exc))
    except Exception:
        logger.exception("Export %s (%s, %s) failed", job_id, job.report, job.format)
        _fail(org, job_id, claim, FAILED_OUR_SIDE)
    finally:
        part.unlink(missing_ok=True)
    job.refresh_from_db()
    _tell(org, job)
    return job


def _tell(org: Organization, job: ExportJob) -> None:
    """The email that follows a finished job: the schedule's, once all its jobs are finished,
    or the requester's own when the file is ready."""
    if job.status not in (ExportStatus.DONE, ExportStatus.FAILED):
        return
    if job.schedule_id is not None:
        from metrics.schedule_email import schedule_email_if_complete

        schedule_email_if_complete(org=org, schedule_id=job.schedule_id)
        return
    if job.status != ExportStatus.DONE or job.requested_by is None:
        return
    mine = ExportJob.objects.for_org(org).filter(pk=job.pk, emailed_at__isnull=True)
    if mine.update(emailed_at=timezone.now()):  # once, whichever delivery gets here first
        export_ready_email_send(job=job)


def export_jobs_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports finished more than ``EXPORT_KEEP_DAYS`` ago (the job stays,
    marked expired, as the record that the export was made), and temporary files left by
    workers that died. Cross-tenant housekeeping, run by beat; the files deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_KEEP_DAYS)
    root = export_files_root()
    expired = 0
    old = ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)
    for pk, name in old.values_list("pk", "file_name")[:1000]:
        if name:
            (root / name).unlink(missing_ok=True)
            expired += 1
        ExportJob.objects.filter(pk=pk, status=ExportStatus.DONE).update(
            status=ExportStatus.EXPIRED, file_name=""
        )
    if root.is_dir():
        for part in root.glob("*" + PART_SUFFIX):
            if part.stat().st_mtime < (now - STALE_RUNNING).timestamp():
                part.unlink(missing_ok=True)
    return expired


def export_jobs_requeue_stale(*, now: datetime | None = None) -> int:
    """Send again the tasks of jobs queued long ago (the broker was down) or running long past
    any export's time (the worker died). Cross-tenant; a second delivery is harmless."""
    from metrics.tasks import export_job_run_task

    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED, created_at__lt=now - STALE_QUEUED)
        | Q(status=ExportStatus.RUNNING, started_at__lt=now - STALE_RUNNING)
    ).values_list("organization_id", "pk")[:500]
    found = list(stale)
    for org_id, job_id in found:
        export_job_run_task.delay(org_id, job_id)
    return len(found)

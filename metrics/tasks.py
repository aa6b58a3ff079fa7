"""Celery tasks for exports and the monthly report email (thin: take ids, call a service)."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from metrics import export_services, schedule_services


@shared_task(acks_late=True)
def export_job_run_task(org_id: int, job_id: int) -> str:
    """Make a queued export's file. Safe to deliver twice: the service claims the job with a
    conditional update, so a second delivery finds nothing to do."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "missing"
    job = export_services.export_job_run(org=org, job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(acks_late=True)
def export_jobs_expire_task() -> int:
    return export_services.export_jobs_expire()


@shared_task(acks_late=True)
def export_jobs_requeue_stale_task() -> int:
    return export_services.export_jobs_requeue_stale()


@shared_task(acks_late=True)
def report_schedules_run_task() -> int:
    return schedule_services.report_schedules_run()

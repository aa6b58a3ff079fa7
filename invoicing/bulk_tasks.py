"""Celery tasks for bulk work on invoices (thin: take ids, call a service)."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from invoicing import bulk_services


@shared_task(acks_late=True)
def invoice_zip_run(org_id: int, job_id: int) -> str:
    """Build a queued zip of invoice PDFs. Safe to deliver twice: the service claims the job
    with a conditional update, so a second delivery finds nothing to do."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "missing"
    job = bulk_services.invoice_zip_run(org=org, job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(acks_late=True)
def invoice_zips_requeue_stale() -> int:
    return bulk_services.invoice_zip_requeue_stale()


@shared_task(acks_late=True)
def invoice_zips_purge_expired() -> int:
    return bulk_services.invoice_zips_purge_expired()

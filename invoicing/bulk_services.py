"""Bulk work on invoices picked from the list: send several, void several, and a zip of their
PDFs built in the background with a progress bar.

The zip is an ``InvoiceBulkJob`` row. Creating it queues a Celery task after commit; the task
claims the job with a conditional update (queued → running) that only one delivery can win, so
a redelivered task does nothing. A worker that died mid-run leaves a running job that stops
moving: after ``STALE_RUNNING`` without progress another delivery may claim it again (building
a zip twice is harmless; only the finished file is kept).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arhub.models import Organization, User
from invoicing.invoice_services import invoice_void
from invoicing.models import Invoice, InvoiceBulkJob, InvoiceStatus, JobStatus

logger = logging.getLogger(__name__)

ZIP_ACTION = "zip"
MAX_ZIP_INVOICES = 500
# A running job whose progress has not moved for this long lost its worker.
STALE_RUNNING = timedelta(minutes=10)
# A queued job whose task never arrived (the broker was down when it was queued).
STALE_QUEUED = timedelta(minutes=10)


def _invoices_in_order(org: Organization, ids: Sequence[int]) -> list[Invoice]:
    """The organization's invoices among ``ids``, in the order of ``ids``. Ids of another
    organization, or of nothing, are left out as if they had never been sent."""
    found = Invoice.objects.for_org(org).select_related("customer").in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


# --------------------------------------------------------------------------------------------
# Send


# Why an invoice is left out of "Send", by status; the summary counts them under these words.
NOT_SENT: dict[str, str] = {
    InvoiceStatus.VOID: "void",
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.UNCOLLECTIBLE: "written off",
}


@dataclass
class BulkOutcome:
    """What a bulk action did: the invoices it acted on, those it skipped (with why), and
    those it tried and could not (with the service's reason)."""

    done: list[Invoice] = field(default_factory=list)
    skipped: list[tuple[Invoice, str]] = field(default_factory=list)
    failed: list[tuple[Invoice, str]] = field(default_factory=list)
    missing: int = 0  # selected ids that are not (or no longer) this organization's invoices


def invoice_bulk_send(
    *, org: Organization, actor: User | None, invoice_ids: Sequence[int]
) -> BulkOutcome:
    """Send each selected invoice (drafts are issued first), skipping void, paid and written-off
    ones. Each send is its own transaction, so one that fails does not undo the others."""
    from invoicing.sending import invoice_send

    invoices = _invoices_in_order(org, invoice_ids)
    outcome = BulkOutcome(missing=len(set(invoice_ids)) - len(invoices))
    for invoice in invoices:
        why = NOT_SENT.get(invoice.status)
        if why is not None:
            outcome.skipped.append((invoice, why))
            continue
        try:
            outcome.done.append(invoice_send(org=org, actor=actor, invoice=invoice))
        except ValidationError as exc:
            outcome.failed.append((invoice, " ".join(exc.messages)))
    return outcome


# --------------------------------------------------------------------------------------------
# Void


def void_refusal(invoice: Invoice) -> str | None:
    """Why this invoice cannot be voided, in words for the confirmation page; None if it can."""
    if invoice.can_void():
        return None
    if invoice.status == InvoiceStatus.VOID:
        return "Already void."
    if invoice.is_draft:
        return "A draft is deleted, not voided."
    if invoice.status == InvoiceStatus.UNCOLLECTIBLE:
        return "Written off."
    return "Payments are recorded on it; issue a credit note instead."


def invoice_bulk_void_preview(
    *, org: Organization, invoice_ids: Sequence[int]
) -> tuple[list[Invoice], list[tuple[Invoice, str]]]:
    """The selected invoices split into those that can be voided and those that cannot, with
    the reason."""
    voidable: list[Invoice] = []
    refused: list[tuple[Invoice, str]] = []
    for invoice in _invoices_in_order(org, invoice_ids):
        why = void_refusal(invoice)
        if why is None:
            voidable.append(invoice)
        else:
            refused.append((invoice, why))
    return voidable, refused


def invoice_bulk_void(
    *, org: Organization, actor: User | None, invoice_ids: Sequence[int], reason: str
) -> BulkOutcome:
    """Void each selected invoice that can be; report the others and why. The service checks
    again under a row lock, so an invoice paid since the confirmation page is refused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why these invoices are being voided."})
    invoices = _invoices_in_order(org, invoice_ids)
    outcome = BulkOutcome(missing=len(set(invoice_ids)) - len(invoices))
    for invoice in invoices:
        if invoice.status == InvoiceStatus.VOID:
            outcome.skipped.append((invoice, "already void"))
            continue
        try:
            outcome.done.append(invoice_void(org=org, actor=actor, invoice=invoice, reason=reason))
        except ValidationError as exc:
            outcome.failed.append((invoice, " ".join(exc.messages)))
    return outcome


# --------------------------------------------------------------------------------------------
# The zip of PDFs


def invoice_bulk_job_get(*, org: Organization, job_id: int) -> InvoiceBulkJob:
    return get_object_or_404(InvoiceBulkJob.objects.for_org(org), pk=job_id)


def invoice_bulk_job_list(*, org: Organization) -> QuerySet[InvoiceBulkJob]:
    return InvoiceBulkJob.objects.for_org(org).order_by("-created_at", "-pk")


def _queue(job: InvoiceBulkJob) -> None:
    # Imported here, not at the top: the tasks module imports this one.
    from invoicing.bulk_tasks import invoice_zip_run

    # After commit, so the worker never looks for a job it cannot see yet.
    transaction.on_commit(partial(invoice_zip_run.delay, job.organization_id, job.pk))


def invoice_zip_create(
    *, org: Organization, actor: User | None, invoice_ids: Sequence[int]
) -> InvoiceBulkJob:
    """Queue a zip of the selected invoices' PDFs. Raises ValidationError with a message for
    the person when there is nothing to zip or more than ``MAX_ZIP_INVOICES``."""
    ids = list(dict.fromkeys(invoice_ids))
    if len(ids) > MAX_ZIP_INVOICES:
        raise ValidationError(
            f"A zip holds at most {MAX_ZIP_INVOICES} invoices and {len(ids):,} were chosen. "
            "Narrow the list (for example by issue date) and download it in parts."
        )
    found = [invoice.pk for invoice in _invoices_in_order(org, ids)]
    if not found:
        raise ValidationError("Select at least one invoice first.")
    with transaction.atomic():
        job = InvoiceBulkJob.objects.create(
            organization=org,
            action=ZIP_ACTION,
            invoice_ids=found,
            total=len(found),
            created_by=actor,
        )
        _queue(job)
    return job


def invoice_zip_retry(*, org: Organization, job: InvoiceBulkJob) -> bool:
    """Queue a failed zip again. False when it was not failed (a double click)."""
    with transaction.atomic():
        queued = (
            InvoiceBulkJob.objects.for_org(org)
            .filter(pk=job.pk, status=JobStatus.FAILED)
            .update(
                status=JobStatus.QUEUED,
                processed=0,
                error_message="",
                finished_at=None,
                updated_at=timezone.now(),
            )
        )
        if queued:
            _queue(job)
    return bool(queued)


def _claim(org: Organization, job_id: int) -> bool:
    """Queued → running, or a running job that stopped moving; only one caller can win."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, updated_at__lt=now - STALE_RUNNING
    )
    claimed = (
        InvoiceBulkJob.objects.for_org(org)
        .filter(claimable, pk=job_id)
        .update(status=JobStatus.RUNNING, processed=0, error_message="", updated_at=now)
    )
    return claimed == 1


def _unique_name(name: str, used: Counter[str]) -> str:
    """``name`` itself the first time, then "name (2).pdf", "name (3).pdf", …"""
    used[name] += 1
    if used[name] == 1:
        return name
    path = PurePosixPath(name)
    return f"{path.stem} ({used[name]}){path.suffix}"


def _progress(org: Organization, job: InvoiceBulkJob, processed: int) -> None:
    InvoiceBulkJob.objects.for_org(org).filter(pk=job.pk, status=JobStatus.RUNNING).update(
        processed=processed, updated_at=timezone.now()
    )


def _fail(org: Organization, job: InvoiceBulkJob, reason: str) -> None:
    InvoiceBulkJob.objects.for_org(org).filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error_message=reason,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


class _PdfFailed(Exception):
    """Rendering this invoice's PDF failed (the cause is chained)."""

    def __init__(self, invoice: Invoice) -> None:
        super().__init__(invoice.pk)
        self.invoice = invoice


def _write_zip(org: Organization, job: InvoiceBulkJob, invoices: list[Invoice], out: Any) -> None:
    from invoicing.pdf import invoice_pdf, invoice_pdf_filename

    used: Counter[str] = Counter()
    # PDFs are compressed already; deflating them again would cost time for nothing.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, invoice in enumerate(invoices, start=1):
            try:
                content = invoice_pdf(org=org, invoice=invoice)
            except Exception as exc:
                raise _PdfFailed(invoice) from exc
            archive.writestr(_unique_name(invoice_pdf_filename(invoice), used), content)
            _progress(org, job, done)


def invoice_zip_run(*, org: Organization, job_id: int) -> InvoiceBulkJob | None:
    """Build the zip of a queued job. Idempotent: a job that is running elsewhere, done or
    failed is left as it is."""
    job = InvoiceBulkJob.objects.for_org(org).filter(pk=job_id).first()
    if job is None or job.action != ZIP_ACTION:
        return job
    if not _claim(org, job.pk):
        return job
    # Invoices deleted since (drafts can be) are left out; the count follows what is there.
    invoices = _invoices_in_order(org, [int(pk) for pk in job.invoice_ids])
    InvoiceBulkJob.objects.for_org(org).filter(pk=job.pk).update(total=len(invoices))
    try:
        with tempfile.TemporaryFile() as out:
            _write_zip(org, job, invoices, out)
            out.seek(0)
            stamp = timezone.localdate(job.created_at).isoformat()
            # A random part: the stored path is never guessable, even though it is not served.
            name = f"invoices-{stamp}-{job.pk}-{secrets.token_hex(8)}.zip"
            job.result_file.save(name, File(out), save=False)
        finished = (
            InvoiceBulkJob.objects.for_org(org)
            .filter(pk=job.pk, status=JobStatus.RUNNING)
            .update(
                status=JobStatus.DONE,
                processed=len(invoices),
                result_file=job.result_file.name,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        if not finished:  # taken over meanwhile (it looked stale): keep only one file
            job.result_file.delete(save=False)
    except _PdfFailed as exc:
        logger.exception("Zip %s: the PDF of invoice %s failed", job.pk, exc.invoice.pk)
        _fail(
            org,
            job,
            f"We could not make the PDF of {_label(exc.invoice)}, so the zip was not finished. "
            "Please try again; if it happens again, download that invoice on its own or tell "
            "us.",
        )
    except Exception:
        logger.exception("Zip %s failed", job.pk)
        _fail(
            org,
            job,
            "Something went wrong on our side while making the zip. Please try again.",
        )
    job.refresh_from_db()
    return job


def _label(invoice: Invoice) -> str:
    return f"invoice {invoice.number}" if invoice.number else f"the draft for {invoice.customer}"


# Finished zips are deleted after this long: copies of invoices should not pile up in storage.
ZIP_KEPT_FOR = timedelta(days=7)


def invoice_zips_purge_expired(*, older_than: timedelta = ZIP_KEPT_FOR) -> int:
    """Delete the files of zips finished more than ``older_than`` ago; their pages then say
    the zip has expired. Cross-tenant housekeeping, run by beat."""
    cutoff = timezone.now() - older_than
    expired = list(
        InvoiceBulkJob.objects.filter(
            action=ZIP_ACTION, status=JobStatus.DONE, finished_at__lt=cutoff
        ).exclude(result_file="")[:500]
    )
    for job in expired:
        job.result_file.delete(save=False)
        InvoiceBulkJob.objects.filter(pk=job.pk).update(result_file="")
    return len(expired)


def invoice_zip_requeue_stale(*, older_than: timedelta = STALE_QUEUED) -> int:
    """Send again the tasks of zips still queued long after they were asked for (the broker
    was down). Cross-tenant, like the other stale sweeps; a second delivery is harmless."""
    from invoicing.bulk_tasks import invoice_zip_run as run_task

    cutoff = timezone.now() - older_than
    stale = list(
        InvoiceBulkJob.objects.filter(
            Q(status=JobStatus.QUEUED, updated_at__lt=cutoff)
            | Q(status=JobStatus.RUNNING, updated_at__lt=timezone.now() - STALE_RUNNING),
            action=ZIP_ACTION,
        ).values_list("organization_id", "pk")[:500]
    )
    for org_id, job_id in stale:
        run_task.delay(org_id, job_id)
    return len(stale)

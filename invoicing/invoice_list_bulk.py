"""Bulk actions from the invoice list: send, void (after a confirmation page), and a zip of
PDFs built in the background, with its progress page and its download.

Every id in a request is looked up inside the organization; an id of another organization is
treated as one that does not exist, and nothing of that organization is read or changed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.bulk_services import (
    MAX_ZIP_INVOICES,
    ZIP_KEPT_FOR,
    BulkOutcome,
    invoice_bulk_job_get,
    invoice_bulk_send,
    invoice_bulk_void,
    invoice_bulk_void_preview,
    invoice_zip_create,
    invoice_zip_retry,
)
from invoicing.invoice_list_forms import (
    FILTER_KEYS,
    MAX_SELECTED,
    READ_ONLY_ACTIONS,
    SEND,
    VOID,
    ZIP,
    BulkActionForm,
    BulkVoidForm,
    parse_ids,
)
from invoicing.invoice_list_rows import ordered_ids
from invoicing.invoice_list_views import filtered_invoices, read_filters
from invoicing.models import Invoice, InvoiceBulkJob, JobStatus


def list_url(back: str) -> str:
    """The list with the filters and page it was left at (only the list's own query keys are
    kept, and the path is always the list's, so ``back`` cannot send anyone elsewhere)."""
    query = QueryDict(back)
    keys = (*FILTER_KEYS, "after", "before")
    kept = [(key, value) for key in keys for value in query.getlist(key)[:1] if value]
    return reverse("invoices") + (f"?{urlencode(kept)}" if kept else "")


def _names(invoices: list[Invoice]) -> str:
    labels = [invoice.number or f"draft for {invoice.customer}" for invoice in invoices]
    return ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _reasons(skipped: list[tuple[Invoice, str]]) -> str:
    counts: dict[str, int] = {}
    for _, why in skipped:
        counts[why] = counts.get(why, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{count} {why}" for why, count in counts.items())


def send_summary(outcome: BulkOutcome) -> str:
    """E.g. "Sent 8; skipped 2 (void)." then what could not be sent, and why."""
    text = f"Sent {len(outcome.done)}"
    if outcome.skipped:
        text += f"; skipped {len(outcome.skipped)} ({_reasons(outcome.skipped)})"
    text += "."
    for invoice, why in outcome.failed:
        text += f" Not sent: {invoice.number or f'the draft for {invoice.customer}'}: {why}"
    if outcome.missing:
        text += f" {_plural(outcome.missing, 'selected invoice')} no longer exist."
    return text


def void_summary(outcome: BulkOutcome) -> str:
    text = f"Voided {_plural(len(outcome.done), 'invoice')}"
    text += f": {_names(outcome.done)}." if outcome.done else "."
    if outcome.skipped:
        text += f" {len(outcome.skipped)} {'was' if len(outcome.skipped) == 1 else 'were'}"
        text += f" already void: {_names([invoice for invoice, _ in outcome.skipped])}."
    for invoice, why in outcome.failed:
        text += f" Not voided: {invoice.number or f'the draft for {invoice.customer}'}: {why}"
    if outcome.missing:
        text += f" {_plural(outcome.missing, 'selected invoice')} no longer exist."
    return text


class InvoiceBulkView(OrgViewMixin, View):
    """The form around the list's table. A zip is an export (accountants yes, viewers no);
    sending and voiding need a role that changes invoices."""

    required_perm = Perm.VIEW

    def post(self, request: HttpRequest) -> HttpResponse:
        operate = membership_allows(self.membership, Perm.OPERATE)
        action = request.POST.get("action", "")
        if action and action not in READ_ONLY_ACTIONS and not operate:
            raise PermissionDenied("Your role in this organization does not allow this.")
        if action == ZIP and not membership_allows(self.membership, Perm.EXPORT):
            raise PermissionDenied("Your role in this organization does not include exports.")
        back = request.POST.get("back", "")
        if request.POST.get("matching") and action == ZIP:
            return self._zip_matching(request, back)
        form = BulkActionForm(request.POST, operate=operate)
        try:
            if not form.is_valid():
                raise ValidationError(
                    [message for errors in form.errors.values() for message in errors]
                )
            ids = form.selected_ids()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(list_url(back))
        action = form.cleaned_data["action"]
        if action == SEND:
            outcome = invoice_bulk_send(org=self.org, actor=self.membership.user, invoice_ids=ids)
            level = messages.success if outcome.done and not outcome.failed else messages.warning
            level(request, send_summary(outcome))
            return redirect(list_url(back))
        if action == VOID:
            query = urlencode([*(("ids", pk) for pk in ids), ("back", back)])
            return redirect(reverse("invoice_bulk_void") + "?" + query)
        return self._zip(request, ids, back)

    def _zip(self, request: HttpRequest, ids: list[int], back: str) -> HttpResponse:
        try:
            job = invoice_zip_create(org=self.org, actor=self.membership.user, invoice_ids=ids)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(list_url(back))
        return redirect("invoice_export", pk=job.pk)

    def _zip_matching(self, request: HttpRequest, back: str) -> HttpResponse:
        """Every invoice the list's filters match, not only this page's (up to the limit)."""
        _, filters, _ = read_filters(self.org, QueryDict(back))
        invoices = filtered_invoices(org=self.org, filters=filters)
        ids = ordered_ids(invoices, sort=filters.sort, limit=MAX_ZIP_INVOICES + 1)
        if len(ids) > MAX_ZIP_INVOICES:
            messages.error(
                request,
                f"A zip holds at most {MAX_ZIP_INVOICES} invoices and more than that match. "
                "Narrow the list (for example by issue date) and download it in parts.",
            )
            return redirect(list_url(back))
        if not ids:
            messages.error(request, "No invoices match these filters, so there is nothing to zip.")
            return redirect(list_url(back))
        return self._zip(request, ids, back)


class InvoiceBulkVoidView(OrgViewMixin, View):
    """Lists the selected invoices, which can be voided and which cannot (and why), and asks
    for the reason; the POST voids."""

    required_perm = Perm.OPERATE
    template_name = "invoicing/invoice_bulk_void.html"

    def _selected(self, data: QueryDict) -> list[int]:
        try:
            return parse_ids(data.getlist("ids"))[:MAX_SELECTED]
        except ValidationError:
            return []

    def _render(self, request: HttpRequest, ids: list[int], form: BulkVoidForm) -> HttpResponse:
        voidable, refused = invoice_bulk_void_preview(org=self.org, invoice_ids=ids)
        if not voidable and not refused:
            messages.error(request, "Select at least one invoice first.")
            return redirect(list_url(form["back"].value() or ""))
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "voidable": voidable,
                "refused": refused,
                "back_url": list_url(form["back"].value() or ""),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form = BulkVoidForm(initial={"back": request.GET.get("back", "")})
        return self._render(request, self._selected(request.GET), form)

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = self._selected(request.POST)
        form = BulkVoidForm(request.POST)
        if not form.is_valid():
            return self._render(request, ids, form)
        try:
            outcome = invoice_bulk_void(
                org=self.org,
                actor=self.membership.user,
                invoice_ids=ids,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
            return self._render(request, ids, form)
        level = messages.success if outcome.done and not outcome.failed else messages.warning
        level(request, void_summary(outcome))
        return redirect(list_url(form.cleaned_data.get("back") or ""))


# --------------------------------------------------------------------------------------------
# The zip's page, its progress and its download

FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


def progress_state(job: InvoiceBulkJob) -> dict[str, Any]:
    """The job's progress as the page and the JSON endpoint both show it (the same keys as
    the customer import's, so the same small script follows both)."""
    total, processed = job.total, job.processed
    percent = int(100 * processed / total) if total else 0
    if job.status == JobStatus.QUEUED:
        message = f"Waiting to start: {_plural(total, 'invoice')} to put in the zip."
    elif job.status == JobStatus.RUNNING:
        message = f"Made {processed:,} of {total:,} PDFs ({percent}%)."
    elif job.status == JobStatus.DONE:
        message = f"Your zip of {_plural(total, 'invoice')} is ready."
    else:
        message = job.error_message or "The zip could not be made. Please try again."
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "processed": processed,
        "total": total,
        "percent": percent,
        "finished": job.status in FINISHED,
        "message": message,
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _size(job: InvoiceBulkJob) -> int | None:
    if job.status != JobStatus.DONE or not job.result_file:
        return None
    try:
        return int(job.result_file.size)
    except OSError:  # the file went away; the download says so
        return None


class InvoiceExportView(OrgViewMixin, View):
    """The zip's progress bar, then its download link; a failed zip can be queued again."""

    required_perms = {"GET": Perm.EXPORT, "POST": Perm.EXPORT}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = invoice_bulk_job_get(org=self.org, job_id=pk)
        state = progress_state(job)
        return _no_store(
            render(
                request,
                "invoicing/invoice_export.html",
                {
                    "job": job,
                    "state": state,
                    "in_progress": not state["finished"],
                    "refresh_seconds": 2 if job.status == JobStatus.RUNNING else 3,
                    "size": _size(job),
                    "kept_days": ZIP_KEPT_FOR.days,
                },
            )
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = invoice_bulk_job_get(org=self.org, job_id=pk)
        if invoice_zip_retry(org=self.org, job=job):
            messages.success(request, "Trying again.")
        return redirect("invoice_export", pk=job.pk)


class InvoiceExportProgressView(OrgViewMixin, View):
    """Polled by the page's script while the zip is being made."""

    required_perm = Perm.EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = invoice_bulk_job_get(org=self.org, job_id=pk)
        return _no_store(JsonResponse(progress_state(job)))


def download_name(job: InvoiceBulkJob) -> str:
    return f"invoices-{job.created_at:%Y-%m-%d}-{job.pk}.zip"


class InvoiceExportDownloadView(OrgViewMixin, View):
    required_perm = Perm.EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = invoice_bulk_job_get(org=self.org, job_id=pk)
        if job.status != JobStatus.DONE or not job.result_file:
            raise Http404("This zip is not ready.")
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError:
            raise Http404("This zip is no longer available.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(job),
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response

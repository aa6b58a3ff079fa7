"""The exports pages under /reports/exports/: recent exports with a form for a new one, each
job's page (a progress bar that follows the worker, then the download), its JSON status for the
page's script, the download itself, and the member's own monthly report email.

Everything here needs the EXPORT permission (a viewer reads reports but downloads nothing). A
job is looked up inside the organization: another organization's id is a 404. Any member who
may export sees the organization's exports, whoever asked for them: the files hold nothing
their own downloads would not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from metrics.export_files import CONTENT_TYPES
from metrics.export_forms import ExportForm, ScheduleForm
from metrics.export_services import (
    export_file_path,
    export_job_create,
    export_job_get,
    export_job_list,
)
from metrics.models import ExportJob, ExportStatus
from metrics.schedule_services import report_schedule_get, report_schedule_save

RECENT = 50
FINISHED = frozenset({ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED})


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def progress_state(job: ExportJob) -> dict[str, Any]:
    """The job as its page and the JSON status both show it."""
    done, total = job.rows_done, job.rows_total
    percent = job.percent
    if job.status == ExportStatus.QUEUED:
        message = "Waiting for a worker to start it."
    elif job.status == ExportStatus.RUNNING:
        if total:
            message = f"Written {done:,} of {total:,} rows ({percent}%)."
        else:
            message = f"Written {_plural(done, 'row')} so far."
    elif job.status == ExportStatus.DONE:
        message = f"Your file is ready: {_plural(done, 'row')}."
    elif job.status == ExportStatus.EXPIRED:
        message = "This export has expired; its file was deleted."
    else:
        message = job.error or "The export could not be made. Please try again."
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "processed": done,
        "total": total,
        "percent": percent,
        "finished": job.status in FINISHED,
        "message": message,
    }


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    return response


class ExportListView(OrgViewMixin, View):
    """Recent exports, and the form that starts a new one (the query string may prefill it, so
    a report page can link here with its filters)."""

    required_perm = Perm.EXPORT
    template_name = "metrics/exports/export_list.html"

    def _render(self, request: HttpRequest, form: ExportForm) -> HttpResponse:
        jobs = export_job_list(org=self.org)[:RECENT]
        # Every page here needs Perm.EXPORT, so the reports' tabs show the Exports tab.
        context = {
            "form": form,
            "jobs": jobs,
            "keep_days": settings.EXPORT_KEEP_DAYS,
            "can_export": True,
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        keys = ("report", "format", "as_of", "start", "end", "currency", "edges", "customer")
        initial = {key: request.GET[key] for key in keys if request.GET.get(key)}
        return self._render(request, ExportForm(initial=initial, org=self.org))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ExportForm(request.POST, org=self.org)
        if form.is_valid():
            try:
                job = export_job_create(
                    org=self.org,
                    actor=self.membership.user,
                    report=form.cleaned_data["report"],
                    format=form.cleaned_data["format"],
                    params=form.params(),
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect("export_job", pk=job.pk)
        return self._render(request, form)


class ExportJobView(OrgViewMixin, View):
    required_perm = Perm.EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = export_job_get(org=self.org, job_id=pk)
        state = progress_state(job)
        context = {
            "can_export": True,
            "job": job,
            "state": state,
            "in_progress": not state["finished"],
            "refresh_seconds": 2 if job.status == ExportStatus.RUNNING else 3,
            "params": sorted(job.params.items()),
            "expires_at": (job.finished_at or job.created_at)
            + timedelta(days=settings.EXPORT_KEEP_DAYS),
        }
        return _no_store(render(request, "metrics/exports/export_job.html", context))


class ExportJobStatusView(OrgViewMixin, View):
    """Polled by the job page's script while the file is being written."""

    required_perm = Perm.EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = export_job_get(org=self.org, job_id=pk)
        return _no_store(JsonResponse(progress_state(job)))


def export_file_response(job: ExportJob) -> FileResponse:
    """The job's file as an attachment, streamed from disk; 404 when there is none."""
    path = export_file_path(job) if job.status == ExportStatus.DONE else None
    if path is None:
        raise Http404("This export has no file to download.")
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Http404("This export's file is no longer available.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.download_name or path.name,
        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ExportJobDownloadView(OrgViewMixin, View):
    required_perm = Perm.EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        return export_file_response(export_job_get(org=self.org, job_id=pk))


class ExportScheduleView(OrgViewMixin, View):
    """The member's own monthly email: which reports, in which format, on which day."""

    required_perm = Perm.EXPORT
    template_name = "metrics/exports/export_schedule.html"

    def _render(self, request: HttpRequest, form: ScheduleForm) -> HttpResponse:
        schedule = report_schedule_get(org=self.org, membership=self.membership)
        context = {
            "form": form,
            "schedule": schedule,
            "email": self.membership.user.email,
            "can_export": True,
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        schedule = report_schedule_get(org=self.org, membership=self.membership)
        if schedule is None:
            initial = ScheduleForm.initial_for_new()
        else:
            initial = {
                "reports": schedule.reports,
                "format": schedule.format,
                "day_of_month": schedule.day_of_month,
                "active": schedule.active,
            }
        return self._render(request, ScheduleForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                schedule = report_schedule_save(
                    org=self.org,
                    membership=self.membership,
                    reports=data["reports"],
                    format=data["format"],
                    day_of_month=data["day_of_month"],
                    active=data["active"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if schedule.active:
                    messages.success(
                        request,
                        f"Saved. Your reports will be emailed on day {schedule.day_of_month} "
                        "of each month.",
                    )
                else:
                    messages.success(request, "Saved. The monthly email is off.")
                return redirect("export_schedule")
        return self._render(request, form)

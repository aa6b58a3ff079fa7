"""Emails about exports, to the member who asked: "your export is ready" with a link to its page
(the download needs them signed in; the file is never in a link), and the monthly report email
with the files attached, or links to them when they are too large to attach.

Sent like the other member emails (``arhub.emails``): plain text and HTML, the default sender,
a mail server's refusal logged and reported as False rather than raised.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from arhub.models import Organization
from metrics.export_files import CONTENT_TYPES
from metrics.models import ExportJob, ReportSchedule

logger = logging.getLogger(__name__)

# Past this many bytes in all, the monthly email links to the files instead of attaching them
# (many mail servers refuse messages over 10-25 MB, and base64 adds a third).
ATTACH_MAX_BYTES = 7 * 1024 * 1024


def job_link(job: ExportJob) -> str:
    return settings.SITE_URL + reverse("export_job", args=[job.pk])


def _send(message: EmailMultiAlternatives, what: str) -> bool:
    try:
        message.send()
    except (OSError, smtplib.SMTPException, AnymailError):
        logger.exception("%s email to %s failed", what, message.to)
        return False
    return True


def export_ready_email_send(*, job: ExportJob) -> bool:
    """Tell the member who asked that the file is ready, with a link to its page."""
    user = job.requested_by
    if user is None or not user.email or not user.is_active:
        return False
    org = job.organization
    context = {
        "org": org,
        "job": job,
        "link": job_link(job),
        "keep_days": settings.EXPORT_KEEP_DAYS,
        "name": user.full_name,
    }
    message = EmailMultiAlternatives(
        subject=f"{org.name}: your export is ready ({job.get_report_display()})",
        body=render_to_string("metrics/exports/email_ready.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("metrics/exports/email_ready.html", context), "text/html"
    )
    return _send(message, "Export ready")


@dataclass(frozen=True)
class ScheduledFile:
    job: ExportJob
    path: Path | None  # None: the job failed, or its file is gone

    @property
    def link(self) -> str:
        return job_link(self.job)


def report_schedule_email_send(
    *, org: Organization, schedule: ReportSchedule, files: Sequence[ScheduledFile], month: str
) -> bool:
    """The monthly email: each report attached (or linked, when together they are too large to
    attach), and any that could not be made named with the reason."""
    membership = schedule.membership
    user = membership.user
    ready = [f for f in files if f.path is not None]
    total = sum(f.job.size for f in ready)
    attach = total <= ATTACH_MAX_BYTES
    context = {
        "org": org,
        "name": user.full_name,
        "month": month,
        "files": files,
        "attach": attach,
        "keep_days": settings.EXPORT_KEEP_DAYS,
        "schedule_link": settings.SITE_URL + reverse("export_schedule"),
    }
    message = EmailMultiAlternatives(
        subject=f"{org.name}: your monthly reports for {month}",
        body=render_to_string("metrics/exports/email_schedule.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("metrics/exports/email_schedule.html", context), "text/html"
    )
    if attach:
        for item in ready:
            assert item.path is not None
            message.attach(
                item.job.download_name,
                item.path.read_bytes(),
                CONTENT_TYPES.get(item.job.format, "application/octet-stream"),
            )
    return _send(message, "Monthly reports")

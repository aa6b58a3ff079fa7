"""The monthly report email goes once all of a run's exports are finished: the worker that
finishes the last one sends it, with every file attached (or linked) and any failure named.

Which jobs belong to the email: the schedule's jobs not yet emailed. They are taken under a lock
on the schedule's row, so two workers finishing its last two jobs at once send one email.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from arhub.models import Organization
from arhub.permissions import membership_allows
from arhub.roles import Perm
from metrics.export_emails import ScheduledFile, report_schedule_email_send
from metrics.models import ExportJob, ExportStatus, ReportSchedule
from metrics.periods import months_back

UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def covered_month(run_on: date) -> str:
    """The month a run on ``run_on`` reports on: the one before ("March 2027")."""
    return months_back(run_on, 1).strftime("%B %Y")


def schedule_email_if_complete(*, org: Organization, schedule_id: int) -> bool:
    """Send the schedule's email when none of its jobs is still to finish; True when sent."""
    from metrics.export_services import export_file_path

    with transaction.atomic():
        schedule = (
            ReportSchedule.objects.for_org(org)
            .select_for_update()
            .select_related("membership__user")
            .filter(pk=schedule_id)
            .first()
        )
        if schedule is None:
            return False
        pending = ExportJob.objects.for_org(org).filter(
            schedule_id=schedule_id, emailed_at__isnull=True
        )
        jobs = list(pending.order_by("pk"))
        if not jobs or any(job.status in UNFINISHED for job in jobs):
            return False
        pending.filter(pk__in=[job.pk for job in jobs]).update(emailed_at=timezone.now())
    membership = schedule.membership
    # Checked again at send time: a member who lost the right to exports, or left, gets none.
    if not (
        schedule.active and membership_allows(membership, Perm.EXPORT) and membership.user.is_active
    ):
        return False
    files = []
    for job in jobs:
        path = export_file_path(job) if job.status == ExportStatus.DONE else None
        files.append(ScheduledFile(job=job, path=path if path and path.exists() else None))
    run_on = schedule.last_sent_on or timezone.localdate(jobs[0].created_at)
    return report_schedule_email_send(
        org=org, schedule=schedule, files=files, month=covered_month(run_on)
    )

"""A member's monthly report email (the accountant's aging and DSO on the 1st): saving it, and
the hourly beat run that makes its exports on its day.

A schedule is due on its ``day_of_month`` in the organization's calendar, once per month:
``last_sent_on`` is claimed with a conditional update, so two beats (or a beat that runs twice
in the hour) make one set of exports. A run missed on the day (the beat was down) happens on the
next run that month; a schedule made after this month's day waits for next month's.

Each run exports the month before: period reports cover that calendar month, as-of reports are
as of its last day, in the organization's default currency. The format is the member's choice
where a report comes in it; accounting imports are always CSV and statements a zip of PDFs. A
PDF that would be too long is made as XLSX instead. The email goes when the last export is
finished (``metrics.schedule_email``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.models import Membership, Organization
from arhub.permissions import membership_allows
from arhub.roles import Perm
from metrics.export_registry import SPECS, ReportSpec
from metrics.export_services import export_job_create
from metrics.models import ExportFormat, ExportJob, ExportStatus, ReportKind, ReportSchedule
from metrics.schedule_email import schedule_email_if_complete

logger = logging.getLogger(__name__)

SCHEDULE_FORMATS = (ExportFormat.PDF, ExportFormat.XLSX, ExportFormat.CSV)
DEFAULT_REPORTS = (ReportKind.AGING_SUMMARY, ReportKind.DSO)
LAST_DAY = 28  # every month has it


def report_schedule_get(*, org: Organization, membership: Membership) -> ReportSchedule | None:
    return ReportSchedule.objects.for_org(org).filter(membership=membership).first()


def report_schedule_save(
    *,
    org: Organization,
    membership: Membership,
    reports: Sequence[str],
    format: str,
    day_of_month: int,
    active: bool,
) -> ReportSchedule:
    """Make or change the member's own schedule. PermissionDenied for a member who may not
    export; ValidationError under ``reports``, ``format`` or ``day_of_month``."""
    if membership.organization_id != org.pk:
        raise PermissionDenied("That membership is not in this organization.")
    if not membership_allows(membership, Perm.EXPORT):
        raise PermissionDenied("Your role in this organization does not include exports.")
    errors: dict[str, list[str]] = {}
    chosen = list(dict.fromkeys(reports))
    unknown = [report for report in chosen if report not in SPECS]
    if unknown:
        errors["reports"] = [f"Unknown report “{unknown[0]}”; use one of {', '.join(SPECS)}."]
    elif not chosen:
        errors["reports"] = ["Choose at least one report."]
    if format not in SCHEDULE_FORMATS:
        errors["format"] = [f"Choose one of {', '.join(SCHEDULE_FORMATS)}; got “{format}”."]
    if isinstance(day_of_month, bool) or not 1 <= day_of_month <= LAST_DAY:
        errors["day_of_month"] = [
            f"Choose a day from 1 to {LAST_DAY}, which every month has; got {day_of_month}."
        ]
    if errors:
        raise ValidationError(errors)
    schedule, _ = ReportSchedule.objects.update_or_create(
        organization=org,
        membership=membership,
        defaults={
            "reports": chosen,
            "format": format,
            "day_of_month": day_of_month,
            "active": active,
        },
    )
    return schedule


def schedule_format_for(spec: ReportSpec, preferred: str) -> str:
    """The member's format where the report comes in it, else the report's own first one."""
    return preferred if preferred in spec.formats else str(spec.formats[0])


def month_before(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def schedule_is_due(schedule: ReportSchedule, today: date) -> bool:
    """On or after this month's day, not yet sent this month, and made before that day came."""
    this_month = today.replace(day=1)
    if today.day < schedule.day_of_month:
        return False
    if schedule.last_sent_on is not None and schedule.last_sent_on >= this_month:
        return False
    zone = ZoneInfo(schedule.organization.timezone)
    made_on = schedule.created_at.astimezone(zone).date()
    return made_on <= today.replace(day=schedule.day_of_month)


def _claim(schedule: ReportSchedule, today: date) -> bool:
    rows = ReportSchedule.objects.for_org(schedule.organization).filter(pk=schedule.pk, active=True)
    if schedule.last_sent_on is None:
        rows = rows.filter(last_sent_on__isnull=True)
    else:
        rows = rows.filter(last_sent_on=schedule.last_sent_on)
    return rows.update(last_sent_on=today) == 1


def _export(
    org: Organization, schedule: ReportSchedule, report: str, params: dict[str, str]
) -> ExportJob:
    spec = SPECS[report]
    actor = schedule.membership.user
    fmt = schedule_format_for(spec, schedule.format)
    make = {"org": org, "actor": actor, "report": report, "params": params, "schedule": schedule}
    try:
        return export_job_create(**make, format=fmt)  # type: ignore[arg-type]
    except ValidationError as exc:
        if fmt == ExportFormat.PDF and ExportFormat.XLSX in spec.formats:
            return export_job_create(**make, format=ExportFormat.XLSX)  # type: ignore[arg-type]
        # Kept as a failed job, so the email says which report is missing and why.
        return ExportJob.objects.create(
            organization=org,
            requested_by=actor,
            report=report,
            format=fmt,
            params=params,
            schedule=schedule,
            status=ExportStatus.FAILED,
            error=" ".join(exc.messages)[:500],
            finished_at=timezone.now(),
        )


def report_schedule_fire(*, schedule: ReportSchedule, today: date) -> list[ExportJob]:
    """Claim this month's run and queue its exports; [] when another run has it."""
    org = schedule.organization
    start, end = month_before(today)
    params = {
        "as_of": end.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": org.default_currency,
    }
    with transaction.atomic():
        if not _claim(schedule, today):
            return []
        schedule.last_sent_on = today
        jobs = [_export(org, schedule, report, params) for report in schedule.reports]
    # Every job failed at once (none will finish later to send it): the email goes now.
    schedule_email_if_complete(org=org, schedule_id=schedule.pk)
    return jobs


def report_schedules_run(*, now: datetime | None = None) -> int:
    """Fire every active schedule whose day it is in its organization's zone; how many fired.
    Cross-tenant, run hourly by beat."""
    now = now or timezone.now()
    fired = 0
    schedules = (
        ReportSchedule.objects.filter(active=True)
        .select_related("organization", "membership__user")
        .order_by("pk")
    )
    for schedule in schedules.iterator(chunk_size=200):
        today = now.astimezone(ZoneInfo(schedule.organization.timezone)).date()
        if not schedule_is_due(schedule, today):
            continue
        membership = schedule.membership
        if not (membership_allows(membership, Perm.EXPORT) and membership.user.is_active):
            continue
        try:
            if report_schedule_fire(schedule=schedule, today=today):
                fired += 1
        except Exception:  # one organization's failure must not stop the others' emails
            logger.exception("Report schedule %s failed", schedule.pk)
    return fired

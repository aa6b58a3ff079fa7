"""The monthly report email: saved per member (only members who may export), fired once a month
on its day in the organization's zone, one email with every file attached once all are made."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from arhub.models import Membership
from arhub.roles import Role
from metrics import export_emails
from metrics.export_services import export_job_run
from metrics.models import ExportJob, ReportSchedule
from metrics.schedule_services import report_schedule_save, report_schedules_run
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.export_helpers import export_root  # noqa: F401

pytestmark = pytest.mark.django_db

# 4 March 2027, 12:00 UTC is 5 March 01:00 in Auckland (NZDT, UTC+13) and still 4 March, 07:00,
# in New York (EST, UTC-5).
MARCH_4_NOON_UTC = datetime(2027, 3, 4, 12, 0, tzinfo=UTC)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def save(membership: Membership, **changes: Any) -> ReportSchedule:
    values: dict[str, Any] = {
        "reports": ["aging_summary", "dso"],
        "format": "pdf",
        "day_of_month": 5,
        "active": True,
    }
    values.update(changes)
    return report_schedule_save(org=membership.organization, membership=membership, **values)


def in_zone(tenant: Tenant, zone: str) -> Tenant:
    tenant.org.timezone = zone
    tenant.org.save()
    return tenant


def run_jobs(tenant: Tenant) -> list[ExportJob]:
    jobs = list(ExportJob.objects.for_org(tenant.org).order_by("pk"))
    for job in jobs:
        export_job_run(org=tenant.org, job_id=job.pk)
    return jobs


# ---- saving


def test_a_member_saves_their_own_schedule_once(tenant: Tenant) -> None:
    accountant = tenant.members[Role.ACCOUNTANT]
    first = save(accountant)
    second = save(accountant, reports=["payments", "payments"], day_of_month=28, active=False)
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.reports, second.day_of_month, second.active) == (["payments"], 28, False)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"day_of_month": 29}, "day_of_month"),
        ({"day_of_month": 0}, "day_of_month"),
        ({"reports": []}, "reports"),
        ({"reports": ["aging_summary", "gossip"]}, "reports"),
        ({"format": "zip"}, "format"),
    ],
)
def test_bad_values_are_refused_by_field(tenant: Tenant, changes: dict, key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        save(tenant.members[Role.ACCOUNTANT], **changes)
    assert list(caught.value.message_dict) == [key]
    assert not ReportSchedule.objects.exists()


def test_only_members_who_may_export(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(PermissionDenied):
        save(tenant.members[Role.VIEWER])
    with pytest.raises(PermissionDenied):  # a membership of another organization
        report_schedule_save(
            org=tenant.org,
            membership=other_tenant.owner,
            reports=["dso"],
            format="pdf",
            day_of_month=1,
            active=True,
        )
    assert not ReportSchedule.objects.exists()


# ---- firing


def test_fires_once_on_its_day_in_the_organizations_zone(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    auckland = in_zone(tenant, "Pacific/Auckland")
    new_york = in_zone(other_tenant, "America/New_York")
    with at(datetime(2027, 2, 1, tzinfo=UTC)):
        mine = save(auckland.members[Role.ACCOUNTANT], reports=["aging_summary", "qbo_invoices"])
        theirs = save(new_york.members[Role.ACCOUNTANT])
    with at(MARCH_4_NOON_UTC):
        assert report_schedules_run() == 1
        assert report_schedules_run() == 0  # the same hour again: once a month
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.last_sent_on == date(2027, 3, 5)  # Auckland's date
    assert theirs.last_sent_on is None
    jobs = ExportJob.objects.filter(schedule=mine).order_by("pk")
    # February: aging as of its last day; QuickBooks comes as CSV whatever the member chose.
    assert [(j.report, j.format, j.params) for j in jobs] == [
        ("aging_summary", "pdf", {"currency": "GBP", "as_of": "2027-02-28"}),
        (
            "qbo_invoices",
            "csv",
            {"currency": "GBP", "start": "2027-02-01", "end": "2027-02-28"},
        ),
    ]
    assert all(j.requested_by == auckland.user(Role.ACCOUNTANT) for j in jobs)
    with at(datetime(2027, 3, 5, 12, 0, tzinfo=UTC)):  # New York's 5 March
        assert report_schedules_run() == 1
        assert report_schedules_run() == 0
    with at(datetime(2027, 4, 5, 0, 0, tzinfo=UTC)):  # 5 April in Auckland: next month's
        assert report_schedules_run() == 1
    assert ExportJob.objects.filter(schedule=mine).count() == 4


def test_a_missed_day_is_caught_up_that_month(tenant: Tenant) -> None:
    with at(datetime(2027, 2, 1, tzinfo=UTC)):
        schedule = save(tenant.members[Role.ACCOUNTANT])
    with at(datetime(2027, 3, 4, 12, 0, tzinfo=UTC)):  # London, the 4th: not yet
        assert report_schedules_run() == 0
    with at(datetime(2027, 3, 9, 12, 0, tzinfo=UTC)):  # the beat was down on the 5th
        assert report_schedules_run() == 1
    schedule.refresh_from_db()
    assert schedule.last_sent_on == date(2027, 3, 9)


def test_a_schedule_made_after_this_months_day_waits_for_next_month(tenant: Tenant) -> None:
    with at(datetime(2027, 3, 10, 12, 0, tzinfo=UTC)):
        save(tenant.members[Role.ACCOUNTANT])
        assert report_schedules_run() == 0
    with at(datetime(2027, 4, 5, 12, 0, tzinfo=UTC)):
        assert report_schedules_run() == 1


def test_inactive_or_no_longer_allowed_does_not_fire(tenant: Tenant) -> None:
    with at(datetime(2027, 2, 1, tzinfo=UTC)):
        save(tenant.members[Role.OWNER], active=False)
        save(tenant.members[Role.ACCOUNTANT])
    Membership.objects.filter(pk=tenant.members[Role.ACCOUNTANT].pk).update(role=Role.VIEWER)
    with at(datetime(2027, 3, 5, 12, 0, tzinfo=UTC)):
        assert report_schedules_run() == 0
    assert not ExportJob.objects.exists()


# ---- the email


def test_one_email_with_every_file_once_all_are_made(tenant: Tenant) -> None:
    with at(datetime(2027, 2, 10, 12, 0, tzinfo=UTC)):
        invoice_make(tenant.org, lines=(("Work", "1", "300.00"),))
    with at(datetime(2027, 2, 1, tzinfo=UTC)):
        save(
            tenant.members[Role.ACCOUNTANT],
            reports=["aging_summary", "invoice_register"],
            format="xlsx",
        )
    with at(datetime(2027, 3, 5, 12, 0, tzinfo=UTC)):
        assert report_schedules_run() == 1
        first, second = ExportJob.objects.order_by("pk")
        export_job_run(org=tenant.org, job_id=first.pk)
        assert mail.outbox == []  # one of two made: no email yet, and no per-job email
        export_job_run(org=tenant.org, job_id=second.pk)
    [message] = mail.outbox
    assert message.to == [tenant.user(Role.ACCOUNTANT).email]
    assert message.subject == f"{tenant.org.name}: your monthly reports for February 2027"
    names = [name for name, _, _ in message.attachments]
    slug = tenant.org.slug
    assert names == [
        f"{slug}-aging-summary-2027-02-28-gbp.xlsx",
        f"{slug}-invoice-register-2027-02-01-2027-02-28-gbp.xlsx",
    ]
    assert all(content[:2] == b"PK" for _, content, _ in message.attachments)
    # Running a job again sends nothing more.
    export_job_run(org=tenant.org, job_id=second.pk)
    assert len(mail.outbox) == 1


def test_large_files_are_linked_and_failures_named(tenant: Tenant, monkeypatch: Any) -> None:
    monkeypatch.setattr(export_emails, "ATTACH_MAX_BYTES", 10)
    monkeypatch.setattr(
        "metrics.export_files.xlsx_bytes",
        lambda table: (_ for _ in ()).throw(RuntimeError("boom")),
    )
    with at(datetime(2027, 2, 1, tzinfo=UTC)):
        save(tenant.members[Role.ACCOUNTANT], reports=["aging_summary", "payments"], format="xlsx")
    with at(datetime(2027, 3, 5, 12, 0, tzinfo=UTC)):
        report_schedules_run()
        ExportJob.objects.filter(report="payments").update(format="csv")
        jobs = run_jobs(tenant)
    [message] = mail.outbox
    assert message.attachments == []
    payments = next(job for job in jobs if job.report == "payments")
    assert f"http://localhost:8000/reports/exports/{payments.pk}/" in message.body
    assert "Aging summary by customer: not made: Something went wrong on our side" in message.body

"""The scheduler: which templates are due in their organization's calendar, and that however
often the sweep runs, and however many workers run it at once, each period is one invoice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection

from arhub.celery import app
from invoicing.models import Invoice, RecurringInvoice, RecurringStatus
from invoicing.recurring_services import (
    recurring_catch_up,
    recurring_due,
    recurring_pause,
    recurring_sweep,
)
from invoicing.recurring_tasks import recurring_invoice_issue, recurring_invoices_sweep
from tests.factories import OrganizationFactory
from tests.invoicing.recurring_factories import recurring_make

START = datetime(2026, 1, 20, 12, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_tasks_here(monkeypatch):
    """The sweep's tasks run in this process as they are queued, instead of on the broker."""
    queued: list[tuple[int, int]] = []

    def run(org_id: int, template_id: int) -> None:
        queued.append((org_id, template_id))
        recurring_invoice_issue(org_id, template_id)

    monkeypatch.setattr(recurring_invoice_issue, "delay", run)
    return queued


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    monkeypatch.setattr("invoicing.sending.invoice_send", lambda **kwargs: kwargs["invoice"])


def periods(template: RecurringInvoice) -> list[date]:
    return list(
        Invoice.objects.filter(recurring=template)
        .order_by("recurring_period")
        .values_list("recurring_period", flat=True)
    )


# ---- which templates are due


@pytest.mark.django_db
def test_due_follows_each_organizations_calendar(clock):
    auckland = OrganizationFactory(timezone="Pacific/Auckland")  # UTC+13 in January
    los_angeles = OrganizationFactory(timezone="America/Los_Angeles")  # UTC-8
    ahead = recurring_make(auckland, start_date=date(2026, 2, 1), day_of_month=1)
    behind = recurring_make(los_angeles, start_date=date(2026, 2, 1), day_of_month=1)

    # 31 Jan 11:30 UTC: already 1 Feb in Auckland, still 31 Jan in Los Angeles.
    assert recurring_due(now=datetime(2026, 1, 31, 11, 30, tzinfo=UTC)) == [(auckland.pk, ahead.pk)]
    # 1 Feb 07:59 UTC: 23:59 on 31 Jan in Los Angeles.
    assert recurring_due(now=datetime(2026, 2, 1, 7, 59, tzinfo=UTC)) == [(auckland.pk, ahead.pk)]
    assert set(recurring_due(now=datetime(2026, 2, 1, 8, 0, tzinfo=UTC))) == {
        (auckland.pk, ahead.pk),
        (los_angeles.pk, behind.pk),
    }


@pytest.mark.django_db
def test_paused_and_finished_templates_are_not_due(tenant, clock):
    paused = recurring_make(tenant.org)
    recurring_pause(org=tenant.org, actor=None, template=paused)
    RecurringInvoice.objects.filter(pk=recurring_make(tenant.org).pk).update(
        status=RecurringStatus.FINISHED
    )
    assert recurring_due(now=datetime(2026, 6, 1, tzinfo=UTC)) == []


@pytest.mark.django_db
def test_the_due_query_reads_the_partial_index(tenant, clock):
    for _ in range(3):
        recurring_make(tenant.org)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM invoicing_recurringinvoice "
            "WHERE status = 'active' AND next_date <= %s",
            [date(2026, 2, 1)],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "recurring_due_idx" in plan


# ---- the sweep


@pytest.mark.django_db
def test_running_the_sweep_twice_issues_each_period_once(tenant, clock, run_tasks_here):
    template = recurring_make(tenant.org)
    clock.move_to(datetime(2026, 1, 31, 0, 5, tzinfo=UTC))
    assert recurring_sweep() == 1
    assert recurring_sweep() == 0
    assert recurring_invoices_sweep() == 0  # the beat task is the same sweep
    assert periods(template) == [date(2026, 1, 31)]

    # A month later it is due again; a duplicate task for the same template does nothing.
    clock.move_to(datetime(2026, 2, 28, 0, 5, tzinfo=UTC))
    assert recurring_sweep() == 1
    recurring_invoice_issue(tenant.org.pk, template.pk)
    assert periods(template) == [date(2026, 1, 31), date(2026, 2, 28)]


@pytest.mark.django_db
def test_the_sweep_catches_up_every_missed_period_once_and_in_order(tenant, clock, run_tasks_here):
    template = recurring_make(tenant.org)
    clock.move_to(datetime(2026, 5, 2, 9, tzinfo=UTC))  # beat was down since January
    assert recurring_sweep() == 1
    assert periods(template) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    numbers = list(
        Invoice.objects.filter(recurring=template)
        .order_by("recurring_period")
        .values_list("number", flat=True)
    )
    assert numbers == sorted(numbers)
    template.refresh_from_db()
    assert (template.issued_count, template.next_date) == (4, date(2026, 5, 31))
    assert recurring_sweep() == 0


@pytest.mark.django_db
def test_a_restarted_beat_advances_without_a_second_invoice(tenant, clock, run_tasks_here):
    """The process died after the period's invoice was written but before the template moved
    on (simulated by putting the template back)."""
    template = recurring_make(tenant.org)
    clock.move_to(datetime(2026, 1, 31, 0, 5, tzinfo=UTC))
    recurring_sweep()
    RecurringInvoice.objects.filter(pk=template.pk).update(
        next_date=date(2026, 1, 31), issued_count=0
    )
    assert recurring_sweep() == 1  # found due again...
    assert periods(template) == [date(2026, 1, 31)]  # ...and nothing issued twice
    template.refresh_from_db()
    assert (template.issued_count, template.next_date) == (1, date(2026, 2, 28))


@pytest.mark.django_db
def test_one_organizations_sweep_never_issues_anothers_template_by_its_id(
    tenant, other_tenant, clock
):
    theirs = recurring_make(other_tenant.org)
    clock.move_to(datetime(2026, 2, 1, tzinfo=UTC))
    assert recurring_invoice_issue(tenant.org.pk, theirs.pk) == 0
    assert recurring_invoice_issue(999_999, theirs.pk) == 0
    assert periods(theirs) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_issue_each_period_once(tenant):
    with time_machine.travel(START, tick=False):
        template = recurring_make(tenant.org, start_date=date(2026, 1, 31))
    start = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(
                len(
                    recurring_catch_up(
                        org=tenant.org, template_id=template.pk, today=date(2026, 4, 30)
                    )
                )
            )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(datetime(2026, 4, 30, 12, tzinfo=UTC), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert periods(template) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert sum(results) == 4
    assert RecurringInvoice.objects.get(pk=template.pk).issued_count == 4


# ---- beat and a real worker


def test_beat_runs_the_sweep_every_quarter_hour():
    app.loader.import_default_modules()
    entry = next(
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "invoicing.recurring_tasks.recurring_invoices_sweep"
    )
    assert entry["task"] in app.tasks
    assert entry["schedule"].total_seconds() == 15 * 60
    assert recurring_invoice_issue.acks_late and recurring_invoices_sweep.acks_late


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_sweep_through_redis_and_a_real_worker(tenant, worker):
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        template = recurring_make(tenant.org, start_date=date(2026, 1, 31))
        # The sweep queues on the broker; the worker (in this process) issues.
        assert recurring_sweep() == 1
        for _ in range(200):
            if periods(template):
                break
            threading.Event().wait(0.05)
    assert periods(template) == [date(2026, 1, 31)]

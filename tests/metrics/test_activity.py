"""Disputes, arrangements and reminders over May 2027, on hand-made rows (London: BST, UTC+1).

Edges in the org's calendar: 30 April 23:30 UTC is 1 May 00:30 in London (in May), 31 May
23:30 UTC is 1 June 00:30 (not in May).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from arhub.models import MessageStatus, Organization
from disputes.models import Author, DisputeKind
from invoicing.invoice_services import invoice_void
from invoicing.models import Customer, Invoice
from metrics.activity import (
    ArrangementStats,
    DisputeStats,
    StepCount,
    arrangement_stats,
    dispute_stats,
    reminder_effect,
)
from payments.models import PlanStatus, PromiseStatus
from reminders.models import ReminderStatus
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.metrics.ledger_factories import (
    customer_make,
    dispute_row,
    dispute_say,
    issued,
    paid,
    plan_row,
    promise_row,
    reminder_sent,
    utc,
)

MAY = {"start": date(2027, 5, 1), "end": date(2027, 5, 31)}


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(utc(2027, 6, 30), tick=False):
        yield


def _invoice(org: Organization, customer: Customer, on: date) -> Invoice:
    return issued(org, customer, "100.00", on=on, due=date(2027, 7, 31))


# ---- Disputes


@pytest.mark.django_db
def test_dispute_stats(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    org = tenant.org
    customer = customer_make(org, "Cleo")
    # Invoices issued in May: four count; a void one, a draft and one of 30 April do not.
    may = [_invoice(org, customer, date(2027, 5, day)) for day in (1, 3, 20, 31)]
    invoice_void(org=org, actor=None, invoice=_invoice(org, customer, date(2027, 5, 2)))
    invoice_make(org, customer=customer, issue=False, issue_date=date(2027, 5, 4))
    april = _invoice(org, customer, date(2027, 4, 30))

    # D1: opened 3 May 09:00 UTC. An internal note at 10:00 and the customer at 11:00 are no
    # answer; the owner's reply on 4 May 15:00 is: 30 hours. Resolved 10 May 09:00: 7.0 days.
    d1 = dispute_row(
        org, may[1], utc(2027, 5, 3, 9), status="resolved", resolved_at=utc(2027, 5, 10, 9)
    )
    dispute_say(org, d1, Author.OWNER, utc(2027, 5, 3, 10), internal=True)
    dispute_say(org, d1, Author.CUSTOMER, utc(2027, 5, 3, 11))
    dispute_say(org, d1, Author.OWNER, utc(2027, 5, 4, 15))
    dispute_say(org, d1, Author.OWNER, utc(2027, 5, 5, 15))  # a second reply changes nothing
    # D2: a chargeback opened 20 May 12:00, answered 18:00 (6 hours), still open.
    d2 = dispute_row(org, may[2], utc(2027, 5, 20, 12), kind=DisputeKind.CHARGEBACK)
    dispute_say(org, d2, Author.BANK, utc(2027, 5, 20, 12))
    dispute_say(org, d2, Author.OWNER, utc(2027, 5, 20, 18))
    # D4: opened 30 April 23:30 UTC = 1 May in London; answered 24 hours later; resolved
    # 4 May 11:30 UTC: 3 days 12 hours = 3.5 days.
    d4 = dispute_row(org, april, utc(2027, 4, 30, 23, 30), status="resolved",
                  resolved_at=utc(2027, 5, 4, 11, 30))  # fmt: skip
    dispute_say(org, d4, Author.OWNER, utc(2027, 5, 1, 23, 30))
    # D3: opened 31 May 23:30 UTC = 1 June in London: not May's.
    d3 = dispute_row(org, may[3], utc(2027, 5, 31, 23, 30))
    dispute_say(org, d3, Author.OWNER, utc(2027, 6, 1, 8))
    # D5: withdrawn in May without an answer: counted, neither answered nor resolved.
    dispute_row(org, may[0], utc(2027, 5, 25), status="withdrawn", withdrawn_at=utc(2027, 5, 26))
    # Org B: a dispute and invoices in May, never in A's figures.
    zed = customer_make(other_tenant.org, "Zed")
    theirs = _invoice(other_tenant.org, zed, date(2027, 5, 10))
    dispute_say(other_tenant.org, dispute_row(other_tenant.org, theirs, utc(2027, 5, 10)), Author.OWNER,
         utc(2027, 5, 10, 13))  # fmt: skip

    assert dispute_stats(org=org, **MAY) == DisputeStats(
        start=MAY["start"],
        end=MAY["end"],
        count=4,  # D1, D2, D4, D5
        invoices_issued=4,
        rate=Decimal("100.0"),  # 4 disputes per 4 invoices issued
        answered=3,
        avg_hours_to_first_reply=Decimal("20.0"),  # (30 + 6 + 24) / 3
        resolved=2,
        avg_days_to_resolution=Decimal("5.3"),  # (7 + 3.5) / 2 = 5.25, half up
    )


@pytest.mark.django_db
def test_dispute_stats_of_a_quiet_period(tenant: Tenant, clock: None) -> None:
    stats = dispute_stats(org=tenant.org, start=date(2027, 1, 1), end=date(2027, 1, 31))
    assert (stats.count, stats.invoices_issued, stats.rate) == (0, 0, None)
    assert (stats.avg_hours_to_first_reply, stats.avg_days_to_resolution) == (None, None)


@pytest.mark.parametrize("measure", [dispute_stats, arrangement_stats, reminder_effect])
@pytest.mark.django_db
def test_a_period_ending_before_it_starts_is_refused(tenant: Tenant, measure: Any) -> None:
    with pytest.raises(ValueError, match=r"^end: the period ends \(2027-05-01\) before it starts"):
        measure(org=tenant.org, start=date(2027, 5, 2), end=date(2027, 5, 1))


# ---- Promises and plans


@pytest.mark.django_db
def test_arrangement_stats(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    org = tenant.org
    customer = customer_make(org, "Dev")
    invoices = [_invoice(org, customer, date(2027, 4, 1)) for _ in range(7)]
    # Promises: kept 2 May and 20 May, broken 15 May -> 2 kept of 3 = 66.7%.
    promise_row(org, invoices[0], status=PromiseStatus.KEPT, at=utc(2027, 5, 2))
    promise_row(org, invoices[1], status=PromiseStatus.KEPT, at=utc(2027, 5, 20))
    promise_row(org, invoices[2], status=PromiseStatus.BROKEN, at=utc(2027, 5, 15))
    # Not May's: kept 31 May 23:30 UTC (1 June in London), broken 30 April 22:00 UTC (23:00
    # in London); a cancelled one and an open one ended in neither way.
    promise_row(org, invoices[3], status=PromiseStatus.KEPT, at=utc(2027, 5, 31, 23, 30))
    promise_row(org, invoices[4], status=PromiseStatus.BROKEN, at=utc(2027, 4, 30, 22))
    promise_row(org, invoices[5], status=PromiseStatus.CANCELLED, at=utc(2027, 5, 10))
    promise_row(org, invoices[6], status=PromiseStatus.OPEN)
    # Plans: completed 5, 25 and 26 May, broken 10 May -> 3 of 4 = 75.0%; cancelled 11 May
    # is left out.
    for day in (5, 25, 26):
        plan_row(org, customer, status=PlanStatus.COMPLETED, at=utc(2027, 5, day))
    plan_row(org, customer, status=PlanStatus.BROKEN, at=utc(2027, 5, 10))
    plan_row(org, customer, status=PlanStatus.CANCELLED, at=utc(2027, 5, 11))
    # Org B: a broken promise and a broken plan in May.
    zed = customer_make(other_tenant.org, "Zed")
    theirs = _invoice(other_tenant.org, zed, date(2027, 4, 1))
    promise_row(other_tenant.org, theirs, status=PromiseStatus.BROKEN, at=utc(2027, 5, 3))
    plan_row(other_tenant.org, zed, status=PlanStatus.BROKEN, at=utc(2027, 5, 3))

    assert arrangement_stats(org=org, **MAY) == ArrangementStats(
        start=MAY["start"],
        end=MAY["end"],
        promises_kept=2,
        promises_broken=1,
        promises_kept_rate=Decimal("66.7"),  # 200 / 3 = 66.67
        plans_completed=3,
        plans_broken=1,
        plans_completed_rate=Decimal("75.0"),
    )
    quiet = arrangement_stats(org=org, start=date(2027, 1, 1), end=date(2027, 1, 31))
    assert (quiet.promises_kept_rate, quiet.plans_completed_rate) == (None, None)


# ---- Reminders


def _paid_invoice(org: Organization, name: str, paid_on: date) -> Invoice:
    customer = customer_make(org, name)
    invoice = issued(org, customer, "100.00", on=date(2027, 4, 1), due=date(2027, 5, 4))
    paid(org, customer, (invoice, "100.00"), on=paid_on)
    return invoice


@pytest.mark.django_db
def test_reminder_effect(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    org = tenant.org
    # P1 paid 11 May: steps -3 (1 May), 0 (4 May), +7 (11 May, the day it was paid) -> +7.
    p1 = _paid_invoice(org, "P1", date(2027, 5, 11))
    reminder_sent(org, p1, -3, at=utc(2027, 5, 1, 9), sent_at=utc(2027, 5, 1, 9, 1))
    reminder_sent(org, p1, 0, at=utc(2027, 5, 4, 9), sent_at=utc(2027, 5, 4, 9, 1))
    reminder_sent(org, p1, 7, at=utc(2027, 5, 11, 9), sent_at=utc(2027, 5, 11, 9, 1))
    # P2 paid 10 May: 0 on 4 May; +7 went on 12 May, after the payment -> 0.
    p2 = _paid_invoice(org, "P2", date(2027, 5, 10))
    reminder_sent(org, p2, 0, at=utc(2027, 5, 4, 9), sent_at=utc(2027, 5, 4, 9, 1))
    reminder_sent(org, p2, 7, at=utc(2027, 5, 12, 9), sent_at=utc(2027, 5, 12, 9, 1))
    # P3 paid 6 May: -3 on 5 May -> -3.
    p3 = _paid_invoice(org, "P3", date(2027, 5, 6))
    reminder_sent(org, p3, -3, at=utc(2027, 5, 5, 9), sent_at=utc(2027, 5, 5, 9, 1))
    # P4 paid 7 May with no reminder at all.
    _paid_invoice(org, "P4", date(2027, 5, 7))
    # P5 paid 10 May: its only sent reminder went at 23:30 UTC on the 10th, 00:30 on the 11th
    # in London, after; a bounced one and a skipped one are no reminders -> none.
    p5 = _paid_invoice(org, "P5", date(2027, 5, 10))
    reminder_sent(org, p5, 7, at=utc(2027, 5, 10, 23, 30), sent_at=utc(2027, 5, 10, 23, 30))
    reminder_sent(org, p5, 0, at=utc(2027, 5, 4, 9), message_status=MessageStatus.BOUNCED)
    reminder_sent(org, p5, -3, at=utc(2027, 5, 1, 9), status=ReminderStatus.SKIPPED)
    # P6 paid 20 May: step 0's message never confirmed as sent, handed over 15 May -> 0.
    p6 = _paid_invoice(org, "P6", date(2027, 5, 20))
    reminder_sent(org, p6, 0, at=utc(2027, 5, 15, 9))
    # P7 paid 2 June and an open invoice with reminders: not paid in May.
    p7 = _paid_invoice(org, "P7", date(2027, 6, 2))
    reminder_sent(org, p7, 7, at=utc(2027, 5, 11, 9), sent_at=utc(2027, 5, 11, 9))
    unpaid = issued(
        org, customer_make(org, "U"), "10.00", on=date(2027, 4, 1), due=date(2027, 5, 4)
    )
    reminder_sent(org, unpaid, 0, at=utc(2027, 5, 4, 9), sent_at=utc(2027, 5, 4, 9))
    # Org B: an invoice paid in May after a reminder.
    theirs = _paid_invoice(other_tenant.org, "Zed", date(2027, 5, 12))
    reminder_sent(other_tenant.org, theirs, 14, at=utc(2027, 5, 11, 9), sent_at=utc(2027, 5, 11))

    effect = reminder_effect(org=org, **MAY)
    assert effect.paid_count == 6  # P1-P6
    assert effect.no_reminder == 2  # P4, P5
    assert effect.steps == [
        StepCount(offset_days=-3, label="3 days before the due date", count=1),  # P3
        StepCount(offset_days=0, label="On the due date", count=2),  # P2, P6
        StepCount(offset_days=7, label="7 days after the due date", count=1),  # P1
    ]
    assert effect.top_step == 0


@pytest.mark.django_db
def test_reminder_effect_tie_goes_to_the_earlier_step(tenant: Tenant, clock: None) -> None:
    org = tenant.org
    early = _paid_invoice(tenant.org, "Early", date(2027, 6, 2))
    reminder_sent(org, early, 7, at=utc(2027, 5, 11, 9), sent_at=utc(2027, 5, 11, 9))
    late = _paid_invoice(tenant.org, "Late", date(2027, 6, 3))
    reminder_sent(org, late, -3, at=utc(2027, 5, 1, 9), sent_at=utc(2027, 5, 1, 9))
    effect = reminder_effect(org=org, start=date(2027, 6, 1), end=date(2027, 6, 30))
    # One each for -3 and +7: the earlier step, -3, is named.
    assert [(s.offset_days, s.count) for s in effect.steps] == [(-3, 1), (7, 1)]
    assert (effect.top_step, effect.no_reminder, effect.paid_count) == (-3, 0, 2)
    quiet = reminder_effect(org=org, start=date(2027, 1, 1), end=date(2027, 1, 31))
    assert (quiet.paid_count, quiet.steps, quiet.top_step) == (0, [], None)

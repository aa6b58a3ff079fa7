"""reminders.holds with disputes, payment plans and promises to pay: the sentences, which comes
first, a constant number of queries, and the engine honouring them with the clock moved by
time_machine (a dispute opened between sweep and send, a resolution resuming with one
catch-up, a full credit sending nothing, a broken plan or promise handing back to the policy).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import DisputeKind, DisputeStatus
from invoicing.credit_services import credit_note_create
from invoicing.models import Invoice
from payments.models import PaymentSettings, PlanStatus, PromiseStatus
from reminders.holds import PLAN_HOLD, Hold, invoice_extra_holds, invoice_hold
from reminders.models import Reminder, ReminderStatus
from reminders.sending import reminder_batch_send
from reminders.sweep import reminders_sweep
from tests.conftest import Tenant
from tests.reminders.arrangement_rows import (
    dispute_open,
    dispute_resolve,
    plan_break,
    plan_make,
    promise_make,
)
from tests.reminders.engine_helpers import (
    EVERY_DAY,
    customer_in,
    default_policy,
    invoice_due,
    local,
    reminder_messages,
    run_at,
)

pytestmark = pytest.mark.django_db

LONDON = "Europe/London"
DUE = date(2027, 6, 10)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hold_at(tenant: Tenant, invoice: Invoice, moment: datetime) -> Hold | None:
    with time_machine.travel(moment, tick=False):
        return invoice_hold(org=tenant.org, invoice=Invoice.objects.get(pk=invoice.pk))


def policy_offsets(invoice: Invoice, status: str = ReminderStatus.SENT) -> list[int]:
    rows = Reminder.objects.filter(invoice=invoice, status=status)
    return sorted(rows.values_list("offset_days", flat=True))


# ---- the sentences


def test_a_dispute_holds_since_its_day_where_the_org_is_with_its_reason(tenant: Tenant) -> None:
    tenant.org.timezone = "Pacific/Auckland"
    tenant.org.save()
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 12, 20))
    # 12:00 on 2 Dec in London is 01:00 on 3 Dec in Auckland, where the business is.
    with time_machine.travel(utc(2027, 12, 2, 12), tick=False):
        dispute_open(invoice)
    assert hold_at(tenant, invoice, utc(2027, 12, 8, 12)) == Hold(
        "disputed", "In dispute since 3 Dec: the amount is wrong."
    )
    # Read in another year, the year is said.
    assert hold_at(tenant, invoice, utc(2028, 1, 5, 12)) == Hold(
        "disputed", "In dispute since 3 Dec 2027: the amount is wrong."
    )


def test_a_chargeback_says_so_with_the_banks_reason(tenant: Tenant) -> None:
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 12, 20))
    with time_machine.travel(utc(2027, 12, 3, 12), tick=False):
        dispute_open(invoice, kind=DisputeKind.CHARGEBACK, bank_reason="fraudulent")
    hold = hold_at(tenant, invoice, utc(2027, 12, 4, 12))
    assert hold == Hold("disputed", "In dispute since 3 Dec (a chargeback): fraudulent.")


@pytest.mark.parametrize("status", [DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN])
def test_a_dispute_no_longer_active_holds_nothing(tenant: Tenant, status: str) -> None:
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 12, 20))
    dispute = dispute_open(invoice)
    if status == DisputeStatus.RESOLVED:
        dispute_resolve(dispute)
    else:
        dispute.status = status
        dispute.save()
    assert hold_at(tenant, invoice, utc(2027, 12, 4, 12)) is None


def test_an_active_plan_holds_and_a_proposed_or_broken_one_does_not(tenant: Tenant) -> None:
    customer = customer_in(tenant.org, LONDON)
    on_plan, proposed, broken = (
        invoice_due(tenant.org, customer, date(2027, 12, 20)) for _ in range(3)
    )
    plan_make([on_plan], [(date(2028, 1, 5), "120.00")])
    plan_make([proposed], [(date(2028, 1, 5), "120.00")], status=PlanStatus.PROPOSED)
    plan_break(plan_make([broken], [(date(2028, 1, 5), "120.00")]))
    moment = utc(2027, 12, 22, 12)
    assert hold_at(tenant, on_plan, moment) == Hold(
        "on_plan", "On a payment plan: the plan's own reminders go instead."
    )
    assert hold_at(tenant, proposed, moment) is None
    assert hold_at(tenant, broken, moment) is None


def test_a_promise_holds_until_its_day_then_says_when_it_counts_as_broken(tenant: Tenant) -> None:
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 12, 1))
    promise = promise_make(invoice, date(2027, 12, 12))
    assert hold_at(tenant, invoice, utc(2027, 12, 12, 20)) == Hold(
        "promised", "Promised to pay by 12 Dec."
    )
    # Three grace days by default; the organization's own setting when it has one.
    assert hold_at(tenant, invoice, utc(2027, 12, 13, 9)) == Hold(
        "promised", "Promised to pay by 12 Dec; not paid yet, counted as broken after 15 Dec."
    )
    PaymentSettings.objects.create(organization=tenant.org, promise_grace_days=5)
    hold = hold_at(tenant, invoice, utc(2027, 12, 13, 9))
    assert hold is not None and hold.reason.endswith("counted as broken after 17 Dec.")
    promise.status, promise.broken_at = PromiseStatus.BROKEN, utc(2027, 12, 18, 0)
    promise.save()
    assert hold_at(tenant, invoice, utc(2027, 12, 18, 9)) is None


def test_a_dispute_comes_before_a_plan_and_a_plan_before_a_promise(tenant: Tenant) -> None:
    customer = customer_in(tenant.org, LONDON)
    both, all_three = (invoice_due(tenant.org, customer, date(2027, 12, 1)) for _ in range(2))
    for invoice in (both, all_three):
        promise_make(invoice, date(2027, 12, 12))
    plan_make([both, all_three], [(date(2028, 1, 5), "240.00")])
    dispute_open(all_three)
    moment = utc(2027, 12, 4, 12)
    assert hold_at(tenant, both, moment) == PLAN_HOLD
    hold = hold_at(tenant, all_three, moment)
    assert hold is not None and hold.code == "disputed"


def test_the_holds_take_as_many_queries_for_nine_invoices_as_for_one(tenant: Tenant) -> None:
    customer = customer_in(tenant.org, LONDON)

    def held(count: int) -> tuple[int, dict[int, Hold]]:
        invoices = []
        for _ in range(count):
            disputed, planned, promised, free = (
                invoice_due(tenant.org, customer, date(2027, 12, 1)) for _ in range(4)
            )
            dispute_open(disputed)
            plan_make([planned], [(date(2028, 1, 5), "120.00")])
            promise_make(promised, date(2027, 12, 12))
            invoices += [disputed, planned, promised, free]
        with (
            time_machine.travel(utc(2027, 12, 4, 12), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            found = invoice_extra_holds(org=tenant.org, invoices=invoices)
        assert sorted({hold.code for hold in found.values()}) == [
            "disputed",
            "on_plan",
            "promised",
        ]
        assert len(found) == 3 * count
        return len(queries), found

    one, _ = held(1)
    nine, _ = held(9)
    assert one == nine == 4  # disputes, plans, promises, the grace days


# ---- the engine honours them


def test_a_dispute_opened_between_the_sweep_and_the_send_stops_it(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), DUE)
    with time_machine.travel(local(LONDON, DUE), tick=False):
        result = reminders_sweep(enqueue=False)
        [(_, batch_id)] = result.queued_batches
        dispute_open(invoice)
        batch = reminder_batch_send(org=tenant.org, batch_id=batch_id)
    why = "In dispute since 10 Jun: the amount is wrong."
    assert batch is not None and batch.status == ReminderStatus.SKIPPED
    assert batch.status_reason == why and batch.message_id is None
    reminder = Reminder.objects.get(invoice=invoice, offset_days=0)
    assert (reminder.status, reminder.status_reason) == (ReminderStatus.SKIPPED, why)
    assert reminder_messages() == []


def test_a_resolution_resumes_with_one_catch_up_for_what_is_still_owed(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), DUE)
    with time_machine.travel(local(LONDON, DUE - timedelta(days=6)), tick=False):
        dispute = dispute_open(invoice)
    for days in range(-5, 9):
        run_at(local(LONDON, DUE + timedelta(days=days)))
    assert reminder_messages() == [] and not Reminder.objects.exists()
    # Resolved on day 9 with a partial credit: the steps of days -3, 0, 3 and 7 have all come.
    with time_machine.travel(local(LONDON, DUE + timedelta(days=9), time(8, 0)), tick=False):
        credit_note_create(
            org=tenant.org, actor=None, invoice=invoice, amount=Decimal("20.00"), reason="Fixed"
        )
        dispute_resolve(dispute)
    for days in (9, 10, 11):
        run_at(local(LONDON, DUE + timedelta(days=days)))
    [message] = reminder_messages()
    assert policy_offsets(invoice) == [7]
    assert policy_offsets(invoice, ReminderStatus.SKIPPED) == [-3, 0, 3]
    assert "£100.00" in message.body_text and "£120.00" not in message.body_text
    run_at(local(LONDON, DUE + timedelta(days=14)))
    assert policy_offsets(invoice) == [7, 14]


def test_a_dispute_resolved_by_crediting_it_all_sends_nothing_more(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), DUE)
    run_at(local(LONDON, DUE))
    assert policy_offsets(invoice) == [0]
    with time_machine.travel(local(LONDON, DUE + timedelta(days=1)), tick=False):
        dispute = dispute_open(invoice)
    run_at(local(LONDON, DUE + timedelta(days=3)))
    with time_machine.travel(local(LONDON, DUE + timedelta(days=5)), tick=False):
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=None, reason="Sorry")
        dispute_resolve(dispute)
    for days in range(5, 35):
        run_at(local(LONDON, DUE + timedelta(days=days)))
    assert policy_offsets(invoice) == [0] and len(reminder_messages()) == 1
    hold = hold_at(tenant, invoice, local(LONDON, DUE + timedelta(days=35)))
    assert hold is not None and hold.code in {"paid", "closed"}


def test_a_broken_plan_hands_the_invoice_back_to_the_policy(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), DUE)
    with time_machine.travel(local(LONDON, DUE - timedelta(days=10)), tick=False):
        plan = plan_make(
            [invoice],
            [(DUE + timedelta(days=5), "60.00"), (DUE + timedelta(days=35), "60.00")],
            activated_at=local(LONDON, DUE - timedelta(days=10)),
        )
    for days in range(-5, 12):
        run_at(local(LONDON, DUE + timedelta(days=days)))
    assert not Reminder.objects.exists() and reminder_messages() == []
    with time_machine.travel(local(LONDON, DUE + timedelta(days=12), time(8, 0)), tick=False):
        plan_break(plan)
    run_at(local(LONDON, DUE + timedelta(days=12)))
    run_at(local(LONDON, DUE + timedelta(days=13)))
    assert policy_offsets(invoice) == [7] and len(reminder_messages()) == 1


def test_a_promise_pauses_the_policy_until_it_is_broken(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), DUE)
    promise = promise_make(invoice, DUE + timedelta(days=10))
    for days in range(-5, 14):
        run_at(local(LONDON, DUE + timedelta(days=days)))
    assert not Reminder.objects.exists()
    # Only the promise's own "as agreed" reminder went, on the promised day.
    [as_agreed] = reminder_messages()
    assert as_agreed.subject == f"As agreed: invoice {invoice.number} today"
    with time_machine.travel(local(LONDON, DUE + timedelta(days=14), time(8, 0)), tick=False):
        promise.status, promise.broken_at = PromiseStatus.BROKEN, local(LONDON, DUE)
        promise.save()
    run_at(local(LONDON, DUE + timedelta(days=14)))
    run_at(local(LONDON, DUE + timedelta(days=15)))
    assert policy_offsets(invoice) == [14] and len(reminder_messages()) == 2

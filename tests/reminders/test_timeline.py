"""reminders.timeline: one invoice's reminders so far and the next one, with the clock moved by
time_machine. The organization is in Europe/London (GB holidays); its customers are in
Pacific/Auckland and America/Los_Angeles. The next send time is read in both zones, across DST
changes (Los Angeles on 14 March 2027, London on 28 March), moved on past weekends and GB
holidays (Good Friday, 26 March 2027), and every reason for not sending is given in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arhub.messaging.consent import suppression_add
from arhub.models import Channel, Message, MessageStatus, SuppressionReason, SuppressionScope
from invoicing.invoice_services import invoice_void
from invoicing.models import Invoice
from payments.services import payment_record
from reminders import holds
from reminders.holds import Hold
from reminders.models import Reminder, ReminderPolicy, ReminderStatus, ReminderStep
from reminders.next_send import clock_words, plan_next, step_words
from reminders.pause_services import customer_reminders_pause, invoice_reminders_pause
from reminders.policies import DEFAULT_STEPS
from reminders.schedule import Step
from reminders.sweep import reminders_sweep
from reminders.timeline import NO_MORE_STEPS, Timeline, invoice_timeline
from reminders.windows import is_open, send_window
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.reminders.engine_helpers import (
    customer_in,
    default_policy,
    invoice_due,
    local,
    run_at,
)

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
LOS_ANGELES = "America/Los_Angeles"
LONDON = "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def timeline_at(tenant: Tenant, invoice: Invoice, moment: datetime) -> Timeline:
    with time_machine.travel(moment, tick=False):
        return invoice_timeline(org=tenant.org, invoice=Invoice.objects.get(pk=invoice.pk))


def make_invoice(tenant: Tenant, zone: str, due: date, *, made_at: datetime, **customer: object):
    with time_machine.travel(made_at, tick=False):
        return invoice_due(tenant.org, customer_in(tenant.org, zone, **customer), due)


def mark_done(invoice: Invoice, *offsets: int) -> None:
    for offset in offsets:
        Reminder.objects.create(
            organization=invoice.organization,
            invoice=invoice,
            customer=invoice.customer,
            offset_days=offset,
            tone="friendly",
            channel="email",
            due_on=invoice.due_date + timedelta(days=offset),
            status=ReminderStatus.SENT,
        )


# ---- the next send time, in the customer's zone and the organization's


def test_next_send_time_in_auckland_and_in_london(tenant):
    assert tenant.org.timezone == LONDON and tenant.org.country == "GB"
    now = utc(2027, 3, 8, 12)
    # Due Sunday 14 March: "3 days before" is Thursday 11 March where the customer is.
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=now)
    timeline = timeline_at(tenant, invoice, now)
    following = timeline.next
    assert following is not None and following.offset_days == -3
    assert following.step == "3 days before the due date" and following.tone_label == "Friendly"
    assert following.when is not None
    # 09:00 NZDT (UTC+13) is 20:00 the evening before in London (GMT).
    assert following.when.at == utc(2027, 3, 10, 20)
    assert following.when.customer_local == "Thu 11 Mar, 09:00 in Auckland"
    assert following.when.org_local == "Wed 10 Mar, 20:00 in London"
    assert following.when.words == "Thu 11 Mar, 09:00 in Auckland (Wed 10 Mar, 20:00 your time)"
    assert [plan.channel for plan in following.channels] == ["email"]
    assert following.will_go and timeline.held_reason == "" and timeline.hold is None
    assert timeline.policy_name == "Standard" and not timeline.policy_is_own
    assert timeline.sent == ()


def test_next_send_time_in_los_angeles_across_its_dst_change(tenant):
    now = utc(2027, 3, 3, 12)
    # "3 days before" on Monday 8 March: Pacific Standard Time, UTC-8.
    before = make_invoice(tenant, LOS_ANGELES, date(2027, 3, 11), made_at=now)
    # ... and on Monday 15 March, the day after clocks go forward: PDT, UTC-7.
    after = make_invoice(tenant, LOS_ANGELES, date(2027, 3, 18), made_at=now)
    first = timeline_at(tenant, before, now).next
    second = timeline_at(tenant, after, now).next
    assert first is not None and first.when is not None
    assert second is not None and second.when is not None
    assert first.when.at == utc(2027, 3, 8, 17)
    assert first.when.words == "Mon 8 Mar, 09:00 in Los Angeles (Mon 8 Mar, 17:00 your time)"
    assert second.when.at == utc(2027, 3, 15, 16)
    assert second.when.words == "Mon 15 Mar, 09:00 in Los Angeles (Mon 15 Mar, 16:00 your time)"


def test_a_weekend_moves_it_to_monday(tenant):
    now = utc(2027, 3, 8, 12)
    # "3 days before" a due date of Tuesday 16 March is Saturday 13 March.
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 16), made_at=now)
    following = timeline_at(tenant, invoice, now).next
    assert following is not None and following.when is not None
    assert following.offset_days == -3 and following.day == date(2027, 3, 13)
    assert following.when.customer_local == "Mon 15 Mar, 09:00 in Auckland"
    assert following.when.org_local == "Sun 14 Mar, 20:00 in London"


def test_a_holiday_and_a_weekend_move_it_on_and_a_later_step_supersedes(tenant):
    now = utc(2027, 3, 22, 12)
    # Due Monday 29 March: "3 days before" is Good Friday, a GB holiday (the organization's
    # country), then the weekend: Monday is the first day the window opens, and by then the due
    # date's own step has come too, so only that one is sent.
    invoice = make_invoice(tenant, LOS_ANGELES, date(2027, 3, 29), made_at=now)
    following = timeline_at(tenant, invoice, now).next
    assert following is not None and following.when is not None
    assert following.offset_days == 0 and following.step == "On the due date"
    # 09:00 PDT is 16:00 UTC: 17:00 in London, whose clocks went forward on 28 March.
    assert following.when.at == utc(2027, 3, 29, 16)
    assert following.when.words == "Mon 29 Mar, 09:00 in Los Angeles (Mon 29 Mar, 17:00 your time)"


def test_without_holidays_good_friday_is_a_sending_day(tenant):
    now = utc(2027, 3, 22, 12)
    default_policy(tenant.org, skip_holidays=False)
    invoice = make_invoice(tenant, LOS_ANGELES, date(2027, 3, 29), made_at=now)
    following = timeline_at(tenant, invoice, now).next
    assert following is not None and following.when is not None
    assert following.offset_days == -3
    assert following.when.at == utc(2027, 3, 26, 16)  # 09:00 PDT, 16:00 GMT


def test_a_step_whose_day_has_come_goes_at_the_next_opening(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    # Thursday 11 March, 22:00 in Auckland: the step's day, after the window closed.
    late = local(AUCKLAND, date(2027, 3, 11), time(22, 0))
    following = timeline_at(tenant, invoice, late).next
    assert following is not None and following.when is not None
    assert following.offset_days == -3 and following.overdue
    assert following.when.customer_local == "Fri 12 Mar, 09:00 in Auckland"
    # Inside the window it may go now (at the next sweep).
    open_now = local(AUCKLAND, date(2027, 3, 11), time(10, 30))
    following = timeline_at(tenant, invoice, open_now).next
    assert following is not None and following.when is not None
    assert following.when.at == open_now.astimezone(UTC)


def test_the_customers_own_policy_and_its_window(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    strict = ReminderPolicy.objects.create(
        organization=tenant.org, name="Strict", window_start=time(10, 30), weekdays=[0, 1, 2, 3]
    )
    ReminderStep.objects.create(
        organization=tenant.org, policy=strict, offset_days=-1, tone="firm", channel="email"
    )
    from reminders.pause_services import customer_reminders_set_policy

    customer_reminders_set_policy(
        org=tenant.org, actor=None, customer=invoice.customer, policy_id=strict.pk
    )
    timeline = timeline_at(tenant, invoice, made)
    following = timeline.next
    assert timeline.policy_name == "Strict" and timeline.policy_is_own
    # Saturday 13 March is not one of its days; Monday 15 March at 10:30 is.
    assert following is not None and following.when is not None
    assert following.offset_days == -1 and following.tone_label == "Firm"
    assert following.when.customer_local == "Mon 15 Mar, 10:30 in Auckland"


def test_same_zone_reads_once(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, LONDON, date(2027, 3, 12), made_at=made)
    following = timeline_at(tenant, invoice, made).next
    assert following is not None and following.when is not None
    assert following.when.same_clock
    assert following.when.words == "Tue 9 Mar, 09:00 in London (the same time for you)"


def test_the_year_shows_when_it_is_not_this_one():
    now = utc(2027, 12, 30, 12)
    assert clock_words(utc(2028, 1, 3, 20), AUCKLAND, now=now) == "Tue 4 Jan 2028, 09:00"
    assert clock_words(utc(2027, 12, 31, 9), LONDON, now=now) == "Fri 31 Dec, 09:00"
    assert step_words(-1) == "1 day before the due date" and step_words(7).startswith(
        "7 days after"
    )


# ---- why not


def test_a_paid_invoice_gets_nothing_more(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    with time_machine.travel(made, tick=False):
        payment_record(
            org=tenant.org,
            actor=None,
            customer_id=invoice.customer_id,
            amount=invoice.total,
            currency=invoice.currency,
            method="cheque",
            received_on=date(2027, 3, 1),
        )
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.next is None
    assert timeline.hold is not None and timeline.hold.code == "paid"
    assert timeline.held_reason == "Paid: nothing is owed."


def test_a_void_invoice_is_closed(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    with time_machine.travel(made, tick=False):
        invoice_void(org=tenant.org, actor=None, invoice=invoice, reason="Raised twice")
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.next is None and timeline.held_reason == "The invoice is void."


def test_an_invoice_paused_says_by_whom_and_why_and_what_would_come(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    owner = tenant.owner.user
    invoice_reminders_pause(
        org=tenant.org, actor=owner, invoice=invoice, reason="Paying on the 20th, agreed by phone"
    )
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.paused and timeline.invoice_pause is not None
    assert timeline.hold is not None and timeline.hold.code == "invoice_paused"
    assert (
        timeline.held_reason == f"Paused by {owner.full_name}: Paying on the 20th, agreed by phone"
    )
    # What would come once resumed is still shown.
    assert timeline.next is not None and timeline.next.offset_days == -3


def test_a_customer_paused_holds_every_invoice(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    customer_reminders_pause(
        org=tenant.org, actor=tenant.owner.user, customer=invoice.customer, reason="On holiday"
    )
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.hold is not None and timeline.hold.code == "customer_paused"
    assert timeline.held_reason.startswith("Customer's reminders paused by ")
    assert timeline.held_reason.endswith(": On holiday") and not timeline.paused


def test_extra_holds_from_disputes_and_plans_show(tenant, monkeypatch):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    assert holds.invoice_extra_holds(org=tenant.org, invoices=[invoice]) == {}

    def promised(*, org, invoices):
        return {i.pk: Hold("promise", "Promised to pay by 20 Mar 2027.") for i in invoices}

    monkeypatch.setattr(holds, "invoice_extra_holds", promised)
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.hold == Hold("promise", "Promised to pay by 20 Mar 2027.")
    assert timeline.held_reason == "Promised to pay by 20 Mar 2027."


def test_no_more_steps_in_the_policy(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    mark_done(invoice, *(step.offset_days for step in DEFAULT_STEPS))
    timeline = timeline_at(tenant, invoice, utc(2027, 5, 1, 12))
    assert timeline.next is None and timeline.held_reason == NO_MORE_STEPS
    assert len(timeline.sent) == len(DEFAULT_STEPS)


def test_unsubscribed_from_reminders(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    address = invoice.customer.contacts.get().email
    with time_machine.travel(made, tick=False):
        suppression_add(
            org=tenant.org,
            channel=Channel.EMAIL,
            address=address,
            scope=SuppressionScope.REMINDERS,
            reason=SuppressionReason.UNSUBSCRIBED,
        )
    timeline = timeline_at(tenant, invoice, made)
    following = timeline.next
    assert following is not None and not following.will_go
    (plan,) = following.channels
    assert plan.address == address and plan.blocked_status == MessageStatus.SUPPRESSED
    assert plan.blocked == "Unsubscribed (reminders) on 2027-03-01."
    assert timeline.held_reason == "Email: Unsubscribed (reminders) on 2027-03-01."


def test_no_consent_to_text(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(
        tenant, AUCKLAND, date(2027, 3, 14), made_at=made, preferred="sms", phone="+6421555012"
    )
    mark_done(invoice, -3)
    # The due date's step is "email and SMS": for a customer who prefers texts, a text.
    following = timeline_at(tenant, invoice, made).next
    assert following is not None and following.offset_days == 0
    (plan,) = following.channels
    assert plan.channel == "sms" and plan.address == "+6421555012"
    assert plan.blocked == "No recorded consent to text this number."


def test_the_customer_prefers_texts_for_an_email_step(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(
        tenant, AUCKLAND, date(2027, 3, 14), made_at=made, preferred="sms", phone="+6421555013"
    )
    following = timeline_at(tenant, invoice, made).next
    assert following is not None and following.offset_days == -3
    (plan,) = following.channels
    assert plan.channel == "email" and plan.blocked == "The customer prefers text messages."


def test_no_email_address(tenant):
    made = utc(2027, 3, 1, 12)
    with time_machine.travel(made, tick=False):
        customer = CustomerFactory(organization=tenant.org, timezone=AUCKLAND)
        ContactFactory(customer=customer, email="")
        invoice = invoice_due(tenant.org, customer, date(2027, 3, 14))
    timeline = timeline_at(tenant, invoice, made)
    assert timeline.next is not None
    assert timeline.next.channels[0].blocked == "No email address for this customer."
    assert timeline.held_reason == "Email: No email address for this customer."


# ---- what was sent


def test_what_was_sent_newest_first_and_what_comes_after(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))
    timeline = timeline_at(tenant, invoice, local(AUCKLAND, date(2027, 3, 11), time(12, 0)))
    (item,) = timeline.sent
    assert (item.offset_days, item.channel, item.status) == (-3, "email", MessageStatus.SENT)
    assert item.when is not None and item.message_id is not None
    assert item.when.customer_local == "Thu 11 Mar, 10:00 in Auckland"
    assert item.when.org_time == "Wed 10 Mar, 21:00" and item.digest_with == ()
    # Next: the due date (Sunday 14) moves to Monday 15 March.
    assert timeline.next is not None and timeline.next.offset_days == 0
    assert timeline.next.when is not None
    assert timeline.next.when.customer_local == "Mon 15 Mar, 09:00 in Auckland"

    Message.objects.filter(pk=item.message_id).update(
        status=MessageStatus.BOUNCED, status_reason="Mailbox does not exist"
    )
    (item,) = timeline_at(tenant, invoice, made).sent
    assert (item.status, item.status_label, item.reason) == (
        "bounced",
        "Bounced",
        "Mailbox does not exist",
    )


def test_a_digest_names_the_invoices_it_went_with(tenant):
    made = utc(2027, 3, 1, 12)
    with time_machine.travel(made, tick=False):
        customer = customer_in(tenant.org, AUCKLAND)
        invoices = [invoice_due(tenant.org, customer, date(2027, 3, 14)) for _ in range(3)]
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))
    first, *others = invoices
    (item,) = timeline_at(tenant, first, made).sent
    assert item.status == MessageStatus.SENT
    assert item.digest_with == tuple(sorted(invoice.number for invoice in others))


def test_after_an_outage_the_missed_steps_read_superseded(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    run_at(local(AUCKLAND, date(2027, 3, 22), time(10, 0)))  # day +8: +7 is the latest
    sent = timeline_at(tenant, invoice, made).sent
    assert [item.offset_days for item in sent] == [7, 3, 0, -3]
    assert sent[0].status == MessageStatus.SENT and sent[0].tone_label == "Firm"
    skipped = sent[1:]
    assert {item.status for item in skipped} == {ReminderStatus.SKIPPED}
    assert all(item.reason.startswith("Superseded by the reminder of") for item in skipped)
    assert all(item.when is None for item in skipped)


def test_a_reminder_waiting_for_its_batch_says_when_it_may_go(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    moment = local(AUCKLAND, date(2027, 3, 11), time(10, 0))
    with time_machine.travel(moment, tick=False):
        reminders_sweep(enqueue=False)
    (item,) = timeline_at(tenant, invoice, moment).sent
    assert item.status == ReminderStatus.QUEUED and item.message_id is None
    assert item.when is not None and item.when.at == moment.astimezone(UTC)


def test_a_constant_number_of_queries_however_long_the_history(tenant):
    made = utc(2027, 3, 1, 12)
    with time_machine.travel(made, tick=False):
        customer = customer_in(tenant.org, AUCKLAND)
        invoice = invoice_due(tenant.org, customer, date(2027, 3, 14))
        for _ in range(2):
            invoice_due(tenant.org, customer, date(2027, 3, 14))
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))

    def queries(moment: datetime) -> int:
        fresh = Invoice.objects.select_related("customer").get(pk=invoice.pk)
        with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as captured:
            invoice_timeline(org=tenant.org, invoice=fresh)
        return len(captured)

    later = local(AUCKLAND, date(2027, 4, 20), time(12, 0))
    few = queries(later)
    for day in (15, 17, 22, 29):  # the steps on and after the due date, each in a digest
        run_at(local(AUCKLAND, date(2027, 3, day), time(10, 0)))
    assert len(timeline_at(tenant, invoice, later).sent) == 4 + 1
    assert queries(later) == few


def test_reading_the_timeline_writes_nothing(tenant):
    made = utc(2027, 3, 1, 12)
    invoice = make_invoice(tenant, AUCKLAND, date(2027, 3, 14), made_at=made)
    timeline = timeline_at(tenant, invoice, made)
    # The built-in default's steps, without saving the default policy.
    assert timeline.policy_id is None and timeline.next is not None
    assert not ReminderPolicy.objects.exists()


# ---- plan_next, property


ZONES = [AUCKLAND, LOS_ANGELES, LONDON, "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    now=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2028, 12, 31)).map(
        lambda naive: naive.replace(tzinfo=UTC)
    ),
    due_in=st.integers(min_value=-40, max_value=40),
    done=st.sets(st.sampled_from([step.offset_days for step in DEFAULT_STEPS])),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    skip_holidays=st.booleans(),
)
def test_the_planned_moment_is_always_inside_the_window_and_not_before_its_day(
    zone, now, due_in, done, weekdays, skip_holidays
):
    window = send_window(
        start=time(9, 0),
        end=time(17, 0),
        weekdays=weekdays,
        zone_name=zone,
        holiday_country="GB" if skip_holidays else "",
    )
    due = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=due_in)
    steps: list[Step] = list(DEFAULT_STEPS)
    plan = plan_next(
        steps, due_date=due, issued_on=due - timedelta(days=30), done=done, window=window, now=now
    )
    left = [s for s in steps if s.offset_days not in done]
    if plan is None:
        # Every step left had its day already, before the invoice was issued.
        today = now.astimezone(ZoneInfo(zone)).date()
        issued = due - timedelta(days=30)
        days = [due + timedelta(days=s.offset_days) for s in left]
        assert all(day <= today and day < issued for day in days)
        return
    assert plan.step.offset_days not in done
    if plan.at is not None:
        assert plan.at >= now
        assert is_open(window, plan.at)
        assert plan.at.astimezone(ZoneInfo(zone)).date() >= plan.day
        # Nothing later has come by then: it is the latest step due at that moment.
        then = plan.at.astimezone(ZoneInfo(zone)).date()
        assert not [
            s
            for s in left
            if s.offset_days > plan.step.offset_days and due + timedelta(days=s.offset_days) <= then
        ]

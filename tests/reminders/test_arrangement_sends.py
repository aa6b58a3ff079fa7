"""reminders.arrangement_sends, run by the reminder sweep with the clock moved by time_machine:
a promise's "as agreed" reminder on the promised day, a plan instalment's reminder three days
before it, a polite notice the day after a missed one; each inside the customer's window,
once however many sweeps, never while something else holds the invoice, in English and
Spanish, through messaging's consent and suppression."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from arhub.messaging.consent import suppression_add
from arhub.models import (
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    SuppressionReason,
    SuppressionScope,
)
from invoicing.models import Invoice
from invoicing.pay_links import pay_link_url
from payments.models import Instalment, PaymentSettings, PromiseToPay
from payments.services import payment_record
from reminders import arrangement_sends
from reminders.arrangement_sends import arrangements_send
from reminders.sweep import reminders_sweep
from tests.conftest import Tenant
from tests.reminders.arrangement_rows import (
    dispute_open,
    dispute_resolve,
    plan_break,
    plan_make,
    plan_messages,
    promise_make,
    run_all_at,
)
from tests.reminders.engine_helpers import customer_in, default_policy, invoice_due, local

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
LONDON = "Europe/London"
# Friday 12 March 2027; the default window is 09:00-17:00, Monday to Friday.
FRIDAY = date(2027, 3, 12)


def as_agreed(invoice: Invoice) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.REMINDER, invoice=invoice).order_by("pk"))


def pay_it(tenant: Tenant, invoice: Invoice) -> None:
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=invoice.balance_due,
        currency=invoice.currency,
        method="bank_transfer",
        received_on=invoice.due_date,
        notify=False,
    )


# ---- a promise's "as agreed" reminder


def test_as_agreed_goes_once_on_the_promised_day_inside_the_customers_window(
    tenant: Tenant,
) -> None:
    default_policy(tenant.org)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, AUCKLAND), date(2027, 3, 1))
    promise = promise_make(invoice, FRIDAY)
    run_all_at(local(AUCKLAND, FRIDAY - timedelta(days=1), time(10, 0)))
    run_all_at(local(AUCKLAND, FRIDAY, time(8, 59)))  # 19:59 the day before in London
    assert as_agreed(invoice) == []
    first = local(AUCKLAND, FRIDAY, time(9, 30))
    run_all_at(first)
    run_all_at(local(AUCKLAND, FRIDAY, time(9, 35)))
    run_all_at(local(AUCKLAND, FRIDAY, time(15, 0)))
    [message] = as_agreed(invoice)
    assert message.channel == Channel.EMAIL and message.status == MessageStatus.SENT
    assert message.subject == f"As agreed: invoice {invoice.number} today"
    assert (
        f"As we agreed, invoice {invoice.number} for £120.00 is due today, March 12, 2027."
        in message.body_text
    )
    assert pay_link_url(org=tenant.org, invoice=invoice) in message.body_text
    assert "Thank you" in message.body_text
    promise.refresh_from_db()
    assert promise.reminded_at == first


def test_as_agreed_in_spanish(tenant: Tenant) -> None:
    default_policy(tenant.org)
    customer = customer_in(tenant.org, LONDON)
    customer.language = "es"
    customer.save()
    invoice = invoice_due(tenant.org, customer, date(2027, 3, 1))
    promise_make(invoice, FRIDAY)
    run_all_at(local(LONDON, FRIDAY))
    [message] = as_agreed(invoice)
    assert message.subject == f"Según lo acordado: factura {invoice.number} hoy"
    assert f"Tal como acordamos, la factura {invoice.number} por" in message.body_text
    assert "vence hoy, 12 de marzo de 2027" in message.body_text


def test_a_promise_for_a_saturday_is_recalled_on_monday_in_the_past_tense(tenant: Tenant) -> None:
    default_policy(tenant.org)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 3, 1))
    promise_make(invoice, date(2027, 3, 13))
    run_all_at(local(LONDON, date(2027, 3, 13)))
    run_all_at(local(LONDON, date(2027, 3, 14)))
    assert as_agreed(invoice) == []
    run_all_at(local(LONDON, date(2027, 3, 15)))
    [message] = as_agreed(invoice)
    assert message.subject == f"As agreed: invoice {invoice.number}"
    assert "was to be paid on March 13, 2027" in message.body_text


def test_a_promise_past_its_grace_days_is_not_recalled(tenant: Tenant) -> None:
    default_policy(tenant.org)
    PaymentSettings.objects.create(organization=tenant.org, promise_grace_days=1)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 3, 1))
    promise_make(invoice, date(2027, 3, 13))  # a Saturday: Sunday is the grace's last day
    run_all_at(local(LONDON, date(2027, 3, 15)))
    assert as_agreed(invoice) == []


@pytest.mark.parametrize("what", ["paid", "disputed"])
def test_no_as_agreed_for_an_invoice_paid_or_disputed(tenant: Tenant, what: str) -> None:
    default_policy(tenant.org)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 3, 1))
    promise = promise_make(invoice, FRIDAY)
    if what == "paid":
        pay_it(tenant, invoice)
    else:
        dispute_open(invoice)
    run_all_at(local(LONDON, FRIDAY))
    assert as_agreed(invoice) == []
    promise.refresh_from_db()
    assert promise.reminded_at is None


def test_a_dry_run_says_what_would_go_and_writes_nothing(tenant: Tenant) -> None:
    default_policy(tenant.org)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 3, 1))
    promise_make(invoice, FRIDAY)
    with time_machine.travel(local(LONDON, FRIDAY), tick=False):
        dry = reminders_sweep(enqueue=False, dry_run=True)
    assert [(item.what, item.message_ids) for item in dry.arrangements] == [("promise", ())]
    assert as_agreed(invoice) == [] and PromiseToPay.objects.get().reminded_at is None


def test_a_run_that_read_the_rows_before_another_sent_them_sends_nothing(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once (a manual one racing beat's): both found the same promise and
    instalment due, one claimed them first; the other's conditional update changes nothing."""
    default_policy(tenant.org)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, LONDON), date(2027, 3, 1))
    promise_make(invoice, FRIDAY)
    plan_for(tenant)
    moment = local(LONDON, FRIDAY)
    utc_today = FRIDAY
    stale_promises = arrangement_sends._promises(tenant.org, utc_today)
    stale_instalments = arrangement_sends._instalments(tenant.org, utc_today)
    with time_machine.travel(moment, tick=False):
        sent = arrangements_send(org=tenant.org, now=moment)
        assert sorted(item.what for item in sent) == ["instalment", "promise"]
        monkeypatch.setattr(arrangement_sends, "_promises", lambda org, day: stale_promises)
        monkeypatch.setattr(arrangement_sends, "_instalments", lambda org, day: stale_instalments)
        assert arrangements_send(org=tenant.org, now=moment) == []
    assert len(as_agreed(invoice)) == 1 and len(plan_messages()) == 1
    assert PromiseToPay.objects.get().reminded_at == moment


# ---- a plan's instalments


def plan_for(
    tenant: Tenant, *, zone: str = LONDON, paid: str = "0", started: date | None = None
) -> tuple[Invoice, Instalment]:
    """An invoice on an active plan whose first instalment, of £60, is due Monday 15 March."""
    invoice = invoice_due(tenant.org, customer_in(tenant.org, zone), date(2027, 3, 1))
    start = started or date(2027, 3, 1)
    plan = plan_make(
        [invoice],
        [(date(2027, 3, 15), "60.00"), (date(2027, 4, 15), "60.00")],
        activated_at=local(zone, start),
    )
    first = plan.instalments.get(seq=1)
    first.amount_paid = Decimal(paid)
    first.save()
    return invoice, first


def test_an_instalment_is_recalled_three_days_before_with_what_is_left_of_it(
    tenant: Tenant,
) -> None:
    default_policy(tenant.org)
    invoice, first = plan_for(tenant, paid="20.00")
    run_all_at(local(LONDON, date(2027, 3, 11)))
    assert plan_messages() == []
    moment = local(LONDON, date(2027, 3, 12))
    run_all_at(moment)
    run_all_at(local(LONDON, date(2027, 3, 12), time(16, 0)))
    run_all_at(local(LONDON, date(2027, 3, 15)))
    [message] = plan_messages()
    assert message.invoice_id == invoice.pk and message.status == MessageStatus.SENT
    assert (
        "the next payment of £40.00 is due on March 15, 2027" in message.body_text
    )  # the built-in plan-update wording, filled with the instalment's remaining and day
    assert pay_link_url(org=tenant.org, invoice=invoice) in message.body_text
    first.refresh_from_db()
    assert first.reminded_at == moment and first.missed_notice_at is None


def test_the_reminder_links_the_plans_oldest_invoice_still_owed(tenant: Tenant) -> None:
    default_policy(tenant.org)
    customer = customer_in(tenant.org, LONDON)
    newer = invoice_due(tenant.org, customer, date(2027, 3, 1))
    older, oldest = (invoice_due(tenant.org, customer, date(2027, 2, d)) for d in (20, 10))
    plan_make([newer, older, oldest], [(date(2027, 3, 15), "360.00")])
    pay_it(tenant, oldest)
    run_all_at(local(LONDON, date(2027, 3, 12)))
    [message] = plan_messages()
    assert message.invoice_id == older.pk
    assert pay_link_url(org=tenant.org, invoice=older) in message.body_text


def test_no_reminder_for_a_date_the_customer_agreed_within_three_days(tenant: Tenant) -> None:
    default_policy(tenant.org)
    plan_for(tenant, started=date(2027, 3, 12))
    for day in (12, 15):
        run_all_at(local(LONDON, date(2027, 3, day)))
    assert plan_messages() == []


def test_no_plan_reminder_while_an_invoice_of_it_is_disputed(tenant: Tenant) -> None:
    default_policy(tenant.org)
    invoice, _ = plan_for(tenant)
    dispute = dispute_open(invoice)
    run_all_at(local(LONDON, date(2027, 3, 12)))
    assert plan_messages() == []
    dispute_resolve(dispute)
    run_all_at(local(LONDON, date(2027, 3, 15)))  # Monday, its day: still in time
    [message] = plan_messages()
    assert "£60.00" in message.body_text


def test_a_missed_instalment_gets_one_polite_notice_the_day_after(tenant: Tenant) -> None:
    default_policy(tenant.org)
    PaymentSettings.objects.create(organization=tenant.org, plan_grace_days=3)
    _, first = plan_for(tenant, zone=AUCKLAND, paid="15.00")
    first.reminded_at = local(AUCKLAND, date(2027, 3, 12))
    first.save()
    run_all_at(local(AUCKLAND, date(2027, 3, 15), time(16, 0)))
    assert plan_messages() == []
    moment = local(AUCKLAND, date(2027, 3, 16), time(9, 15))
    run_all_at(moment)
    run_all_at(local(AUCKLAND, date(2027, 3, 16), time(11, 0)))
    run_all_at(local(AUCKLAND, date(2027, 3, 17), time(11, 0)))
    [message] = plan_messages()
    assert message.subject == "About your payment plan with Acme Plumbing"
    assert "Your latest plan payment of £45.00 has not reached us yet" in message.body_text
    assert "if it arrives by March 18, 2027, your plan simply carries on" in message.body_text
    first.refresh_from_db()
    assert first.missed_notice_at == moment


def test_the_missed_notice_in_spanish_by_text(tenant: Tenant) -> None:
    from arhub.messaging.consent import sms_consent_record

    default_policy(tenant.org)
    _, first = plan_for(tenant)
    customer = first.plan.customer
    customer.language, customer.preferred_channel = "es", "sms"
    customer.save()
    customer.contacts.update(phone="+12125550123")
    sms_consent_record(
        org=tenant.org, phone="+12125550123", method="owner", recorded_by=tenant.owner.user
    )
    first.reminded_at = local(LONDON, date(2027, 3, 12))
    first.save()
    run_all_at(local(LONDON, date(2027, 3, 16)))
    [message] = plan_messages()
    assert message.channel == Channel.SMS
    assert message.body_text.startswith("Acme Plumbing: Hola ")
    assert "aún no recibimos el pago de su plan de 60,00" in message.body_text
    assert "a más tardar el 20 mar 2027" in message.body_text


@pytest.mark.parametrize("what", ["paid", "broken"])
def test_no_missed_notice_once_paid_or_when_the_plan_is_broken(tenant: Tenant, what: str) -> None:
    default_policy(tenant.org)
    _, first = plan_for(tenant)
    first.reminded_at = local(LONDON, date(2027, 3, 12))
    if what == "paid":
        first.amount_paid = first.amount
    first.save()
    if what == "broken":
        plan_break(first.plan)
    run_all_at(local(LONDON, date(2027, 3, 16)))
    assert plan_messages() == []


def test_an_address_suppressed_for_everything_is_written_suppressed_once(tenant: Tenant) -> None:
    default_policy(tenant.org)
    invoice, _ = plan_for(tenant)
    suppression_add(
        org=tenant.org,
        channel=Channel.EMAIL,
        address=invoice.customer.contacts.get().email,
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.COMPLAINT,
    )
    run_all_at(local(LONDON, date(2027, 3, 12)))
    run_all_at(local(LONDON, date(2027, 3, 12), time(15, 0)))
    [message] = plan_messages()
    assert message.status == MessageStatus.SUPPRESSED

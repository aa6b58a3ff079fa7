"""reminders.timeline for an invoice in dispute, on a payment plan or promised: why nothing goes
(the hold's sentence) and what the plan or the promise sends next and when, in the customer's
zone (Pacific/Auckland) and the owner's (Europe/London), with the clock moved by time_machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.messaging.consent import suppression_add
from arhub.models import Channel, SuppressionReason, SuppressionScope
from invoicing.models import Invoice
from payments.models import Instalment, PaymentPlan
from reminders.timeline import Timeline, invoice_timeline
from tests.conftest import Tenant
from tests.reminders.arrangement_rows import dispute_open, plan_make, promise_make
from tests.reminders.engine_helpers import customer_in, invoice_due, local

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
NOW = datetime(2027, 3, 5, 12, tzinfo=UTC)
# The default window opens at 09:00 in Auckland: 20:00 the evening before in London (March).
FRIDAY_AT_NINE = "from Fri 12 Mar, 09:00 in Auckland (Thu 11 Mar, 20:00 your time)"


def timeline_at(tenant: Tenant, invoice: Invoice, moment: datetime = NOW) -> Timeline:
    with time_machine.travel(moment, tick=False):
        return invoice_timeline(org=tenant.org, invoice=Invoice.objects.get(pk=invoice.pk))


def auckland_invoice(tenant: Tenant) -> Invoice:
    return invoice_due(tenant.org, customer_in(tenant.org, AUCKLAND), date(2027, 3, 1))


def on_plan(tenant: Tenant) -> tuple[Invoice, PaymentPlan, Instalment]:
    """On a plan since 1 March: £60 due Monday 15 March (£20 of it paid), £60 on 15 April."""
    invoice = auckland_invoice(tenant)
    plan = plan_make(
        [invoice],
        [(date(2027, 3, 15), "60.00"), (date(2027, 4, 15), "60.00")],
        activated_at=local(AUCKLAND, date(2027, 3, 1)),
    )
    first = plan.instalments.get(seq=1)
    first.amount_paid = 20
    first.save()
    return invoice, plan, first


def test_a_dispute_says_why_and_nothing_of_its_own_goes(tenant: Tenant) -> None:
    invoice = auckland_invoice(tenant)
    with time_machine.travel(datetime(2027, 3, 3, 10, tzinfo=UTC), tick=False):
        dispute_open(invoice)
    timeline = timeline_at(tenant, invoice)
    assert timeline.hold is not None and timeline.hold.code == "disputed"
    assert timeline.held_reason == "In dispute since 3 Mar: the amount is wrong."
    assert timeline.arrangement is None


def test_a_promise_says_when_its_as_agreed_reminder_goes_in_both_zones(tenant: Tenant) -> None:
    invoice = auckland_invoice(tenant)
    promise = promise_make(invoice, date(2027, 3, 12))
    timeline = timeline_at(tenant, invoice)
    item = timeline.arrangement
    assert item is not None and item.what == "promise"
    assert item.when is not None
    assert item.when.at == datetime(2027, 3, 11, 20, tzinfo=UTC)
    assert item.when.customer_local == "Fri 12 Mar, 09:00 in Auckland"
    assert item.when.org_local == "Thu 11 Mar, 20:00 in London"
    assert [(plan.label, plan.blocked) for plan in item.channels] == [("Email", "")]
    assert timeline.held_reason == (
        "Promised to pay by 12 Mar. Next from the promise: the “as agreed” reminder of the "
        f"promise to pay by 12 Mar, {FRIDAY_AT_NINE}."
    )
    # Once it went, and past the day: when the promise counts as broken, nothing more of its own.
    promise.reminded_at = datetime(2027, 3, 11, 20, tzinfo=UTC)
    promise.save()
    later = timeline_at(tenant, invoice, datetime(2027, 3, 13, 12, tzinfo=UTC))
    assert later.arrangement is None
    assert later.held_reason == (
        "Promised to pay by 12 Mar; not paid yet, counted as broken after 15 Mar."
    )


def test_a_plan_says_its_next_instalment_reminder_then_the_missed_notice(tenant: Tenant) -> None:
    invoice, _, first = on_plan(tenant)
    timeline = timeline_at(tenant, invoice)
    assert timeline.held_reason == (
        "On a payment plan: the plan's own reminders go instead. Next from the plan: a "
        f"reminder of the £40.00 instalment due 15 Mar, {FRIDAY_AT_NINE}."
    )
    assert timeline.arrangement is not None and timeline.arrangement.what == "instalment"
    first.reminded_at = datetime(2027, 3, 11, 20, tzinfo=UTC)
    first.save()
    item = timeline_at(tenant, invoice).arrangement
    assert item is not None and item.what == "missed" and item.when is not None
    assert item.words == (
        "a polite notice if the £40.00 instalment due 15 Mar is still unpaid "
        "(the plan stays on if it is paid by 20 Mar)"
    )
    assert item.when.customer_local == "Tue 16 Mar, 09:00 in Auckland"
    assert item.when.org_local == "Mon 15 Mar, 20:00 in London"


def test_after_the_first_instalment_the_next_ones_reminder_across_both_dst_changes(
    tenant: Tenant,
) -> None:
    invoice, _, first = on_plan(tenant)
    first.amount_paid = first.amount
    first.save()
    item = timeline_at(tenant, invoice).arrangement
    # Auckland has left summer time (4 April), London has entered it (28 March).
    assert item is not None and item.when is not None
    assert item.words == "a reminder of the £60.00 instalment due 15 Apr"
    assert item.when.customer_local == "Mon 12 Apr, 09:00 in Auckland"
    assert item.when.org_local == "Sun 11 Apr, 22:00 in London"


def test_the_plans_message_is_checked_as_a_plan_update_not_a_reminder(tenant: Tenant) -> None:
    """Unsubscribed from reminders: the promise's reminder would not go, the plan's would."""
    promised = auckland_invoice(tenant)
    promise_make(promised, date(2027, 3, 12))
    planned, _, _ = on_plan(tenant)
    for invoice in (promised, planned):
        suppression_add(
            org=tenant.org,
            channel=Channel.EMAIL,
            address=invoice.customer.contacts.get().email,
            scope=SuppressionScope.REMINDERS,
            reason=SuppressionReason.UNSUBSCRIBED,
        )
    promise_timeline = timeline_at(tenant, promised)
    assert promise_timeline.arrangement is not None
    assert "It will not go: Email: Unsubscribed (reminders) on " in promise_timeline.held_reason
    plan_timeline = timeline_at(tenant, planned)
    assert plan_timeline.arrangement is not None
    assert "It will not go" not in plan_timeline.held_reason


def test_the_invoice_page_shows_the_plans_next_message(tenant: Tenant) -> None:
    invoice, _, _ = on_plan(tenant)
    with time_machine.travel(NOW, tick=False):
        response = tenant.client().get(f"/invoices/{invoice.pk}/")
    body = response.content.decode()
    assert "On a payment plan: the plan&#x27;s own reminders go instead." in body
    assert "Next from the plan: a reminder of the £40.00 instalment due 15 Mar" in body


def test_as_many_queries_for_a_plan_of_twelve_instalments_as_of_two(tenant: Tenant) -> None:
    def queries(count: int) -> int:
        invoice = auckland_invoice(tenant)
        plan_make(
            [invoice],
            [(date(2027, 3 + i // 28, 1 + i % 28), "10.00") for i in range(10, 10 + count)],
            activated_at=local(AUCKLAND, date(2027, 3, 1)),
        )
        fresh = Invoice.objects.select_related("customer").get(pk=invoice.pk)
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as found:
            timeline = invoice_timeline(org=tenant.org, invoice=fresh)
        assert timeline.arrangement is not None
        return len(found)

    assert queries(2) == queries(12)

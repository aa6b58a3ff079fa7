"""Setting up payment plans and deciding on them: the customer's limits, auto-approval, the
owner's offer, approve / decline / counter / accept / cancel, and moving one instalment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from arhub.models import AuditAction, AuditEvent, Message, MessageKind, Notice, NoticeKind
from invoicing.models import PreferredChannel
from payments.models import (
    InstalmentChange,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
)
from payments.plan_selectors import live_plan_for_invoice, plan_due_now, plan_get, plan_list
from payments.plan_services import (
    instalment_move,
    plan_accept,
    plan_approve,
    plan_cancel,
    plan_counter,
    plan_decline,
    plan_limits,
    plan_offer,
    plan_request,
)
from payments.promise_services import promise_make
from payments.services import AllocationInput
from tests.conftest import Tenant
from tests.payments.factories import payment_make
from tests.payments.plan_factories import (
    PLAN_DAY,
    active_plan,
    amounts,
    asked_plan,
    plan_clock,
    plan_customer,
    plan_invoice,
    plan_settings,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plan_clock")]
__all__ = ["plan_clock"]


def ask(tenant: Tenant, price: str = "300.00", **terms: object) -> PaymentPlan:
    return asked_plan(tenant.org, price, **terms)


def plan_messages(plan: PaymentPlan) -> list[Message]:
    return list(
        Message.objects.filter(customer_id=plan.customer_id, kind=MessageKind.PLAN_UPDATE).order_by(
            "pk"
        )
    )


def actions(plan: PaymentPlan) -> list[str]:
    events = AuditEvent.objects.filter(organization_id=plan.organization_id).order_by("pk")
    return [event.action for event in events if event.data.get("plan") == plan.pk]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# ---- limits and the customer's request


def test_limits_follow_the_settings_and_the_balance(tenant):
    plan_settings(tenant.org, plan_max_instalments=6, plan_min_instalment=Decimal(50))
    limits = plan_limits(org=tenant.org, currency="GBP", balance=Decimal("120.00"))
    # 120 in 3 is 40 each, under the 50 minimum.
    assert limits.counts == [2]
    assert limits.min_instalment == Decimal("50.00")
    assert limits.latest_start == PLAN_DAY + timedelta(days=30)
    assert limits.frequencies == ["weekly", "fortnightly", "monthly"]
    small = plan_limits(org=tenant.org, currency="GBP", balance=Decimal("30.00"))
    # A minimum above the balance is capped at the balance: no split is left.
    assert (small.counts, small.min_instalment) == ([], Decimal("30.00"))
    yen = plan_limits(org=tenant.org, currency="JPY", balance=Decimal(1000))
    assert yen.counts == [2, 3, 4, 5, 6]


def test_a_request_inside_the_rules_starts_at_once(tenant):
    plan = ask(tenant)
    assert (plan.status, plan.auto_approved, plan.origin) == ("active", True, "customer")
    assert plan.activated_at is not None
    assert plan.total == Decimal("300.00")
    assert amounts(plan) == [(Decimal("100.00"), 0)] * 3
    assert [row.due_date for row in plan.instalments.order_by("seq")] == [
        date(2027, 3, 10),
        date(2027, 4, 10),
        date(2027, 5, 10),
    ]
    link = PaymentPlanInvoice.objects.get(plan=plan)
    assert (link.balance_at_start, link.released_at) == (Decimal("300.00"), None)
    assert actions(plan) == [AuditAction.PLAN_PROPOSED, AuditAction.PLAN_APPROVED]
    notice = Notice.objects.get(organization=tenant.org)
    assert notice.kind == NoticeKind.PLAN_STARTED
    assert "£300.00 in 3 instalments every month" in notice.summary
    [message] = plan_messages(plan)
    assert message.subject == f"Your payment plan with {tenant.org.name} has started"
    assert "Hi Dana Reyes" in message.body_text
    assert "The next payment, £100.00, is due on March 10, 2027" in message.body_text
    assert "/pay/" in message.body_text


def test_the_customer_is_told_in_their_language_and_by_text_when_they_prefer(tenant):
    customer = plan_customer(tenant.org, language="es", preferred_channel=PreferredChannel.BOTH)
    invoice = plan_invoice(tenant.org, customer, "300.00")
    plan = plan_request(
        org=tenant.org,
        customer=customer,
        invoices=[invoice],
        count=2,
        frequency="fortnightly",
        start_date=date(2027, 3, 10),
    )
    email, text = plan_messages(plan)
    assert (email.channel, text.channel) == ("email", "sms")
    assert email.subject == f"Su plan de pagos con {tenant.org.name} ha comenzado"
    assert f"para la factura {invoice.number}" in email.body_text
    assert "vence el 10 de marzo de 2027" in email.body_text
    assert text.body_text.startswith(f"{tenant.org.name}: Hola Dana Reyes, su plan de pagos")
    # The message service decides whether a text may go (here: no mobile number); it is on
    # the customer's timeline either way.
    assert text.status == "skipped"


def test_a_request_over_the_auto_limits_waits_for_the_owner(tenant):
    plan = ask(tenant, price="2500.00")
    assert (plan.status, plan.auto_approved, plan.activated_at) == ("proposed", False, None)
    notice = Notice.objects.get(organization=tenant.org)
    assert notice.kind == NoticeKind.PLAN_REQUESTED
    assert notice.path  # the plan's dashboard page (or the plans list)
    assert plan_messages(plan) == []
    assert live_plan_for_invoice(org=tenant.org, invoice=plan.plan_invoices.get().invoice) == plan


def test_more_instalments_than_the_auto_rules_wait_too(tenant):
    assert ask(tenant, count=5, frequency="weekly").status == "proposed"


def test_auto_approve_can_be_switched_off(tenant):
    plan_settings(tenant.org, plan_auto_approve=False)
    assert ask(tenant).status == "proposed"


def test_a_customer_with_a_plan_broken_this_year_waits_for_the_owner(tenant):
    customer = plan_customer(tenant.org)
    PaymentPlan.objects.create(
        organization=tenant.org,
        customer=customer,
        currency="GBP",
        total=Decimal("100.00"),
        status=PlanStatus.BROKEN,
        origin=PlanOrigin.CUSTOMER,
        broken_at=timezone.now() - timedelta(days=200),
    )
    invoice = plan_invoice(tenant.org, customer)
    plan = plan_request(
        org=tenant.org,
        customer=customer,
        invoices=[invoice],
        count=3,
        frequency="monthly",
        start_date=date(2027, 3, 10),
    )
    assert plan.status == "proposed"


@pytest.mark.parametrize(
    ("terms", "field", "words"),
    [
        ({"count": 7}, "count", "Choose from 2 to 6 instalments"),
        ({"count": 1}, "count", "Choose from 2 to 6"),
        ({"frequency": "daily"}, "frequency", "not offered"),
        ({"start_date": date(2027, 2, 28)}, "start_date", "cannot be in the past"),
        ({"start_date": date(2027, 4, 1)}, "start_date", "on or before March 31, 2027"),
    ],
)
def test_a_request_outside_the_limits_is_refused_and_nothing_is_saved(tenant, terms, field, words):
    with pytest.raises(ValidationError) as excinfo:
        ask(tenant, **terms)
    assert words in " ".join(errors_of(excinfo)[field])
    assert not PaymentPlan.objects.exists()
    assert not Notice.objects.exists()


def test_the_minimum_instalment_and_the_allowed_frequencies_bind_the_customer(tenant):
    plan_settings(tenant.org, plan_frequencies=["monthly"])
    with pytest.raises(ValidationError) as excinfo:
        ask(tenant, price="120.00", count=3, frequency="weekly")
    found = errors_of(excinfo)
    assert "each at least £50.00" in found["count"][0]
    assert "choose one of: every month" in found["frequency"][0]


def test_plans_switched_off_refuse_requests(tenant):
    plan_settings(tenant.org, plans_enabled=False)
    with pytest.raises(ValidationError) as excinfo:
        ask(tenant)
    assert "not offered" in errors_of(excinfo)["invoices"][0]


def test_invoices_must_be_open_of_the_customer_and_in_one_currency(tenant, other_tenant):
    customer = plan_customer(tenant.org)
    someone_else = plan_customer(tenant.org)
    own = plan_invoice(tenant.org, customer)
    theirs = plan_invoice(tenant.org, someone_else)
    dollars = plan_invoice(tenant.org, customer, currency="USD")
    draft = plan_invoice(tenant.org, customer, issue=False)
    foreign = plan_invoice(other_tenant.org, plan_customer(other_tenant.org))
    terms = {"count": 2, "frequency": "monthly", "start_date": date(2027, 3, 10)}
    with pytest.raises(ValidationError) as excinfo:
        plan_request(
            org=tenant.org,
            customer=customer,
            invoices=[own, theirs, dollars, draft],
            **terms,  # type: ignore[arg-type]
        )
    problems = " ".join(errors_of(excinfo)["invoices"])
    assert "belongs to another customer" in problems
    assert "in USD, the others in GBP" in problems
    assert "is a draft" in problems
    with pytest.raises(ValidationError) as excinfo:
        plan_request(org=tenant.org, customer=customer, invoices=[own, foreign], **terms)  # type: ignore[arg-type]
    assert errors_of(excinfo)["invoices"] == [f"Invoice {foreign.pk} does not exist."]
    with pytest.raises(ValidationError) as excinfo:
        plan_request(org=tenant.org, customer=foreign.customer, invoices=[own], **terms)  # type: ignore[arg-type]
    assert "customer" in errors_of(excinfo)
    assert not PaymentPlan.objects.exists()


def test_a_paid_invoice_cannot_go_on_a_plan(tenant):
    customer = plan_customer(tenant.org)
    invoice = plan_invoice(tenant.org, customer)
    payment_make(tenant.org, customer, "300.00")
    with pytest.raises(ValidationError) as excinfo:
        plan_request(
            org=tenant.org,
            customer=customer,
            invoices=[invoice],
            count=2,
            frequency="monthly",
            start_date=date(2027, 3, 10),
        )
    assert "is already paid" in errors_of(excinfo)["invoices"][0]


def test_an_invoice_is_in_one_live_plan_at_a_time(tenant):
    plan = ask(tenant, price="2500.00")
    invoice = plan.plan_invoices.get().invoice
    again = {"count": 2, "frequency": "monthly", "start_date": date(2027, 3, 10)}
    with pytest.raises(ValidationError) as excinfo:
        plan_request(org=tenant.org, customer=plan.customer, invoices=[invoice], **again)  # type: ignore[arg-type]
    assert "already in a payment plan (proposed)" in errors_of(excinfo)["invoices"][0]
    plan_decline(org=tenant.org, actor=tenant.user(), plan=plan, message="Too long for us.")
    # Released by the decision: a new request may cover it.
    second = plan_request(org=tenant.org, customer=plan.customer, invoices=[invoice], **again)  # type: ignore[arg-type]
    assert second.status == "proposed"


def test_a_plan_covers_several_invoices_on_their_balances(tenant):
    customer = plan_customer(tenant.org)
    first = plan_invoice(tenant.org, customer, "200.00")
    second = plan_invoice(tenant.org, customer, "100.00")
    payment_make(
        tenant.org,
        customer,
        "50.00",
        allocations=[AllocationInput(invoice_id=first.pk, amount=Decimal(50))],
    )
    plan = plan_request(
        org=tenant.org,
        customer=customer,
        invoices=[second, first],
        count=2,
        frequency="fortnightly",
        start_date=date(2027, 3, 5),
    )
    assert plan.total == Decimal("250.00")
    starts = dict(plan.plan_invoices.values_list("invoice_id", "balance_at_start"))
    assert starts == {first.pk: Decimal("150.00"), second.pk: Decimal("100.00")}
    assert amounts(plan) == [(Decimal("125.00"), 0), (Decimal("125.00"), 0)]


# ---- the owner's offer


def test_the_owner_offers_past_the_limits_and_the_customer_accepts(tenant):
    customer = plan_customer(tenant.org, preferred_channel=PreferredChannel.EMAIL)
    invoice = plan_invoice(tenant.org, customer, "1200.00")
    plan = plan_offer(
        org=tenant.org,
        actor=tenant.user(),
        customer=customer,
        invoices=[invoice],
        count=12,
        frequency="monthly",
        start_date=date(2027, 6, 30),
        message="We can spread it over the year.",
    )
    assert (plan.status, plan.origin, plan.created_by) == ("proposed", "owner", tenant.user())
    assert plan.instalments.count() == 12
    [offer] = plan_messages(plan)
    assert offer.subject == f"A payment plan offer from {tenant.org.name}"
    assert "We can spread it over the year." in offer.body_text
    assert "June 30, 2027: £100.00" in offer.body_text
    assert actions(plan) == [AuditAction.PLAN_PROPOSED]

    with pytest.raises(ValidationError) as excinfo:
        plan_approve(org=tenant.org, actor=tenant.user(), plan=plan)
    assert "asked for by the customer" in errors_of(excinfo)["status"][0]

    started = plan_accept(org=tenant.org, plan=plan)
    assert (started.status, started.auto_approved) == ("active", False)
    assert started.accepted_at is not None
    assert Notice.objects.get(organization=tenant.org).kind == NoticeKind.PLAN_ACCEPTED
    assert actions(plan) == [
        AuditAction.PLAN_PROPOSED,
        AuditAction.PLAN_ACCEPTED,
    ]
    assert [m.subject for m in plan_messages(plan)][-1].endswith("has started")


def test_an_offer_of_own_instalments_must_add_up_and_run_forward(tenant):
    customer = plan_customer(tenant.org)
    invoice = plan_invoice(tenant.org, customer, "300.00")

    def offer(rows):
        return plan_offer(
            org=tenant.org, actor=tenant.user(), customer=customer, invoices=[invoice],
            instalments=rows,
        )  # fmt: skip

    with pytest.raises(ValidationError) as excinfo:
        offer([(date(2027, 3, 10), Decimal("100.00")), (date(2027, 4, 10), Decimal("150.00"))])
    assert "add up to £250.00, but £300.00 is owed" in errors_of(excinfo)["instalments"][0]
    with pytest.raises(ValidationError) as excinfo:
        offer([(date(2027, 4, 10), Decimal("100.00")), (date(2027, 4, 10), Decimal("200.00"))])
    assert "Instalment 2 must be due after instalment 1" in errors_of(excinfo)["instalments"][0]
    with pytest.raises(ValidationError) as excinfo:
        offer([(date(2027, 2, 1), Decimal("300.001"))])
    problems = " ".join(errors_of(excinfo)["instalments"])
    assert "in the past" in problems
    assert "at most 2 decimals" in problems
    with pytest.raises(ValidationError) as excinfo:
        offer([(date(2027, 3, 10), Decimal("0")), (date(2027, 4, 10), Decimal("300.00"))])
    assert "Instalment 1 must be more than zero." in errors_of(excinfo)["instalments"]
    assert not PaymentPlan.objects.exists()

    plan = offer([(date(2027, 3, 10), Decimal("50.00")), (date(2027, 5, 1), Decimal("250.00"))])
    assert amounts(plan) == [(Decimal("50.00"), 0), (Decimal("250.00"), 0)]
    assert plan.frequency == ""


def test_an_offer_whose_first_date_has_passed_cannot_be_accepted(tenant, plan_clock):
    customer = plan_customer(tenant.org)
    plan = plan_offer(
        org=tenant.org,
        actor=tenant.user(),
        customer=customer,
        invoices=[plan_invoice(tenant.org, customer)],
        count=2,
        frequency="monthly",
        start_date=date(2027, 3, 5),
    )
    plan_clock.move_to(date(2027, 3, 6).isoformat() + "T12:00Z")
    with pytest.raises(ValidationError) as excinfo:
        plan_accept(org=tenant.org, plan=plan)
    assert "due on March 5, 2027, which has passed" in errors_of(excinfo)["status"][0]


# ---- decisions on a request


def test_the_owner_approves_a_request(tenant):
    plan = ask(tenant, price="2500.00")
    done = plan_approve(org=tenant.org, actor=tenant.user(), plan=plan)
    assert (done.status, done.decided_by, done.auto_approved) == ("active", tenant.user(), False)
    assert done.activated_at is not None
    assert actions(plan) == [AuditAction.PLAN_PROPOSED, AuditAction.PLAN_APPROVED]
    event = AuditEvent.objects.filter(action=AuditAction.PLAN_APPROVED).get()
    assert event.actor == tenant.user()
    [started] = plan_messages(plan)
    assert "has started" in started.subject
    with pytest.raises(ValidationError) as excinfo:
        plan_approve(org=tenant.org, actor=tenant.user(), plan=plan)
    assert "only a proposed plan" in errors_of(excinfo)["status"][0]


def test_the_owner_declines_with_a_message_the_customer_gets(tenant):
    plan = ask(tenant, price="2500.00")
    with pytest.raises(ValidationError) as excinfo:
        plan_decline(org=tenant.org, actor=tenant.user(), plan=plan, message="  ")
    assert "Tell the customer why" in errors_of(excinfo)["message"][0]
    done = plan_decline(
        org=tenant.org,
        actor=tenant.user(),
        plan=plan,
        message="We can offer two payments {not six}.",
    )
    assert (done.status, done.owner_message) == ("declined", "We can offer two payments {not six}.")
    assert not PaymentPlanInvoice.objects.filter(plan=plan, released_at__isnull=True).exists()
    [told] = plan_messages(plan)
    assert told.subject == "About your payment plan request"
    # The owner's braces are printed, never read as placeholders.
    assert "We can offer two payments {not six}." in told.body_text
    assert "£2,500.00" in told.body_text
    assert actions(plan)[-1] == AuditAction.PLAN_DECLINED


def test_a_counter_offer_replaces_the_request_and_can_be_accepted(tenant):
    plan = ask(tenant, price="2500.00", count=6)
    offer = plan_counter(
        org=tenant.org,
        actor=tenant.user(),
        plan=plan,
        count=5,
        frequency="monthly",
        start_date=date(2027, 3, 15),
        message="Five months works for us.",
    )
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == ("declined", tenant.user())
    assert (offer.status, offer.origin, offer.counter_to) == ("proposed", "owner", plan)
    assert amounts(offer) == [(Decimal("500.00"), 0)] * 5
    [told] = plan_messages(offer)
    assert told.subject == f"A payment plan suggestion from {tenant.org.name}"
    assert "Five months works for us." in told.body_text
    assert actions(offer) == [AuditAction.PLAN_COUNTERED]
    invoice = offer.plan_invoices.get().invoice
    assert live_plan_for_invoice(org=tenant.org, invoice=invoice) == offer

    started = plan_accept(org=tenant.org, plan=offer)
    assert started.status == "active"


def test_a_counter_offer_with_bad_terms_changes_nothing(tenant):
    plan = ask(tenant, price="2500.00")
    with pytest.raises(ValidationError) as excinfo:
        plan_counter(
            org=tenant.org,
            actor=tenant.user(),
            plan=plan,
            count=None,
            frequency="monthly",
            start_date=date(2027, 3, 15),
            message="",
        )
    assert "count" in errors_of(excinfo)
    plan.refresh_from_db()
    assert plan.status == "proposed"
    assert PaymentPlan.objects.count() == 1


def test_cancel_needs_a_reason_and_releases_the_invoices(tenant):
    plan = ask(tenant)
    with pytest.raises(ValidationError) as excinfo:
        plan_cancel(org=tenant.org, actor=tenant.user(), plan=plan, reason="")
    assert "reason" in errors_of(excinfo)
    done = plan_cancel(
        org=tenant.org, actor=tenant.user(), plan=plan, reason="Customer asked to stop"
    )
    assert (done.status, done.ended_reason) == ("cancelled", "Customer asked to stop")
    assert done.cancelled_at is not None
    invoice = done.plan_invoices.get().invoice
    assert live_plan_for_invoice(org=tenant.org, invoice=invoice) is None
    assert plan_messages(plan)[-1].subject == f"Your payment plan with {tenant.org.name}"
    with pytest.raises(ValidationError):
        plan_cancel(org=tenant.org, actor=tenant.user(), plan=plan, reason="Again")


def test_a_foreign_plan_is_refused(tenant, other_tenant):
    theirs = ask(other_tenant)
    with pytest.raises(ValidationError):
        plan_cancel(org=tenant.org, actor=tenant.user(), plan=theirs, reason="Not mine")
    theirs.refresh_from_db()
    assert theirs.status == "active"


# ---- moving one instalment


def test_an_instalment_moves_between_its_neighbours_with_who_and_why(tenant):
    plan = active_plan(tenant.org)
    first, second, third = plan.instalments.order_by("seq")
    moved = instalment_move(
        org=tenant.org,
        actor=tenant.user(),
        instalment=second,
        new_date=date(2027, 4, 25),
        reason="Paid late by their client",
    )
    assert moved.due_date == date(2027, 4, 25)
    change = InstalmentChange.objects.get(instalment=second)
    assert (change.old_due_date, change.new_due_date, change.changed_by) == (
        date(2027, 4, 10),
        date(2027, 4, 25),
        tenant.user(),
    )
    assert change.reason == "Paid late by their client"
    assert actions(plan)[-1] == AuditAction.PLAN_INSTALMENT_MOVED

    for day, words in [
        (date(2027, 5, 10), "before the next instalment (May 10, 2027)"),
        (date(2027, 3, 10), "after the previous instalment (March 10, 2027)"),
        (date(2027, 2, 27), "cannot be in the past"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            instalment_move(org=tenant.org, actor=None, instalment=second, new_date=day, reason="x")
        assert words in errors_of(excinfo)["new_date"][0]
    with pytest.raises(ValidationError) as excinfo:
        instalment_move(
            org=tenant.org, actor=None, instalment=third, new_date=date(2027, 6, 1), reason=""
        )
    assert "reason" in errors_of(excinfo)
    assert InstalmentChange.objects.count() == 1
    assert first.due_date == date(2027, 3, 10)


def test_a_paid_instalment_does_not_move(tenant):
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "100.00")
    first = plan.instalments.get(seq=1)
    with pytest.raises(ValidationError) as excinfo:
        instalment_move(
            org=tenant.org, actor=None, instalment=first, new_date=date(2027, 3, 20), reason="x"
        )
    assert "is paid" in errors_of(excinfo)["instalment"][0]


# ---- selectors


def test_due_now_is_what_is_due_by_today_or_else_the_next(tenant, plan_clock):
    plan = active_plan(tenant.org)
    assert plan_due_now(plan=plan, today=date(2027, 3, 1)) == Decimal("100.00")
    payment_make(tenant.org, plan.customer, "30.00")
    assert plan_due_now(plan=plan, today=date(2027, 3, 1)) == Decimal("70.00")
    assert plan_due_now(plan=plan, today=date(2027, 4, 10)) == Decimal("170.00")


def test_list_and_get_stay_inside_the_organization(tenant, other_tenant):
    mine, waiting = ask(tenant), ask(tenant, price="2500.00")
    theirs = ask(other_tenant)
    assert list(plan_list(org=tenant.org)) == [waiting, mine]
    assert list(plan_list(org=tenant.org, status="active")) == [mine]
    assert list(plan_list(org=tenant.org, customer=mine.customer)) == [mine]
    assert plan_get(org=tenant.org, plan_id=mine.pk) == mine
    with pytest.raises(Http404):
        plan_get(org=tenant.org, plan_id=theirs.pk)


def test_a_plan_that_starts_replaces_an_open_promise_on_its_invoice(tenant):
    org = tenant.org
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer)
    promise = promise_make(org=org, invoice=invoice, promised_date=date(2027, 3, 20))
    other = promise_make(
        org=org, invoice=plan_invoice(org, customer), promised_date=date(2027, 3, 20)
    )
    plan = plan_request(
        org=org,
        customer=customer,
        invoices=[invoice],
        count=3,
        frequency="monthly",
        start_date=date(2027, 3, 10),
    )
    assert plan.status == PlanStatus.ACTIVE
    promise.refresh_from_db()
    other.refresh_from_db()
    # The promise on the plan's invoice ends; the one on the invoice outside the plan stays.
    assert (promise.status, other.status) == (PromiseStatus.CANCELLED, PromiseStatus.OPEN)
    assert AuditEvent.objects.filter(
        organization=org,
        action=AuditAction.PROMISE_CANCELLED,
        summary__endswith=f"replaced by payment plan {plan.pk}",
    ).exists()


def test_a_plan_waiting_for_the_owner_leaves_the_promise_until_it_starts(tenant):
    org = tenant.org
    plan_settings(org, plan_auto_approve=False)
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer)
    promise = promise_make(org=org, invoice=invoice, promised_date=date(2027, 3, 20))
    plan = plan_request(
        org=org,
        customer=customer,
        invoices=[invoice],
        count=3,
        frequency="monthly",
        start_date=date(2027, 3, 10),
    )
    promise.refresh_from_db()
    assert (plan.status, promise.status) == (PlanStatus.PROPOSED, PromiseStatus.OPEN)
    plan_approve(org=org, actor=tenant.user(), plan=plan)
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.CANCELLED

"""A running plan follows the money: payments fill instalments in date order (one payment may
pay two), reversals and refunds un-pay them, credit notes count, the customer is thanked once
per instalment, the plan completes when all is paid, and breaks after the grace days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from arhub.models import AuditAction, AuditEvent, Message, MessageKind, Notice, NoticeKind
from invoicing.credit_services import credit_note_create
from payments.models import PaymentPlan, PaymentPlanInvoice, PlanStatus
from payments.plan_selectors import active_plans_by_invoice
from payments.plan_services import plan_approve, plan_request, plans_settle, plans_sweep
from payments.refund_services import payment_refund
from payments.services import AllocationInput, payment_reverse
from payments.tasks import plans_sweep_org_task, plans_sweep_task
from tests.conftest import Tenant
from tests.payments.factories import payment_make
from tests.payments.plan_factories import (
    active_plan,
    amounts,
    plan_clock,
    plan_customer,
    plan_invoice,
    plan_settings,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plan_clock")]
__all__ = ["plan_clock"]

D = Decimal


def thanks(plan: PaymentPlan) -> list[Message]:
    return list(
        Message.objects.filter(
            customer_id=plan.customer_id,
            kind=MessageKind.PLAN_UPDATE,
            subject__in=["Thank you for your payment", "Your payment plan is complete: thank you"],
        ).order_by("pk")
    )


def fresh(plan: PaymentPlan) -> PaymentPlan:
    return PaymentPlan.objects.get(pk=plan.pk)


def test_one_payment_covering_two_instalments_pays_both_in_date_order(tenant: Tenant) -> None:
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "230.00")
    assert amounts(plan) == [(D(100), D(100)), (D(100), D(100)), (D(100), D(30))]
    rows = list(plan.instalments.order_by("seq"))
    assert [row.paid_at is not None for row in rows] == [True, True, False]
    assert [row.thanked_at is not None for row in rows] == [True, True, False]
    # One thank-you for the payment, naming what is next.
    [thank_you] = thanks(plan)
    assert "The next one, £70.00, is due on May 10, 2027" in thank_you.body_text
    assert fresh(plan).status == "active"


def test_a_part_payment_fills_part_of_the_first_instalment_without_thanks(tenant):
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "40.00")
    assert amounts(plan)[0] == (D(100), D(40))
    assert plan.instalments.get(seq=1).paid_at is None
    assert thanks(plan) == []


def test_a_reversal_unpays_and_the_customer_is_thanked_only_once(tenant):
    plan = active_plan(tenant.org)
    cheque = payment_make(tenant.org, plan.customer, "100.00", method="cheque")
    assert amounts(plan)[0] == (D(100), D(100))
    payment_reverse(org=tenant.org, actor=tenant.user(), payment=cheque, reason="Bounced")
    first = plan.instalments.get(seq=1)
    assert (first.amount_paid, first.paid_at) == (0, None)
    assert first.thanked_at is not None
    payment_make(tenant.org, plan.customer, "100.00")
    assert amounts(plan)[0] == (D(100), D(100))
    assert len(thanks(plan)) == 1


def test_a_refund_unpays_the_instalments_it_paid(tenant):
    plan = active_plan(tenant.org)
    payment = payment_make(tenant.org, plan.customer, "200.00")
    payment_refund(
        org=tenant.org, actor=tenant.user(), payment=payment, amount=D("150.00"), reason="Asked"
    )
    assert amounts(plan) == [(D(100), D(50)), (D(100), D(0)), (D(100), D(0))]


def test_all_paid_completes_the_plan_and_releases_its_invoices(tenant):
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "300.00")
    done = fresh(plan)
    assert done.status == "completed"
    assert done.completed_at is not None
    assert not PaymentPlanInvoice.objects.filter(plan=plan, released_at__isnull=True).exists()
    [message] = thanks(plan)
    assert message.subject == "Your payment plan is complete: thank you"
    event = AuditEvent.objects.get(action=AuditAction.PLAN_COMPLETED)
    assert event.data["plan"] == plan.pk


def test_a_plan_on_two_invoices_counts_payments_to_either_and_no_other(tenant):
    customer = plan_customer(tenant.org)
    first, second, outside = (
        plan_invoice(tenant.org, customer, "100.00"),
        plan_invoice(tenant.org, customer, "200.00"),
        plan_invoice(tenant.org, customer, "50.00"),
    )
    plan = plan_request(
        org=tenant.org,
        customer=customer,
        invoices=[first, second],
        count=2,
        frequency="monthly",
        start_date=date(2027, 3, 10),
    )

    def pay(invoice, amount):
        payment_make(
            tenant.org,
            customer,
            amount,
            allocations=[AllocationInput(invoice_id=invoice.pk, amount=D(amount))],
        )

    pay(outside, "50.00")
    assert amounts(plan) == [(D(150), D(0)), (D(150), D(0))]
    pay(second, "120.00")
    pay(first, "100.00")
    assert amounts(plan) == [(D(150), D(150)), (D(150), D(70))]


def test_settling_twice_changes_nothing(tenant):
    plan = active_plan(tenant.org)
    payment_make(tenant.org, plan.customer, "150.00")
    before = amounts(plan), len(thanks(plan))
    invoice_ids = list(plan.plan_invoices.values_list("invoice_id", flat=True))
    plans_settle(org=tenant.org, invoice_ids=invoice_ids)
    plans_settle(org=tenant.org, invoice_ids=invoice_ids)
    assert (amounts(plan), len(thanks(plan))) == before


def test_an_instalment_unpaid_past_the_grace_days_breaks_the_plan(tenant, plan_clock):
    plan = active_plan(tenant.org)  # first instalment due 10 March; grace 5 days
    invoice_id = plan.plan_invoices.get().invoice_id
    plan_clock.move_to("2027-03-15T12:00Z")
    assert plans_sweep(org=tenant.org) == []
    plan_clock.move_to("2027-03-16T12:00Z")
    [broken] = plans_sweep(org=tenant.org)
    assert broken.pk == plan.pk
    plan = fresh(plan)
    assert plan.status == PlanStatus.BROKEN
    assert plan.broken_at is not None
    assert "instalment 1" in plan.ended_reason
    # Released: the invoice is back under the normal reminder policy.
    assert active_plans_by_invoice(org=tenant.org, invoice_ids=[invoice_id]) == {}
    notice = Notice.objects.get(kind=NoticeKind.PLAN_BROKEN)
    assert "the payment plan is broken" in notice.summary
    event = AuditEvent.objects.get(action=AuditAction.PLAN_BROKEN)
    assert event.actor is None
    assert plans_sweep(org=tenant.org) == []


def test_the_grace_days_are_the_organizations(tenant, plan_clock):
    plan_settings(tenant.org, plan_grace_days=0)
    plan = active_plan(tenant.org)
    plan_clock.move_to("2027-03-11T12:00Z")
    assert [p.pk for p in plans_sweep(org=tenant.org)] == [plan.pk]


def test_a_paid_instalment_or_a_credit_note_keeps_the_plan(tenant, plan_clock):
    paid = active_plan(tenant.org)
    payment_make(tenant.org, paid.customer, "100.00")
    credited = active_plan(tenant.org)
    invoice = credited.plan_invoices.get().invoice
    # Invoicing knows nothing of plans: the sweep recounts before it judges.
    credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=D("100.00"), reason="Goodwill"
    )
    plan_clock.move_to("2027-03-20T12:00Z")
    assert plans_sweep(org=tenant.org) == []
    assert fresh(paid).status == fresh(credited).status == "active"
    assert amounts(credited)[0] == (D(100), D(100))


def test_the_sweep_task_runs_each_organization_with_an_active_plan(
    tenant, other_tenant, plan_clock, monkeypatch
):
    active_plan(tenant.org)
    sent: list[int] = []
    monkeypatch.setattr(plans_sweep_org_task, "delay", sent.append)
    assert plans_sweep_task.run() == 1
    assert sent == [tenant.org.pk]  # not the organization without an active plan
    plan_clock.move_to("2027-03-16T12:00Z")
    assert plans_sweep_org_task.run(tenant.org.pk) == 1
    assert plans_sweep_org_task.run(987654) == 0


def test_money_received_while_proposed_counts_when_the_plan_starts(tenant):
    plan_settings(tenant.org, plan_auto_approve=False)
    customer = plan_customer(tenant.org)
    invoice = plan_invoice(tenant.org, customer)
    plan = plan_request(
        org=tenant.org,
        customer=customer,
        invoices=[invoice],
        count=3,
        frequency="monthly",
        start_date=date(2027, 3, 10),
    )
    payment_make(tenant.org, customer, "100.00")
    assert amounts(plan)[0] == (D(100), D(0))  # a proposed plan is not followed yet
    plan_approve(org=tenant.org, actor=tenant.user(), plan=plan)
    assert amounts(plan)[0] == (D(100), D(100))
    # The "started" message tells them; no separate thank-you.
    assert thanks(plan) == []
    assert timezone.now().date() == date(2027, 3, 1)

"""Disputes, payment plans and promises to pay made straight from their models (not through their
services, which other work owns), for the reminder tests that honour them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from arhub.messaging.services import message_send
from arhub.models import Message, MessageKind, Organization
from disputes.models import Dispute, DisputeKind, DisputeReason, DisputeStatus
from invoicing.models import Invoice
from payments.models import (
    Instalment,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanOrigin,
    PlanStatus,
    PromiseToPay,
)
from reminders.sweep import SweepResult
from tests.reminders.engine_helpers import run_at


def dispute_open(
    invoice: Invoice, *, reason: str = DisputeReason.WRONG_AMOUNT, **fields: object
) -> Dispute:
    return Dispute.objects.create(
        organization=invoice.organization,
        invoice=invoice,
        customer=invoice.customer,
        kind=fields.pop("kind", DisputeKind.CUSTOMER),
        reason=reason,
        currency=invoice.currency,
        **fields,
    )


def dispute_resolve(dispute: Dispute) -> None:
    dispute.status = DisputeStatus.RESOLVED
    dispute.outcome = "no_change"
    dispute.resolved_at = timezone.now()
    dispute.save()


def promise_make(invoice: Invoice, promised: date) -> PromiseToPay:
    return PromiseToPay.objects.create(
        organization=invoice.organization,
        invoice=invoice,
        customer=invoice.customer,
        promised_date=promised,
        amount=invoice.balance_due,
        currency=invoice.currency,
    )


def plan_make(
    invoices: Sequence[Invoice],
    instalments: Sequence[tuple[date, str]],
    *,
    activated_at: datetime | None = None,
    status: str = PlanStatus.ACTIVE,
) -> PaymentPlan:
    """An active plan over ``invoices`` with (due date, amount) instalments."""
    first = invoices[0]
    plan = PaymentPlan.objects.create(
        organization=first.organization,
        customer=first.customer,
        currency=first.currency,
        total=sum((Decimal(amount) for _, amount in instalments), Decimal(0)),
        status=status,
        origin=PlanOrigin.CUSTOMER,
        activated_at=activated_at,
    )
    for invoice in invoices:
        PaymentPlanInvoice.objects.create(
            organization=first.organization,
            plan=plan,
            invoice=invoice,
            balance_at_start=invoice.balance_due,
        )
    for seq, (due, amount) in enumerate(instalments, start=1):
        Instalment.objects.create(
            organization=first.organization,
            plan=plan,
            seq=seq,
            due_date=due,
            amount=Decimal(amount),
        )
    return plan


def plan_break(plan: PaymentPlan) -> None:
    """As the plan's sweep leaves a broken plan: its invoices released to the normal policy."""
    now = timezone.now()
    plan.status, plan.broken_at = PlanStatus.BROKEN, now
    plan.save()
    PaymentPlanInvoice.objects.filter(plan=plan).update(released_at=now)


def plan_messages(**filters: object) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.PLAN_UPDATE, **filters).order_by("pk"))


def run_all_at(moment: datetime) -> SweepResult:
    """``run_at`` (a sweep and its batches sent), then the plan and promise messages the sweep
    wrote sent too, as the worker would, with the clock at ``moment``."""
    result = run_at(moment)
    with time_machine.travel(moment, tick=False):
        for item in result.arrangements:
            org = Organization.objects.get(pk=item.org_id)
            for message_id in item.message_ids:
                message_send(org=org, message_id=message_id)
    return result

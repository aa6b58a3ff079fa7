"""Reads of payment plans, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404

from arhub.models import Organization, OrgQuerySet
from arhub.money import ZERO
from invoicing.models import Customer, Invoice
from payments.models import Instalment, PaymentPlan, PaymentPlanInvoice, PlanStatus
from payments.plan_models import LIVE_PLAN_STATUSES


def active_plans_by_invoice(
    *, org: Organization, invoice_ids: Iterable[int]
) -> dict[int, PaymentPlan]:
    """The active plan each invoice is in, in one query: the plan's own reminders replace the
    normal policy for these."""
    links = (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(
            invoice_id__in=list(invoice_ids),
            released_at__isnull=True,
            plan__status=PlanStatus.ACTIVE,
        )
        .select_related("plan")
    )
    return {link.invoice_id: link.plan for link in links}


def plan_list(
    *, org: Organization, status: str | None = None, customer: Customer | None = None
) -> OrgQuerySet[PaymentPlan]:
    """Newest first, with their customers."""
    plans = PaymentPlan.objects.for_org(org).select_related("customer")
    if status:
        plans = plans.filter(status=status)
    if customer is not None:
        plans = plans.filter(customer_id=customer.pk)
    return plans.order_by("-created_at", "-pk")


def plan_get(*, org: Organization, plan_id: int) -> PaymentPlan:
    """A plan of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(
        PaymentPlan.objects.for_org(org).select_related("customer"), pk=plan_id
    )


def live_plan_for_invoice(*, org: Organization, invoice: Invoice) -> PaymentPlan | None:
    """The proposed or active plan the invoice is in, if any (at most one: a unique index)."""
    link = (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(
            invoice_id=invoice.pk, released_at__isnull=True, plan__status__in=LIVE_PLAN_STATUSES
        )
        .select_related("plan", "plan__customer")
        .first()
    )
    return link.plan if link is not None else None


@dataclass(frozen=True)
class PlanDue:
    """What an active plan asks for now, and by when: ``on`` is today or earlier when some
    instalment is due, the next instalment's date when none is yet, None when all are paid."""

    amount: Decimal
    on: date | None


def plan_due(*, plan: PaymentPlan, today: date) -> PlanDue:
    """The unpaid rest of the instalments due by ``today`` (by the earliest of their dates);
    when none is due yet, the next instalment's rest and date."""
    rows = list(
        Instalment.objects.filter(organization_id=plan.organization_id, plan_id=plan.pk).order_by(
            "due_date", "seq"
        )
    )
    unpaid = [row for row in rows if row.remaining > 0]
    due = [row for row in unpaid if row.due_date <= today]
    if due:
        return PlanDue(sum((row.remaining for row in due), ZERO), due[0].due_date)
    if unpaid:
        return PlanDue(unpaid[0].remaining, unpaid[0].due_date)
    return PlanDue(ZERO, None)


def plan_due_now(*, plan: PaymentPlan, today: date) -> Decimal:
    """What the pay page asks for (``plan_due``'s amount)."""
    return plan_due(plan=plan, today=today).amount

"""Payment plans, the services every caller uses: a customer's request (started at once inside
the organization's auto-approve rules) and the owner's offer are here; the owner's decisions are
in ``payments.plan_decisions``, what a plan may be in ``payments.plan_terms``, and following
the money in ``payments.plan_settle``, all importable from here.

Every service raises ValidationError keyed by field, and saves nothing when it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.models import AuditAction, NoticeKind, Organization, User
from arhub.services.notices import notice_create
from invoicing.models import Customer, Invoice
from payments.models import PaymentPlan, PaymentSettings, PlanOrigin, PlanStatus
from payments.plan_decisions import (
    instalment_move,
    plan_accept,
    plan_approve,
    plan_cancel,
    plan_counter,
    plan_decline,
)
from payments.plan_messages import PlanNews, plan_tell
from payments.plan_settle import plan_activate, plan_audit, plan_path, plans_settle, plans_sweep
from payments.plan_terms import (
    PlanLimits,
    clean_text,
    plan_create,
    plan_invoices_lock,
    plan_limits,
    plan_summary,
    plan_terms,
)
from payments.selectors import payment_settings_get

# A customer with a plan broken this recently waits for the owner.
BROKEN_MEMORY_DAYS = 365

__all__ = [
    "PlanLimits",
    "instalment_move",
    "plan_accept",
    "plan_approve",
    "plan_cancel",
    "plan_counter",
    "plan_decline",
    "plan_limits",
    "plan_offer",
    "plan_request",
    "plans_settle",
    "plans_sweep",
]


def _auto_approves(
    org: Organization, settings: PaymentSettings, plan: PaymentPlan, count: int
) -> bool:
    if not settings.plan_auto_approve:
        return False
    if plan.total > settings.plan_auto_max_balance or count > settings.plan_auto_max_instalments:
        return False
    since = timezone.now() - timedelta(days=BROKEN_MEMORY_DAYS)
    return not (
        PaymentPlan.objects.for_org(org)
        .filter(customer_id=plan.customer_id, status=PlanStatus.BROKEN, broken_at__gte=since)
        .exists()
    )


def plan_request(
    *,
    org: Organization,
    customer: Customer,
    invoices: Sequence[Invoice],
    count: int,
    frequency: str,
    start_date: date,
    note: str = "",
) -> PaymentPlan:
    """The customer asks, from the pay page, within the organization's limits. Inside the
    auto-approve rules the plan is active at once; otherwise it waits for the owner, who is
    told."""
    settings = payment_settings_get(org=org)
    if not settings.plans_enabled:
        raise ValidationError({"invoices": "Payment plans are not offered for these invoices."})
    note = clean_text(note, "note")
    with transaction.atomic():
        locked, currency, balance = plan_invoices_lock(org, customer, invoices)
        limits = plan_limits(org=org, currency=currency, balance=balance)
        schedule = plan_terms(
            org,
            balance=balance,
            currency=currency,
            count=count,
            frequency=frequency,
            start_date=start_date,
            limits=limits,
        )
        plan = plan_create(
            org,
            customer=customer,
            invoices=locked,
            schedule=schedule,
            origin=PlanOrigin.CUSTOMER,
            actor=None,
            frequency=frequency,
            note=note,
        )
        words = plan_summary(org, plan, count)
        name = customer.display_name
        plan_audit(
            org=org,
            actor=None,
            action=AuditAction.PLAN_PROPOSED,
            plan=plan,
            summary=f"{name} asked for a payment plan: {words}",
            invoices=[invoice.pk for invoice in locked],
        )
        if _auto_approves(org, settings, plan, count):
            plan_activate(org=org, plan=plan, auto=True)
            plan_audit(
                org=org,
                actor=None,
                action=AuditAction.PLAN_APPROVED,
                plan=plan,
                summary=f"Payment plan {plan.pk} of {name} started at once (auto-approved)",
            )
            kind, summary = NoticeKind.PLAN_STARTED, f"{name} started a payment plan: {words}"
        else:
            kind, summary = NoticeKind.PLAN_REQUESTED, f"{name} asks for a payment plan: {words}"
        notice_create(org=org, kind=kind, summary=summary, path=plan_path(plan))
    return plan


def plan_offer(
    *,
    org: Organization,
    actor: User | None,
    customer: Customer,
    invoices: Sequence[Invoice],
    count: int | None = None,
    frequency: str | None = None,
    start_date: date | None = None,
    instalments: Sequence[tuple[date, Decimal]] | None = None,
    message: str = "",
) -> PaymentPlan:
    """The owner offers a plan (by count and frequency, or instalment by instalment, past the
    customer's limits if they like); the customer is told and accepts it on the pay page."""
    message = clean_text(message, "message")
    with transaction.atomic():
        locked, currency, balance = plan_invoices_lock(org, customer, invoices)
        schedule = plan_terms(
            org,
            balance=balance,
            currency=currency,
            count=count,
            frequency=frequency,
            start_date=start_date,
            instalments=instalments,
        )
        plan = plan_create(
            org,
            customer=customer,
            invoices=locked,
            schedule=schedule,
            origin=PlanOrigin.OWNER,
            actor=actor,
            frequency=frequency if instalments is None else "",
            message=message,
        )
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_PROPOSED,
            plan=plan,
            summary=f"Offered {customer.display_name} a payment plan: "
            f"{plan_summary(org, plan, len(schedule))}",
            invoices=[invoice.pk for invoice in locked],
        )
        plan_tell(org=org, plan=plan, news=PlanNews.OFFER, note=message)
    return plan

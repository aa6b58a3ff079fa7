"""A running plan following the money: instalments paid as its invoices are paid, thanks, the
end of the plan (completed, broken, or closed by a decision).

What is paid on a plan is never counted from payments: it is re-derived each time from its
invoices' balances (``plan.total`` less what they still owe), so a reversal, a refund or a
credit note needs no special case, and running it twice changes nothing. The amount paid fills
the instalments in date order, so one payment covering two instalments pays both.

Locks: invoices (held by the payment that called) before the plan, as every plan service locks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from arhub.clock import org_today
from arhub.messaging.placeholders import format_day
from arhub.models import AuditAction, NoticeKind, Organization, User
from arhub.money import ZERO, money_format
from arhub.services.audit import audit_record
from arhub.services.notices import notice_create
from payments.models import Instalment, PaymentPlan, PaymentPlanInvoice, PlanStatus
from payments.plan_messages import PlanNews, plan_tell
from payments.promise_services import promises_end_for_plan
from payments.selectors import payment_settings_get

_ENDED_AT = {
    PlanStatus.COMPLETED: "completed_at",
    PlanStatus.BROKEN: "broken_at",
    PlanStatus.CANCELLED: "cancelled_at",
}


def plan_path(plan: PaymentPlan) -> str:
    """The plan's dashboard page, for notices."""
    try:
        return reverse("plan_detail", args=[plan.pk])
    except NoReverseMatch:  # the dashboard pages are another module's; the list is a fallback
        return "/payments/plans/"


def plan_audit(
    *,
    org: Organization,
    actor: User | None,
    action: AuditAction,
    plan: PaymentPlan,
    summary: str,
    **data: object,
) -> None:
    audit_record(
        org=org,
        actor=actor,
        action=action,
        summary=summary,
        data={"plan": plan.pk, "customer": plan.customer_id, "status": plan.status, **data},
    )


def plan_close(
    *,
    org: Organization,
    plan: PaymentPlan,
    status: PlanStatus,
    reason: str = "",
    now: datetime | None = None,
) -> PaymentPlan:
    """End a live plan (locked by the caller): its status and the time, and its invoices
    released to the normal reminder policy (and free for another plan)."""
    now = now or timezone.now()
    plan.status = status
    plan.ended_reason = reason[:300]
    fields = ["status", "ended_reason"]
    if status in _ENDED_AT:
        setattr(plan, _ENDED_AT[status], now)
        fields.append(_ENDED_AT[status])
    plan.save(update_fields=fields)
    PaymentPlanInvoice.objects.for_org(org).filter(plan=plan, released_at__isnull=True).update(
        released_at=now
    )
    return plan


def plan_recount(*, org: Organization, plan: PaymentPlan, thank: bool = True) -> PaymentPlan:
    """Re-derive an active plan's (locked) instalments from its invoices' balances; thank the
    customer for instalments newly paid (once each: ``thanked_at``), unless ``thank`` is off
    (when the plan has just started and the customer is told that instead); complete the plan
    once every instalment is paid."""
    owed = sum(
        (link.invoice.balance_due for link in plan.plan_invoices.select_related("invoice")), ZERO
    )
    # A late fee can raise a balance above where it started; nothing is "paid" below zero.
    paid = min(max(plan.total - owed, ZERO), plan.total)
    now = timezone.now()
    rows = list(Instalment.objects.for_org(org).filter(plan=plan).order_by("due_date", "seq"))
    changed, thanked = [], []
    left = paid
    for row in rows:
        part = min(row.amount, left)
        left -= part
        before = (row.amount_paid, row.paid_at, row.thanked_at)
        row.amount_paid = part
        if part < row.amount:
            row.paid_at = None  # a reversal took it back
        elif row.paid_at is None:
            row.paid_at = now
        if part == row.amount and row.thanked_at is None:
            row.thanked_at = now
            thanked.append(row)
        if (row.amount_paid, row.paid_at, row.thanked_at) != before:
            changed.append(row)
    Instalment.objects.bulk_update(changed, ["amount_paid", "paid_at", "thanked_at"])
    if paid == plan.total:
        plan_close(org=org, plan=plan, status=PlanStatus.COMPLETED, now=now)
        shown = money_format(plan.total, plan.currency, org.locale)
        plan_audit(
            org=org,
            actor=None,
            action=AuditAction.PLAN_COMPLETED,
            plan=plan,
            summary=f"Payment plan {plan.pk} of {plan.customer.display_name} completed: "
            f"{shown} paid",
        )
        plan_tell(org=org, plan=plan, news=PlanNews.COMPLETED)
    elif thanked and thank:
        plan_tell(org=org, plan=plan, news=PlanNews.THANKS)
    return plan


def plan_activate(*, org: Organization, plan: PaymentPlan, auto: bool = False) -> PaymentPlan:
    """Start a (locked) proposed plan and tell the customer. Money received while it was
    proposed counts at once (without a separate thank-you: the schedule they get shows it)."""
    plan.status = PlanStatus.ACTIVE
    plan.activated_at = timezone.now()
    plan.auto_approved = auto
    plan.save(update_fields=["status", "activated_at", "auto_approved"])
    covered = PaymentPlanInvoice.objects.for_org(org).filter(plan=plan, released_at__isnull=True)
    promises_end_for_plan(
        org=org, plan_id=plan.pk, invoice_ids=covered.values_list("invoice_id", flat=True)
    )
    plan_recount(org=org, plan=plan, thank=False)
    if plan.status == PlanStatus.ACTIVE:
        plan_tell(org=org, plan=plan, news=PlanNews.STARTED)
    return plan


def _lock_active(org: Organization, plan_id: int) -> PaymentPlan | None:
    return (
        PaymentPlan.objects.for_org(org)
        .select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=plan_id, status=PlanStatus.ACTIVE)
        .first()
    )


def plans_settle(*, org: Organization, invoice_ids: Iterable[int]) -> None:
    """Bring the active plans of these invoices up to date with their balances. Called inside
    the transaction that changed the balances, after the change."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return
    plan_ids = (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(invoice_id__in=ids, released_at__isnull=True, plan__status=PlanStatus.ACTIVE)
        .values_list("plan_id", flat=True)
    )
    for plan_id in sorted(set(plan_ids)):
        with transaction.atomic():
            plan = _lock_active(org, plan_id)
            if plan is not None:
                plan_recount(org=org, plan=plan)


def _missed(org: Organization, plan: PaymentPlan, cutoff: date) -> Instalment | None:
    return (
        Instalment.objects.for_org(org)
        .filter(plan=plan, due_date__lt=cutoff, amount_paid__lt=F("amount"))
        .order_by("due_date", "seq")
        .first()
    )


def plans_sweep(*, org: Organization, today: date | None = None) -> list[PaymentPlan]:
    """Break the active plans with an instalment still unpaid more than ``plan_grace_days``
    after its due date (the organization's today): the invoices go back to the normal policy
    and the owner is told. Each plan is recounted first, so money the payment services did not
    report (a credit note) is not taken for a missed instalment. Returns the plans broken."""
    today = today or org_today(org)
    cutoff = today - timedelta(days=payment_settings_get(org=org).plan_grace_days)
    late = (
        Instalment.objects.for_org(org)
        .filter(plan__status=PlanStatus.ACTIVE, due_date__lt=cutoff, amount_paid__lt=F("amount"))
        .values_list("plan_id", flat=True)
    )
    broken = []
    for plan_id in sorted(set(late)):
        with transaction.atomic():
            plan = _lock_active(org, plan_id)
            if plan is None:
                continue
            plan_recount(org=org, plan=plan)
            missed = _missed(org, plan, cutoff) if plan.status == PlanStatus.ACTIVE else None
            if missed is None:
                continue
            owed = money_format(missed.remaining, plan.currency, org.locale)
            day = format_day(missed.due_date, locale=org.locale.replace("-", "_"))
            what = f"instalment {missed.seq} ({owed} due {day})"
            plan_close(org=org, plan=plan, status=PlanStatus.BROKEN, reason=f"Missed {what}")
            name = plan.customer.display_name
            plan_audit(
                org=org,
                actor=None,
                action=AuditAction.PLAN_BROKEN,
                plan=plan,
                summary=f"Payment plan {plan.pk} of {name} broken: missed {what}",
                instalment=missed.pk,
            )
            notice_create(
                org=org,
                kind=NoticeKind.PLAN_BROKEN,
                summary=f"{name} missed {what}: the payment plan is broken and the normal "
                "reminders resume",
                path=plan_path(plan),
            )
            broken.append(plan)
    return broken

"""Decisions on a payment plan: the owner approves, declines or counters a customer's request,
the customer accepts the owner's offer, the owner cancels a plan or moves one instalment.

Each locks the plan (after the invoices, when it locks those too: the order payments lock in),
checks the plan is in the state the decision needs, audits it with who made it, and tells the
customer what was decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.clock import org_today
from arhub.messaging.placeholders import format_day
from arhub.models import AuditAction, NoticeKind, Organization, User
from arhub.services.notices import notice_create
from invoicing.models import Invoice
from payments.models import (
    Instalment,
    InstalmentChange,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanOrigin,
    PlanStatus,
)
from payments.plan_messages import PlanNews, plan_tell
from payments.plan_settle import plan_activate, plan_audit, plan_close, plan_path
from payments.plan_terms import (
    clean_text,
    plan_create,
    plan_invoices_lock,
    plan_summary,
    plan_terms,
)

REASON_MAX = 300


def _lock(org: Organization, plan_id: int) -> PaymentPlan:
    plan = (
        PaymentPlan.objects.for_org(org)
        .select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise ValidationError({"plan": "This payment plan does not exist."})
    return plan


def _expect(plan: PaymentPlan, origin: PlanOrigin, doing: str) -> None:
    """Refuse unless ``plan`` is proposed by ``origin``."""
    if plan.status != PlanStatus.PROPOSED:
        raise ValidationError(
            {"status": f"This plan is {plan.get_status_display().lower()}; only a proposed "
             f"plan can be {doing}."}
        )  # fmt: skip
    if plan.origin != origin:
        who = "the customer" if origin == PlanOrigin.CUSTOMER else "your business"
        raise ValidationError({"status": f"Only a plan asked for by {who} can be {doing}."})


def plan_approve(*, org: Organization, actor: User | None, plan: PaymentPlan) -> PaymentPlan:
    """The owner agrees to the customer's request: the plan starts."""
    with transaction.atomic():
        locked = _lock(org, plan.pk)
        _expect(locked, PlanOrigin.CUSTOMER, "approved")
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["decided_by", "decided_at"])
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_APPROVED,
            plan=locked,
            summary=f"Approved payment plan {locked.pk} of {locked.customer.display_name}",
        )
        return plan_activate(org=org, plan=locked)


def plan_decline(
    *, org: Organization, actor: User | None, plan: PaymentPlan, message: str
) -> PaymentPlan:
    """The owner says no, in their own words, which the customer gets."""
    message = clean_text(
        message, "message", required="Tell the customer why, in a sentence or two."
    )
    with transaction.atomic():
        locked = _lock(org, plan.pk)
        _expect(locked, PlanOrigin.CUSTOMER, "declined")
        locked.owner_message = message
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["owner_message", "decided_by", "decided_at"])
        plan_close(org=org, plan=locked, status=PlanStatus.DECLINED)
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_DECLINED,
            plan=locked,
            summary=f"Declined payment plan {locked.pk} of {locked.customer.display_name}",
            message=message,
        )
        plan_tell(org=org, plan=locked, news=PlanNews.DECLINED, note=message)
    return locked


def plan_counter(
    *,
    org: Organization,
    actor: User | None,
    plan: PaymentPlan,
    count: int | None = None,
    frequency: str | None = None,
    start_date: date | None = None,
    instalments: Sequence[tuple[date, Decimal]] | None = None,
    message: str,
) -> PaymentPlan:
    """The owner answers the customer's request with other terms (outside the limits if they
    like). The request is declined and replaced by the offer, on the same invoices as they
    stand now, which the customer may accept on the pay page. Returns the offer."""
    message = clean_text(message, "message")
    with transaction.atomic():
        invoice_ids = PaymentPlanInvoice.objects.for_org(org).filter(plan_id=plan.pk)
        invoices = list(
            Invoice.objects.for_org(org)
            .select_for_update()
            .filter(pk__in=invoice_ids.values("invoice_id"))
            .order_by("pk")
        )
        locked = _lock(org, plan.pk)
        _expect(locked, PlanOrigin.CUSTOMER, "answered with a counter-offer")
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["decided_by", "decided_at"])
        plan_close(org=org, plan=locked, status=PlanStatus.DECLINED, reason="Counter-offered")
        customer = locked.customer
        checked, currency, balance = plan_invoices_lock(org, customer, invoices)
        schedule = plan_terms(
            org,
            balance=balance,
            currency=currency,
            count=count,
            frequency=frequency,
            start_date=start_date,
            instalments=instalments,
        )
        offer = plan_create(
            org,
            customer=customer,
            invoices=checked,
            schedule=schedule,
            origin=PlanOrigin.OWNER,
            actor=actor,
            frequency=frequency if instalments is None else "",
            message=message,
            counter_to=locked,
        )
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_COUNTERED,
            plan=offer,
            summary=f"Answered payment plan {locked.pk} of {customer.display_name} with "
            f"another: {plan_summary(org, offer, len(schedule))}",
            replaces=locked.pk,
        )
        plan_tell(org=org, plan=offer, news=PlanNews.COUNTER, note=message)
    return offer


def plan_accept(*, org: Organization, plan: PaymentPlan) -> PaymentPlan:
    """The customer accepts the owner's offer (or counter-offer) on the pay page: it starts,
    and the owner is told."""
    with transaction.atomic():
        locked = _lock(org, plan.pk)
        _expect(locked, PlanOrigin.OWNER, "accepted")
        first = Instalment.objects.for_org(org).filter(plan=locked).order_by("due_date").first()
        if first is not None and first.due_date < org_today(org):
            day = format_day(first.due_date, locale=org.locale.replace("-", "_"))
            raise ValidationError(
                {"status": f"The first payment of this offer was due on {day}, which has "
                 f"passed; please ask {org.name} for new dates."}
            )  # fmt: skip
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        name = locked.customer.display_name
        plan_audit(
            org=org,
            actor=None,
            action=AuditAction.PLAN_ACCEPTED,
            plan=locked,
            summary=f"{name} accepted payment plan {locked.pk}",
        )
        count = Instalment.objects.for_org(org).filter(plan=locked).count()
        notice_create(
            org=org,
            kind=NoticeKind.PLAN_ACCEPTED,
            summary=f"{name} accepted your payment plan: {plan_summary(org, locked, count)}",
            path=plan_path(locked),
        )
        return plan_activate(org=org, plan=locked)


def plan_cancel(
    *, org: Organization, actor: User | None, plan: PaymentPlan, reason: str
) -> PaymentPlan:
    """The owner ends a proposed or active plan; its invoices return to the normal policy."""
    reason = clean_text(
        reason, "reason", required="Say why the plan is cancelled.", most=REASON_MAX
    )
    with transaction.atomic():
        locked = _lock(org, plan.pk)
        if not locked.is_live:
            raise ValidationError(
                {"status": f"This plan is {locked.get_status_display().lower()} already."}
            )
        plan_close(org=org, plan=locked, status=PlanStatus.CANCELLED, reason=reason)
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_CANCELLED,
            plan=locked,
            summary=f"Cancelled payment plan {locked.pk} of {locked.customer.display_name}: "
            f"{reason}",
        )
        plan_tell(org=org, plan=locked, news=PlanNews.CANCELLED)
    return locked


def _move_problem(org: Organization, rows: list[Instalment], index: int, new_date: date) -> str:
    def day(value: date) -> str:
        return format_day(value, locale=org.locale.replace("-", "_"))

    row = rows[index]
    if new_date < org_today(org):
        return "The new date cannot be in the past."
    if new_date == row.due_date:
        return "The instalment is already due on that date."
    if index > 0 and new_date <= rows[index - 1].due_date:
        return f"Choose a date after the previous instalment ({day(rows[index - 1].due_date)})."
    if index + 1 < len(rows) and new_date >= rows[index + 1].due_date:
        return f"Choose a date before the next instalment ({day(rows[index + 1].due_date)})."
    return ""


def instalment_move(
    *, org: Organization, actor: User | None, instalment: Instalment, new_date: date, reason: str
) -> Instalment:
    """Give one unpaid instalment of a live plan another date, between its neighbours' and not
    in the past; who moved it and why are kept (``InstalmentChange``). Its reminder and missed
    notice are for the new date, so they may go again."""
    reason = clean_text(reason, "reason", required="Say why the instalment moves.", most=REASON_MAX)
    with transaction.atomic():
        plan = _lock(org, instalment.plan_id)
        if not plan.is_live:
            raise ValidationError(
                {"status": f"This plan is {plan.get_status_display().lower()}; its instalments "
                 "no longer move."}
            )  # fmt: skip
        rows = list(Instalment.objects.for_org(org).filter(plan=plan).order_by("due_date", "seq"))
        index = next((i for i, row in enumerate(rows) if row.pk == instalment.pk), None)
        if index is None:
            raise ValidationError({"instalment": "This instalment does not exist."})
        row = rows[index]
        if row.remaining <= 0:
            raise ValidationError({"instalment": "This instalment is paid; nothing to move."})
        problem = _move_problem(org, rows, index, new_date)
        if problem:
            raise ValidationError({"new_date": problem})
        old_date = row.due_date
        InstalmentChange.objects.create(
            organization=org,
            instalment=row,
            old_due_date=old_date,
            new_due_date=new_date,
            reason=reason,
            changed_by=actor,
        )
        row.due_date, row.reminded_at, row.missed_notice_at = new_date, None, None
        row.save(update_fields=["due_date", "reminded_at", "missed_notice_at"])
        plan_audit(
            org=org,
            actor=actor,
            action=AuditAction.PLAN_INSTALMENT_MOVED,
            plan=plan,
            summary=f"Moved instalment {row.seq} of payment plan {plan.pk} from "
            f"{old_date.isoformat()} to {new_date.isoformat()}: {reason}",
            instalment=row.pk,
            old_due_date=old_date.isoformat(),
            new_due_date=new_date.isoformat(),
        )
    return row

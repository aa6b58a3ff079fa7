"""Background work for payments. Tasks stay thin: take ids, load the organization, call a
service; every one is safe to deliver twice."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from payments import late_fee_services, plan_settle, promise_services, receipts, stripe_events
from payments.models import PaymentPlan, PaymentSettings, PlanStatus, PromiseStatus, PromiseToPay


@shared_task(acks_late=True)
def stripe_event_apply_task(org_id: int, event_id: int) -> str:
    """Apply a stored Stripe event. A second delivery finds it applied (or claimed) and does
    nothing."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "no such organization"
    event = stripe_events.stripe_event_apply(org=org, event_pk=event_id)
    return event.status if event is not None else "nothing to do"


@shared_task(acks_late=True)
def stripe_events_requeue_stale() -> int:
    return stripe_events.stripe_events_requeue_stale()


@shared_task(acks_late=True)
def payment_receipt_task(org_id: int, payment_id: int) -> int:
    """Thank the customer for a payment (queued after it is committed). A second delivery finds
    the receipt written and writes nothing."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(receipts.receipt_messages_queue(org=org, payment_id=payment_id))


@shared_task(acks_late=True)
def late_fees_apply_task(org_id: int) -> int:
    """Charge one organization's late fees due by its own today; safe to run again."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(late_fee_services.late_fees_apply(org=org))


@shared_task(acks_late=True)
def late_fees_sweep() -> int:
    """Daily: one task per organization that charges late fees. An organization without a
    payment-settings row has the default, fees on."""
    switched_off = PaymentSettings.objects.filter(late_fees_enabled=False).values("organization_id")
    org_ids = list(
        Organization.objects.exclude(pk__in=switched_off)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for org_id in org_ids:
        late_fees_apply_task.delay(org_id)
    return len(org_ids)


@shared_task(acks_late=True)
def promises_sweep_org_task(org_id: int) -> int:
    """Keep, end or break one organization's open promises as of its own today; safe to run
    again (a promise decided once is no longer open)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(promise_services.promises_sweep(org=org))


@shared_task(acks_late=True)
def promises_sweep_task() -> int:
    """Hourly: one task per organization with an open promise, so each is judged soon after
    its own midnight."""
    org_ids = list(
        PromiseToPay.objects.filter(status=PromiseStatus.OPEN)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for org_id in org_ids:
        promises_sweep_org_task.delay(org_id)
    return len(org_ids)


@shared_task(acks_late=True)
def plans_sweep_org_task(org_id: int) -> int:
    """Break one organization's payment plans with an instalment unpaid past the grace days,
    as of its own today; safe to run again (a broken plan is no longer active)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(plan_settle.plans_sweep(org=org))


@shared_task(acks_late=True)
def plans_sweep_task() -> int:
    """Hourly: one task per organization with an active payment plan, so each is judged soon
    after its own midnight."""
    org_ids = list(
        PaymentPlan.objects.filter(status=PlanStatus.ACTIVE)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for org_id in org_ids:
        plans_sweep_org_task.delay(org_id)
    return len(org_ids)

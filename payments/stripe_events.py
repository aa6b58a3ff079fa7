"""Stripe events: stored once by id when the webhook receives them, applied by a task.

The row is the queue: the webhook inserts it (a repeat of the same event id inserts nothing)
and queues the task once the insert commits; the task claims the row with a skip-locked lock on
``status=received``, applies it in the same transaction and writes the outcome on it, so an
event is applied once however often the task is delivered. A task the broker lost is found by
``stripe_events_requeue_stale``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from arhub.models import Organization
from payments.models import PaymentSettings, StripeEvent, StripeEventStatus
from payments.stripe_charges import dispute_event_apply, refund_event_apply
from payments.stripe_facts import PAID_TYPES
from payments.stripe_outcomes import Outcome, ignored
from payments.stripe_payments import paid_event_apply

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
REQUEUE_BATCH = 500

Handler = Callable[..., Outcome]
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(PAID_TYPES, paid_event_apply),
    "charge.refunded": refund_event_apply,
    "charge.dispute.created": dispute_event_apply,
}

_INSERT = f"""
    INSERT INTO {StripeEvent._meta.db_table}
        (organization_id, event_id, type, livemode, payload, status, status_reason,
         received_at, resolution)
    VALUES (%s, %s, %s, %s, %s::jsonb, %s, '', %s, '')
    ON CONFLICT (organization_id, event_id) DO NOTHING
    RETURNING id
"""  # noqa: S608 (the table name is ours; every value is a parameter)


def stripe_event_receive(*, org: Organization, event: dict[str, Any], body: str) -> int | None:
    """Store a verified event; its id, or None when this event id is stored already.

    ``body`` is the event's JSON as Stripe sent it, stored as it is. One statement that
    inserts or does nothing, so concurrent deliveries of one event store one row and none of
    them fails."""
    # One statement, so no transaction of its own: in autocommit it commits by itself (one
    # round trip, not three) and the task is queued right after; inside a caller's
    # transaction, on that transaction's commit.
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                org.pk,
                event["id"],
                event["type"][:100],
                bool(event.get("livemode")),
                body,
                StripeEventStatus.RECEIVED,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    event_pk: int = row[0]
    _enqueue_on_commit(org_id=org.pk, event_pk=event_pk)
    return event_pk


def _enqueue_on_commit(*, org_id: int, event_pk: int) -> None:
    # Imported here: the task module imports this one.
    from payments.tasks import stripe_event_apply_task

    transaction.on_commit(lambda: stripe_event_apply_task.delay(org_id, event_pk))


def _outcome(org: Organization, event: StripeEvent) -> Outcome:
    handler = HANDLERS.get(event.type)
    if handler is None:
        return ignored("AR Hub does not act on this kind of Stripe event.")
    payment_settings = PaymentSettings.objects.for_org(org).first()
    return handler(org=org, event=event, payment_settings=payment_settings)


def stripe_event_apply(*, org: Organization, event_pk: int) -> StripeEvent | None:
    """Apply a received event. None when there is nothing to do: already applied, or being
    applied by another worker right now."""
    with transaction.atomic():
        event = (
            StripeEvent.objects.for_org(org)
            .select_for_update(skip_locked=True)
            .filter(pk=event_pk, status=StripeEventStatus.RECEIVED)
            .first()
        )
        if event is None:
            return None
        outcome = _outcome(org, event)
        event.status_reason = outcome.reason[:500]
        if outcome.status == StripeEventStatus.RECEIVED:
            event.save(update_fields=["status_reason"])
            return event
        event.status = outcome.status
        event.payment = outcome.payment
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "status_reason", "payment", "processed_at"])
    if event.status == StripeEventStatus.QUARANTINED:
        logger.warning(
            "Stripe event %s of organization %s quarantined: %s",
            event.event_id,
            org.pk,
            event.status_reason,
        )
    return event


def stripe_events_requeue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Queue again the events still waiting ``older_than`` after they arrived: the broker lost
    their task, or they wait for a payment to be recorded first.

    Crosses organizations on purpose, as the system's own housekeeping; each event is then
    applied under its own organization. Rows being applied right now are skipped."""
    with transaction.atomic():
        stale = list(
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(
                status=StripeEventStatus.RECEIVED,
                received_at__lt=timezone.now() - older_than,
            )
            .order_by("received_at")
            .values_list("pk", "organization_id")[:REQUEUE_BATCH]
        )
        for event_pk, org_id in stale:
            _enqueue_on_commit(org_id=org_id, event_pk=event_pk)
    if stale:
        logger.info("Re-queued %d Stripe events", len(stale))
    return len(stale)

"""Email delivery reports from the ESP (through django-anymail's tracking webhooks under
``/webhooks/email/``): update the message log, and stop mailing addresses that bounce, complain
or unsubscribe.

Importing this module connects the receiver; ``ArhubConfig.ready`` imports it.
"""

from __future__ import annotations

import logging
from email.utils import parseaddr
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason, tracking
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from arhub.messaging.consent import suppression_add
from arhub.models import (
    Channel,
    Direction,
    Message,
    MessageStatus,
    SuppressionReason,
    SuppressionScope,
)

logger = logging.getLogger(__name__)

# Reports arrive out of order, so each update names the statuses it may replace and a message
# never moves backwards (a late "sent" does not undo "delivered").
_BEFORE_SENT = (MessageStatus.QUEUED, MessageStatus.SENDING)
_BEFORE_DELIVERED = (*_BEFORE_SENT, MessageStatus.SENT)
_NOT_FINAL = (*_BEFORE_DELIVERED, MessageStatus.DELIVERED)

# Why the ESP refused to send, when the refusal is about the address rather than about us (a
# rejected "other" or "blocked" is often our own sending domain or policy, not the recipient).
_ADDRESS_REJECTIONS = {
    RejectReason.INVALID: SuppressionReason.HARD_BOUNCE,
    RejectReason.BOUNCED: SuppressionReason.HARD_BOUNCE,
    RejectReason.SPAM: SuppressionReason.COMPLAINT,
    RejectReason.UNSUBSCRIBED: SuppressionReason.UNSUBSCRIBED,
}

# Postmark reports soft bounces as "bounced" (anymail keeps its Type in esp_event); most other
# ESPs report temporary failures as "deferred", which never suppresses.
_SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError", "AutoResponder"}


def message_tracking_apply(*, event: AnymailTrackingEvent) -> Message | None:
    """Apply one ESP tracking event to the message it reports on. Returns that message, or
    None for an event about mail that is not in the message log (e.g. a password reset).

    The organization comes from the message: the event names a provider message id, never an
    organization, and the webhook is authenticated for the whole deployment."""
    message = _message_for(event)
    if message is None:
        return None
    now = timezone.now()
    rows = Message.objects.filter(pk=message.pk)
    kind = event.event_type
    reason = _describe(event)
    if kind == EventType.SENT:
        rows.filter(status__in=_BEFORE_SENT).update(
            status=MessageStatus.SENT, sent_at=message.sent_at or now, updated_at=now
        )
    elif kind == EventType.DELIVERED:
        rows.filter(status__in=_BEFORE_DELIVERED).update(
            status=MessageStatus.DELIVERED,
            sent_at=message.sent_at or now,
            delivered_at=event.timestamp or now,
            updated_at=now,
        )
    elif kind == EventType.BOUNCED and not _is_soft_bounce(event):
        rows.filter(status__in=_NOT_FINAL).update(
            status=MessageStatus.BOUNCED, status_reason=reason, updated_at=now
        )
        _suppress(message, SuppressionScope.ALL, SuppressionReason.HARD_BOUNCE)
    elif kind in (EventType.REJECTED, EventType.FAILED):
        rows.filter(status__in=_NOT_FINAL).update(
            status=MessageStatus.FAILED, status_reason=reason, updated_at=now
        )
        suppression_reason = _ADDRESS_REJECTIONS.get(event.reject_reason or "")
        if kind == EventType.REJECTED and suppression_reason is not None:
            _suppress(message, SuppressionScope.ALL, suppression_reason)
    elif kind == EventType.COMPLAINED:
        _suppress(message, SuppressionScope.ALL, SuppressionReason.COMPLAINT)
    elif kind == EventType.UNSUBSCRIBED:
        # The ESP's own unsubscribe link or a mailbox provider's unsubscribe button: the same
        # promise as our one-click link, which stops reminders, not the invoices owed.
        _suppress(message, SuppressionScope.REMINDERS, SuppressionReason.UNSUBSCRIBED)
    # queued, deferred, soft bounces, opened, clicked, autoresponded, subscribed, unknown:
    # nothing to record (a soft bounce is followed by a delivery or a hard bounce).
    return message


def _message_for(event: AnymailTrackingEvent) -> Message | None:
    if not event.message_id:
        return None
    candidates = Message.objects.filter(
        provider_message_id=str(event.message_id),
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
    ).select_related("organization")
    if event.recipient:
        # One provider id may cover several recipients of one send; prefer the one reported.
        mine = candidates.filter(
            Q(recipient__iexact=event.recipient) | Q(recipient__icontains=f"<{event.recipient}>")
        ).first()
        if mine is not None:
            return mine
    return candidates.order_by("pk").first()


def _describe(event: AnymailTrackingEvent) -> str:
    text = event.mta_response or event.description or event.reject_reason or event.event_type
    return str(text)[:300]


def _is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    esp_event = event.esp_event
    return isinstance(esp_event, dict) and esp_event.get("Type") in _SOFT_BOUNCE_TYPES


def _suppress(message: Message, scope: str, reason: str) -> None:
    _, address = parseaddr(message.recipient)
    suppression_add(
        org=message.organization,
        channel=Channel.EMAIL,
        address=address or message.recipient,
        scope=scope,
        reason=reason,
        message_id=message.pk,
    )


@receiver(tracking, dispatch_uid="arhub.messaging.tracking")
def _on_anymail_tracking(sender: Any, event: AnymailTrackingEvent, **kwargs: Any) -> None:
    # Not a business flow in a signal: anymail hands tracking events to applications only
    # through this signal, so this receiver is a bare adapter onto the service.
    message_tracking_apply(event=event)

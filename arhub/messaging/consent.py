"""Consent to text and suppression of addresses: asked at send time, written by the owner, the
customer's own choices (unsubscribe page, STOP) and the providers' reports (bounces)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from arhub.models import (
    Channel,
    ConsentMethod,
    MessageKind,
    Organization,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
    User,
)

# Which suppression scopes stop each kind of message. Invoices and statements are stopped only
# by a suppression of everything (a bounce, a complaint, STOP): a customer who unsubscribes
# from reminders still receives the invoice they owe.
_SCOPES_FOR_KIND: dict[str, tuple[str, ...]] = {
    MessageKind.REMINDER: (SuppressionScope.REMINDERS, SuppressionScope.ALL),
    MessageKind.RECEIPT: (SuppressionScope.RECEIPTS, SuppressionScope.ALL),
    MessageKind.THANK_YOU: (SuppressionScope.RECEIPTS, SuppressionScope.ALL),
}


def normalize_address(channel: str, address: str) -> str:
    address = address.strip()
    return address.lower() if channel == Channel.EMAIL else address


def suppression_active(
    *, org: Organization, channel: str, address: str, kind: str
) -> Suppression | None:
    """The suppression that stops this kind of message to this address, if any."""
    scopes = _SCOPES_FOR_KIND.get(kind, (SuppressionScope.ALL,))
    return (
        Suppression.objects.for_org(org)
        .filter(
            channel=channel,
            address__iexact=normalize_address(channel, address),
            scope__in=scopes,
        )
        .order_by("created_at")
        .first()
    )


def suppression_add(
    *,
    org: Organization,
    channel: str,
    address: str,
    scope: str,
    reason: str,
    message_id: int | None = None,
) -> Suppression:
    """Idempotent: suppressing what is already suppressed keeps the first reason."""
    address = normalize_address(channel, address)
    existing = (
        Suppression.objects.for_org(org)
        .filter(channel=channel, address__iexact=address, scope=scope)
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Suppression.objects.create(
                organization=org,
                channel=channel,
                address=address,
                scope=scope,
                reason=reason,
                message_id=message_id,
            )
    except IntegrityError:
        # Two webhooks for the same bounce raced; the other one wrote it.
        return Suppression.objects.for_org(org).get(
            channel=channel, address__iexact=address, scope=scope
        )


def suppression_remove(*, org: Organization, channel: str, address: str, scope: str) -> int:
    deleted, _ = (
        Suppression.objects.for_org(org)
        .filter(channel=channel, address__iexact=normalize_address(channel, address), scope=scope)
        .delete()
    )
    return deleted


def sms_consent_active(*, org: Organization, phone: str) -> bool:
    return (
        SmsConsent.objects.for_org(org)
        .filter(phone=phone.strip(), revoked_at__isnull=True)
        .exists()
    )


def sms_consent_record(
    *,
    org: Organization,
    phone: str,
    method: str,
    customer_id: int | None = None,
    recorded_by: User | None = None,
    note: str = "",
) -> SmsConsent:
    """Record permission to text ``phone`` (E.164). Also lifts a STOP: consent given again
    after STOP is the customer's own new choice (START, or the pay page)."""
    phone = phone.strip()
    with transaction.atomic():
        consent = SmsConsent.objects.create(
            organization=org,
            phone=phone,
            customer_id=customer_id,
            method=method,
            recorded_by=recorded_by,
            note=note[:300],
        )
        if method in (ConsentMethod.KEYWORD, ConsentMethod.PAY_PAGE):
            Suppression.objects.for_org(org).filter(
                channel=Channel.SMS, address=phone, reason=SuppressionReason.STOP_KEYWORD
            ).delete()
    return consent


def sms_consent_revoke(*, org: Organization, phone: str) -> int:
    return (
        SmsConsent.objects.for_org(org)
        .filter(Q(phone=phone.strip()), revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )

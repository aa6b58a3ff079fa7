"""Consent to text and suppression of addresses: asked at send time, written by the owner, the
customer's own choices (unsubscribe page, STOP) and the providers' reports (bounces).

For the dashboard and the send pipeline:

* ``sms_consent_record`` / ``sms_consent_revoke``: permission to text a number, with who
  recorded it, how (``ConsentMethod``) and when (the row's ``created_at``; revoking sets
  ``revoked_at`` and keeps the row as evidence).
* ``sms_consent_list``: a customer's (or a number's) consent history, newest first.
* ``sms_consent_status``: one number's standing: active consent, the STOP that blocks it.
* ``suppression_active`` and ``sms_consent_active``: asked right before every send
  (``services._block``).
* ``suppression_add`` / ``suppression_remove`` / ``suppression_list``.

Customers and contacts live in ``invoicing``, above this app; they are reached through
``apps.get_model`` so no module of the core imports upward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
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
    MessageKind.REMINDER_DIGEST: (SuppressionScope.REMINDERS, SuppressionScope.ALL),
    MessageKind.RECEIPT: (SuppressionScope.RECEIPTS, SuppressionScope.ALL),
    MessageKind.THANK_YOU: (SuppressionScope.RECEIPTS, SuppressionScope.ALL),
}


def contact_model() -> type[models.Model]:
    return apps.get_model("invoicing", "Contact")


def customer_model() -> type[models.Model]:
    return apps.get_model("invoicing", "Customer")


def normalize_phone(raw: str) -> str:
    """E.164 when the number parses (Twilio and the contact form both give "+1..."), else the
    stripped text, so a lookup by an odd number still finds the row stored the same way."""
    raw = raw.strip()
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_address(channel: str, address: str) -> str:
    address = address.strip()
    return address.lower() if channel == Channel.EMAIL else normalize_phone(address)


# --------------------------------------------------------------------------------------------
# Suppression


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


def suppression_remove(
    *,
    org: Organization,
    channel: str,
    address: str,
    scope: str,
    reasons: tuple[str, ...] | None = None,
) -> int:
    """Lift a suppression. ``reasons`` limits which may be lifted: the customer's own page
    lifts only their own unsubscribe, never the owner's pause or a bounce."""
    rows = Suppression.objects.for_org(org).filter(
        channel=channel, address__iexact=normalize_address(channel, address), scope=scope
    )
    if reasons is not None:
        rows = rows.filter(reason__in=reasons)
    deleted, _ = rows.delete()
    return deleted


def suppression_list(
    *, org: Organization, channel: str | None = None, addresses: list[str] | None = None
) -> QuerySet[Suppression]:
    """Suppressions of the organization, optionally for a channel and some addresses (e.g. a
    customer's contacts' emails and phones), newest first."""
    rows = Suppression.objects.for_org(org)
    if channel is not None:
        rows = rows.filter(channel=channel)
    if addresses is not None:
        wanted = Q(pk__in=[])
        for address in addresses:
            if address:
                wanted |= Q(address__iexact=address.strip().lower()) | Q(
                    address=normalize_phone(address)
                )
        rows = rows.filter(wanted)
    return rows.order_by("-created_at", "-pk")


# --------------------------------------------------------------------------------------------
# SMS consent


def sms_consent_active(*, org: Organization, phone: str) -> bool:
    return (
        SmsConsent.objects.for_org(org)
        .filter(phone=normalize_phone(phone), revoked_at__isnull=True)
        .exists()
    )


def _valid_e164(phone: str) -> str:
    try:
        number = phonenumbers.parse(phone.strip(), None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            {"phone": "Enter the number in international form, e.g. +15551234567."}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": f"“{phone.strip()}” is not a valid phone number."})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_consent_record(
    *,
    org: Organization,
    phone: str,
    method: str,
    customer_id: int | None = None,
    recorded_by: User | None = None,
    note: str = "",
) -> SmsConsent:
    """Record permission to text ``phone`` (E.164, or anything that parses to it).

    Who: ``recorded_by`` (required when the owner attests, ``ConsentMethod.OWNER_ATTESTED``);
    how: ``method``; when: now. Raises ``ValidationError`` keyed by field for a bad number, an
    unknown method, a customer outside ``org`` or an attestation without a person.

    Consent given by the customer (START, the pay page) also lifts their STOP: it is their own
    newer choice. An owner's attestation does not: the business cannot overrule a STOP.
    Recording while consent is already active returns the active row instead of piling up
    duplicates (a customer who texts START twice).
    """
    phone = _valid_e164(phone)
    if method not in ConsentMethod.values:
        raise ValidationError({"method": f"“{method}” is not a way of giving consent."})
    if method == ConsentMethod.OWNER_ATTESTED and recorded_by is None:
        raise ValidationError({"recorded_by": "Say who is attesting to the consent."})
    if (
        customer_id is not None
        and not customer_model()._default_manager.filter(organization=org, pk=customer_id).exists()
    ):
        raise ValidationError({"customer": "No such customer."})
    with transaction.atomic():
        consent = (
            SmsConsent.objects.for_org(org)
            .filter(phone=phone, revoked_at__isnull=True)
            .order_by("created_at")
            .first()
        )
        if consent is None:
            consent = SmsConsent.objects.create(
                organization=org,
                phone=phone,
                customer_id=customer_id,
                method=method,
                recorded_by=recorded_by,
                note=note[:300],
            )
        elif consent.customer_id is None and customer_id is not None:
            consent.customer_id = customer_id
            consent.save(update_fields=["customer"])
        if method in (ConsentMethod.KEYWORD, ConsentMethod.PAY_PAGE):
            Suppression.objects.for_org(org).filter(
                channel=Channel.SMS, address=phone, reason=SuppressionReason.STOP_KEYWORD
            ).delete()
    return consent


def sms_consent_revoke(*, org: Organization, phone: str) -> int:
    """Withdraw every active consent for the number; the rows stay, with ``revoked_at``."""
    return (
        SmsConsent.objects.for_org(org)
        .filter(phone=normalize_phone(phone), revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )


def sms_consent_list(
    *, org: Organization, customer_id: int | None = None, phone: str | None = None
) -> QuerySet[SmsConsent]:
    """Consent history, newest first, revoked rows included. For a customer: the rows recorded
    for them and those for any of their contacts' numbers (consent belongs to a number)."""
    rows = SmsConsent.objects.for_org(org).select_related("recorded_by")
    if customer_id is not None:
        phones = (
            contact_model()
            ._default_manager.filter(organization=org, customer_id=customer_id)
            .exclude(phone="")
            .values("phone")
        )
        rows = rows.filter(Q(customer_id=customer_id) | Q(phone__in=phones))
    if phone is not None:
        rows = rows.filter(phone=normalize_phone(phone))
    return rows.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class SmsConsentStatus:
    phone: str
    consent: SmsConsent | None  # the active consent, if any
    stop: Suppression | None  # a suppression of everything (STOP, or an undeliverable number)

    @property
    def can_text(self) -> bool:
        return self.consent is not None and self.stop is None


def sms_consent_status(*, org: Organization, phone: str) -> SmsConsentStatus:
    """Whether the number may be texted at all, and why not, for the customer page."""
    phone = normalize_phone(phone)
    consent = (
        SmsConsent.objects.for_org(org)
        .filter(phone=phone, revoked_at__isnull=True)
        .select_related("recorded_by")
        .order_by("created_at")
        .first()
    )
    stop = (
        Suppression.objects.for_org(org)
        .filter(channel=Channel.SMS, address=phone, scope=SuppressionScope.ALL)
        .first()
    )
    return SmsConsentStatus(phone=phone, consent=consent, stop=stop)


def contacts_with_phone(*, org: Organization, phone: str) -> list[Any]:
    """The organization's contacts with this number, primary contacts first."""
    return list(
        contact_model()
        ._default_manager.filter(organization=org, phone=normalize_phone(phone))
        .order_by("-is_primary", "pk")
    )

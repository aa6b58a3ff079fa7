"""What Twilio tells us: delivery status of texts we sent, and texts customers send us (STOP,
START, HELP or anything else, which goes on the customer's timeline).

These services take no ``org``: a provider's message id or the number a customer texted is what
identifies the organization, so they find it themselves and then work strictly inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from arhub.messaging.consent import (
    contacts_with_phone,
    normalize_phone,
    sms_consent_record,
    sms_consent_revoke,
    suppression_add,
)
from arhub.messaging.keywords import Keyword, keyword_classify
from arhub.messaging.sms import SmsError, sms_backend, status_callback_url
from arhub.models import (
    Channel,
    ConsentMethod,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    Organization,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)

logger = logging.getLogger(__name__)

# Twilio error codes that say the number will never take our texts, and what they mean. 21610
# is Twilio's own record of a STOP (its opt-out handling saw it before we did); the others mean
# the number cannot receive SMS. Temporary failures (30003 unreachable handset, 30008 unknown)
# are deliberately absent: the next reminder may well arrive.
PERMANENT_SMS_ERRORS: dict[str, tuple[str, str]] = {
    "21610": (SuppressionReason.STOP_KEYWORD, "The recipient has replied STOP to this number"),
    "21211": (SuppressionReason.HARD_BOUNCE, "Not a valid phone number"),
    "21614": (SuppressionReason.HARD_BOUNCE, "Not a mobile number"),
    "30005": (SuppressionReason.HARD_BOUNCE, "Unknown or inactive number"),
    "30006": (SuppressionReason.HARD_BOUNCE, "Landline or unreachable carrier"),
}
SMS_ERROR_TEXT: dict[str, str] = {
    **{code: text for code, (_, text) in PERMANENT_SMS_ERRORS.items()},
    "30003": "Unreachable handset",
    "30004": "Message blocked",
    "30007": "Filtered by the carrier",
    "30008": "Unknown error",
}

# Statuses a later report may move a message out of. Reports arrive out of order ("sent" after
# "delivered"), so each update names the statuses it may replace and never moves backwards.
_BEFORE_SENT = (MessageStatus.QUEUED, MessageStatus.SENDING)
_BEFORE_DELIVERED = (*_BEFORE_SENT, MessageStatus.SENT)
_NOT_FINAL = (*_BEFORE_DELIVERED, MessageStatus.DELIVERED)


def sms_status_apply(
    *, provider_message_id: str, status: str, error_code: str = ""
) -> list[Message]:
    """Apply a Twilio status callback to the outbound text it is about. Idempotent: a repeat
    changes nothing. Returns the messages it found (normally one)."""
    messages = list(
        Message.objects.filter(
            provider_message_id=provider_message_id,
            channel=Channel.SMS,
            direction=Direction.OUTBOUND,
        ).select_related("organization")
    )
    now = timezone.now()
    for message in messages:
        rows = Message.objects.filter(pk=message.pk)
        if status == "sent":
            rows.filter(status__in=_BEFORE_SENT).update(
                status=MessageStatus.SENT, sent_at=message.sent_at or now, updated_at=now
            )
        elif status in ("delivered", "read"):
            rows.filter(status__in=_BEFORE_DELIVERED).update(
                status=MessageStatus.DELIVERED,
                sent_at=message.sent_at or now,
                delivered_at=now,
                updated_at=now,
            )
        elif status in ("undelivered", "failed", "canceled"):
            reason = _error_reason(status, error_code)
            rows.filter(status__in=_NOT_FINAL).update(
                status=MessageStatus.FAILED, status_reason=reason, updated_at=now
            )
            _suppress_for_error(message=message, error_code=error_code)
        # accepted, scheduled, queued, sending: nothing we do not already know.
    return messages


def _error_reason(status: str, error_code: str) -> str:
    if not error_code:
        return f"Twilio reported the text {status}"
    meaning = SMS_ERROR_TEXT.get(error_code, "see Twilio's error reference")
    return f"Twilio error {error_code}: {meaning}"[:300]


def _suppress_for_error(*, message: Message, error_code: str) -> None:
    permanent = PERMANENT_SMS_ERRORS.get(error_code)
    if permanent is None:
        return
    reason, _ = permanent
    org = message.organization
    suppression_add(
        org=org,
        channel=Channel.SMS,
        address=message.recipient,
        scope=SuppressionScope.ALL,
        reason=reason,
        message_id=message.pk,
    )
    if reason == SuppressionReason.STOP_KEYWORD:
        sms_consent_revoke(org=org, phone=message.recipient)


# --------------------------------------------------------------------------------------------
# Inbound texts


@dataclass(frozen=True)
class InboundResult:
    org: Organization
    message: Message  # the inbound row
    keyword: Keyword
    reply: Message | None  # the confirmation or HELP answer we queued, if any


def sms_inbound_orgs(*, from_number: str, to_number: str) -> list[Organization]:
    """The organizations a text to ``to_number`` is for: those whose own sender number it is,
    and, when it is the deployment's shared number, every organization that has texted the
    sender from it. A STOP sent to a shared number must reach all of them: the customer
    cannot know which business is behind it."""
    to_number = normalize_phone(to_number)
    from_number = normalize_phone(from_number)
    if not to_number or not from_number:
        # A blank To would match every organization without a number of its own.
        return []
    wanted = Q(sms_from_number=to_number)
    shared = normalize_phone(getattr(settings, "TWILIO_FROM_NUMBER", "") or "")
    if shared and to_number == shared:
        # Rows with no recorded sender were sent from the default (shared) number.
        texted = Message.objects.filter(
            channel=Channel.SMS,
            direction=Direction.OUTBOUND,
            recipient=from_number,
        ).filter(Q(sender=to_number) | Q(sender=""))
        wanted |= Q(pk__in=texted.values("organization_id"))
    return list(Organization.objects.filter(wanted).order_by("pk"))


def sms_inbound_receive(
    *, provider_message_id: str, from_number: str, to_number: str, body: str
) -> list[InboundResult]:
    """Record a text a customer sent us and act on STOP, START and HELP, once per
    organization it is for. A repeat of the same ``provider_message_id`` (Twilio retries a
    webhook that timed out) does nothing the second time."""
    keyword = keyword_classify(body)
    results = []
    for org in sms_inbound_orgs(from_number=from_number, to_number=to_number):
        result = _receive_for_org(
            org=org,
            provider_message_id=provider_message_id,
            from_number=normalize_phone(from_number),
            to_number=normalize_phone(to_number),
            body=body,
            keyword=keyword,
        )
        if result is not None:
            results.append(result)
    if not results:
        logger.info("Inbound SMS %s to %s matched no new work", provider_message_id, to_number)
    return results


def _lock(key: str) -> None:
    """Serialise work on one key until the transaction ends. Twilio may deliver the same
    webhook twice at once; the message log has no unique constraint on provider ids, so the
    existence check below needs this to be race-free."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _receive_for_org(
    *,
    org: Organization,
    provider_message_id: str,
    from_number: str,
    to_number: str,
    body: str,
    keyword: Keyword,
) -> InboundResult | None:
    with transaction.atomic():
        _lock(f"arhub.sms-inbound:{org.pk}:{provider_message_id}")
        seen = Message.objects.for_org(org).filter(
            channel=Channel.SMS,
            direction=Direction.INBOUND,
            provider_message_id=provider_message_id,
        )
        if seen.exists():
            return None
        contacts = contacts_with_phone(org=org, phone=from_number)
        contact = contacts[0] if contacts else None
        customer_id = contact.customer_id if contact is not None else None
        inbound = Message.objects.create(
            organization=org,
            customer_id=customer_id,
            contact=contact,
            channel=Channel.SMS,
            kind=MessageKind.OTHER,
            direction=Direction.INBOUND,
            recipient=to_number,
            sender=from_number,
            body_text=body,
            status=MessageStatus.RECEIVED,
            provider_message_id=provider_message_id,
        )
        text = _act_on_keyword(
            org=org, keyword=keyword, phone=from_number, customer_id=customer_id, inbound=inbound
        )
        reply = None
        if text and _keyword_replies_enabled():
            reply = sms_reply_send(
                org=org,
                to=from_number,
                sender=to_number,
                body=text,
                customer_id=customer_id,
                contact_id=contact.pk if contact is not None else None,
            )
    return InboundResult(org=org, message=inbound, keyword=keyword, reply=reply)


def _act_on_keyword(
    *, org: Organization, keyword: Keyword, phone: str, customer_id: int | None, inbound: Message
) -> str:
    """Change consent as the keyword asks; the reply to send, or "" for none."""
    if keyword == Keyword.STOP:
        already = (
            Suppression.objects.for_org(org)
            .filter(channel=Channel.SMS, address=phone, scope=SuppressionScope.ALL)
            .filter(reason=SuppressionReason.STOP_KEYWORD)
            .exists()
        )
        suppression_add(
            org=org,
            channel=Channel.SMS,
            address=phone,
            scope=SuppressionScope.ALL,
            reason=SuppressionReason.STOP_KEYWORD,
            message_id=inbound.pk,
        )
        sms_consent_revoke(org=org, phone=phone)
        # One confirmation per opt-out: a second STOP while stopped gets silence, because
        # texting someone who has said STOP twice is exactly what they asked us not to do.
        return "" if already else _stop_text(org=org)
    if keyword == Keyword.START:
        try:
            sms_consent_record(
                org=org,
                phone=phone,
                method=ConsentMethod.KEYWORD,
                customer_id=customer_id,
                note=f"Replied “{inbound.body_text[:60]}”",
            )
        except ValidationError:
            # A sender id that is no phone number (an alphanumeric sender): nothing to opt in.
            logger.warning("START from %r, which is not a phone number", phone)
            return ""
        return _start_text(org=org)
    if keyword == Keyword.HELP:
        return _help_text(org=org)
    return ""


# --------------------------------------------------------------------------------------------
# Our answers to STOP, START and HELP


def _stop_text(*, org: Organization) -> str:
    return f"You're unsubscribed from {org.name} messages. Reply START to resubscribe."


def _start_text(*, org: Organization) -> str:
    return f"You're resubscribed to {org.name} messages. Reply HELP for help, STOP to unsubscribe."


def _help_text(*, org: Organization) -> str:
    address = ", ".join(
        part
        for part in (org.address_line1, org.address_line2, org.city, org.region, org.postal_code)
        if part
    )
    contact = org.email_reply_to or address
    reach = f" Contact us at {contact}." if contact else ""
    return f"{org.name} billing messages.{reach} Reply STOP to unsubscribe."


def _keyword_replies_enabled() -> bool:
    # Off when Twilio's Advanced Opt-Out answers the keywords itself; two confirmations would
    # be one too many (and Twilio refuses ours after a STOP with error 21610 anyway).
    return bool(getattr(settings, "SMS_KEYWORD_REPLIES", True))


def sms_reply_send(
    *,
    org: Organization,
    to: str,
    sender: str,
    body: str,
    customer_id: int | None,
    contact_id: int | None,
) -> Message:
    """Log and send one answer to a keyword, from the number the customer texted.

    It skips the consent and suppression checks of the send pipeline on purpose: the one
    confirmation of a STOP goes to a number that is, by then, suppressed. The text goes out
    after the surrounding transaction commits, so a rolled-back webhook texts nobody."""
    message = Message.objects.create(
        organization=org,
        customer_id=customer_id,
        contact_id=contact_id,
        channel=Channel.SMS,
        kind=MessageKind.OTHER,
        direction=Direction.OUTBOUND,
        recipient=to,
        sender=sender,
        body_text=body,
        status=MessageStatus.QUEUED,
    )
    transaction.on_commit(lambda: sms_reply_deliver(message_id=message.pk))
    return message


def sms_reply_deliver(*, message_id: int) -> Message | None:
    """Send a queued keyword answer through the SMS backend, once. Runs right after the
    webhook's transaction commits; a failure is recorded on the row, not retried: a late
    "you're unsubscribed" helps nobody, and Twilio retries the webhook itself if we are slow."""
    now = timezone.now()
    # Claim the row: a conditional update that changes exactly one row, so two runs cannot
    # both send.
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return None
    message = Message.objects.get(pk=message_id)
    try:
        sid = sms_backend().send(
            to=message.recipient,
            body=message.body_text,
            from_number=message.sender,
            status_callback=status_callback_url(),
        )
    except SmsError as exc:
        message.status = MessageStatus.FAILED
        message.status_reason = exc.reason[:300]
    else:
        message.status = MessageStatus.SENT
        message.provider_message_id = sid
        message.sent_at = timezone.now()
    message.save(
        update_fields=["status", "status_reason", "provider_message_id", "sent_at", "updated_at"]
    )
    return message

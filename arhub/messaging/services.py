"""Writes for messaging: queue a message, send a queued one, keep the owner's wording.

Every message becomes a ``Message`` row before anything is sent, holding the exact subject and
body the customer will read. A message that must not go out is still written, as ``suppressed``
or ``skipped`` with the reason, so the customer's timeline never has a silent gap.

Sending is claimed with a conditional UPDATE (queued -> sending) that exactly one worker can win,
then consent and suppression are asked again: the customer may have said STOP between the
moment a reminder was planned and the moment it goes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from arhub.messaging.channels import (
    PermanentSendError,
    TransientSendError,
    channel_for,
    email_sender,
    sms_sender,
)
from arhub.messaging.consent import sms_consent_active, suppression_active, suppression_add
from arhub.messaging.placeholders import PlaceholderError, render, template_problems
from arhub.messaging.selectors import message_contact_for, message_template_effective
from arhub.messaging.sms import sms_plain
from arhub.messaging.unsubscribe import unsubscribe_url
from arhub.models import (
    AuditAction,
    Channel,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    Organization,
    SuppressionScope,
    User,
)
from arhub.services.audit import audit_record

if TYPE_CHECKING:
    from invoicing.models import Contact, Customer, Invoice
    from payments.models import Payment

logger = logging.getLogger(__name__)

# A message still failing after this many attempts (each task run retries a few times, and the
# stale sweep starts new runs) is marked failed, so an endless outage ends in a visible row.
MAX_ATTEMPTS = 20
# Longer than any one send may take (SMTP and Twilio time out well within it), so a row this old
# in "sending" belongs to a worker that died.
STALE_AFTER = timedelta(minutes=15)
REQUEUE_BATCH = 500
SMS_NOT_RESENT = (
    "The worker stopped while sending this text; it is not sent again, so the customer never "
    "gets it twice."
)

# The customer's preferred_channel values (invoicing.PreferredChannel) each channel serves.
_PREFERRED_CHANNELS: dict[str, tuple[str, ...]] = {
    Channel.EMAIL: ("email", "both"),
    Channel.SMS: ("sms", "both"),
}
_CHANNEL_WORDS = {"email": "email", "sms": "text messages", "both": "email and text messages"}


# ---- Queueing


def message_queue(
    *,
    org: Organization,
    customer: Customer,
    kind: str,
    channel: str,
    values: Mapping[str, str],
    contact: Contact | None = None,
    recipient: str | None = None,
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    wording: tuple[str, str] | None = None,
) -> Message:
    """Write the message as it will be sent and, when it may be sent, queue the send.

    ``values`` fill the kind's placeholders (see ``placeholders.AVAILABLE``); the customer's
    and contact's names and the organization's are filled in here. ``contact`` picks the
    person; ``recipient`` overrides the address. Attachments are not passed here: they are
    made at send time by the providers registered for the kind (``channels``), so nothing of
    them is stored or put on the broker. ``wording`` ((subject, body)) replaces the kind's
    template, for senders with wording of their own (a reminder step's tone); it fills in the
    same placeholders.
    """
    if customer.organization_id != org.pk:
        raise ValueError("The customer belongs to another organization.")
    if contact is None and recipient is None:
        contact = message_contact_for(customer=customer, kind=kind, channel=channel)
    if contact is not None and contact.customer_id != customer.pk:
        raise ValueError("The contact belongs to another customer.")
    if invoice is not None and invoice.customer_id != customer.pk:
        raise ValueError("The invoice belongs to another customer.")
    if payment is not None and payment.customer_id != customer.pk:
        raise ValueError("The payment belongs to another customer.")
    address = recipient if recipient is not None else _contact_address(contact, channel)
    address = address.strip()

    message = Message(
        organization=org,
        customer=customer,
        contact=contact,
        invoice=invoice,
        payment=payment,
        channel=channel,
        kind=kind,
        direction=Direction.OUTBOUND,
        recipient=address,
        sender=email_sender(org) if channel == Channel.EMAIL else sms_sender(org),
    )
    if wording is not None:
        subject_text, body_text = wording
    else:
        text = message_template_effective(
            org=org, kind=kind, channel=channel, language=customer.language
        )
        subject_text, body_text = text.subject, text.body
    status: str | None
    try:
        composed = message_compose(
            org=org,
            customer=customer,
            contact=contact,
            channel=channel,
            recipient=address,
            subject=subject_text,
            body=body_text,
            values=values,
        )
    except PlaceholderError as exc:
        # Keep the wording as written, so the log shows what could not be filled in.
        composed = Composed(subject=subject_text, body_text=body_text, body_html="")
        status, reason = MessageStatus.SKIPPED, f"The wording could not be filled in: {exc}"
    else:
        status, reason = _block(
            org=org,
            channel=channel,
            kind=kind,
            address=address,
            preferred_channel=customer.preferred_channel,
        )
    message.subject = composed.subject[:300]
    message.body_text = composed.body_text
    message.body_html = composed.body_html
    message.status = status or MessageStatus.QUEUED
    message.status_reason = reason[:300]
    message.save()
    if message.status == MessageStatus.QUEUED:
        _enqueue_on_commit(org_id=org.pk, message_id=message.pk)
    return message


def _contact_address(contact: Contact | None, channel: str) -> str:
    if contact is None:
        return ""
    if channel == Channel.EMAIL:
        return contact.email
    return contact.phone.as_e164 if contact.phone else ""


@dataclass(frozen=True)
class Composed:
    subject: str
    body_text: str
    body_html: str
    # The filled-in wording alone as HTML, without the email's layout (for the preview).
    fragment: str = ""


def message_compose(
    *,
    org: Organization,
    customer: Customer,
    contact: Contact | None,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    values: Mapping[str, str],
    unsubscribe_link: str | None = None,
) -> Composed:
    """The message exactly as the customer will get it: the wording filled in and, for email,
    set in the organization's layout with the unsubscribe footer. Writes nothing (the preview
    uses it too, with a sample ``unsubscribe_link``: a real one shown on a page would let any
    reader change that customer's choices). Raises PlaceholderError when the wording needs a
    value it was not given."""
    filled = {
        "customer_name": customer.display_name,
        "contact_name": contact.name if contact and contact.name else customer.display_name,
        "org_name": org.name,
        **values,
    }
    text = render(body, filled, html=False)
    # A subject is one header line: a value with a line break must not start a new header.
    subject = " ".join(render(subject, filled, html=False).split())
    if channel != Channel.EMAIL:
        return Composed(subject="", body_text=sms_plain(text), body_html="")
    fragment = render(body, filled, html=True)
    context = {
        "org": org,
        "language": customer.language,
        "subject": subject,
        "body": text,
        "body_html": mark_safe(fragment),  # noqa: S308 - render() escaped every character
        "unsubscribe_url": (
            unsubscribe_link
            if unsubscribe_link is not None
            else unsubscribe_url(org=org, address=recipient)
            if recipient
            else ""
        ),
    }
    return Composed(
        subject=subject,
        body_text=render_to_string("messaging/email.txt", context),
        body_html=render_to_string("messaging/email.html", context),
        fragment=fragment,
    )


def _block(
    *,
    org: Organization,
    channel: str,
    kind: str,
    address: str,
    preferred_channel: str | None,
) -> tuple[str | None, str]:
    """Why this message must not go out now, as (status, reason); (None, "") when it may.
    Asked when queueing and again right before sending."""
    if preferred_channel is not None and preferred_channel not in _PREFERRED_CHANNELS[channel]:
        return MessageStatus.SKIPPED, f"The customer prefers {_CHANNEL_WORDS[preferred_channel]}."
    if not address:
        what = "email address" if channel == Channel.EMAIL else "mobile number"
        return MessageStatus.SKIPPED, f"No {what} for this customer."
    suppression = suppression_active(org=org, channel=channel, address=address, kind=kind)
    if suppression is not None:
        return MessageStatus.SUPPRESSED, (
            f"{suppression.get_reason_display()} "
            f"({suppression.get_scope_display().lower()}) on {suppression.created_at:%Y-%m-%d}."
        )
    if channel == Channel.SMS and not sms_consent_active(org=org, phone=address):
        return MessageStatus.SKIPPED, "No recorded consent to text this number."
    return None, ""


def message_blocked(
    *,
    org: Organization,
    channel: str,
    kind: str,
    address: str,
    preferred_channel: str | None,
) -> tuple[str | None, str]:
    """Why a message of ``kind`` to ``address`` would not go out now, as (status, reason);
    (None, "") when it would. For callers that plan messages (the reminder timeline)."""
    return _block(
        org=org,
        channel=channel,
        kind=kind,
        address=address,
        preferred_channel=preferred_channel,
    )


def _enqueue_on_commit(*, org_id: int, message_id: int) -> None:
    # Imported here: the task module imports this one to call message_send.
    from arhub.messaging.tasks import message_send_task

    transaction.on_commit(lambda: message_send_task.delay(org_id, message_id))


# ---- Sending


def message_send(*, org: Organization, message_id: int) -> Message | None:
    """Send one queued message. Returns it as it ends up, or None when there was nothing to do
    (another worker has it, or it was already sent). Raises TransientSendError after putting
    the message back in the queue, for the caller to retry later."""
    claimed = (
        Message.objects.for_org(org)
        .filter(pk=message_id, status=MessageStatus.QUEUED, direction=Direction.OUTBOUND)
        .update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now())
    )
    if claimed != 1:
        return None
    message = (
        Message.objects.for_org(org).select_related("organization", "customer").get(pk=message_id)
    )
    status, reason = _block(
        org=org,
        channel=message.channel,
        kind=message.kind,
        address=message.recipient,
        preferred_channel=message.customer.preferred_channel if message.customer else None,
    )
    if status is not None:
        return _finish(message, status=status, reason=reason)

    try:
        result = channel_for(message.channel).send(message)
    except TransientSendError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(
                message,
                status=MessageStatus.FAILED,
                reason=f"Gave up after {message.attempts} attempts: {exc.reason}",
            )
        _finish(message, status=MessageStatus.QUEUED, reason=exc.reason)
        raise
    except PermanentSendError as exc:
        if exc.suppress:
            suppression_add(
                org=org,
                channel=message.channel,
                address=message.recipient,
                scope=SuppressionScope.ALL,
                reason=exc.suppress,
                message_id=message.pk,
            )
        return _finish(message, status=MessageStatus.FAILED, reason=exc.reason)

    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        provider_message_id=result.provider_message_id[:200],
        sent_at=now,
        status_reason="",
        updated_at=now,
        # A delivery report may already have moved the row on; it knows better than "sent".
        status=Case(
            When(status=MessageStatus.SENDING, then=Value(MessageStatus.SENT)),
            default=F("status"),
        ),
    )
    message.refresh_from_db()
    return message


def _finish(message: Message, *, status: str, reason: str) -> Message:
    """Move a message this worker holds (status "sending") on; a row that is no longer ours
    (the stale sweep took it back) is left alone."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, status_reason=reason[:300], updated_at=timezone.now()
    )
    message.refresh_from_db()
    return message


def messages_requeue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Put back in the queue, and enqueue again, messages nobody is working on: queued rows
    whose task was lost or ran out of retries (a long provider outage), and emails whose worker
    died while sending (texts in that state are marked failed instead: at most once). Rows
    are claimed under a skip-locked lock, so two sweeps never share one.

    Crosses organizations on purpose: it is the system's own housekeeping, like the invitation
    purge, and each message is then sent under its own organization."""
    now = timezone.now()
    with transaction.atomic():
        # A text claimed by a worker that died may have reached the provider: it is never sent
        # again (a customer must not get the same text twice); the log says what happened.
        Message.objects.filter(
            channel=Channel.SMS,
            status=MessageStatus.SENDING,
            direction=Direction.OUTBOUND,
            updated_at__lt=now - older_than,
        ).update(
            status=MessageStatus.FAILED,
            status_reason=SMS_NOT_RESENT,
            updated_at=now,
        )
        stale = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=MessageStatus.QUEUED) | Q(status=MessageStatus.SENDING),
                direction=Direction.OUTBOUND,
                updated_at__lt=now - older_than,
            )
            .order_by("updated_at")
            .values_list("pk", "organization_id")[:REQUEUE_BATCH]
        )
        # Touching updated_at gives each row a fresh window before the next sweep looks again.
        Message.objects.filter(pk__in=[pk for pk, _ in stale]).update(
            status=MessageStatus.QUEUED, updated_at=now
        )
        for message_id, org_id in stale:
            _enqueue_on_commit(org_id=org_id, message_id=message_id)
    if stale:
        logger.info("Re-queued %d stale messages", len(stale))
    return len(stale)


# ---- The owner's wording


def message_template_save(
    *,
    org: Organization,
    actor: User,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
) -> MessageTemplate:
    """Keep the owner's wording for a kind of message. Raises ValidationError naming each
    unknown placeholder (or one the kind has no value for), per field."""
    subject = " ".join(subject.split()) if channel == Channel.EMAIL else ""
    errors: dict[str, list[str]] = {}
    for field, text in (("subject", subject), ("body", body)):
        problems = template_problems(text, kind)
        if problems:
            errors[field] = problems
    if channel == Channel.EMAIL and not subject:
        errors.setdefault("subject", []).append("An email needs a subject.")
    if not body.strip():
        errors.setdefault("body", []).append("Write the message.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        template, created = MessageTemplate.objects.update_or_create(
            organization=org,
            kind=kind,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body, "updated_by": actor},
        )
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"{'Wrote' if created else 'Changed'} the wording of {_title(kind, channel)}",
            data={"template": [kind, channel, language]},
        )
    return template


def _title(kind: str, channel: str) -> str:
    return f"{MessageKind(kind).label.lower()} messages by {Channel(channel).label}"


def message_template_reset(
    *, org: Organization, actor: User, kind: str, channel: str, language: str
) -> bool:
    """Go back to the built-in wording. False when there was nothing of the owner's to drop."""
    with transaction.atomic():
        deleted, _ = (
            MessageTemplate.objects.for_org(org)
            .filter(kind=kind, channel=channel, language=language)
            .delete()
        )
        if deleted:
            audit_record(
                org=org,
                actor=actor,
                action=AuditAction.SETTINGS_CHANGED,
                summary=f"Put back the built-in wording of {_title(kind, channel)}",
                data={"template": [kind, channel, language]},
            )
    return bool(deleted)

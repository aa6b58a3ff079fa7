"""One interface for every way we reach a customer: ``send(message) -> SendResult``.

A channel sends a ``Message`` row exactly as it was rendered and stored, and either returns the
provider's id or raises :class:`TransientSendError` (try again later: the provider is down,
busy, or refused for now) or :class:`PermanentSendError` (no retry can help: the address does
not exist, the number opted out). Consent and suppression are the service's business, checked
before a channel is asked.

Email goes through Django's mail API, so the provider is a setting: any django-anymail ESP,
SMTP, or the console and locmem backends. SMS goes through :mod:`arhub.messaging.sms`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import formataddr, make_msgid
from typing import Protocol

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from arhub.messaging import sms
from arhub.messaging.unsubscribe import unsubscribe_url
from arhub.models import Channel, Message, Organization, SuppressionReason


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Nothing is wrong with the message; send it again later."""


class PermanentSendError(SendError):
    """Sending again cannot work. ``suppress`` names why the address itself must be
    suppressed (a hard bounce, an opt-out at the provider), or is None."""

    def __init__(self, reason: str, *, suppress: str | None = None) -> None:
        super().__init__(reason)
        self.suppress = suppress


class MessageChannel(Protocol):
    def send(self, message: Message) -> SendResult: ...


# ---- Attachments
#
# Nothing of an attachment is stored with the message or put on the broker: a provider makes
# the files at send time from the message (its kind, and from issue 5 its invoice), so a retry
# an hour later attaches the same document, rendered from the database. Higher apps register
# providers from their AppConfig.ready(); the core never imports them.


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    mimetype: str


AttachmentProvider = Callable[[Message], list[Attachment]]
_attachment_providers: dict[str, list[AttachmentProvider]] = {}


def attachment_provider_register(*, kind: str, provider: AttachmentProvider) -> None:
    providers = _attachment_providers.setdefault(kind, [])
    if provider not in providers:
        providers.append(provider)


def attachment_provider_unregister(*, kind: str, provider: AttachmentProvider) -> None:
    if provider in _attachment_providers.get(kind, []):
        _attachment_providers[kind].remove(provider)


def attachments_for(message: Message) -> list[Attachment]:
    return [
        attachment
        for provider in _attachment_providers.get(message.kind, [])
        for attachment in provider(message)
    ]


# ---- Email


def email_sender(org: Organization) -> str:
    """``"Name" <address>``: the organization's name on the deployment's sending address,
    which is the one the mail provider has verified."""
    return formataddr((org.email_from_name or org.name, settings.CUSTOMER_EMAIL_FROM))


def email_unsubscribe_headers(*, org: Organization, address: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to the link, never GET it."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(org=org, address=address)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class EmailChannel:
    def send(self, message: Message) -> SendResult:
        org = message.organization
        message_id = make_msgid(domain=_sending_domain())
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=message.sender or email_sender(org),
            to=[message.recipient],
            reply_to=[org.email_reply_to] if org.email_reply_to else None,
            headers={
                "Message-ID": message_id,
                **email_unsubscribe_headers(org=org, address=message.recipient),
            },
            connection=get_connection(fail_silently=False),
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for attachment in attachments_for(message):
            email.attach(attachment.name, attachment.content, attachment.mimetype)
        try:
            email.send()
        except Exception as exc:
            error = email_error(exc)
            if error is None:
                raise
            raise error from exc
        # An ESP's id is what its tracking webhooks report; over SMTP it is our Message-ID.
        status = getattr(email, "anymail_status", None)
        esp_id = getattr(status, "message_id", None) if status is not None else None
        if esp_id is None or esp_id == "" or isinstance(esp_id, set):
            # No single ESP id (SMTP, console, or a provider that gave none).
            return SendResult(provider_message_id=message_id.strip("<>"))
        return SendResult(provider_message_id=str(esp_id))


def _sending_domain() -> str:
    try:
        return Address(addr_spec=settings.CUSTOMER_EMAIL_FROM).domain or "localhost"
    except (ValueError, IndexError):
        return "localhost"


def email_error(exc: Exception) -> SendError | None:
    """Sort a mail backend's exception into try-again-later and never-again; None for
    anything that is not about delivery (a bug must surface as itself)."""
    if isinstance(exc, AnymailRecipientsRefused):
        return PermanentSendError(
            f"The mail provider refused the address: {exc}", suppress=SuppressionReason.HARD_BOUNCE
        )
    if isinstance(exc, AnymailAPIError):
        # No status: the ESP could not be reached at all.
        status = exc.status_code
        if status is None or status == 429 or status >= 500:
            return TransientSendError(f"The mail provider is unavailable: {exc}")
        return PermanentSendError(f"The mail provider rejected the message: {exc}")
    if isinstance(exc, AnymailError):
        return PermanentSendError(f"The message cannot be sent: {exc}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        if codes and all(400 <= code < 500 for code in codes):
            return TransientSendError(f"The mail server deferred the recipient: {detail}")
        return PermanentSendError(
            f"The mail server refused the recipient: {detail}",
            suppress=SuppressionReason.HARD_BOUNCE,
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return TransientSendError(f"The mail server turned the connection away: {exc}")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The deployment's credentials, not this message: retried, so fixing them loses nothing.
        return TransientSendError(f"The mail server refused our login: {exc.smtp_code}")
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        if 500 <= exc.smtp_code < 600:
            return PermanentSendError(f"The mail server refused the message: {reply}")
        return TransientSendError(f"The mail server deferred the message: {reply}")
    if isinstance(exc, smtplib.SMTPException | OSError):
        # Disconnected, refused, timed out, DNS: the server, not the message.
        return TransientSendError(f"The mail server could not be reached: {exc}")
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


# ---- SMS


def sms_sender(org: Organization) -> str:
    return org.sms_from_number or settings.TWILIO_FROM_NUMBER


class SmsChannel:
    def send(self, message: Message) -> SendResult:
        try:
            sid = sms.sms_backend().send(
                to=message.recipient,
                body=message.body_text,
                from_number=message.sender or sms_sender(message.organization),
                status_callback=sms.status_callback_url(),
            )
        except sms.SmsError as exc:
            if exc.transient:
                raise TransientSendError(exc.reason) from exc
            suppress = SuppressionReason.STOP_KEYWORD if exc.unsubscribed else None
            raise PermanentSendError(exc.reason, suppress=suppress) from exc
        return SendResult(provider_message_id=sid)


CHANNELS: dict[str, type[MessageChannel]] = {Channel.EMAIL: EmailChannel, Channel.SMS: SmsChannel}


def channel_for(channel: str) -> MessageChannel:
    return CHANNELS[channel]()

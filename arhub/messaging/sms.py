"""SMS backends, chosen by ``settings.SMS_BACKEND``: ``twilio`` (the official client),
``console`` (logs), ``locmem`` (keeps messages in :data:`outbox`, like Django's mail.outbox).

A backend sends one text and returns the provider's message id, or raises :class:`SmsError`
saying whether trying again later may work. The channel layer turns that into its own
transient/permanent errors, as it does for the mail backends' exceptions.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

logger = logging.getLogger(__name__)

# Where Twilio posts delivery reports; the webhook view verifies X-Twilio-Signature.
STATUS_CALLBACK_PATH = "/webhooks/sms/"
TWILIO_TIMEOUT_SECONDS = 15

# Twilio error codes that no retry can fix: the number is invalid, not a mobile, has replied
# STOP to this sender, or this account may not reach it.
# https://www.twilio.com/docs/api/errors
TWILIO_PERMANENT_CODES = {
    21211: "The phone number is not valid.",
    21408: "This account may not send to that region.",
    21606: "The sender number cannot send SMS.",
    21610: "The recipient replied STOP to this sender.",
    21612: "Twilio cannot route a message to this number.",
    21614: "The number is not a mobile number.",
    21617: "The message is too long.",
    21660: "The sender number does not belong to this account.",
}
# Replying STOP to the carrier: the number must be suppressed here too.
TWILIO_UNSUBSCRIBED_CODES = {21610}


class SmsError(Exception):
    def __init__(self, reason: str, *, transient: bool, unsubscribed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        # The provider says the recipient opted out: suppress the number, not just this text.
        self.unsubscribed = unsubscribed


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        """Send one text; return the provider's message id."""
        ...


def status_callback_url() -> str:
    return settings.SITE_URL + STATUS_CALLBACK_PATH


# ---- Twilio


class _BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's documented extension point (a custom ``http_client``), used to send every
    request to another host: a local test server, or a regional proxy."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        moved = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, moved, *args, **kwargs)


class TwilioBackend:
    def __init__(self) -> None:
        base_url = settings.TWILIO_API_BASE_URL
        http_client = (
            _BaseUrlHttpClient(base_url, timeout=TWILIO_TIMEOUT_SECONDS)
            if base_url
            else TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)
        )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
        )

    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        if not from_number:
            raise SmsError(
                "No SMS sender number: set one in Settings or TWILIO_FROM_NUMBER.",
                transient=False,
            )
        try:
            sent = self.client.messages.create(
                to=to, from_=from_number, body=body, status_callback=status_callback
            )
        except TwilioRestException as exc:
            raise twilio_error(exc) from exc
        except requests.RequestException as exc:
            raise SmsError(f"Twilio could not be reached: {exc}", transient=True) from exc
        return str(sent.sid)


def twilio_error(exc: TwilioRestException) -> SmsError:
    code = exc.code
    detail = f"Twilio {exc.status}" + (f" error {code}" if code else "") + f": {exc.msg}"
    if code in TWILIO_PERMANENT_CODES:
        return SmsError(
            f"{TWILIO_PERMANENT_CODES[code]} ({detail})",
            transient=False,
            unsubscribed=code in TWILIO_UNSUBSCRIBED_CODES,
        )
    # Rate limits, Twilio's own faults, and credentials refused (20003: the deployment's
    # settings, not this message) are retried, so fixing the cause loses nothing.
    if exc.status == 429 or exc.status >= 500 or code == 20003:
        return SmsError(detail, transient=True)
    return SmsError(detail, transient=False)


# ---- Development and tests


@dataclass(frozen=True)
class SmsOutgoing:
    to: str
    body: str
    from_number: str
    status_callback: str
    sid: str


outbox: list[SmsOutgoing] = []


class LocmemBackend:
    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        sid = "SMlocmem" + uuid.uuid4().hex
        outbox.append(SmsOutgoing(to, body, from_number, status_callback, sid))
        return sid


class ConsoleBackend:
    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        sid = "SMconsole" + uuid.uuid4().hex
        logger.info("SMS %s from %s to %s:\n%s", sid, from_number, to, body)
        return sid


BACKENDS: dict[str, type[SmsBackend]] = {
    "twilio": TwilioBackend,
    "console": ConsoleBackend,
    "locmem": LocmemBackend,
}


def sms_backend() -> SmsBackend:
    """A backend by name, or by dotted path to a class of one's own."""
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()


# ---- Length

# GSM 03.38: the 7-bit alphabet every phone reads; the extension characters take two places.
# One character outside it and the whole text goes as UCS-2, at 70 characters a segment.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


# Typography that looks the same in the GSM alphabet. One curly quote or no-break space (Babel
# puts one between a Spanish amount and its currency) would otherwise send the whole text as
# UCS-2: 70 characters a segment instead of 160, two or three times the price.
_GSM_LOOKALIKES = str.maketrans(
    {
        "\xa0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def sms_plain(text: str) -> str:
    return text.translate(_GSM_LOOKALIKES)


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    unicode: bool


def sms_length(text: str) -> SmsLength:
    """How many segments ``text`` takes (what the carrier bills)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi, is_unicode = 160, 153, False
    else:
        # UTF-16 code units: an emoji takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, is_unicode = 70, 67, True
    segments = 1 if units <= single else -(-units // multi)
    return SmsLength(characters=len(text), segments=segments, unicode=is_unicode)

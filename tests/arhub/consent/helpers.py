"""Builders shared by the consent tests and the isolation sweep's messaging routes."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Mapping
from typing import Any

from django.test import Client
from twilio.request_validator import RequestValidator

from arhub.models import Channel, Direction, Message, MessageKind, MessageStatus, Organization
from invoicing.models import Contact, Customer

SITE_URL = "https://arhub.example.com"
TWILIO_TOKEN = "twilio-test-auth-token"
SHARED_NUMBER = "+14155550199"
A_NUMBER = "+14155550190"
B_NUMBER = "+14155550191"
CUSTOMER_PHONE = "+14155550101"
SMS_WEBHOOK = "/webhooks/sms/"
ANYMAIL_SECRET = "anymail-user:anymail-s3cret"

_serial = itertools.count(1)


def make_customer(
    org: Organization, *, name: str, email: str = "", phone: str = ""
) -> tuple[Customer, Contact]:
    customer = Customer.objects.create(organization=org, display_name=name, currency="GBP")
    contact = Contact.objects.create(
        organization=org,
        customer=customer,
        name=name,
        email=email,
        phone=phone,
        is_primary=True,
    )
    return customer, contact


def make_sent_message(
    org: Organization,
    *,
    channel: str,
    recipient: str,
    customer: Customer | None = None,
    sender: str = "",
    provider_message_id: str | None = None,
    status: str = MessageStatus.SENT,
) -> Message:
    return Message.objects.create(
        organization=org,
        customer=customer,
        channel=channel,
        kind=MessageKind.REMINDER,
        direction=Direction.OUTBOUND,
        recipient=recipient,
        sender=sender,
        subject="Invoice INV-0001 is due" if channel == Channel.EMAIL else "",
        body_text="Hello, a friendly reminder.",
        status=status,
        provider_message_id=provider_message_id or f"prov-{next(_serial)}",
    )


def twilio_signature(params: Mapping[str, str], url: str = SITE_URL + SMS_WEBHOOK) -> str:
    return RequestValidator(TWILIO_TOKEN).compute_signature(url, dict(params))


def post_twilio(
    client: Client, params: Mapping[str, str], *, signature: str | None = None, **extra: str
) -> Any:
    """POST as Twilio does: form-encoded, signed over the public URL (unless told otherwise)."""
    sig = twilio_signature(params) if signature is None else signature
    headers = {"X-Twilio-Signature": sig} if sig else {}
    return client.post(SMS_WEBHOOK, dict(params), headers=headers, **extra)


def inbound_params(*, sid: str, body: str, to: str, sender: str = CUSTOMER_PHONE) -> dict[str, str]:
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def status_params(*, sid: str, status: str, error_code: str = "") -> dict[str, str]:
    params = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": CUSTOMER_PHONE,
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": A_NUMBER,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()

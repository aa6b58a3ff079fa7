"""SMS: the official Twilio client talking to a local HTTP server, the console and locmem
backends, and how long a text is."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from arhub.messaging import sms
from arhub.messaging.channels import PermanentSendError, SmsChannel, TransientSendError
from arhub.messaging.services import message_queue
from arhub.models import Channel, ConsentMethod, Message, MessageKind, SuppressionReason
from tests.messaging_factories import (
    MessagingContactFactory,
    MessagingCustomerFactory,
    SmsConsentFactory,
)

SID = "AC" + "1" * 32
TOKEN = "twilio-auth-token-for-tests"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    """Answers like Twilio's Messages endpoint and remembers what it was asked."""

    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 201
    reply: dict = field(default_factory=lambda: {"sid": "SM" + "f" * 32, "status": "queued"})


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    fake = FakeTwilio(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            fake.requests.append(
                Received("POST", self.path, dict(self.headers.items()), parse_qs(body))
            )
            payload = json.dumps(fake.reply).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_API_BASE_URL = fake.url
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.SITE_URL = "https://arhub.example"
    yield fake
    server.shutdown()
    server.server_close()


def queued_text(org, phone="+14155550123") -> Message:
    customer = MessagingCustomerFactory(organization=org, display_name="Bright Dental")
    contact = MessagingContactFactory(customer=customer, name="Maria", phone=phone)
    SmsConsentFactory(organization=org, phone=phone, method=ConsentMethod.OWNER_ATTESTED)
    message = message_queue(
        org=org,
        customer=customer,
        contact=contact,
        kind=MessageKind.REMINDER,
        channel=Channel.SMS,
        values={
            "invoice_number": "INV-0042",
            "amount_due": "£80.00",
            "due_date": "12 Mar 2026",
            "days_overdue": "0",
            "pay_link": "https://arhub.example/pay/abc/",
        },
    )
    assert message.status == "queued", message.status_reason
    return message


@pytest.mark.django_db
@pytest.mark.integration
def test_the_official_client_posts_the_text_to_twilio(tenant, twilio):
    tenant.org.sms_from_number = "+442071838750"
    tenant.org.save()
    message = queued_text(tenant.org)

    result = SmsChannel().send(message)

    assert result.provider_message_id == "SM" + "f" * 32
    (request,) = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.form["To"] == ["+14155550123"]
    assert request.form["From"] == ["+442071838750"]
    assert request.form["Body"] == [message.body_text]
    assert request.form["Body"][0].startswith("Acme Plumbing reminder: Hi Maria, invoice INV-0042")
    assert request.form["StatusCallback"] == ["https://arhub.example/webhooks/sms/"]
    assert set(request.form) == {"To", "From", "Body", "StatusCallback"}
    credentials = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.mark.django_db
@pytest.mark.integration
def test_the_deployments_number_is_the_sender_when_the_org_sets_none(tenant, twilio):
    SmsChannel().send(queued_text(tenant.org))
    assert twilio.requests[0].form["From"] == ["+15005550006"]


@pytest.mark.django_db
def test_no_sender_number_at_all_is_a_permanent_failure(tenant, twilio, settings):
    settings.TWILIO_FROM_NUMBER = ""
    with pytest.raises(PermanentSendError, match="No SMS sender number"):
        SmsChannel().send(queued_text(tenant.org))


def twilio_says(fake: FakeTwilio, status: int, code: int | None, message: str) -> None:
    fake.status = status
    fake.reply = {"code": code, "message": message, "more_info": "", "status": status}


@pytest.mark.django_db
@pytest.mark.integration
@pytest.mark.parametrize(
    ("status", "code", "suppress"),
    [
        (400, 21211, None),  # not a valid number
        (400, 21614, None),  # not a mobile
        (400, 21610, SuppressionReason.STOP_KEYWORD),  # replied STOP to the carrier
        (400, 21601, None),  # any other 4xx: the request itself is wrong
    ],
)
def test_twilio_refusals_no_retry_can_fix(tenant, twilio, status, code, suppress):
    twilio_says(twilio, status, code, "refused")
    with pytest.raises(PermanentSendError) as raised:
        SmsChannel().send(queued_text(tenant.org))
    assert raised.value.suppress == suppress
    assert f"error {code}" in raised.value.reason


@pytest.mark.django_db
@pytest.mark.integration
@pytest.mark.parametrize(
    ("status", "code"), [(500, None), (503, 20500), (429, 20429), (401, 20003)]
)
def test_twilio_trouble_that_passes(tenant, twilio, status, code):
    twilio_says(twilio, status, code, "try later")
    with pytest.raises(TransientSendError, match=f"Twilio {status}"):
        SmsChannel().send(queued_text(tenant.org))


@pytest.mark.django_db
@pytest.mark.integration
def test_twilio_out_of_reach_is_transient(tenant, twilio, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"  # nothing listens there
    with pytest.raises(TransientSendError, match="could not be reached"):
        SmsChannel().send(queued_text(tenant.org))


# ---- Development backends


@pytest.mark.django_db
def test_locmem_keeps_the_text(tenant, settings, sms_outbox):
    settings.SMS_BACKEND = "locmem"
    message = queued_text(tenant.org)
    result = SmsChannel().send(message)
    (sent,) = sms_outbox
    assert (sent.to, sent.body, sent.sid) == (
        "+14155550123",
        message.body_text,
        result.provider_message_id,
    )
    assert sent.status_callback.endswith("/webhooks/sms/")


@pytest.mark.django_db
def test_console_logs_the_text(tenant, settings, caplog):
    settings.SMS_BACKEND = "console"
    message = queued_text(tenant.org)
    with caplog.at_level(logging.INFO, logger="arhub.messaging.sms"):
        result = SmsChannel().send(message)
    assert result.provider_message_id.startswith("SMconsole")
    assert message.body_text in caplog.text and "+14155550123" in caplog.text


class RecordingBackend:
    sent: list[str] = []

    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        RecordingBackend.sent.append(to)
        return "own-1"


def test_a_backend_of_ones_own_by_dotted_path(settings):
    settings.SMS_BACKEND = f"{__name__}.RecordingBackend"
    backend = sms.sms_backend()
    assert backend.send(to="+1", body="x", from_number="+2", status_callback="") == "own-1"


# ---- Length


@pytest.mark.parametrize(
    ("text", "characters", "segments", "unicode"),
    [
        ("", 0, 1, False),
        ("a" * 160, 160, 1, False),
        ("a" * 161, 161, 2, False),
        ("a" * 306, 306, 2, False),
        ("a" * 307, 307, 3, False),
        ("€" * 80, 80, 1, False),  # extension characters count twice
        ("€" * 81, 81, 2, False),
        ("ñ¿¡ü" * 40, 160, 1, False),  # Spanish letters that fit the GSM alphabet
        ("á" + "a" * 69, 70, 1, True),  # one "á" and the whole text is UCS-2
        ("á" + "a" * 70, 71, 2, True),
        ("👍" * 35, 35, 1, True),  # an emoji takes two UTF-16 units
        ("👍" * 36, 36, 2, True),
    ],
)
def test_sms_length(text, characters, segments, unicode):
    assert sms.sms_length(text) == sms.SmsLength(characters, segments, unicode)


def test_typography_is_folded_into_the_sms_alphabet():
    text = sms.sms_plain("It\u2019s \u201cdue\u201d \u2013 1.250,00\xa0€\u2026")
    assert text == 'It\'s "due" - 1.250,00 €...'
    assert not sms.sms_length(text).unicode

"""The email channel: what it builds, what it hands any mail backend, how it reads failures;
and one real SMTP server (aiosmtpd) receiving an invoice with its PDF."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
import requests
from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from arhub.messaging.channels import (
    Attachment,
    EmailChannel,
    PermanentSendError,
    SmsChannel,
    TransientSendError,
    attachment_provider_register,
    attachment_provider_unregister,
    channel_for,
    email_error,
)
from arhub.messaging.services import message_queue
from arhub.messaging.unsubscribe import unsubscribe_target
from arhub.models import Channel, Message, MessageKind, SuppressionReason
from tests.messaging_factories import (
    MessageFactory,
    MessagingContactFactory,
    MessagingCustomerFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny invoice\n%%EOF\n"
INVOICE_VALUES = {
    "invoice_number": "INV-0042",
    "invoice_total": "£1,250.00",
    "amount_due": "£1,250.00",
    "due_date": "12 March 2026",
    "pay_link": "https://arhub.example/pay/abc/",
}


@pytest.fixture
def org(tenant):
    tenant.org.email_from_name = "Acme Plumbing Billing"
    tenant.org.email_reply_to = "accounts@acme.test"
    tenant.org.save()
    return tenant.org


@pytest.fixture
def invoice_pdf() -> Iterator[None]:
    def provider(message: Message) -> list[Attachment]:
        return [Attachment(f"invoice-{message.pk}.pdf", PDF, "application/pdf")]

    attachment_provider_register(kind=MessageKind.INVOICE, provider=provider)
    yield
    attachment_provider_unregister(kind=MessageKind.INVOICE, provider=provider)


def queued_invoice(org, email="maria@bright.test") -> Message:
    customer = MessagingCustomerFactory(organization=org, display_name="Bright Dental")
    contact = MessagingContactFactory(customer=customer, name="Maria", email=email)
    return message_queue(
        org=org,
        customer=customer,
        contact=contact,
        kind=MessageKind.INVOICE,
        channel=Channel.EMAIL,
        values=INVOICE_VALUES,
    )


def test_email_carries_sender_reply_to_unsubscribe_headers_and_both_parts(org, settings):
    settings.CUSTOMER_EMAIL_FROM = "billing@arhub.example"
    settings.SITE_URL = "https://arhub.example"
    message = queued_invoice(org)
    result = EmailChannel().send(message)

    (sent,) = mail.outbox
    assert sent.from_email == "Acme Plumbing Billing <billing@arhub.example>"
    assert sent.reply_to == ["accounts@acme.test"]
    assert sent.to == ["maria@bright.test"]
    assert sent.subject == "Invoice INV-0042 from Acme Plumbing"
    assert sent.body == message.body_text
    assert sent.alternatives[0][1] == "text/html"
    assert sent.alternatives[0][0] == message.body_html
    link = sent.extra_headers["List-Unsubscribe"]
    assert link.startswith("<https://arhub.example/u/") and link.endswith("/>")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link is signed for this organization and address only.
    target = unsubscribe_target(link[1:-1].rstrip("/").rsplit("/", 1)[1])
    assert target is not None
    assert (target.org_id, target.address) == (org.pk, "maria@bright.test")
    # Over SMTP-like backends the id we keep is the Message-ID we set.
    assert f"<{result.provider_message_id}>" == sent.extra_headers["Message-ID"]
    assert result.provider_message_id.endswith("@arhub.example")


def test_the_organization_name_is_the_sender_when_it_sets_none(tenant, settings):
    settings.CUSTOMER_EMAIL_FROM = "billing@arhub.example"
    message = queued_invoice(tenant.org)
    EmailChannel().send(message)
    assert mail.outbox[0].from_email == "Acme Plumbing <billing@arhub.example>"
    assert mail.outbox[0].reply_to == []


def test_a_sender_name_with_a_comma_is_quoted(tenant, settings):
    settings.CUSTOMER_EMAIL_FROM = "billing@arhub.example"
    tenant.org.email_from_name = "Smith, Jones & Co"
    tenant.org.save()
    EmailChannel().send(queued_invoice(tenant.org))
    assert mail.outbox[0].from_email == '"Smith, Jones & Co" <billing@arhub.example>'


def test_attachments_come_from_the_kinds_provider_at_send_time(org, invoice_pdf):
    message = queued_invoice(org)
    EmailChannel().send(message)
    assert mail.outbox[0].attachments == [(f"invoice-{message.pk}.pdf", PDF, "application/pdf")]


def test_other_kinds_get_no_attachment(org, invoice_pdf):
    message = MessageFactory(customer=MessagingCustomerFactory(organization=org), kind="reminder")
    EmailChannel().send(message)
    assert mail.outbox[0].attachments == []


def test_an_esps_message_id_is_kept(org, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    message = queued_invoice(org)
    mail.outbox = []
    result = EmailChannel().send(message)
    # anymail's test ESP numbers messages by their place in the outbox.
    assert result.provider_message_id == "0"
    assert mail.outbox[0].anymail_test_params["to"][0].addr_spec == "maria@bright.test"


# ---- Failures, as any backend reports them


def esp_error(status: int, reason: bytes) -> AnymailAPIError:
    response = requests.Response()
    response.status_code, response.reason = status, reason.decode()
    response._content = b'{"error": "from the ESP"}'
    return AnymailAPIError("ESP said no", status_code=status, response=response)


class RaisingBackend(BaseEmailBackend):
    error: Exception = RuntimeError("set by the test")

    def send_messages(self, email_messages):
        raise RaisingBackend.error


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RaisingBackend"

    def fail_with(error: Exception) -> Exception:
        RaisingBackend.error = error
        return error

    return fail_with


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPConnectError(554, b"not now"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPDataError(451, b"try again later"),
        smtplib.SMTPRecipientsRefused({"a@b.test": (450, b"mailbox busy")}),
        AnymailAPIError("ESP down"),  # no status: the ESP was not reached
        esp_error(429, b"Too Many Requests"),
        esp_error(503, b"Service Unavailable"),
    ],
    ids=repr,
)
def test_transient_failures(org, failing, error):
    failing(error)
    with pytest.raises(TransientSendError):
        EmailChannel().send(queued_invoice(org))


@pytest.mark.parametrize(
    ("error", "suppress"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"no such user")}), "bounce"),
        (smtplib.SMTPDataError(554, b"message refused"), None),
        (smtplib.SMTPSenderRefused(553, b"not allowed", "billing@x"), None),
        (AnymailRecipientsRefused("rejected"), "bounce"),
        (esp_error(400, b"Bad Request"), None),
        (AnymailInvalidAddress("nope"), None),
    ],
    ids=repr,
)
def test_permanent_failures(org, failing, error, suppress):
    failing(error)
    with pytest.raises(PermanentSendError) as raised:
        EmailChannel().send(queued_invoice(org))
    assert raised.value.suppress == suppress
    assert raised.value.reason


def test_the_reason_quotes_the_servers_reply():
    error = email_error(smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"5.1.1 no such user")}))
    assert isinstance(error, PermanentSendError)
    assert "a@b.test: 550 5.1.1 no such user" in error.reason
    assert error.suppress == SuppressionReason.HARD_BOUNCE


def test_a_bug_is_not_mistaken_for_a_delivery_failure(org, failing):
    failing(KeyError("a bug"))
    with pytest.raises(KeyError):
        EmailChannel().send(queued_invoice(org))


def test_channels_by_name():
    assert isinstance(channel_for(Channel.EMAIL), EmailChannel)
    assert isinstance(channel_for(Channel.SMS), SmsChannel)


# ---- A real SMTP server


@pytest.mark.integration
def test_an_invoice_arrives_over_smtp_with_headers_parts_and_pdf(org, smtp, settings, invoice_pdf):
    settings.CUSTOMER_EMAIL_FROM = "billing@arhub.example"
    settings.SITE_URL = "https://arhub.example"
    message = queued_invoice(org)
    result = EmailChannel().send(message)

    (received,) = smtp.messages
    assert smtp.envelopes == [("billing@arhub.example", ["maria@bright.test"])]
    assert received["From"] == "Acme Plumbing Billing <billing@arhub.example>"
    assert received["Reply-To"] == "accounts@acme.test"
    assert received["To"] == "maria@bright.test"
    assert received["Subject"] == "Invoice INV-0042 from Acme Plumbing"
    assert received["Message-ID"] == f"<{result.provider_message_id}>"
    # The long header arrives folded onto its own line; unfolded it is the link in brackets.
    unsubscribe = str(received["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://arhub.example/u/") and unsubscribe.endswith(">")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hi Maria," in text
    assert "invoice INV-0042 for £1,250.00, due on 12 March 2026" in text
    assert "https://arhub.example/pay/abc/" in text
    assert unsubscribe[1:-1] in text  # the footer's link is the header's link
    assert '<a href="https://arhub.example/pay/abc/">' in html
    assert "<p>Hi Maria,</p>" in html
    assert unsubscribe[1:-1] in html

    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == f"invoice-{message.pk}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF

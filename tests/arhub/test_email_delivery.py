"""Invitation and reset emails delivered over SMTP to a real server (aiosmtpd) on this machine."""

import re
from email.message import Message

import pytest
from django.test import Client

from arhub.models import Invitation
from tests.smtp_server import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def test_invitation_arrives_over_smtp_with_a_working_link(smtp, tenant):
    tenant.client().post("/settings/team/", {"email": "pat@example.test", "role": "billing"})
    (message,) = smtp.messages
    assert message["To"] == "pat@example.test"
    assert message.is_multipart()
    body = text_part(message)
    assert "as Billing" in body and tenant.org.name in body
    link = re.search(r"http://localhost:8000(/invite/\S+/)", body).group(1)
    assert "Join Acme Plumbing" in Client().get(link).content.decode()


def test_password_reset_arrives_over_smtp(smtp, tenant):
    Client().post("/password-reset/", {"email": tenant.user().email})
    (message,) = smtp.messages
    assert message["Subject"] == "Reset your AR Hub password"
    assert "/password-reset/" in text_part(message)


def test_unreachable_mail_server_keeps_the_invitation_and_says_so(settings, tenant):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    response = tenant.client().post(
        "/settings/team/", {"email": "pat@example.test", "role": "billing"}, follow=True
    )
    assert "could not be sent" in response.content.decode()
    assert Invitation.objects.filter(email="pat@example.test").exists()

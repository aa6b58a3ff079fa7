import re

import pytest
from django.core import mail

from arhub.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_login_with_email_and_logout(tenant):
    user = tenant.user()
    from django.test import Client

    client = Client()
    response = login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    event = AuditEvent.objects.get(action="auth.signed_in", organization=tenant.org)
    assert event.actor == user
    assert event.ip_address == "127.0.0.1"
    assert client.get("/logout/").status_code == 405  # logging out is a POST, never a link
    client.post("/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, tenant):
    response = login(client, tenant.user().email, "not-the-password")
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_lockout_is_keyed_on_the_username_and_ends(client, tenant, settings):
    import time_machine
    from django.utils import timezone

    email = tenant.user().email
    for n in range(settings.AXES_FAILURE_LIMIT):
        # Neither other addresses nor other spellings help an attacker: the account is counted.
        spelling = email.upper() if n % 2 else email
        client.post(
            "/login/", {"username": spelling, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n + 1}"
        )
    locked = login(client, email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Another account is not affected.
    other = UserFactory()
    assert login(client, other.email, PASSWORD).status_code == 302
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME * 1.1):
        assert login(client, email, PASSWORD).status_code == 302


def test_password_reset_by_email(client, tenant):
    user = tenant.user()
    response = client.post("/password-reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Reset your AR Hub password"
    link = re.search(r"http://localhost:8000(/password-reset/\S+/)", body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "new-lemon-garden-7", "new_password2": "new-lemon-garden-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-lemon-garden-7")


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post("/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []

"""Isolation sweep entries for the public messaging routes: the SMS webhook, anymail's email
webhooks and the unsubscribe link. None of them has a session to scope by: each is
authenticated by what it carries (Twilio's signature, the webhook secret, a signed link), so
each check forges or reuses that credential as org A would and proves B's rows do not move."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailImproperlyInstalled
from django.core import mail
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from arhub.messaging.consent import sms_consent_record
from arhub.messaging.unsubscribe import unsubscribe_token
from arhub.models import Channel, ConsentMethod, Message, MessageStatus, Organization
from tests.arhub.consent.helpers import (
    A_NUMBER,
    ANYMAIL_SECRET,
    B_NUMBER,
    CUSTOMER_PHONE,
    SITE_URL,
    SMS_WEBHOOK,
    TWILIO_TOKEN,
    basic_auth,
    inbound_params,
    make_customer,
    make_sent_message,
    status_params,
    twilio_signature,
)
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    b_snapshot,
    check_b_untouched,
    check_hidden,
    check_no_leak,
)

SHARED_EMAIL = "jo.shared@customer.test"

# ESPs whose webhook needs a client library this deployment does not install (boto3 for
# Amazon SES, svix for Resend): the view refuses before it reads the request.
NOT_INSTALLED = (AnymailImproperlyInstalled,)

# Enough of each ESP's own secrets for its view to start and check the request.
ANYMAIL_SETTINGS = {
    "WEBHOOK_SECRET": ANYMAIL_SECRET,
    "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    "POSTAL_WEBHOOK_KEY": "postal-key",
    "MANDRILL_WEBHOOK_KEY": "mandrill-key",
    "MAILERSEND_SIGNING_SECRET": "mailersend-secret",
    "MAILERSEND_INBOUND_SECRET": "mailersend-secret",
    "MAILTRAP_SIGNING_SECRET": "mailtrap-secret",
    "MAILTRAP_API_TOKEN": "mailtrap-token",
    "UNISENDER_GO_API_KEY": "unisender-key",
    "BREVO_API_KEY": "brevo-key",
    "SENDINBLUE_API_KEY": "brevo-key",
    "RESEND_API_KEY": "resend-key",
}


def checked(world: World, where: str, client: Client, method: str, url: str, **kwargs: Any) -> Any:
    """One request with the checks every sweep request gets: no server error, nothing of B's
    shown, changed or mailed. ``kwargs`` go to the test client (data, headers, ...)."""
    before, outbox_from = b_snapshot(world), len(mail.outbox)
    response: HttpResponseBase = getattr(client, method.lower())(url, **kwargs)
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    check_no_leak(response, world.b_markers(), where)
    check_b_untouched(world, before, outbox_from, where)
    return response


def clients(world: World) -> list[tuple[str, Callable[[], Client]]]:
    return [("anonymous", Client), ("A's owner", world.a.client)]


def texted_customers(world: World) -> Message:
    """The same person is a customer of both organizations, with consent to text in each;
    B has texted them. Returns B's sent text."""
    for tenant, number in ((world.a, A_NUMBER), (world.b, B_NUMBER)):
        Organization.objects.filter(pk=tenant.org.pk).update(sms_from_number=number)
        tenant.org.refresh_from_db()
        customer, _ = make_customer(
            tenant.org, name=f"{tenant.org.name} texter", email=SHARED_EMAIL, phone=CUSTOMER_PHONE
        )
        sms_consent_record(
            org=tenant.org,
            phone=CUSTOMER_PHONE,
            method=ConsentMethod.OWNER_ATTESTED,
            customer_id=customer.pk,
            recorded_by=tenant.owner.user,
        )
    return make_sent_message(
        world.b.org,
        channel=Channel.SMS,
        recipient=CUSTOMER_PHONE,
        sender=B_NUMBER,
        provider_message_id="SMzenith1",
    )


# ---- /webhooks/sms/


def sweep_sms_webhook(world: World, found: FoundRoute, route: Route) -> None:
    url = reverse(found.name or "")
    assert url == SMS_WEBHOOK
    with override_settings(TWILIO_AUTH_TOKEN=TWILIO_TOKEN, SITE_URL=SITE_URL, SMS_BACKEND="locmem"):
        b_text = texted_customers(world)
        attacks = {
            "STOP to B's number": inbound_params(sid="SMforged1", body="STOP", to=B_NUMBER),
            "B's text reported failed (21610)": status_params(
                sid=b_text.provider_message_id, status="failed", error_code="21610"
            ),
        }
        for what, params in attacks.items():
            for who, make_client in clients(world):
                for signature in ("", "Zm9yZ2VkIHNpZ25hdHVyZQ==", twilio_signature({"x": "y"})):
                    where = f"POST {url} ({what}, forged signature {signature!r}) as {who}"
                    headers = {"X-Twilio-Signature": signature} if signature else {}
                    response = checked(
                        world, where, make_client(), "POST", url, data=params, headers=headers
                    )
                    assert response.status_code == 403, f"{where}: {response.status_code}"
            checked(world, f"GET {url}", Client(), "GET", url)

        # Control: Twilio's own signature on a STOP to A's number reaches the view and changes
        # A, not B (the same person, the same phone, texting the other business).
        params = inbound_params(sid="SMreal1", body="STOP", to=A_NUMBER)
        response = checked(
            world,
            f"POST {url} (signed STOP to A's number)",
            Client(),
            "POST",
            url,
            data=params,
            headers={"X-Twilio-Signature": twilio_signature(params)},
        )
        assert response.status_code == 200
        assert world.a.org.pk in set(
            Message.objects.filter(provider_message_id="SMreal1").values_list(
                "organization_id", flat=True
            )
        ), "control: a signed STOP to A's number did not reach A"


# ---- /webhooks/email/<esp>/...


def forged_email_events(b_message: Message) -> list[tuple[str, str, str]]:
    """(what, body, content type): a bounce of B's message as several ESPs would word it."""
    postmark = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": b_message.provider_message_id,
        "Email": b_message.recipient,
        "BouncedAt": "2026-11-20T16:33:54Z",
        "Details": "smtp;550 5.1.1 no such user",
        # Unisender Go signs inside the body; its view crashes on a body without this field.
        "auth": "0" * 32,
    }
    sendgrid = [
        {
            "event": "bounce",
            "email": b_message.recipient,
            "sg_message_id": b_message.provider_message_id,
            "timestamp": 1700000000,
        }
    ]
    return [
        ("Postmark-style bounce", json.dumps(postmark), "application/json"),
        ("SendGrid-style bounce", json.dumps(sendgrid), "application/json"),
        (
            "form-encoded bounce",
            f"event=bounced&recipient={b_message.recipient}&message-id={b_message.provider_message_id}",
            "application/x-www-form-urlencoded",
        ),
    ]


def sweep_anymail_webhook(world: World, found: FoundRoute, route: Route) -> None:
    url = reverse(found.name or "", args=["_mime"] if "(" in found.pattern else [])
    b_customer, _ = make_customer(world.b.org, name="Zenith mailer", email=SHARED_EMAIL)
    b_message = make_sent_message(
        world.b.org,
        channel=Channel.EMAIL,
        recipient=SHARED_EMAIL,
        customer=b_customer,
        provider_message_id="zenith-esp-id-1",
    )
    with override_settings(ANYMAIL=ANYMAIL_SETTINGS):
        for who, make_client in clients(world):
            for auth in (None, "anymail-user:guessed"):
                for what, body, content_type in forged_email_events(b_message):
                    if "unisender_go" in url and not body.startswith("{"):
                        # Its view answers a body that is not a JSON object with a 500 (in
                        # anymail, before anything is read); only the shape it expects can
                        # test its authentication.
                        continue
                    headers = {"Authorization": basic_auth(auth)} if auth else {}
                    where = f"POST {url} ({what}, auth {auth!r}) as {who}"
                    try:
                        response = checked(
                            world,
                            where,
                            make_client(),
                            "POST",
                            url,
                            data=body,
                            content_type=content_type,
                            headers=headers,
                        )
                    except NOT_INSTALLED:
                        continue  # refused before reading anything; B checked below
                    assert response.status_code in (400, 403), f"{where}: {response.status_code}"
        b_message.refresh_from_db()
        assert b_message.status == MessageStatus.SENT, (
            f"{url}: B's message became {b_message.status}"
        )

        if found.name == "anymail:postmark_tracking_webhook":
            # Control: with the deployment's secret the same view does apply a bounce, to A's
            # own message, so the refusals above are the authentication.
            from arhub.messaging import tracking  # noqa: F401 - connects the receiver

            a_message = make_sent_message(
                world.a.org,
                channel=Channel.EMAIL,
                recipient="jo.a@customer.test",
                provider_message_id="acme-esp-id-1",
            )
            body = json.dumps(
                {
                    "RecordType": "Bounce",
                    "Type": "HardBounce",
                    "MessageID": a_message.provider_message_id,
                    "Email": a_message.recipient,
                }
            )
            response = checked(
                world,
                f"POST {url} (A's bounce, right secret)",
                Client(),
                "POST",
                url,
                data=body,
                content_type="application/json",
                headers={"Authorization": basic_auth(ANYMAIL_SECRET)},
            )
            assert response.status_code == 200
            a_message.refresh_from_db()
            assert a_message.status == MessageStatus.BOUNCED, "control: A's bounce not applied"


# ---- /u/<token>/


def sweep_unsubscribe(world: World, found: FoundRoute, route: Route) -> None:
    make_customer(world.a.org, name="Acme payer", email=SHARED_EMAIL)
    make_customer(world.b.org, name="Zenith payer", email=SHARED_EMAIL)
    b_token = unsubscribe_token(org=world.b.org, address=SHARED_EMAIL)
    a_token = unsubscribe_token(org=world.a.org, address=SHARED_EMAIL)
    one_click = {"List-Unsubscribe": "One-Click"}
    save_all_off = {"form": "preferences"}

    # Links that are not ours (tampered, truncated, made up): 404, nothing shown or changed.
    for bad in (b_token[:-4] + "AAAA", b_token[:20], "made-up-token"):
        bad_url = reverse(found.name or "", kwargs={"token": bad})
        for who, make_client in clients(world):
            for method, data in (("GET", None), ("POST", one_click), ("POST", save_all_off)):
                where = f"{method} {bad_url} as {who}"
                response = checked(world, where, make_client(), method, bad_url, data=data)
                check_hidden(response, where)

    # A's own link for the same address, used every way, changes A only.
    a_url = reverse(found.name or "", kwargs={"token": a_token})
    for who, make_client in clients(world):
        for method, data in (("GET", None), ("POST", one_click), ("POST", save_all_off)):
            where = f"{method} {a_url} as {who}"
            response = checked(world, where, make_client(), method, a_url, data=data)
            assert response.status_code == 200, f"control: {method} {a_url}: {response}"

    # B's link in A's owner's hands: the link is the key, so the page may name B, but opening
    # it changes nothing and it can never reach A's preferences.
    b_url = reverse(found.name or "", kwargs={"token": b_token})
    before, outbox_from = b_snapshot(world), len(mail.outbox)
    response = world.a.client().get(b_url)
    assert response.status_code == 200
    check_b_untouched(world, before, outbox_from, f"GET {b_url} as A's owner")


ROUTES: dict[str, Route] = {
    "webhook_sms": Route("custom", custom=sweep_sms_webhook),
    "unsubscribe": Route("custom", custom=sweep_unsubscribe),
    **{
        f"anymail:{pattern.name}": Route("custom", custom=sweep_anymail_webhook)
        for pattern in anymail_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name
    },
}

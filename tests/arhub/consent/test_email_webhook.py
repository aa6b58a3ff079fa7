"""/webhooks/email/: anymail's tracking webhooks (Postmark's here, as a real ESP payload) update
the message log and suppress addresses that bounce, complain or unsubscribe."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anymail.signals import AnymailTrackingEvent
from django.test import Client

from arhub.messaging.consent import suppression_active
from arhub.messaging.tracking import message_tracking_apply
from arhub.models import (
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from tests.arhub.consent.helpers import ANYMAIL_SECRET, basic_auth, make_customer, make_sent_message
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

POSTMARK_TRACKING = "/webhooks/email/postmark/tracking/"
ADDRESS = "Jo.Payer@customer.test"
MESSAGE_ID = "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture
def sent_email(tenant: Tenant, other_tenant: Tenant, settings: Any) -> Message:
    settings.ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_SECRET}
    customer, _ = make_customer(tenant.org, name="Jo Payer", email=ADDRESS)
    # The same person is also a customer of the other organization.
    make_customer(other_tenant.org, name="Jo Payer", email=ADDRESS)
    return make_sent_message(
        tenant.org,
        channel=Channel.EMAIL,
        recipient=ADDRESS.lower(),
        customer=customer,
        provider_message_id=MESSAGE_ID,
    )


def hard_bounce() -> dict[str, Any]:
    # As Postmark documents its bounce webhook.
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "reminder",
        "MessageID": MESSAGE_ID,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": ADDRESS,
        "From": "billing@acme.test",
        "BouncedAt": "2026-11-20T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Invoice INV-0001 is due",
        "Content": "",
    }


def post(client: Client, payload: dict[str, Any], auth: str | None = ANYMAIL_SECRET) -> Any:
    headers = {"Authorization": basic_auth(auth)} if auth else {}
    return client.post(
        POSTMARK_TRACKING, json.dumps(payload), content_type="application/json", headers=headers
    )


def test_hard_bounce_marks_the_message_and_suppresses_the_address_in_its_org(
    sent_email: Message, client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    assert post(client, hard_bounce()).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.BOUNCED
    assert "does not exist" in sent_email.status_reason

    for kind in (MessageKind.INVOICE, MessageKind.REMINDER, MessageKind.RECEIPT):
        suppression = suppression_active(
            org=tenant.org, channel=Channel.EMAIL, address=ADDRESS, kind=kind
        )
        assert suppression is not None
    assert (suppression.scope, suppression.reason, suppression.message_id) == (
        SuppressionScope.ALL,
        SuppressionReason.HARD_BOUNCE,
        sent_email.pk,
    )
    assert suppression.address == ADDRESS.lower()
    # The other organization has not sent this message; its mail to Jo is its own business.
    assert not Suppression.objects.filter(organization=other_tenant.org).exists()


def test_a_repeated_bounce_changes_nothing_more(sent_email: Message, client: Client) -> None:
    post(client, hard_bounce())
    post(client, hard_bounce())
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("auth", [None, "anymail-user:wrong", "someone:else"])
def test_wrong_or_missing_basic_auth_is_refused_and_changes_nothing(
    sent_email: Message, client: Client, auth: str | None
) -> None:
    response = post(client, hard_bounce(), auth=auth)
    assert response.status_code == 400  # anymail's SuspiciousOperation
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.SENT
    assert not Suppression.objects.exists()


def test_delivery_marks_the_message_delivered(sent_email: Message, client: Client) -> None:
    payload = {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": MESSAGE_ID,
        "Recipient": ADDRESS,
        "Tag": "reminder",
        "DeliveredAt": "2026-11-20T16:33:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }
    assert post(client, payload).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.DELIVERED
    assert sent_email.delivered_at is not None
    assert sent_email.delivered_at.isoformat().startswith("2026-11-20T16:33:54")
    assert not Suppression.objects.exists()

    # A bounce that arrives after delivery still counts (mailboxes bounce late).
    post(client, hard_bounce())
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.BOUNCED


def test_a_spam_complaint_suppresses_everything(
    sent_email: Message, client: Client, tenant: Tenant
) -> None:
    payload = {
        **hard_bounce(),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
    }
    post(client, payload)
    suppression = Suppression.objects.get(organization=tenant.org)
    assert (suppression.scope, suppression.reason) == (
        SuppressionScope.ALL,
        SuppressionReason.COMPLAINT,
    )
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.SENT  # it was delivered; the complaint came after


def test_an_unsubscribe_at_the_esp_stops_reminders_only(
    sent_email: Message, client: Client, tenant: Tenant
) -> None:
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": MESSAGE_ID,
        "ServerID": 23,
        "MessageStream": "outbound",
        "ChangedAt": "2026-11-20T10:53:34.416071Z",
        "Recipient": ADDRESS,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "reminder",
        "Metadata": {},
    }
    post(client, payload)
    suppression = Suppression.objects.get(organization=tenant.org)
    assert (suppression.scope, suppression.reason) == (
        SuppressionScope.REMINDERS,
        SuppressionReason.UNSUBSCRIBED,
    )
    assert not suppression_active(
        org=tenant.org, channel=Channel.EMAIL, address=ADDRESS, kind=MessageKind.INVOICE
    )


def test_a_soft_bounce_suppresses_nothing(sent_email: Message, client: Client) -> None:
    post(client, {**hard_bounce(), "Type": "SoftBounce", "TypeCode": 4096, "Inactive": False})
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.SENT
    assert not Suppression.objects.exists()


def test_an_event_for_mail_we_did_not_log_is_ignored(sent_email: Message, client: Client) -> None:
    response = post(client, {**hard_bounce(), "MessageID": "not-one-of-ours"})
    assert response.status_code == 200
    assert not Suppression.objects.exists()


# ---- the service, for what Postmark's payloads above do not reach


def event(**kwargs: Any) -> AnymailTrackingEvent:
    return AnymailTrackingEvent(message_id=MESSAGE_ID, recipient=ADDRESS, **kwargs)


@pytest.mark.parametrize(
    ("reject_reason", "suppressed_as"),
    [
        ("invalid", SuppressionReason.HARD_BOUNCE),
        ("bounced", SuppressionReason.HARD_BOUNCE),
        ("spam", SuppressionReason.COMPLAINT),
        ("unsubscribed", SuppressionReason.UNSUBSCRIBED),
        ("blocked", None),  # often our own sending policy, not the address
        ("other", None),
    ],
)
def test_a_rejection_suppresses_only_for_reasons_about_the_address(
    sent_email: Message, reject_reason: str, suppressed_as: str | None
) -> None:
    message_tracking_apply(event=event(event_type="rejected", reject_reason=reject_reason))
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.FAILED
    suppression = Suppression.objects.first()
    assert (suppression.reason if suppression else None) == suppressed_as


def test_sent_does_not_undo_delivered(sent_email: Message) -> None:
    message_tracking_apply(event=event(event_type="delivered"))
    message_tracking_apply(event=event(event_type="sent"))
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.DELIVERED


def test_opens_and_clicks_change_nothing(sent_email: Message) -> None:
    for kind in ("opened", "clicked", "deferred", "queued", "unknown"):
        assert message_tracking_apply(event=event(event_type=kind)) == sent_email
    sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.SENT
    assert not Suppression.objects.exists()


def test_an_event_without_a_message_id_is_ignored(sent_email: Message) -> None:
    assert message_tracking_apply(event=AnymailTrackingEvent(event_type="bounced")) is None

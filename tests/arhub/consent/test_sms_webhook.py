"""/webhooks/sms/: Twilio's signature, inbound STOP/START/HELP per organization, delivery
status callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from arhub.messaging import sms
from arhub.messaging.consent import sms_consent_active, sms_consent_record, suppression_active
from arhub.models import (
    Channel,
    ConsentMethod,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from tests.arhub.consent.helpers import (
    A_NUMBER,
    B_NUMBER,
    CUSTOMER_PHONE,
    SHARED_NUMBER,
    SITE_URL,
    SMS_WEBHOOK,
    inbound_params,
    make_customer,
    make_sent_message,
    post_twilio,
    status_params,
    twilio_signature,
)
from tests.conftest import Tenant
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

Outbox = list[sms.SmsOutgoing]


@pytest.fixture
def two_orgs(tenant: Tenant, other_tenant: Tenant, sms_outbox: Outbox) -> tuple[Tenant, Tenant]:
    """Two organizations, each with its own number and a customer with the same phone (one
    person buying from both businesses)."""
    tenant.org.sms_from_number = A_NUMBER
    tenant.org.email_reply_to = "accounts@acme.test"
    tenant.org.save()
    other_tenant.org.sms_from_number = B_NUMBER
    other_tenant.org.save()
    for t in (tenant, other_tenant):
        customer, _ = make_customer(t.org, name=f"{t.org.name} customer", phone=CUSTOMER_PHONE)
        sms_consent_record(
            org=t.org,
            phone=CUSTOMER_PHONE,
            method=ConsentMethod.OWNER_ATTESTED,
            customer_id=customer.pk,
            recorded_by=t.owner.user,
        )
    return tenant, other_tenant


def send(client: Client, params: dict[str, str], capture: Callable[..., Any]) -> Any:
    # Replies go out when the webhook's transaction commits; the test transaction never does.
    with capture(execute=True):
        return post_twilio(client, params)


def stop_suppression(org: Any) -> Suppression | None:
    return suppression_active(
        org=org, channel=Channel.SMS, address=CUSTOMER_PHONE, kind=MessageKind.REMINDER
    )


# ---- the signature


def test_valid_signature_is_accepted(two_orgs: Any, client: Client) -> None:
    response = post_twilio(client, inbound_params(sid="SM1", body="hello", to=A_NUMBER))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        "bm90IGEgc2lnbmF0dXJl",  # made up
        # Signed with the right token over someone else's body.
        twilio_signature(inbound_params(sid="SM1", body="hello", to=A_NUMBER)),
    ],
)
def test_forged_or_missing_signature_is_refused_and_changes_nothing(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    signature: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    before = (Message.objects.count(), Suppression.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_twilio(
            client, inbound_params(sid="SM1", body="STOP", to=A_NUMBER), signature=signature
        )
    assert response.status_code == 403
    assert (Message.objects.count(), Suppression.objects.count()) == before
    assert sms_consent_active(org=a.org, phone=CUSTOMER_PHONE)
    assert sms.outbox == []


def test_signature_with_the_wrong_token_is_refused(two_orgs: Any, client: Client) -> None:
    from twilio.request_validator import RequestValidator

    params = inbound_params(sid="SM1", body="STOP", to=A_NUMBER)
    forged = RequestValidator("guessed-token").compute_signature(SITE_URL + SMS_WEBHOOK, params)
    assert post_twilio(client, params, signature=forged).status_code == 403
    assert not Suppression.objects.exists()


def test_without_an_auth_token_every_request_is_refused(
    two_orgs: Any, client: Client, settings: Any
) -> None:
    from twilio.request_validator import RequestValidator

    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound_params(sid="SM1", body="STOP", to=A_NUMBER)
    # An HMAC under the empty key is something anyone can compute.
    empty_key = RequestValidator("").compute_signature(SITE_URL + SMS_WEBHOOK, params)
    assert post_twilio(client, params, signature=empty_key).status_code == 403
    assert not Suppression.objects.exists()


def test_signature_is_checked_against_the_public_url_not_the_proxy_host(
    two_orgs: Any, client: Client
) -> None:
    params = inbound_params(sid="SM1", body="hello", to=A_NUMBER)
    # Behind the proxy the request arrives for an internal host; Twilio signed the public URL.
    response = post_twilio(client, params, HTTP_HOST="localhost")
    assert response.status_code == 200
    # A signature over the internal URL is not Twilio's.
    internal = twilio_signature(params, url="http://localhost" + SMS_WEBHOOK)
    assert post_twilio(client, params, signature=internal).status_code == 403


def test_get_is_not_allowed(client: Client, sms_outbox: Outbox) -> None:
    assert client.get(SMS_WEBHOOK).status_code == 405


# ---- STOP, START, HELP


def test_stop_suppresses_the_number_in_that_organization_only(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, b = two_orgs
    response = send(
        client,
        inbound_params(sid="SMstop1", body="  Stop.", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200

    # A later send to this number in A finds the STOP; B still may text.
    suppression = stop_suppression(a.org)
    assert suppression is not None
    assert (suppression.scope, suppression.reason) == (
        SuppressionScope.ALL,
        SuppressionReason.STOP_KEYWORD,
    )
    assert suppression_active(
        org=a.org, channel=Channel.SMS, address=CUSTOMER_PHONE, kind=MessageKind.INVOICE
    )
    assert not sms_consent_active(org=a.org, phone=CUSTOMER_PHONE)
    assert stop_suppression(b.org) is None
    assert sms_consent_active(org=b.org, phone=CUSTOMER_PHONE)

    # The text is on A's customer's timeline, and only there.
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert inbound.organization_id == a.org.pk
    assert inbound.customer is not None and inbound.customer.organization_id == a.org.pk
    assert (inbound.status, inbound.body_text, inbound.sender, inbound.recipient) == (
        MessageStatus.RECEIVED,
        "  Stop.",
        CUSTOMER_PHONE,
        A_NUMBER,
    )
    assert suppression.message_id == inbound.pk

    # One confirmation, from the number the customer texted, logged and sent.
    assert len(sms.outbox) == 1
    text = sms.outbox[0]
    assert (text.to, text.from_number) == (CUSTOMER_PHONE, A_NUMBER)
    assert text.body == (
        "You're unsubscribed from Acme Plumbing messages. Reply START to resubscribe."
    )
    reply = Message.objects.get(direction=Direction.OUTBOUND, organization=a.org)
    assert (reply.kind, reply.status, reply.provider_message_id, reply.customer_id) == (
        MessageKind.OTHER,
        MessageStatus.SENT,
        text.sid,
        inbound.customer_id,
    )
    assert not Message.objects.filter(organization=b.org).exists()


def test_a_second_stop_gets_no_second_confirmation(
    two_orgs: Any, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    send(
        client,
        inbound_params(sid="SM1", body="STOP", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    send(
        client,
        inbound_params(sid="SM2", body="stop!!", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert len(sms.outbox) == 1
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 2


def test_repeated_message_sid_is_processed_once(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    params = inbound_params(sid="SMdup", body="HELP", to=A_NUMBER)
    for _ in range(3):
        assert send(client, params, django_capture_on_commit_callbacks).status_code == 200
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1
    assert len(sms.outbox) == 1


def test_start_after_stop_texts_again(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    send(
        client,
        inbound_params(sid="SM1", body="STOP", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert stop_suppression(a.org) is not None

    send(
        client,
        inbound_params(sid="SM2", body="Start", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert stop_suppression(a.org) is None
    assert sms_consent_active(org=a.org, phone=CUSTOMER_PHONE)
    consent = SmsConsent.objects.get(organization=a.org, revoked_at__isnull=True)
    assert consent.method == ConsentMethod.KEYWORD
    assert consent.customer is not None and consent.customer.organization_id == a.org.pk
    assert [t.body for t in sms.outbox][-1] == (
        "You're resubscribed to Acme Plumbing messages. Reply HELP for help, STOP to unsubscribe."
    )


def test_start_does_not_lift_a_bounce(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    Suppression.objects.create(
        organization=a.org,
        channel=Channel.SMS,
        address=CUSTOMER_PHONE,
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.OWNER,
    )
    send(
        client,
        inbound_params(sid="SM2", body="START", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert Suppression.objects.filter(organization=a.org, reason=SuppressionReason.OWNER).exists()


def test_help_answers_with_the_organizations_name_and_contact(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, b = two_orgs
    b.org.address_line1 = "1 Oven Lane"
    b.org.city = "Leeds"
    b.org.save()
    send(
        client,
        inbound_params(sid="SM1", body="help", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    send(
        client,
        inbound_params(sid="SM2", body="INFO", to=B_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert [(t.from_number, t.body) for t in sms.outbox] == [
        (
            A_NUMBER,
            "Acme Plumbing billing messages. Contact us at accounts@acme.test. "
            "Reply STOP to unsubscribe.",
        ),
        (
            B_NUMBER,
            "Zenith Bakery billing messages. Contact us at 1 Oven Lane, Leeds. "
            "Reply STOP to unsubscribe.",
        ),
    ]
    # HELP changes no consent.
    assert sms_consent_active(org=a.org, phone=CUSTOMER_PHONE)
    assert not Suppression.objects.exists()


def test_an_ordinary_reply_is_logged_without_an_answer(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    send(
        client,
        inbound_params(sid="SM1", body="Paid it this morning, thanks!", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    inbound = Message.objects.get()
    assert (inbound.organization_id, inbound.direction) == (a.org.pk, Direction.INBOUND)
    assert sms.outbox == []
    assert not Suppression.objects.exists()


def test_a_text_from_an_unknown_number_is_logged_without_a_customer(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    send(
        client,
        inbound_params(sid="SM1", body="STOP", to=A_NUMBER, sender="+14155550102"),
        django_capture_on_commit_callbacks,
    )
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert inbound.customer_id is None
    assert suppression_active(
        org=a.org, channel=Channel.SMS, address="+14155550102", kind=MessageKind.REMINDER
    )
    assert stop_suppression(a.org) is None


def test_keyword_replies_can_be_left_to_twilio(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, _ = two_orgs
    settings.SMS_KEYWORD_REPLIES = False
    send(
        client,
        inbound_params(sid="SM1", body="STOP", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert stop_suppression(a.org) is not None
    assert sms.outbox == []
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_failed_confirmation_is_recorded(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.SMS_BACKEND = "tests.arhub.consent.test_sms_webhook.RefusingBackend"
    send(
        client,
        inbound_params(sid="SM1", body="STOP", to=A_NUMBER),
        django_capture_on_commit_callbacks,
    )
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert reply.status == MessageStatus.FAILED
    assert "recipient replied STOP" in reply.status_reason


class RefusingBackend:
    def send(self, *, to: str, body: str, from_number: str, status_callback: str) -> str:
        raise sms.SmsError("The recipient replied STOP to this sender.", transient=False)


# ---- the deployment's shared number


def test_stop_to_the_shared_number_reaches_every_org_that_texted_from_it(
    two_orgs: tuple[Tenant, Tenant],
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    a, b = two_orgs
    bystander = OrganizationFactory(name="Never Texted Ltd")
    for t in (a, b):
        make_sent_message(
            t.org, channel=Channel.SMS, recipient=CUSTOMER_PHONE, sender=SHARED_NUMBER
        )
    # Another customer of the bystander's, texted from the shared number.
    make_sent_message(bystander, channel=Channel.SMS, recipient="+14155550102", sender="")

    send(
        client,
        inbound_params(sid="SMshared", body="STOP", to=SHARED_NUMBER),
        django_capture_on_commit_callbacks,
    )
    assert stop_suppression(a.org) is not None
    assert stop_suppression(b.org) is not None
    assert not Suppression.objects.filter(organization=bystander).exists()
    assert not Message.objects.filter(organization=bystander, direction=Direction.INBOUND).exists()
    # One confirmation per organization, each naming it, all from the shared number.
    assert sorted((t.from_number, t.body) for t in sms.outbox) == [
        (
            SHARED_NUMBER,
            "You're unsubscribed from Acme Plumbing messages. Reply START to resubscribe.",
        ),
        (
            SHARED_NUMBER,
            "You're unsubscribed from Zenith Bakery messages. Reply START to resubscribe.",
        ),
    ]


def test_a_text_to_a_number_nobody_uses_changes_nothing(
    two_orgs: Any, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    response = send(
        client,
        inbound_params(sid="SM1", body="STOP", to="+14155550102"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert not Message.objects.exists()
    assert not Suppression.objects.exists()


# ---- delivery status callbacks


@pytest.fixture
def sent_text(two_orgs: tuple[Tenant, Tenant]) -> Message:
    a, _ = two_orgs
    return make_sent_message(
        a.org,
        channel=Channel.SMS,
        recipient=CUSTOMER_PHONE,
        sender=A_NUMBER,
        provider_message_id="SMout1",
        status=MessageStatus.QUEUED,
    )


def test_status_callbacks_move_the_message_forward_only(sent_text: Message, client: Client) -> None:
    assert post_twilio(client, status_params(sid="SMout1", status="sent")).status_code == 200
    sent_text.refresh_from_db()
    assert sent_text.status == MessageStatus.SENT
    assert sent_text.sent_at is not None

    post_twilio(client, status_params(sid="SMout1", status="delivered"))
    sent_text.refresh_from_db()
    assert sent_text.status == MessageStatus.DELIVERED
    assert sent_text.delivered_at is not None
    delivered_at = sent_text.delivered_at

    # A late or repeated report does not move it back.
    post_twilio(client, status_params(sid="SMout1", status="sent"))
    post_twilio(client, status_params(sid="SMout1", status="delivered"))
    sent_text.refresh_from_db()
    assert (sent_text.status, sent_text.delivered_at) == (MessageStatus.DELIVERED, delivered_at)


def test_undelivered_with_a_temporary_error_fails_without_suppressing(
    sent_text: Message, client: Client
) -> None:
    post_twilio(client, status_params(sid="SMout1", status="undelivered", error_code="30003"))
    sent_text.refresh_from_db()
    assert sent_text.status == MessageStatus.FAILED
    assert sent_text.status_reason == "Twilio error 30003: Unreachable handset"
    assert not Suppression.objects.exists()


def test_error_21610_means_the_customer_said_stop(
    sent_text: Message, client: Client, two_orgs: tuple[Tenant, Tenant]
) -> None:
    a, b = two_orgs
    post_twilio(client, status_params(sid="SMout1", status="failed", error_code="21610"))
    sent_text.refresh_from_db()
    assert sent_text.status == MessageStatus.FAILED
    assert "21610" in sent_text.status_reason
    suppression = stop_suppression(a.org)
    assert suppression is not None
    assert (suppression.reason, suppression.message_id) == (
        SuppressionReason.STOP_KEYWORD,
        sent_text.pk,
    )
    assert not sms_consent_active(org=a.org, phone=CUSTOMER_PHONE)
    assert stop_suppression(b.org) is None


def test_a_landline_is_suppressed_as_undeliverable(sent_text: Message, client: Client) -> None:
    post_twilio(client, status_params(sid="SMout1", status="undelivered", error_code="30006"))
    suppression = Suppression.objects.get()
    assert (suppression.scope, suppression.reason) == (
        SuppressionScope.ALL,
        SuppressionReason.HARD_BOUNCE,
    )


def test_a_status_for_an_unknown_message_is_ignored(sent_text: Message, client: Client) -> None:
    response = post_twilio(client, status_params(sid="SMnobody", status="delivered"))
    assert response.status_code == 200
    sent_text.refresh_from_db()
    assert sent_text.status == MessageStatus.QUEUED


def test_a_request_without_a_message_sid_is_a_bad_request(two_orgs: Any, client: Client) -> None:
    assert post_twilio(client, {"Body": "STOP", "To": A_NUMBER}).status_code == 400

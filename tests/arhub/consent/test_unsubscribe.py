"""/u/<token>/: the preference page (GET changes nothing), saving it (POST), RFC 8058 one-click
without cookies, and links that are not ours."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arhub.messaging.consent import sms_consent_record, suppression_active
from arhub.messaging.unsubscribe import unsubscribe_token, unsubscribe_url
from arhub.models import (
    Channel,
    ConsentMethod,
    MessageKind,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from tests.arhub.consent.helpers import CUSTOMER_PHONE, make_customer
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

ADDRESS = "jo.payer@customer.test"


def url(token: str) -> str:
    return f"/u/{token}/"


@pytest.fixture
def link(tenant: Tenant, other_tenant: Tenant) -> str:
    """A's link for Jo, who is a customer of both organizations."""
    tenant.org.email_reply_to = "accounts@acme.test"
    tenant.org.save()
    make_customer(tenant.org, name="Jo Payer", email=ADDRESS, phone=CUSTOMER_PHONE)
    make_customer(other_tenant.org, name="Jo Payer", email=ADDRESS, phone=CUSTOMER_PHONE)
    return url(unsubscribe_token(org=tenant.org, address=ADDRESS))


def suppressed(org: Any, kind: str, channel: str = Channel.EMAIL, address: str = ADDRESS) -> bool:
    return suppression_active(org=org, channel=channel, address=address, kind=kind) is not None


def save(client: Client, link: str, *receive: str) -> Any:
    return client.post(link, {"form": "preferences", "receive": list(receive)})


def test_unsubscribe_url_is_absolute_and_round_trips(tenant: Tenant, settings: Any) -> None:
    settings.SITE_URL = "https://arhub.example.com"
    made = unsubscribe_url(org=tenant.org, address=" Jo.Payer@Customer.test ")
    token = unsubscribe_token(org=tenant.org, address=ADDRESS)
    assert made == f"https://arhub.example.com/u/{token}/"


def test_get_shows_the_preferences_and_changes_nothing(link: str, client: Client) -> None:
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your messages from Acme Plumbing" in page
    assert '<label for="pref-email_reminders">' in page
    assert "Payment reminders by email" in page
    assert "Receipts and thank-you notes by email" in page
    assert 'value="email_reminders" checked' in page
    assert "accounts@acme.test" in page
    # No consent to text Jo, so no box for texts we would never send.
    assert "text message" not in page
    assert not Suppression.objects.exists()
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_saving_the_page_unsubscribes_and_says_so(
    link: str, client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = save(client, link, "email_receipts")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "You won&#x27;t get payment reminders from Acme Plumbing at this address any more." in page
    )
    assert 'value="email_reminders">' in page  # shown unchecked now
    assert suppressed(tenant.org, MessageKind.REMINDER)
    assert not suppressed(tenant.org, MessageKind.RECEIPT)
    assert not suppressed(tenant.org, MessageKind.INVOICE)  # invoices still reach Jo
    suppression = Suppression.objects.get()
    assert (suppression.scope, suppression.reason) == (
        SuppressionScope.REMINDERS,
        SuppressionReason.UNSUBSCRIBED,
    )
    assert not suppressed(other_tenant.org, MessageKind.REMINDER)

    # And back again.
    response = save(client, link, "email_reminders", "email_receipts")
    assert "You&#x27;ll get payment reminders from Acme Plumbing at this address again." in (
        response.content.decode()
    )
    assert not Suppression.objects.exists()


def test_saving_without_changes_says_nothing_changed(link: str, client: Client) -> None:
    response = save(client, link, "email_reminders", "email_receipts")
    assert "nothing needed to change" in response.content.decode()
    assert not Suppression.objects.exists()


def test_one_click_post_without_cookies_or_csrf_unsubscribes_from_reminders(
    link: str, tenant: Tenant
) -> None:
    # What a mail client sends (RFC 8058): no cookies, no CSRF token, this exact body.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You won&#x27;t get payment reminders from Acme Plumbing" in response.content.decode()
    assert suppressed(tenant.org, MessageKind.REMINDER)
    assert not suppressed(tenant.org, MessageKind.RECEIPT)
    assert not response.cookies

    # Mail clients retry; a second click is harmless.
    client.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert Suppression.objects.count() == 1


def test_one_click_as_multipart_also_works(link: str, tenant: Tenant) -> None:
    Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert suppressed(tenant.org, MessageKind.REMINDER)


def test_a_post_that_is_neither_is_refused(link: str, client: Client) -> None:
    response = client.post(link, {"something": "else"})
    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_not_found_and_changes_nothing(
    link: str, client: Client, tenant: Tenant, method: str
) -> None:
    token = unsubscribe_token(org=tenant.org, address=ADDRESS)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "not-a-token", token + "x"):
        response = getattr(client, method)(url(bad), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
        assert "This link is no longer valid" in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"
    assert not Suppression.objects.exists()


def test_a_token_for_an_organization_that_does_not_exist_is_not_found(
    client: Client, tenant: Tenant
) -> None:
    from django.core import signing

    from arhub.messaging.unsubscribe import SALT

    token = signing.dumps({"o": 999999, "c": "email", "a": ADDRESS}, salt=SALT)
    assert client.get(url(token)).status_code == 404


def test_another_organizations_link_changes_only_that_organization(
    link: str, client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    b_link = url(unsubscribe_token(org=other_tenant.org, address=ADDRESS))
    # Even A's owner, signed in, using B's link changes B's preference for Jo, never A's.
    a_owner = tenant.client()
    response = a_owner.post(b_link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Zenith Bakery" in response.content.decode()
    assert suppressed(other_tenant.org, MessageKind.REMINDER)
    assert not suppressed(tenant.org, MessageKind.REMINDER)
    # And A's link never touches B.
    save(client, link)
    assert Suppression.objects.filter(organization=other_tenant.org).count() == 1


def test_a_link_for_one_address_cannot_change_another(
    link: str, client: Client, tenant: Tenant
) -> None:
    make_customer(tenant.org, name="Sam", email="sam@customer.test")
    save(client, link)
    assert not Suppression.objects.filter(address="sam@customer.test").exists()


def test_the_page_renders_for_a_signed_in_member_too(link: str, tenant: Tenant) -> None:
    response = tenant.client().get(link)
    assert response.status_code == 200
    assert "Payment reminders by email" in response.content.decode()


# ---- texts


@pytest.fixture
def consented(link: str, tenant: Tenant) -> str:
    sms_consent_record(
        org=tenant.org,
        phone=CUSTOMER_PHONE,
        method=ConsentMethod.OWNER_ATTESTED,
        recorded_by=tenant.owner.user,
    )
    return link


def test_reminders_by_text_can_be_switched_off_for_a_consented_number(
    consented: str, client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    page = client.get(consented).content.decode()
    assert "Payment reminders by text message to the number ending 0101" in page
    assert CUSTOMER_PHONE not in page  # never the whole number
    assert 'value="sms_reminders_0" checked' in page

    response = save(client, consented, "email_reminders", "email_receipts")
    assert "You won&#x27;t get payment reminders from Acme Plumbing by text message to the " in (
        response.content.decode()
    )
    assert suppressed(tenant.org, MessageKind.REMINDER, Channel.SMS, CUSTOMER_PHONE)
    assert not suppressed(tenant.org, MessageKind.REMINDER)  # email reminders still on
    assert not suppressed(other_tenant.org, MessageKind.REMINDER, Channel.SMS, CUSTOMER_PHONE)

    save(client, consented, "email_reminders", "email_receipts", "sms_reminders_0")
    assert not Suppression.objects.exists()


def test_after_stop_the_page_offers_no_texts_and_cannot_lift_the_stop(
    consented: str, client: Client, tenant: Tenant
) -> None:
    from arhub.messaging.consent import sms_consent_revoke, suppression_add

    suppression_add(
        org=tenant.org,
        channel=Channel.SMS,
        address=CUSTOMER_PHONE,
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.STOP_KEYWORD,
    )
    sms_consent_revoke(org=tenant.org, phone=CUSTOMER_PHONE)
    assert "text message" not in client.get(consented).content.decode()
    save(client, consented, "email_reminders", "email_receipts", "sms_reminders_0")
    assert list(Suppression.objects.values_list("channel", "reason")) == [
        (Channel.SMS, SuppressionReason.STOP_KEYWORD)
    ]


def test_an_owners_pause_is_shown_locked_and_stays(
    link: str, client: Client, tenant: Tenant
) -> None:
    Suppression.objects.create(
        organization=tenant.org,
        channel=Channel.EMAIL,
        address=ADDRESS,
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.OWNER,
    )
    page = client.get(link).content.decode()
    assert "Acme Plumbing has paused these" in page
    assert 'value="email_reminders" disabled' in page
    save(client, link, "email_reminders", "email_receipts")
    assert Suppression.objects.get().reason == SuppressionReason.OWNER


def test_a_bounce_is_explained_and_stays(link: str, client: Client, tenant: Tenant) -> None:
    Suppression.objects.create(
        organization=tenant.org,
        channel=Channel.EMAIL,
        address=ADDRESS,
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.HARD_BOUNCE,
    )
    page = client.get(link).content.decode()
    assert "our messages bounced" in page
    save(client, link, "email_reminders", "email_receipts")
    save(client, link)
    assert list(Suppression.objects.values_list("scope", "reason")) == [
        (SuppressionScope.ALL, SuppressionReason.HARD_BOUNCE)
    ]

"""consent.py: what the dashboard and the send pipeline ask of consent and suppression."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from arhub.messaging.consent import (
    normalize_address,
    normalize_phone,
    sms_consent_active,
    sms_consent_list,
    sms_consent_record,
    sms_consent_revoke,
    sms_consent_status,
    suppression_active,
    suppression_add,
    suppression_list,
    suppression_remove,
)
from arhub.models import (
    Channel,
    ConsentMethod,
    MessageKind,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from tests.arhub.consent.helpers import CUSTOMER_PHONE, make_customer
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def stop(org: object, phone: str = CUSTOMER_PHONE) -> Suppression:
    return suppression_add(
        org=org,  # type: ignore[arg-type]
        channel=Channel.SMS,
        address=phone,
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.STOP_KEYWORD,
    )


def test_phone_numbers_are_compared_in_e164() -> None:
    assert normalize_phone(" +1 (415) 555-0101 ") == CUSTOMER_PHONE
    assert normalize_phone("not a number") == "not a number"
    assert normalize_address(Channel.EMAIL, " Jo@Example.TEST ") == "jo@example.test"
    assert normalize_address(Channel.SMS, "+1 415 555 0101") == CUSTOMER_PHONE


def test_owner_records_consent_with_who_how_and_when(tenant: Tenant) -> None:
    customer, _ = make_customer(tenant.org, name="Jo", phone=CUSTOMER_PHONE)
    consent = sms_consent_record(
        org=tenant.org,
        phone="+1 415-555-0101",
        method=ConsentMethod.OWNER_ATTESTED,
        customer_id=customer.pk,
        recorded_by=tenant.owner.user,
        note="Agreed on the phone",
    )
    assert (consent.phone, consent.method, consent.recorded_by, consent.note) == (
        CUSTOMER_PHONE,
        ConsentMethod.OWNER_ATTESTED,
        tenant.owner.user,
        "Agreed on the phone",
    )
    assert consent.created_at is not None and consent.revoked_at is None
    assert sms_consent_active(org=tenant.org, phone=CUSTOMER_PHONE)
    assert sms_consent_status(org=tenant.org, phone=CUSTOMER_PHONE).can_text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phone": "12", "method": ConsentMethod.PAY_PAGE}, "phone"),
        ({"phone": "+1 555 0000", "method": ConsentMethod.PAY_PAGE}, "phone"),
        ({"phone": CUSTOMER_PHONE, "method": "carrier-pigeon"}, "method"),
        ({"phone": CUSTOMER_PHONE, "method": ConsentMethod.OWNER_ATTESTED}, "recorded_by"),
    ],
)
def test_bad_consent_is_refused_naming_the_field(
    tenant: Tenant, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        sms_consent_record(org=tenant.org, **kwargs)  # type: ignore[arg-type]
    assert field in raised.value.message_dict
    assert not SmsConsent.objects.exists()


def test_consent_cannot_name_another_organizations_customer(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs, _ = make_customer(other_tenant.org, name="Zed")
    with pytest.raises(ValidationError) as raised:
        sms_consent_record(
            org=tenant.org,
            phone=CUSTOMER_PHONE,
            method=ConsentMethod.OWNER_ATTESTED,
            customer_id=theirs.pk,
            recorded_by=tenant.owner.user,
        )
    assert "customer" in raised.value.message_dict
    assert not SmsConsent.objects.exists()


def test_the_owner_cannot_overrule_a_stop_but_the_customer_can(tenant: Tenant) -> None:
    stop(tenant.org)
    sms_consent_record(
        org=tenant.org,
        phone=CUSTOMER_PHONE,
        method=ConsentMethod.OWNER_ATTESTED,
        recorded_by=tenant.owner.user,
    )
    status = sms_consent_status(org=tenant.org, phone=CUSTOMER_PHONE)
    assert status.consent is not None and status.stop is not None
    assert not status.can_text
    assert suppression_active(
        org=tenant.org, channel=Channel.SMS, address=CUSTOMER_PHONE, kind=MessageKind.REMINDER
    )

    sms_consent_record(org=tenant.org, phone=CUSTOMER_PHONE, method=ConsentMethod.PAY_PAGE)
    assert sms_consent_status(org=tenant.org, phone=CUSTOMER_PHONE).can_text


def test_recording_again_while_active_keeps_one_row(tenant: Tenant) -> None:
    first = sms_consent_record(org=tenant.org, phone=CUSTOMER_PHONE, method=ConsentMethod.KEYWORD)
    again = sms_consent_record(org=tenant.org, phone=CUSTOMER_PHONE, method=ConsentMethod.KEYWORD)
    assert first.pk == again.pk
    assert SmsConsent.objects.count() == 1


def test_revoking_keeps_the_history(tenant: Tenant, other_tenant: Tenant) -> None:
    customer, _ = make_customer(tenant.org, name="Jo", phone=CUSTOMER_PHONE)
    sms_consent_record(org=tenant.org, phone=CUSTOMER_PHONE, method=ConsentMethod.PAY_PAGE)
    sms_consent_record(org=other_tenant.org, phone=CUSTOMER_PHONE, method=ConsentMethod.PAY_PAGE)
    assert sms_consent_revoke(org=tenant.org, phone="+1 415 555 0101") == 1
    assert not sms_consent_active(org=tenant.org, phone=CUSTOMER_PHONE)
    assert sms_consent_active(org=other_tenant.org, phone=CUSTOMER_PHONE)
    again = sms_consent_record(
        org=tenant.org,
        phone=CUSTOMER_PHONE,
        method=ConsentMethod.OWNER_ATTESTED,
        customer_id=customer.pk,
        recorded_by=tenant.owner.user,
    )

    history = list(sms_consent_list(org=tenant.org, customer_id=customer.pk))
    # Newest first; the revoked row is kept, found through the contact's number.
    assert [c.pk for c in history] == [again.pk, history[1].pk]
    assert history[1].revoked_at is not None and history[1].customer_id is None
    assert all(c.organization_id == tenant.org.pk for c in history)
    assert [c.pk for c in sms_consent_list(org=tenant.org, phone=CUSTOMER_PHONE)] == [
        c.pk for c in history
    ]


def test_the_customer_list_holds_only_that_customers_numbers(tenant: Tenant) -> None:
    jo, _ = make_customer(tenant.org, name="Jo", phone=CUSTOMER_PHONE)
    make_customer(tenant.org, name="Sam", phone="+14155550102")
    sms_consent_record(org=tenant.org, phone="+14155550102", method=ConsentMethod.PAY_PAGE)
    assert list(sms_consent_list(org=tenant.org, customer_id=jo.pk)) == []


def test_what_each_suppression_stops(tenant: Tenant) -> None:
    def stopped(kind: str) -> bool:
        return (
            suppression_active(
                org=tenant.org, channel=Channel.EMAIL, address="jo@example.test", kind=kind
            )
            is not None
        )

    suppression_add(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="Jo@Example.test",
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.UNSUBSCRIBED,
    )
    assert [
        stopped(k) for k in (MessageKind.REMINDER, MessageKind.RECEIPT, MessageKind.INVOICE)
    ] == [
        True,
        False,
        False,
    ]
    suppression_add(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="jo@example.test",
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.HARD_BOUNCE,
    )
    assert all(stopped(k) for k in MessageKind.values)


def test_suppression_remove_can_be_limited_to_some_reasons(tenant: Tenant) -> None:
    suppression_add(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="jo@example.test",
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.OWNER,
    )
    removed = suppression_remove(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="JO@example.test",
        scope=SuppressionScope.REMINDERS,
        reasons=(SuppressionReason.UNSUBSCRIBED,),
    )
    assert removed == 0
    assert suppression_remove(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="JO@example.test",
        scope=SuppressionScope.REMINDERS,
    )
    assert not Suppression.objects.exists()


def test_suppression_list_by_address(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = stop(tenant.org)
    stop(other_tenant.org)
    stop(tenant.org, "+14155550102")
    email = suppression_add(
        org=tenant.org,
        channel=Channel.EMAIL,
        address="jo@example.test",
        scope=SuppressionScope.ALL,
        reason=SuppressionReason.HARD_BOUNCE,
    )
    found = suppression_list(org=tenant.org, addresses=["+1 415 555 0101", "JO@example.test"])
    assert {s.pk for s in found} == {mine.pk, email.pk}
    assert [s.pk for s in suppression_list(org=tenant.org, channel=Channel.EMAIL)] == [email.pk]

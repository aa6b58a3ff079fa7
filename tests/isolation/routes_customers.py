"""Isolation sweep entries for the customer pages of the dashboard. (The directory itself,
"customers", is registered in routes_core.py, from when it was a placeholder.)

The customers and contacts come from builders.py and carry their organization's name, so B's
name showing on any of A's pages is caught by the sweep's marker check.
"""

from __future__ import annotations

from typing import Any

from arhub.models import ConsentMethod, SmsConsent
from invoicing.models import Contact
from tests.conftest import Tenant
from tests.isolation.builders import SERIAL, customer_unchanged, new_contact, new_customer
from tests.isolation.sweep import Route


def contact_kwargs(contact: Contact) -> dict[str, Any]:
    return {"pk": contact.customer_id, "contact_pk": contact.pk}


def no_consent_recorded(built: Contact) -> None:
    assert not SmsConsent.objects.filter(
        organization_id=built.organization_id, phone=str(built.phone)
    ).exists(), "consent was recorded for org B's number"


def contact_with_consent(tenant: Tenant) -> Contact:
    contact = new_contact(tenant)
    SmsConsent.objects.create(
        organization=tenant.org,
        phone=str(contact.phone),
        customer=contact.customer,
        method=ConsentMethod.OWNER_ATTESTED,
        recorded_by=tenant.owner.user,
        note=f"{tenant.org.name} said yes",
    )
    return contact


def consent_still_active(built: Contact) -> None:
    assert SmsConsent.objects.filter(
        organization_id=built.organization_id, phone=str(built.phone), revoked_at__isnull=True
    ).exists(), "org B's consent was revoked"


def customer_form(name: str) -> dict[str, str]:
    return {
        "display_name": name,
        "currency": "GBP",
        "timezone": "",
        "language": "en",
        "preferred_channel": "email",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
        "contacts-0-name": "Acme contact",
        "contacts-0-email": "someone@acme-customer.test",
        "contacts-0-receives_invoices": "on",
        "contacts-0-receives_reminders": "on",
        "contacts-primary": "0",
    }


ROUTES: dict[str, Route] = {
    "customer_create": Route(
        "org_page",
        data={"POST": lambda: customer_form(f"Acme new customer {next(SERIAL)}")},
        expect={"POST": {302}},
    ),
    "customer_detail": Route("object", build=new_customer, unchanged=customer_unchanged),
    "customer_edit": Route(
        "object",
        build=new_customer,
        unchanged=customer_unchanged,
        data={"POST": customer_form("Acme renamed customer")},
        expect={"GET": {200}, "POST": {302}},
    ),
    "customer_note_add": Route(
        "object",
        build=new_customer,
        unchanged=customer_unchanged,
        data={"POST": {"body": "Acme note"}},
        expect={"POST": {302}},
    ),
    "customer_consent_record": Route(
        "object",
        build=new_contact,
        kwargs=contact_kwargs,
        unchanged=no_consent_recorded,
        data={"POST": {"note": "Acme attests: agreed by phone"}},
        expect={"POST": {302}},
    ),
    "customer_consent_revoke": Route(
        "object",
        build=contact_with_consent,
        kwargs=contact_kwargs,
        unchanged=consent_still_active,
        expect={"POST": {302}},
    ),
}

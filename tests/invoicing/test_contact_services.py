"""invoicing.contact_services: one contact at a time, one primary always."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from invoicing.contact_services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_primary_contact_set,
)
from invoicing.models import Contact, Customer
from invoicing.services import ContactInput, CustomerInput, customer_create

pytestmark = pytest.mark.django_db


def customer_with(tenant, *contacts: ContactInput) -> Customer:
    return customer_create(
        org=tenant.org,
        actor=None,
        data=CustomerInput(display_name="Lima"),
        contacts=list(contacts),
    )


def primaries(customer: Customer) -> list[str]:
    return list(customer.contacts.filter(is_primary=True).values_list("name", flat=True))


def test_create_normalises_and_can_take_the_primary_flag(tenant):
    customer = customer_with(tenant, ContactInput(name="Old", is_primary=True))
    contact = contact_create(
        org=tenant.org,
        actor=None,
        customer=customer,
        data=ContactInput(
            name=" New ", email="New@X.Test", phone="+1 415 555 0100", is_primary=True
        ),
    )
    assert (contact.name, contact.email, contact.phone.as_e164) == (
        "New",
        "new@x.test",
        "+14155550100",
    )
    assert primaries(customer) == ["New"]


def test_create_refuses_an_empty_contact_and_names_bad_fields(tenant):
    customer = customer_with(tenant)
    with pytest.raises(ValidationError) as empty:
        contact_create(org=tenant.org, actor=None, customer=customer, data=ContactInput(role="AP"))
    assert "name, an email or a phone" in empty.value.messages[0]
    with pytest.raises(ValidationError) as bad:
        contact_create(
            org=tenant.org,
            actor=None,
            customer=customer,
            data=ContactInput(email="nope", phone="12"),
        )
    assert set(bad.value.message_dict) == {"email", "phone"}
    assert not customer.contacts.exists()


def test_another_orgs_customer_or_contact_is_refused(tenant, other_tenant):
    theirs = customer_with(other_tenant, ContactInput(name="Theirs"))
    with pytest.raises(ValidationError):
        contact_create(org=tenant.org, actor=None, customer=theirs, data=ContactInput(name="x"))
    contact = theirs.contacts.get()
    with pytest.raises(ValidationError):
        contact_update(org=tenant.org, actor=None, contact=contact, data=ContactInput(name="x"))
    with pytest.raises(ValidationError):
        contact_delete(org=tenant.org, actor=None, contact=contact)
    assert Contact.objects.filter(pk=contact.pk, name="Theirs").exists()


def test_update_moves_the_primary_flag_but_never_drops_it(tenant):
    customer = customer_with(
        tenant, ContactInput(name="A", is_primary=True), ContactInput(name="B")
    )
    a, b = customer.contacts.get(name="A"), customer.contacts.get(name="B")
    contact_update(
        org=tenant.org, actor=None, contact=b, data=ContactInput(name="B", is_primary=True)
    )
    assert primaries(customer) == ["B"]
    with pytest.raises(ValidationError) as refused:
        contact_update(org=tenant.org, actor=None, contact=b, data=ContactInput(name="B"))
    assert "is_primary" in refused.value.message_dict
    a.refresh_from_db()
    assert not a.is_primary


def test_deleting_the_primary_promotes_the_oldest(tenant):
    customer = customer_with(
        tenant,
        ContactInput(name="P", is_primary=True),
        ContactInput(name="Second"),
        ContactInput(name="Third"),
    )
    contact_delete(org=tenant.org, actor=None, contact=customer.contacts.get(name="P"))
    assert primaries(customer) == ["Second"]
    contact_delete(org=tenant.org, actor=None, contact=customer.contacts.get(name="Third"))
    assert primaries(customer) == ["Second"]


def test_primary_contact_set_changes_only_the_primary(tenant):
    customer = customer_with(
        tenant,
        ContactInput(name="P", email="p@x.test", phone="+14155550100", is_primary=True),
        ContactInput(name="Other", email="o@x.test"),
    )
    customer_primary_contact_set(org=tenant.org, actor=None, customer=customer, email="new@x.test")
    p = customer.contacts.get(name="P")
    assert (p.email, p.phone.as_e164) == ("new@x.test", "+14155550100")
    assert customer.contacts.get(name="Other").email == "o@x.test"


def test_primary_contact_set_adds_one_when_there_is_none(tenant):
    customer = customer_with(tenant)
    assert customer_primary_contact_set(org=tenant.org, actor=None, customer=customer) is None
    contact = customer_primary_contact_set(
        org=tenant.org, actor=None, customer=customer, phone="+442079460018"
    )
    assert contact is not None
    assert contact.is_primary
    assert contact.phone.as_e164 == "+442079460018"


def test_every_change_refreshes_search_and_updated_at(tenant):
    from invoicing.selectors import customer_list

    customer = customer_with(tenant, ContactInput(name="P", is_primary=True))
    stamp = Customer.objects.get(pk=customer.pk).updated_at
    contact = contact_create(
        org=tenant.org, actor=None, customer=customer, data=ContactInput(email="quokka@x.test")
    )
    assert list(customer_list(org=tenant.org, search="quokka")) == [customer]
    assert Customer.objects.get(pk=customer.pk).updated_at > stamp
    contact_delete(org=tenant.org, actor=None, contact=contact)
    assert not customer_list(org=tenant.org, search="quokka").exists()

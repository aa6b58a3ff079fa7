"""/api/v1/customers/ and /api/v1/customers/<id>/contacts/."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing.models import Contact, Customer
from invoicing.services import ContactInput, CustomerInput, customer_create
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

LIST = "/api/v1/customers/"
SERIAL = itertools.count(1)


def detail(customer_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/"


def contacts_url(customer_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/contacts/"


def contact_url(customer_id: int, contact_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/contacts/{contact_id}/"


def send(api: Client, method: str, url: str, body: Any = None) -> Any:
    return api.generic(method, url, _json(body), content_type="application/json")


def _json(body: Any) -> str:
    import json

    return "" if body is None else json.dumps(body)


def make_customer(
    tenant: Tenant, name: str = "", contacts: list[ContactInput] | None = None, **fields: Any
) -> Customer:
    n = next(SERIAL)
    if contacts is None:
        contacts = [ContactInput(name=f"Pat {n}", email=f"pat{n}@example.test", is_primary=True)]
    return customer_create(
        org=tenant.org,
        actor=tenant.owner.user,
        data=CustomerInput(display_name=name or f"Customer {n}", **fields),
        contacts=contacts,
    )


# ---- create


def test_create_with_the_primary_contact_in_one_call(tenant):
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "name": "Harbor Cafe",
            "company": "Harbor Cafe LLC",
            "email": "AP@Harbor.Example",
            "phone": "+1 (415) 555-0132",
            "timezone": "America/Los_Angeles",
            "language": "es",
            "currency": "usd",
            "payment_terms_days": 30,
            "preferred_channel": "both",
            "credit_limit": "5000",
            "tags": ["Wholesale", "west"],
            "external_id": "QB-17",
            "notes": "Pays on Fridays",
            "billing_address_line1": " 4581 Finch St. ",
            "billing_address_line2": "Suite\n200",
            "billing_city": "Bayshore",
            "billing_region": "CA",
            "billing_postal_code": "94326",
            "billing_country": "us",
            "tax_id": "12-3456789",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["name"] == "Harbor Cafe"
    assert data["email"] == "ap@harbor.example"
    assert data["phone"] == "+14155550132"
    assert data["currency"] == "USD"
    assert data["credit_limit"] == "5000.00"
    assert data["open_balance"] == "0.00"
    assert data["tags"] == ["west", "wholesale"]
    assert data["timezone"] == "America/Los_Angeles"
    assert data["payment_terms_days"] == 30
    # One line each (a pasted line break would break the printed address), the country upper.
    assert {k: v for k, v in data.items() if k.startswith("billing_") or k == "tax_id"} == {
        "billing_address_line1": "4581 Finch St.",
        "billing_address_line2": "Suite 200",
        "billing_city": "Bayshore",
        "billing_region": "CA",
        "billing_postal_code": "94326",
        "billing_country": "US",
        "tax_id": "12-3456789",
    }
    assert [c["is_primary"] for c in data["contacts"]] == [True]
    contact = Contact.objects.get(pk=data["contacts"][0]["id"])
    assert contact.customer_id == data["id"]
    assert contact.organization_id == tenant.org.pk
    assert {
        "created_at",
        "updated_at",
        "external_id",
        "notes",
        "company",
        "billing_address_line1",
        "billing_address_line2",
        "billing_city",
        "billing_region",
        "billing_postal_code",
        "billing_country",
        "tax_id",
    } <= set(data)


def test_create_without_contact_details_and_with_defaults(tenant):
    data = send(tenant.api(), "POST", LIST, {"name": "Walk-in"}).json()
    assert data["contacts"] == []
    assert data["email"] == ""
    assert data["currency"] == tenant.org.default_currency
    assert data["timezone"] == ""
    assert data["credit_limit"] is None
    # Clients that know nothing of addresses get empty ones.
    assert (data["billing_address_line1"], data["billing_country"], data["tax_id"]) == ("", "", "")


def test_open_balance_uses_the_currency_minor_units(tenant):
    api = tenant.api()
    assert (
        send(api, "POST", LIST, {"name": "Tokyo", "currency": "JPY"}).json()["open_balance"] == "0"
    )
    assert (
        send(api, "POST", LIST, {"name": "Kuwait", "currency": "KWD"}).json()["open_balance"]
        == "0.000"
    )


def test_create_with_a_contacts_list(tenant):
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "name": "Big Co",
            "contacts": [
                {"name": "Ann", "email": "ann@big.test", "role": "Buyer"},
                {
                    "name": "Bob",
                    "email": "ap@big.test",
                    "phone": "+44 20 7946 0018",
                    "role": "Accounts payable",
                    "is_primary": True,
                    "receives_invoices": True,
                    "receives_reminders": False,
                },
            ],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [c["name"] for c in data["contacts"]] == ["Bob", "Ann"]  # primary first
    assert data["email"] == "ap@big.test"
    assert data["phone"] == "+442079460018"
    bob = data["contacts"][0]
    assert bob["receives_reminders"] is False
    assert all(isinstance(c["id"], int) for c in data["contacts"])


def test_contacts_list_without_a_primary_makes_the_first_primary(tenant):
    data = send(
        tenant.api(),
        "POST",
        LIST,
        {"name": "Co", "contacts": [{"name": "First"}, {"name": "Second"}]},
    ).json()
    assert [(c["name"], c["is_primary"]) for c in data["contacts"]] == [
        ("First", True),
        ("Second", False),
    ]


def test_contacts_and_top_level_email_together_are_refused(tenant):
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {"name": "Co", "email": "a@co.test", "contacts": [{"email": "b@co.test"}]},
    )
    assert response.status_code == 400
    assert "either" in response.json()["non_field_errors"][0]
    assert not Customer.objects.for_org(tenant.org).exists()


@pytest.mark.parametrize("amount", [1500.5, 1500.0, 0.1])
def test_float_credit_limit_is_refused(tenant, amount):
    response = send(tenant.api(), "POST", LIST, {"name": "Co", "credit_limit": amount})
    assert response.status_code == 400
    assert "decimal strings" in response.json()["credit_limit"][0]
    assert not Customer.objects.for_org(tenant.org).exists()


def test_credit_limit_as_string_or_integer_and_within_minor_units(tenant):
    api = tenant.api()
    assert (
        send(api, "POST", LIST, {"name": "A", "credit_limit": 1500}).json()["credit_limit"]
        == "1500.00"
    )
    response = send(api, "POST", LIST, {"name": "B", "currency": "USD", "credit_limit": "10.005"})
    assert response.status_code == 400
    assert "2 decimal places" in response.json()["credit_limit"][0]
    response = send(api, "POST", LIST, {"name": "C", "currency": "JPY", "credit_limit": "10.5"})
    assert response.status_code == 400
    assert "0 decimal places" in response.json()["credit_limit"][0]
    response = send(api, "POST", LIST, {"name": "D", "credit_limit": "-1"})
    assert response.status_code == 400
    assert set(response.json()) == {"credit_limit"}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phone", "12", "phone number"),
        ("phone", "+1 555", "phone number"),
        ("email", "not-an-email", "email"),
        ("timezone", "Mars/Olympus_Mons", "IANA"),
        ("currency", "XYZ", "ISO 4217"),
        ("language", "tlh", "valid choice"),
        ("preferred_channel", "fax", "valid choice"),
        ("name", "  ", "blank"),
        ("billing_country", "XX", "ISO 3166"),
        ("billing_country", "Britain", "ISO 3166"),
        ("billing_city", "x" * 101, "100 characters"),
        ("tax_id", "1" * 51, "50 characters"),
    ],
)
def test_bad_values_are_named_and_nothing_is_saved(tenant, field, value, words):
    body = {"name": "Co", field: value}
    response = send(tenant.api(), "POST", LIST, body)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {field}, errors
    assert words.lower() in errors[field][0].lower()
    assert not Customer.objects.for_org(tenant.org).exists()
    assert not Contact.objects.for_org(tenant.org).exists()


def test_contact_errors_are_nested_by_position(tenant):
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {"name": "Co", "contacts": [{"name": "Ok", "phone": "+442079460018"}, {"phone": "999"}]},
    )
    assert response.status_code == 400
    errors = response.json()
    assert list(errors["contacts"]) == ["1"]
    assert "phone number" in errors["contacts"]["1"]["phone"][0]
    # The serializer's own errors (an invalid email) have the same shape.
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {"name": "Co", "contacts": [{"email": "x"}, {"name": "Fine"}]},
    )
    assert response.status_code == 400
    assert response.json()["contacts"] == {"0": {"email": ["Enter a valid email address."]}}
    assert not Customer.objects.for_org(tenant.org).exists()


def test_unknown_field_in_a_contact_entry_is_named_by_position(tenant):
    response = send(
        tenant.api(), "POST", LIST, {"name": "Co", "contacts": [{"name": "A", "mobile": "1"}]}
    )
    assert response.status_code == 400
    assert response.json() == {"contacts": {"0": {"mobile": ["Unknown field."]}}}


def test_two_primaries_in_the_list_are_refused(tenant):
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "name": "Co",
            "contacts": [{"name": "A", "is_primary": True}, {"name": "B", "is_primary": True}],
        },
    )
    assert response.status_code == 400
    assert "primary" in response.json()["contacts"][0]


def test_unknown_fields_are_refused_output_fields_ignored(tenant):
    api = tenant.api()
    response = send(api, "POST", LIST, {"name": "Co", "credit_limt": "5", "display_name": "X"})
    assert response.status_code == 400
    assert response.json() == {
        "credit_limt": ["Unknown field."],
        "display_name": ["Unknown field."],
    }
    response = send(api, "POST", LIST, {"name": "Co", "id": 999, "open_balance": "9.00"})
    assert response.status_code == 201
    assert response.json()["id"] != 999
    assert response.json()["open_balance"] == "0.00"


def test_external_id_clash_is_a_400_on_create_and_update(tenant, other_tenant):
    api = tenant.api()
    assert send(api, "POST", LIST, {"name": "A", "external_id": "X-1"}).status_code == 201
    response = send(api, "POST", LIST, {"name": "B", "external_id": "X-1"})
    assert response.status_code == 400
    assert "X-1" in response.json()["external_id"][0]
    other = send(api, "POST", LIST, {"name": "C", "external_id": "X-2"}).json()
    response = send(api, "PATCH", detail(other["id"]), {"external_id": "X-1"})
    assert response.status_code == 400
    assert set(response.json()) == {"external_id"}
    # External ids are unique per organization only.
    assert (
        send(other_tenant.api(), "POST", LIST, {"name": "A", "external_id": "X-1"}).status_code
        == 201
    )


# ---- read, update


def test_get_one_customer(tenant):
    customer = make_customer(tenant, name="Delta", currency="EUR", credit_limit=None)
    data = tenant.api().get(detail(customer.pk)).json()
    assert data["id"] == customer.pk
    assert data["name"] == "Delta"
    assert data["currency"] == "EUR"
    assert data["email"] == customer.contacts.get().email


def test_patch_changes_only_the_given_fields(tenant):
    customer = make_customer(tenant, name="Echo", company="Echo Ltd", notes="Keep", tags=["a"])
    contact = customer.contacts.get()
    response = send(tenant.api(), "PATCH", detail(customer.pk), {"notes": "New", "tags": ["b"]})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["name"], data["company"], data["notes"], data["tags"]) == (
        "Echo",
        "Echo Ltd",
        "New",
        ["b"],
    )
    assert [c["id"] for c in data["contacts"]] == [contact.pk]
    customer.refresh_from_db()
    assert customer.notes == "New"


def test_patch_email_or_phone_changes_the_primary_contact_only(tenant):
    customer = make_customer(
        tenant,
        contacts=[
            ContactInput(name="Main", email="main@co.test", phone="+442079460018", is_primary=True),
            ContactInput(name="Other", email="other@co.test"),
        ],
    )
    main = customer.contacts.get(is_primary=True)
    other = customer.contacts.get(is_primary=False)
    data = send(tenant.api(), "PATCH", detail(customer.pk), {"email": "new@co.test"}).json()
    assert data["email"] == "new@co.test"
    assert data["phone"] == "+442079460018"
    main.refresh_from_db()
    assert (main.name, main.email) == ("Main", "new@co.test")
    other.refresh_from_db()
    assert other.email == "other@co.test"
    response = send(tenant.api(), "PATCH", detail(customer.pk), {"phone": "555"})
    assert response.status_code == 400
    assert set(response.json()) == {"phone"}


def test_patch_names_every_bad_field_at_once_and_saves_nothing(tenant):
    customer = make_customer(tenant, name="Echo")
    response = send(
        tenant.api(), "PATCH", detail(customer.pk), {"timezone": "Nowhere/Land", "phone": "1"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"timezone", "phone"}
    response = send(tenant.api(), "PATCH", detail(customer.pk), {"notes": "changed", "phone": "1"})
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.notes == ""


def test_patch_moves_updated_at(tenant):
    customer = make_customer(tenant)
    before = tenant.api().get(detail(customer.pk)).json()["updated_at"]
    after = send(tenant.api(), "PATCH", detail(customer.pk), {"email": "x@co.test"}).json()
    assert after["updated_at"] > before


def test_patch_of_customer_fields_moves_updated_at(tenant):
    customer = make_customer(tenant)
    before = tenant.api().get(detail(customer.pk)).json()["updated_at"]
    after = send(tenant.api(), "PATCH", detail(customer.pk), {"notes": "new"}).json()
    assert after["updated_at"] > before


def test_patch_email_on_a_customer_without_contacts_adds_the_primary(tenant):
    customer = make_customer(tenant, contacts=[])
    data = send(tenant.api(), "PATCH", detail(customer.pk), {"phone": "+14155550132"}).json()
    assert [(c["phone"], c["is_primary"]) for c in data["contacts"]] == [("+14155550132", True)]


def test_patch_contacts_replaces_them(tenant):
    customer = make_customer(
        tenant,
        contacts=[
            ContactInput(name="Keep", email="keep@co.test", is_primary=True),
            ContactInput(name="Drop", email="drop@co.test"),
        ],
    )
    keep = customer.contacts.get(name="Keep")
    response = send(
        tenant.api(),
        "PATCH",
        detail(customer.pk),
        {
            "contacts": [
                {"id": keep.pk, "name": "Kept", "email": "keep@co.test"},
                {"name": "New", "email": "new@co.test", "is_primary": True},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    contacts = response.json()["contacts"]
    assert [(c["name"], c["is_primary"]) for c in contacts] == [("New", True), ("Kept", False)]
    assert contacts[1]["id"] == keep.pk
    assert not Contact.objects.filter(name="Drop").exists()


def test_patch_with_another_customers_contact_id_is_refused(tenant, other_tenant):
    customer = make_customer(tenant)
    neighbour = make_customer(tenant).contacts.get()
    foreign = make_customer(other_tenant).contacts.get()
    before = customer.contacts.get()
    for stranger in (neighbour, foreign):
        response = send(
            tenant.api(),
            "PATCH",
            detail(customer.pk),
            {"contacts": [{"id": stranger.pk, "name": "Mine now"}]},
        )
        assert response.status_code == 400
        assert str(stranger.pk) in response.json()["contacts"][0]
        stranger.refresh_from_db()
        assert stranger.name != "Mine now"
        assert stranger.customer_id != customer.pk
    assert list(customer.contacts.all()) == [before]
    # A missing id reads the same as another tenant's: nothing tells them apart.
    missing = send(
        tenant.api(), "PATCH", detail(customer.pk), {"contacts": [{"id": 10**9, "name": "x"}]}
    ).json()
    assert missing["contacts"][0] == f"Contact {10**9} is not this customer's."


def test_patch_sets_and_clears_the_billing_address(tenant):
    customer = make_customer(tenant, name="Kilo")
    api = tenant.api()
    data = send(
        api,
        "PATCH",
        detail(customer.pk),
        {"billing_city": "Leeds", "billing_country": "gb", "tax_id": "GB987654321"},
    ).json()
    assert (data["billing_city"], data["billing_country"], data["tax_id"]) == (
        "Leeds",
        "GB",
        "GB987654321",
    )
    data = send(api, "PATCH", detail(customer.pk), {"tax_id": ""}).json()
    assert (data["billing_city"], data["tax_id"]) == ("Leeds", "")
    response = send(api, "PATCH", detail(customer.pk), {"billing_country": "ZZ"})
    assert response.status_code == 400
    assert set(response.json()) == {"billing_country"}
    customer.refresh_from_db()
    assert customer.billing_country == "GB"


def test_put_keeps_the_billing_address_it_does_not_mention(tenant):
    # Clients written before the address existed PUT without it; they must not erase it.
    customer = make_customer(
        tenant, name="Lima", billing_city="Leeds", billing_country="GB", tax_id="GB1"
    )
    api = tenant.api()
    data = send(api, "PUT", detail(customer.pk), {"name": "Lima 2", "notes": "n"}).json()
    assert (data["name"], data["billing_city"], data["billing_country"], data["tax_id"]) == (
        "Lima 2",
        "Leeds",
        "GB",
        "GB1",
    )
    data = send(api, "PUT", detail(customer.pk), {"name": "Lima", "billing_city": ""}).json()
    assert (data["billing_city"], data["billing_country"]) == ("", "GB")


def test_put_replaces_every_field(tenant):
    customer = make_customer(tenant, name="Foxtrot", notes="Old", company="Fox", tags=["x"])
    response = send(tenant.api(), "PUT", detail(customer.pk), {"name": "Foxtrot 2"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["name"], data["notes"], data["company"], data["tags"]) == ("Foxtrot 2", "", "", [])
    assert len(data["contacts"]) == 1  # contacts change only when given
    response = send(tenant.api(), "PUT", detail(customer.pk), {"notes": "no name"})
    assert response.status_code == 400
    assert set(response.json()) == {"name"}


def test_what_was_read_can_be_sent_back(tenant):
    customer = make_customer(tenant, name="Golf", currency="USD", credit_limit=Decimal("250"))
    api = tenant.api()
    read = api.get(detail(customer.pk)).json()
    assert read["credit_limit"] == "250.00"
    # Output-only fields come back ignored; `email`/`phone` go, as `contacts` says it all.
    body = {k: v for k, v in read.items() if k not in {"email", "phone"}}
    response = send(api, "PUT", detail(customer.pk), body)
    assert response.status_code == 200, response.json()
    again = response.json()
    assert {k: again[k] for k in read if k != "updated_at"} == {
        k: read[k] for k in read if k != "updated_at"
    }


def test_customers_are_never_deleted(tenant):
    customer = make_customer(tenant)
    response = tenant.api().delete(detail(customer.pk))
    assert response.status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


# ---- contacts


def test_contacts_crud(tenant):
    customer = make_customer(
        tenant, contacts=[ContactInput(name="Main", email="main@co.test", is_primary=True)]
    )
    main = customer.contacts.get()
    api = tenant.api()

    listed = api.get(contacts_url(customer.pk)).json()
    assert set(listed) >= {"results", "next", "previous"}
    assert [c["id"] for c in listed["results"]] == [main.pk]

    response = send(
        api,
        "POST",
        contacts_url(customer.pk),
        {"name": "Second", "email": "Second@Co.test", "phone": "+1 415 555 0199", "role": "AP"},
    )
    assert response.status_code == 201, response.json()
    second = response.json()
    assert (second["email"], second["phone"], second["is_primary"]) == (
        "second@co.test",
        "+14155550199",
        False,
    )

    assert api.get(contact_url(customer.pk, second["id"])).json()["name"] == "Second"

    response = send(api, "PATCH", contact_url(customer.pk, second["id"]), {"role": "Owner"})
    assert response.status_code == 200
    assert response.json()["role"] == "Owner"
    assert response.json()["email"] == "second@co.test"

    # Making it primary moves the flag; the customer's top-level email follows.
    response = send(api, "PATCH", contact_url(customer.pk, second["id"]), {"is_primary": True})
    assert response.json()["is_primary"] is True
    data = api.get(detail(customer.pk)).json()
    assert data["email"] == "second@co.test"
    assert [c["id"] for c in data["contacts"]] == [second["id"], main.pk]

    response = api.delete(contact_url(customer.pk, main.pk))
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=main.pk).exists()


def test_new_contact_can_take_the_primary_flag(tenant):
    customer = make_customer(tenant)
    old = customer.contacts.get()
    data = send(
        tenant.api(), "POST", contacts_url(customer.pk), {"name": "Boss", "is_primary": True}
    ).json()
    assert data["is_primary"] is True
    old.refresh_from_db()
    assert old.is_primary is False


def test_first_contact_is_primary_whatever_is_sent(tenant):
    customer = make_customer(tenant, contacts=[])
    data = send(tenant.api(), "POST", contacts_url(customer.pk), {"email": "a@co.test"}).json()
    assert data["is_primary"] is True


def test_contact_bad_values_are_named(tenant):
    customer = make_customer(tenant)
    contact = customer.contacts.get()
    api = tenant.api()
    response = send(api, "POST", contacts_url(customer.pk), {"name": "X", "phone": "0"})
    assert response.status_code == 400
    assert set(response.json()) == {"phone"}
    response = send(api, "POST", contacts_url(customer.pk), {"role": "Only a role"})
    assert response.status_code == 400
    assert "name, an email or a phone" in response.json()["non_field_errors"][0]
    response = send(api, "PATCH", contact_url(customer.pk, contact.pk), {"email": "nope"})
    assert response.status_code == 400
    assert set(response.json()) == {"email"}
    assert customer.contacts.count() == 1


def test_primary_contact_cannot_be_unmarked(tenant):
    customer = make_customer(tenant)
    contact = customer.contacts.get()
    response = send(
        tenant.api(), "PATCH", contact_url(customer.pk, contact.pk), {"is_primary": False}
    )
    assert response.status_code == 400
    assert "another contact" in response.json()["is_primary"][0]
    contact.refresh_from_db()
    assert contact.is_primary


def test_deleting_the_primary_promotes_the_oldest_remaining_contact(tenant):
    customer = make_customer(
        tenant,
        contacts=[
            ContactInput(name="Primary", is_primary=True),
            ContactInput(name="Older"),
            ContactInput(name="Newer"),
        ],
    )
    by_name = {c.name: c for c in customer.contacts.all()}
    api = tenant.api()
    assert api.delete(contact_url(customer.pk, by_name["Primary"].pk)).status_code == 204
    assert customer.contacts.get(is_primary=True).name == "Older"
    assert api.delete(contact_url(customer.pk, by_name["Newer"].pk)).status_code == 204
    assert api.delete(contact_url(customer.pk, by_name["Older"].pk)).status_code == 204
    assert not customer.contacts.exists()
    assert api.get(detail(customer.pk)).json()["email"] == ""


def test_contact_changes_refresh_search(tenant):
    customer = make_customer(tenant, name="Hotel")
    api = tenant.api()
    send(api, "POST", contacts_url(customer.pk), {"email": "zebra@hotel.test"})
    found = api.get(LIST + "?search=zebra").json()["results"]
    assert [c["id"] for c in found] == [customer.pk]
    contact = customer.contacts.get(email="zebra@hotel.test")
    send(api, "PATCH", contact_url(customer.pk, contact.pk), {"email": "yak@hotel.test"})
    assert api.get(LIST + "?search=zebra").json()["results"] == []
    api.delete(contact_url(customer.pk, contact.pk))
    assert api.get(LIST + "?search=yak").json()["results"] == []


def test_a_contact_of_another_customer_is_not_found_under_this_one(tenant):
    mine = make_customer(tenant)
    theirs = make_customer(tenant).contacts.get()
    api = tenant.api()
    assert api.get(contact_url(mine.pk, theirs.pk)).status_code == 404
    assert send(api, "PATCH", contact_url(mine.pk, theirs.pk), {"name": "x"}).status_code == 404
    assert api.delete(contact_url(mine.pk, theirs.pk)).status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


# ---- roles and tenancy


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_read_but_cannot_write(tenant, role):
    customer = make_customer(tenant, name="India")
    contact = customer.contacts.get()
    api = tenant.api(role)
    for url in (
        LIST,
        detail(customer.pk),
        contacts_url(customer.pk),
        contact_url(customer.pk, contact.pk),
    ):
        assert api.get(url).status_code == 200, url
    writes = [
        ("POST", LIST, {"name": "New"}),
        ("PATCH", detail(customer.pk), {"name": "Renamed"}),
        ("PUT", detail(customer.pk), {"name": "Renamed"}),
        ("POST", contacts_url(customer.pk), {"name": "New"}),
        ("PATCH", contact_url(customer.pk, contact.pk), {"name": "Renamed"}),
        ("DELETE", contact_url(customer.pk, contact.pk), None),
    ]
    for method, url, body in writes:
        assert send(api, method, url, body).status_code == 403, (method, url)
    customer.refresh_from_db()
    assert customer.display_name == "India"
    assert Customer.objects.for_org(tenant.org).count() == 1
    assert customer.contacts.get().name == contact.name


def test_billing_role_writes(tenant):
    assert send(tenant.api(Role.BILLING), "POST", LIST, {"name": "Juliet"}).status_code == 201


def test_no_token_is_a_401(tenant):
    assert Client().get(LIST).status_code in {401, 403}
    bad = Client(headers={"Authorization": "Bearer arh_nope"})
    assert bad.get(LIST).status_code == 401


def test_options_answers_without_describing_or_looking_up(tenant, other_tenant):
    mine, theirs = make_customer(tenant), make_customer(other_tenant, name="Kilo secret")
    api = tenant.api()
    for customer in (mine, theirs):
        contact = customer.contacts.get()
        for url in (
            LIST,
            detail(customer.pk),
            contacts_url(customer.pk),
            contact_url(customer.pk, contact.pk),
        ):
            response = api.options(url)
            assert response.status_code == 200, url
            assert "actions" not in response.json()
            assert "Kilo" not in response.content.decode()


def test_another_orgs_ids_are_404_on_every_route(tenant, other_tenant):
    theirs = make_customer(other_tenant, name="Kilo secret")
    their_contact = theirs.contacts.get()
    mine = make_customer(tenant)
    api = tenant.api()
    calls = [
        ("GET", detail(theirs.pk), None),
        ("PATCH", detail(theirs.pk), {"name": "Taken"}),
        ("PUT", detail(theirs.pk), {"name": "Taken"}),
        ("GET", contacts_url(theirs.pk), None),
        ("POST", contacts_url(theirs.pk), {"name": "Spy"}),
        ("GET", contact_url(theirs.pk, their_contact.pk), None),
        ("PATCH", contact_url(theirs.pk, their_contact.pk), {"name": "Taken"}),
        ("DELETE", contact_url(theirs.pk, their_contact.pk), None),
        # Their contact under my customer, and my customer's path with their ids mixed in.
        ("GET", contact_url(mine.pk, their_contact.pk), None),
        ("PATCH", contact_url(mine.pk, their_contact.pk), {"name": "Taken"}),
        ("DELETE", contact_url(mine.pk, their_contact.pk), None),
    ]
    for method, url, body in calls:
        response = send(api, method, url, body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Kilo" not in response.content.decode()
    listed = api.get(LIST).json()["results"]
    assert [c["id"] for c in listed] == [mine.pk]
    assert api.get(LIST + "?search=kilo").json()["results"] == []
    theirs.refresh_from_db()
    their_contact.refresh_from_db()
    assert theirs.display_name == "Kilo secret"
    assert their_contact.name != "Taken"
    assert theirs.contacts.count() == 1


# ---- list: search, tags, ordering, pagination, queries


def names(response: Any) -> list[str]:
    return [c["name"] for c in response.json()["results"]]


def test_search_and_tags(tenant):
    make_customer(tenant, name="Acme Plumbing", tags=["vip", "north"])
    make_customer(tenant, name="Acme Bakery", tags=["north"])
    make_customer(
        tenant,
        name="Zed",
        external_id="QB-900",
        contacts=[ContactInput(email="billing@zed.test", is_primary=True)],
    )
    api = tenant.api()
    assert names(api.get(LIST + "?search=acme+pl")) == ["Acme Plumbing"]
    assert names(api.get(LIST + "?search=zed.test")) == ["Zed"]
    assert names(api.get(LIST + "?search=qb-900")) == ["Zed"]
    assert names(api.get(LIST + "?tag=north")) == ["Acme Bakery", "Acme Plumbing"]
    assert names(api.get(LIST + "?tag=north&tag=vip")) == ["Acme Plumbing"]
    assert names(api.get(LIST + "?tag=north&search=bak")) == ["Acme Bakery"]


def test_ordering(tenant):
    for name in ["bravo", "Alpha", "charlie"]:
        make_customer(tenant, name=name)
    api = tenant.api()
    assert names(api.get(LIST)) == ["Alpha", "bravo", "charlie"]  # case-insensitive
    assert names(api.get(LIST + "?ordering=-name")) == ["charlie", "bravo", "Alpha"]
    assert names(api.get(LIST + "?ordering=created")) == ["bravo", "Alpha", "charlie"]
    assert names(api.get(LIST + "?ordering=-created")) == ["charlie", "Alpha", "bravo"]
    response = api.get(LIST + "?ordering=display_name")
    assert response.status_code == 400
    assert "ordering" in response.json()


def walk(api: Client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        pages.append(names(response))
        url = response.json()["next"]
    return pages


@pytest.mark.parametrize("ordering", ["name", "-name", "created", "-created"])
def test_next_links_walk_every_customer_once_even_with_equal_names(tenant, ordering):
    # Equal names and equal creation times: the id settles the order within them.
    from django.utils import timezone

    moment = timezone.now()
    for index in range(7):
        customer = make_customer(tenant, name=["Same", "same", "Other"][index % 3])
        if index < 4:
            Customer.objects.filter(pk=customer.pk).update(created_at=moment)
    expected = names(tenant.api().get(f"{LIST}?ordering={ordering}&page_size=50"))
    pages = walk(tenant.api(), f"{LIST}?ordering={ordering}&page_size=2")
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [name for page in pages for name in page] == expected


def test_pagination_is_stable_when_customers_arrive_between_pages(tenant):
    for letter in "bdfhj":
        make_customer(tenant, name=letter)
    api = tenant.api()
    first = api.get(LIST + "?page_size=2").json()
    assert names_of(first) == ["b", "d"]
    # New rows before and after the cursor: the page after it neither repeats nor skips.
    make_customer(tenant, name="a")
    make_customer(tenant, name="e")
    second = api.get(first["next"]).json()
    assert names_of(second) == ["e", "f"]
    third = api.get(second["next"]).json()
    assert names_of(third) == ["h", "j"]
    assert third["next"] is None
    # Previous goes back the same way, now including the row that arrived before the start.
    back = api.get(third["previous"]).json()
    assert names_of(back) == ["e", "f"]
    back = api.get(back["previous"]).json()
    assert names_of(back) == ["b", "d"]
    back = api.get(back["previous"]).json()
    assert names_of(back) == ["a"]
    assert back["previous"] is None


def names_of(page: dict[str, Any]) -> list[str]:
    return [c["name"] for c in page["results"]]


def test_next_link_keeps_the_filters(tenant):
    for index in range(3):
        make_customer(tenant, name=f"Tagged {index}", tags=["t"])
    make_customer(tenant, name="Untagged")
    api = tenant.api()
    pages = walk(api, LIST + "?tag=t&ordering=-name&page_size=2")
    assert pages == [["Tagged 2", "Tagged 1"], ["Tagged 0"]]


def test_a_cursor_is_only_read_under_its_own_ordering(tenant):
    for index in range(3):
        make_customer(tenant, name=f"C{index}")
    api = tenant.api()
    next_url = api.get(LIST + "?page_size=1&ordering=name").json()["next"]
    tampered = next_url.replace("ordering=name", "ordering=-created")
    response = api.get(tampered)
    assert response.status_code == 400
    assert "cursor" in response.json()
    response = api.get(LIST + "?cursor=not-base64!")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}


def test_contacts_list_pages_primary_first(tenant):
    customer = make_customer(
        tenant,
        contacts=[
            ContactInput(name="one"),
            ContactInput(name="two", is_primary=True),
            ContactInput(name="three"),
        ],
    )
    api = tenant.api()
    pages = walk(api, contacts_url(customer.pk) + "?page_size=1")
    assert pages == [["two"], ["one"], ["three"]]


def test_list_queries_do_not_grow_with_rows(tenant):
    api = tenant.api()

    def fill(count: int) -> None:
        for _ in range(count):
            make_customer(
                tenant,
                contacts=[
                    ContactInput(name="a", email=f"a{next(SERIAL)}@x.test", is_primary=True),
                    ContactInput(name="b", phone="+442079460018"),
                ],
            )

    fill(2)
    api.get(LIST)  # the token's last-used stamp is written once, not per page
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(LIST).json()["results"]) == 2
    fill(40)
    with CaptureQueriesContext(connection) as many:
        page = api.get(LIST + "?page_size=40").json()
    assert len(page["results"]) == 40
    with CaptureQueriesContext(connection) as next_page:
        assert api.get(page["next"]).status_code == 200
    assert len(few) == len(many) == len(next_page)
    assert len(few) <= 3  # token, the page, its contacts


def test_schema_documents_the_customer_routes(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/customers/:",
        "/api/v1/customers/{customer_id}/:",
        "/api/v1/customers/{customer_id}/contacts/:",
        "/api/v1/customers/{customer_id}/contacts/{contact_id}/:",
    ):
        assert path in schema
    assert "CustomerInputRequest" in schema
    assert '{"contacts": {"1": {"phone": ["…"]}}}' in schema

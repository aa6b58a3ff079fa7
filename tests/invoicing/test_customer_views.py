"""The customer pages of the dashboard: directory, form with contacts, customer page, consent,
notes, timeline, roles and tenancy."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch
from django.utils import timezone

from arhub.models import (
    Channel,
    ConsentMethod,
    Message,
    MessageKind,
    MessageStatus,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from arhub.roles import Role
from invoicing import customer_display, views
from invoicing.forms import customer_forms
from invoicing.models import Contact, Customer, CustomerNote
from tests.invoicing.factories import ContactFactory, CustomerFactory, CustomerNoteFactory

pytestmark = pytest.mark.django_db

PHONE = "+44 20 7946 0018"
PHONE_E164 = "+442079460018"


def text(response: Any) -> str:
    return unescape(response.content.decode())


def customer_post(
    contacts: list[dict[str, Any]] | None = None, primary: int | None = 0, **fields: Any
) -> dict[str, Any]:
    """The customer form as a browser submits it: customer fields, the management form, each
    contact row (blank rows included) and the primary radio."""
    data: dict[str, Any] = {
        "display_name": "Harbour Tiles",
        "company": "Harbour Tiles Ltd",
        "timezone": "",
        "language": "en",
        "currency": "GBP",
        "payment_terms_days": "30",
        "preferred_channel": "email",
        "credit_limit": "",
        "tags": "wholesale, North",
        "external_id": "",
        "notes": "",
    }
    data.update(fields)
    rows = (
        contacts
        if contacts is not None
        else [{"name": "Jo Harbour", "email": "jo@harbour.test", "phone": PHONE}]
    )
    rows = [*rows, {}, {}]  # the two blank rows the page always shows
    initial = sum(1 for row in rows if row.get("id"))
    data.update(
        {
            "contacts-TOTAL_FORMS": str(len(rows)),
            "contacts-INITIAL_FORMS": str(initial),
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "50",
        }
    )
    for index, row in enumerate(rows):
        values = {"id": "", "name": "", "role": "", "email": "", "phone": "", **row}
        # Unticked checkboxes are simply absent, as in a browser.
        for flag in ("receives_invoices", "receives_reminders"):
            if values.pop(flag, True):
                data[f"contacts-{index}-{flag}"] = "on"
        if values.pop("DELETE", False):
            data[f"contacts-{index}-DELETE"] = "on"
        for key, value in values.items():
            data[f"contacts-{index}-{key}"] = "" if value is None else str(value)
    if primary is not None:
        data["contacts-primary"] = str(primary)
    return data


def field_errors(response: Any) -> dict[str, list[str]]:
    """Errors per field name, read from the page's context forms (the form and each row)."""
    errors: dict[str, list[str]] = {
        f"customer.{k}": v for k, v in response.context["form"].errors.items()
    }
    for index, form in enumerate(response.context["contacts"].forms):
        for key, value in form.errors.items():
            errors[f"contacts-{index}.{key}"] = value
    non_form = list(response.context["contacts"].non_form_errors())
    if non_form:
        errors["contacts"] = non_form
    return errors


# --------------------------------------------------------------------------------------------
# Creating


def test_owner_creates_a_customer_with_two_contacts_and_picks_the_primary(tenant):
    client = tenant.client()
    assert client.get("/customers/new/").status_code == 200
    response = client.post(
        "/customers/new/",
        customer_post(
            contacts=[
                {"name": "Jo Harbour", "email": "Jo@Harbour.test", "role": "Owner"},
                {
                    "name": "Sam Payables",
                    "email": "ap@harbour.test",
                    "phone": PHONE,
                    "role": "Accounts payable",
                    "receives_reminders": False,
                },
            ],
            primary=1,
            credit_limit="2500.50",
            timezone="Europe/Dublin",
        ),
    )
    customer = Customer.objects.get(organization=tenant.org)
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.display_name == "Harbour Tiles"
    assert customer.tags == ["north", "wholesale"]
    assert customer.timezone == "Europe/Dublin"
    assert customer.payment_terms_days == 30
    assert str(customer.credit_limit) == "2500.500"
    jo, sam = Contact.objects.filter(customer=customer).order_by("pk")
    assert (jo.is_primary, sam.is_primary) == (False, True)
    assert jo.email == "jo@harbour.test"
    assert str(sam.phone) == PHONE_E164
    assert (sam.receives_invoices, sam.receives_reminders) == (True, False)
    assert all(c.organization_id == tenant.org.pk for c in (jo, sam))


def test_the_new_customer_form_defaults_to_the_organizations_currency_and_zone(tenant):
    page = text(tenant.client().get("/customers/new/"))
    assert re.search(r'<option value="GBP" selected>', page)
    assert f"Same as your business ({tenant.org.timezone})" in page
    # Two blank contact rows without JavaScript, the first chosen as primary.
    assert 'name="contacts-TOTAL_FORMS" value="2"' in page
    assert re.search(r'name="contacts-primary" value="0" id="id_contacts-0-primary" checked', page)
    assert 'name="contacts-primary" value="1" id="id_contacts-1-primary">' in page


def test_blank_primary_row_falls_back_to_the_first_filled_contact(tenant):
    tenant.client().post("/customers/new/", customer_post(contacts=[{"name": "Jo"}], primary=2))
    assert Contact.objects.get(customer__organization=tenant.org).is_primary


@pytest.mark.parametrize(
    ("fields", "contacts", "error_key"),
    [
        ({}, [{"name": "A"}, {"name": "B", "phone": "12"}], "contacts-1.phone"),
        ({}, [{"name": "A", "email": "not-an-email"}], "contacts-0.email"),
        ({"timezone": "Europe/Atlantis"}, None, "customer.timezone"),
        ({"currency": "XYZ"}, None, "customer.currency"),
        ({"display_name": "  "}, None, "customer.display_name"),
        ({"credit_limit": "-5"}, None, "customer.credit_limit"),
        ({"credit_limit": "10.005"}, None, "customer.credit_limit"),  # GBP has 2 decimals
        ({"payment_terms_days": "1000"}, None, "customer.payment_terms_days"),
        ({"billing_country": "ZZ"}, None, "customer.billing_country"),
        ({"billing_postal_code": "1" * 21}, None, "customer.billing_postal_code"),
    ],
)
def test_bad_input_is_reported_at_its_field_and_nothing_is_saved(
    tenant, fields, contacts, error_key
):
    response = tenant.client().post("/customers/new/", customer_post(contacts=contacts, **fields))
    assert response.status_code == 200
    errors = field_errors(response)
    assert error_key in errors, errors
    assert "Nothing was saved" in text(response)
    assert not Customer.objects.filter(organization=tenant.org).exists()
    assert not Contact.objects.filter(organization=tenant.org).exists()


def test_every_error_shows_on_the_first_submit(tenant):
    response = tenant.client().post(
        "/customers/new/",
        customer_post(contacts=[{"name": "A", "phone": "12"}], currency="XYZ"),
    )
    assert {"customer.currency", "contacts-0.phone"} <= set(field_errors(response))


def test_error_sits_next_to_the_phone_field_it_names(tenant):
    response = tenant.client().post(
        "/customers/new/", customer_post(contacts=[{"name": "A"}, {"name": "B", "phone": "12"}])
    )
    page = text(response)
    # The error list is inside the phone field's own block, right before its input.
    block = re.search(r'<div class="field has-errors">(.*?)</div>', page, re.S)
    assert block is not None
    assert 'for="id_contacts-1-phone"' in block[1]
    assert "“12” is not a valid phone number." in block[1]
    assert 'aria-invalid="true"' in block[1]


def test_a_clashing_external_id_is_a_field_error(tenant):
    CustomerFactory(organization=tenant.org, external_id="QB-17")
    response = tenant.client().post("/customers/new/", customer_post(external_id="QB-17"))
    assert "customer.external_id" in field_errors(response)
    assert "QB-17" in text(response)
    assert Customer.objects.filter(organization=tenant.org).count() == 1


def test_the_same_external_id_in_another_organization_is_fine(tenant, other_tenant):
    CustomerFactory(organization=other_tenant.org, external_id="QB-17")
    response = tenant.client().post("/customers/new/", customer_post(external_id="QB-17"))
    assert response.status_code == 302


def test_service_errors_find_their_row_when_rows_were_skipped(tenant):
    """ "contacts[1].phone" names the second contact sent to the service, which is the fourth
    row when the first row was blank and the third was removed."""
    data = customer_post(
        contacts=[
            {},
            {"name": "A"},
            {"name": "Removed", "DELETE": True},
            {"name": "B", "phone": PHONE},
        ]
    )
    forms = customer_forms(org=tenant.org, data=data)
    assert forms.is_valid()
    _inputs, sources = forms.contacts.to_inputs()
    assert [s.cleaned_data["name"] for s in sources] == ["A", "B"]
    forms.add_service_errors(
        ValidationError(
            {
                "contacts[1].phone": ["bad phone"],
                "contacts": ["Only one contact can be the primary contact."],
                "external_id": ["taken"],
                "something_else": ["kept above the form"],
            }
        ),
        sources,
    )
    assert forms.contacts.forms[3].errors["phone"] == ["bad phone"]
    assert list(forms.contacts.non_form_errors()) == [
        "Only one contact can be the primary contact."
    ]
    assert forms.form.errors["external_id"] == ["taken"]
    assert "kept above the form" in forms.form.non_field_errors()


# --------------------------------------------------------------------------------------------
# Editing


def make_customer(tenant: Any, **fields: Any) -> Customer:
    customer = CustomerFactory(organization=tenant.org, **fields)
    ContactFactory(customer=customer, name="Jo Harbour", email="jo@harbour.test", phone=PHONE_E164)
    ContactFactory(
        customer=customer, name="Sam Payables", email="ap@harbour.test", is_primary=False
    )
    return customer


def test_edit_shows_the_contacts_and_saves_changes_in_place(tenant):
    customer = make_customer(tenant, display_name="Harbour Tiles")
    jo, sam = Contact.objects.filter(customer=customer).order_by("pk")
    client = tenant.client()
    page = text(client.get(f"/customers/{customer.pk}/edit/"))
    assert 'value="Jo Harbour"' in page and 'value="Sam Payables"' in page
    assert 'name="contacts-TOTAL_FORMS" value="4"' in page  # two contacts, two blank rows
    assert re.search(r'value="0" id="id_contacts-0-primary" checked', page)

    response = client.post(
        f"/customers/{customer.pk}/edit/",
        customer_post(
            display_name="Harbour Tiles & Stone",
            contacts=[
                {
                    "id": jo.pk,
                    "name": "Jo Harbour",
                    "email": "jo@harbour.test",
                    "phone": PHONE,
                    "DELETE": True,
                },
                {"id": sam.pk, "name": "Sam Payables", "email": "sam@harbour.test"},
                {"name": "Alex New", "email": "alex@harbour.test"},
            ],
            primary=2,
        ),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.display_name == "Harbour Tiles & Stone"
    contacts = {c.name: c for c in Contact.objects.filter(customer=customer)}
    assert set(contacts) == {"Sam Payables", "Alex New"}
    assert contacts["Sam Payables"].pk == sam.pk  # updated in place
    assert contacts["Sam Payables"].email == "sam@harbour.test"
    assert contacts["Alex New"].is_primary and not contacts["Sam Payables"].is_primary


def test_the_billing_address_is_entered_edited_and_shown(tenant):
    client = tenant.client()
    form = text(client.get("/customers/new/"))
    assert "<legend>Billing address</legend>" in form
    assert '<option value="" selected>Not given</option>' in form
    assert '<option value="IE">Ireland</option>' in form
    assert 'for="id_billing_region">State, province or region</label>' in form
    response = client.post(
        "/customers/new/",
        customer_post(
            billing_address_line1=" 14 Quay Street ",
            billing_address_line2="Unit 3",
            billing_city="Dublin 2",
            billing_postal_code="D02 X285",
            billing_country="IE",
            tax_id="IE6388047V",
        ),
    )
    assert response.status_code == 302, field_errors(response)
    customer = Customer.objects.for_org(tenant.org).get()
    assert (customer.billing_address_line1, customer.billing_country, customer.tax_id) == (
        "14 Quay Street",
        "IE",
        "IE6388047V",
    )

    page = text(client.get(f"/customers/{customer.pk}/"))
    assert (
        '<dt>Billing address</dt><dd class="billing-address">14 Quay Street<br>Unit 3<br>'
        "Dublin 2<br>D02 X285<br>Ireland</dd>"
    ) in page
    assert "<dt>Tax or VAT number</dt><dd>IE6388047V</dd>" in page

    edit = text(client.get(f"/customers/{customer.pk}/edit/"))
    assert '<option value="IE" selected>Ireland</option>' in edit
    assert 'value="D02 X285"' in edit
    # Emptied, the address is gone from the customer page.
    response = client.post(f"/customers/{customer.pk}/edit/", customer_post(contacts=[]))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.billing_city, customer.billing_country, customer.tax_id) == ("", "", "")
    page = text(client.get(f"/customers/{customer.pk}/"))
    assert "Billing address" not in page and "Tax or VAT number" not in page


def test_a_failed_edit_changes_nothing(tenant):
    customer = make_customer(tenant, display_name="Harbour Tiles")
    jo, sam = Contact.objects.filter(customer=customer).order_by("pk")
    response = tenant.client().post(
        f"/customers/{customer.pk}/edit/",
        customer_post(
            display_name="Renamed",
            contacts=[
                {"id": jo.pk, "name": "Jo"},
                {"id": sam.pk, "name": "Sam", "phone": "not a phone"},
            ],
        ),
    )
    assert "contacts-1.phone" in field_errors(response)
    assert "<h1>Edit Harbour Tiles</h1>" in text(response)
    customer.refresh_from_db()
    assert customer.display_name == "Harbour Tiles"
    assert Contact.objects.filter(customer=customer).count() == 2


def test_a_contact_of_another_customer_cannot_be_taken_over(tenant, other_tenant):
    customer = make_customer(tenant)
    stranger = ContactFactory(customer=CustomerFactory(organization=tenant.org), name="Stranger")
    foreign = ContactFactory(
        customer=CustomerFactory(organization=other_tenant.org), name="Foreign"
    )
    for victim in (stranger, foreign):
        response = tenant.client().post(
            f"/customers/{customer.pk}/edit/",
            customer_post(contacts=[{"id": victim.pk, "name": "Mine now"}]),
        )
        assert "contacts" in field_errors(response)
        victim.refresh_from_db()
        assert victim.name in {"Stranger", "Foreign"}
        assert victim.customer_id != customer.pk
    assert Contact.objects.filter(customer=customer).count() == 2


# --------------------------------------------------------------------------------------------
# The directory


def names(response: Any) -> list[str]:
    return [c.display_name for c in response.context["page"].rows]


def test_directory_lists_columns_and_zero_balances_in_each_currency(tenant):
    customer = CustomerFactory(
        organization=tenant.org,
        display_name="Kyoto Tea",
        company="Kyoto Tea KK",
        currency="JPY",
        tags=["asia"],
    )
    ContactFactory(customer=customer, email="buyer@kyoto.test", phone="+81312345678")
    CustomerFactory(organization=tenant.org, display_name="Kuwait Co", currency="KWD")
    page = text(tenant.client().get("/customers/"))
    assert f'href="/customers/{customer.pk}/">Kyoto Tea</a>' in page
    assert "Kyoto Tea KK" in page and "buyer@kyoto.test" in page
    assert "+81 3-1234-5678" in page
    assert ">0 JPY<" in page and ">0.000 KWD<" in page
    assert "?tag=asia" in page


def test_directory_search_covers_name_email_company_and_external_id(tenant, other_tenant):
    a = CustomerFactory(
        organization=tenant.org, display_name="Acme Plumbing Supplies", external_id="QB-881"
    )
    b = CustomerFactory(
        organization=tenant.org, display_name="Birch Joinery", company="Woodworks Ltd"
    )
    ContactFactory(customer=b, email="pay@birch.test")
    CustomerFactory(organization=tenant.org, display_name="Cedar Roofing")
    CustomerFactory(organization=other_tenant.org, display_name="Acme Rival")  # never shown
    client = tenant.client()
    assert names(client.get("/customers/", {"q": "acme pl"})) == [a.display_name]
    assert names(client.get("/customers/", {"q": "qb-881"})) == [a.display_name]
    assert names(client.get("/customers/", {"q": "woodworks"})) == [b.display_name]
    assert names(client.get("/customers/", {"q": "pay@birch.test"})) == [b.display_name]
    response = client.get("/customers/", {"q": "nobody-here"})
    assert names(response) == []
    assert "No customers match “nobody-here”" in text(response)
    assert "Acme Rival" not in text(client.get("/customers/", {"q": "acme"}))


def test_directory_filters_by_tag_and_offers_only_this_orgs_tags(tenant, other_tenant):
    CustomerFactory(organization=tenant.org, display_name="Wholesale One", tags=["wholesale"])
    CustomerFactory(organization=tenant.org, display_name="Retail One", tags=["retail"])
    CustomerFactory(organization=other_tenant.org, display_name="Zen", tags=["zenith-secret-tag"])
    client = tenant.client()
    assert names(client.get("/customers/", {"tag": "wholesale"})) == ["Wholesale One"]
    page = text(client.get("/customers/"))
    assert '<option value="retail">' in page
    assert "zenith-secret-tag" not in page
    # A tag that is not in use is ignored rather than emptying the page.
    assert len(names(client.get("/customers/", {"tag": "zenith-secret-tag"}))) == 2


def test_directory_sorts_by_name_and_by_newest(tenant):
    now = timezone.now()
    for offset, name in enumerate(["banana", "Apple", "cherry"]):
        CustomerFactory(
            organization=tenant.org, display_name=name, created_at=now + timedelta(minutes=offset)
        )
    client = tenant.client()
    assert names(client.get("/customers/")) == ["Apple", "banana", "cherry"]
    assert names(client.get("/customers/", {"sort": "-name"})) == ["cherry", "banana", "Apple"]
    assert names(client.get("/customers/", {"sort": "-created"})) == ["cherry", "Apple", "banana"]
    assert names(client.get("/customers/", {"sort": "created"})) == ["banana", "Apple", "cherry"]
    assert names(client.get("/customers/", {"sort": "bogus"})) == ["Apple", "banana", "cherry"]


def walk(client: Any, params: dict[str, str]) -> tuple[list[str], Any]:
    """Follow Next to the end, then Previous back to the start; both ways must agree."""
    forward: list[list[str]] = []
    url = "/customers/?" + "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(url)
    while True:
        forward.append(names(response))
        next_url = response.context["next_url"]
        if not next_url:
            break
        response = client.get("/customers/" + next_url)
    backward: list[list[str]] = [names(response)]
    while response.context["previous_url"]:
        response = client.get("/customers/" + response.context["previous_url"])
        backward.append(names(response))
    assert backward == list(reversed(forward))
    return [n for page in forward for n in page], response


@pytest.mark.parametrize("sort", ["name", "-name", "-created", "created"])
def test_pages_follow_one_another_without_gaps_or_repeats(tenant, monkeypatch, sort):
    monkeypatch.setattr(views.CustomerListView, "page_size", 3)
    now = timezone.now()
    # Equal names and equal creation times: the id breaks the tie, so nothing is skipped.
    for i, name in enumerate(["Same", "Same", "Same", "alpha", "Beta", "gamma", "Delta", "Same"]):
        CustomerFactory(
            organization=tenant.org, display_name=name, created_at=now + timedelta(minutes=i // 2)
        )
    expected = names(tenant.client().get("/customers/", {"sort": sort}))
    monkeypatch.setattr(views.CustomerListView, "page_size", 100)
    everything = names(tenant.client().get("/customers/", {"sort": sort}))
    monkeypatch.setattr(views.CustomerListView, "page_size", 3)
    seen, first = walk(tenant.client(), {"sort": sort})
    assert seen == everything
    assert expected == everything[:3]
    assert first.context["previous_url"] is None
    assert len(everything) == 8


def test_pages_keep_the_search_and_tag(tenant, monkeypatch):
    monkeypatch.setattr(views.CustomerListView, "page_size", 2)
    for i in range(5):
        CustomerFactory(organization=tenant.org, display_name=f"Tiler {i}", tags=["trade"])
    CustomerFactory(organization=tenant.org, display_name="Tiler untagged")
    CustomerFactory(organization=tenant.org, display_name="Other", tags=["trade"])
    seen, _ = walk(tenant.client(), {"q": "tiler", "tag": "trade"})
    assert seen == [f"Tiler {i}" for i in range(5)]


def test_a_tampered_cursor_shows_the_first_page(tenant):
    CustomerFactory(organization=tenant.org, display_name="Only One")
    client = tenant.client()
    for bad in [
        "garbage",
        "W10",
        "WyJ4IiwgIm5vdC1hbi1pZCJd",
        "WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwgMV0",
    ]:
        for direction in ("after", "before"):
            response = client.get("/customers/", {direction: bad, "sort": "-created"})
            assert response.status_code == 200
            assert names(response) == ["Only One"]


def test_directory_queries_do_not_grow_with_customers(tenant):
    def page_queries() -> int:
        cache.clear()  # the tag list is cached; measure the uncached page both times
        client = tenant.client()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/customers/", {"q": "cust"}).status_code == 200
        return len(queries)

    def add(count: int) -> None:
        for _ in range(count):
            customer = CustomerFactory(organization=tenant.org, tags=["vip", "north"])
            ContactFactory(customer=customer, phone=PHONE_E164)
            ContactFactory(customer=customer, is_primary=False)

    add(2)
    few = page_queries()
    add(60)  # more than a page
    many = page_queries()
    assert few == many
    # And no COUNT(*) of the directory on any page.
    client = tenant.client()
    with CaptureQueriesContext(connection) as queries:
        client.get("/customers/")
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_empty_directory_invites_the_first_customer(tenant, monkeypatch):
    page = text(tenant.client().get("/customers/"))
    assert "Add your first customer" in page
    monkeypatch.setattr(customer_display, "reverse", lambda name, **kw: "/customers/import/")
    page = text(tenant.client().get("/customers/"))
    assert 'href="/customers/import/">Import from CSV' in page

    def missing(name: str, **kw: Any) -> str:
        raise NoReverseMatch(name)

    monkeypatch.setattr(customer_display, "reverse", missing)
    assert "Import from CSV" not in text(tenant.client().get("/customers/"))


def test_read_only_roles_see_the_directory_without_write_buttons(tenant):
    CustomerFactory(organization=tenant.org, display_name="Harbour Tiles")
    page = text(tenant.client(Role.VIEWER).get("/customers/"))
    assert "Harbour Tiles" in page
    assert "/customers/new/" not in page


# --------------------------------------------------------------------------------------------
# Roles and tenancy


def write_requests(customer: Customer, contact: Contact) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", "/customers/new/", {}),
        ("post", "/customers/new/", customer_post()),
        ("get", f"/customers/{customer.pk}/edit/", {}),
        ("post", f"/customers/{customer.pk}/edit/", customer_post(display_name="Hijacked")),
        ("post", f"/customers/{customer.pk}/notes/", {"body": "hello"}),
        ("post", f"/customers/{customer.pk}/contacts/{contact.pk}/consent/", {"note": "said yes"}),
        ("post", f"/customers/{customer.pk}/contacts/{contact.pk}/consent/revoke/", {}),
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_can_read_but_not_write(tenant, role):
    customer = make_customer(tenant, display_name="Harbour Tiles")
    contact = Contact.objects.get(customer=customer, is_primary=True)
    client = tenant.client(role)
    assert client.get("/customers/").status_code == 200
    detail = client.get(f"/customers/{customer.pk}/")
    assert detail.status_code == 200
    assert "Record consent" not in text(detail) and "Add note" not in text(detail)
    for method, url, data in write_requests(customer, contact):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    customer.refresh_from_db()
    assert customer.display_name == "Harbour Tiles"
    assert not CustomerNote.objects.exists() and not SmsConsent.objects.exists()
    assert Customer.objects.filter(organization=tenant.org).count() == 1


def test_billing_staff_may_add_customers(tenant):
    assert tenant.client(Role.BILLING).post("/customers/new/", customer_post()).status_code == 302


def test_another_organizations_customer_is_404_on_every_page(tenant, other_tenant):
    theirs = make_customer(other_tenant, display_name="Zenith Secret Customer")
    their_contact = Contact.objects.get(customer=theirs, is_primary=True)
    mine = make_customer(tenant)
    client = tenant.client()
    requests = [("get", f"/customers/{theirs.pk}/", {}), *write_requests(theirs, their_contact)[2:]]
    # Our own customer with their contact's id is no way in either.
    requests += [
        ("post", f"/customers/{mine.pk}/contacts/{their_contact.pk}/consent/", {"note": "x"}),
        ("post", f"/customers/{mine.pk}/contacts/{their_contact.pk}/consent/revoke/", {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Zenith Secret" not in text(response)
    theirs.refresh_from_db()
    assert theirs.display_name == "Zenith Secret Customer"
    assert not CustomerNote.objects.exists() and not SmsConsent.objects.exists()


# --------------------------------------------------------------------------------------------
# The customer page: contacts, consent, suppression, notes, timeline


def test_customer_page_shows_contacts_balance_and_details(tenant):
    customer = make_customer(
        tenant,
        display_name="Harbour Tiles",
        company="Harbour Ltd",
        tags=["trade"],
        external_id="QB-9",
    )
    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    assert "<h1>Harbour Tiles</h1>" in page
    assert "Harbour Ltd" in page and "QB-9" in page
    assert "Jo Harbour" in page and "ap@harbour.test" in page
    assert 'href="tel:+442079460018">+44 20 7946 0018' in page
    assert re.search(r'class="figure">0\.00 <span class="unit">GBP', page)
    assert f"Same as your business ({tenant.org.timezone})" in page
    assert "No consent" in page and "Record consent" in page


def test_owner_records_consent_with_who_when_and_how(tenant):
    customer = make_customer(tenant)
    contact = Contact.objects.get(customer=customer, is_primary=True)
    client = tenant.client()
    before = timezone.now()
    response = client.post(
        f"/customers/{customer.pk}/contacts/{contact.pk}/consent/",
        {"note": "Agreed on the phone with Sam, 3 March"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/#contact-{contact.pk}"
    consent = SmsConsent.objects.get(organization=tenant.org)
    assert consent.phone == PHONE_E164
    assert consent.method == ConsentMethod.OWNER_ATTESTED
    assert consent.recorded_by == tenant.user()
    assert consent.customer_id == customer.pk
    assert consent.note == "Agreed on the phone with Sam, 3 March"
    assert consent.created_at >= before and consent.revoked_at is None

    page = text(client.get(f"/customers/{customer.pk}/"))
    assert "Consent recorded" in page
    assert tenant.user().full_name in page
    assert "Agreed on the phone with Sam, 3 March" in page
    # A second attempt records nothing new.
    client.post(f"/customers/{customer.pk}/contacts/{contact.pk}/consent/", {"note": "again"})
    assert SmsConsent.objects.filter(organization=tenant.org).count() == 1

    response = client.post(f"/customers/{customer.pk}/contacts/{contact.pk}/consent/revoke/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoked_at >= consent.created_at
    assert "No consent" in text(client.get(f"/customers/{customer.pk}/"))


def test_consent_needs_a_note_saying_how(tenant):
    customer = make_customer(tenant)
    contact = Contact.objects.get(customer=customer, is_primary=True)
    response = tenant.client().post(
        f"/customers/{customer.pk}/contacts/{contact.pk}/consent/", {"note": "  "}
    )
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page
    assert '<details class="consent-record" open>' in page
    assert f'id="id_consent_{contact.pk}_note"' in page
    assert not SmsConsent.objects.exists()


def test_consent_for_a_contact_without_a_phone_is_refused(tenant):
    customer = make_customer(tenant)
    no_phone = Contact.objects.get(customer=customer, is_primary=False)
    response = tenant.client().post(
        f"/customers/{customer.pk}/contacts/{no_phone.pk}/consent/", {"note": "yes"}, follow=True
    )
    assert "has no phone number" in text(response)
    assert not SmsConsent.objects.exists()


def test_suppressions_show_as_badges(tenant):
    customer = make_customer(tenant)
    Suppression.objects.create(
        organization=tenant.org, channel=Channel.EMAIL, address="jo@harbour.test",
        scope=SuppressionScope.REMINDERS, reason=SuppressionReason.UNSUBSCRIBED,
    )  # fmt: skip
    Suppression.objects.create(
        organization=tenant.org, channel=Channel.SMS, address=PHONE_E164,
        scope=SuppressionScope.ALL, reason=SuppressionReason.STOP_KEYWORD,
    )  # fmt: skip
    Suppression.objects.create(
        organization=tenant.org, channel=Channel.EMAIL, address="ap@harbour.test",
        scope=SuppressionScope.ALL, reason=SuppressionReason.HARD_BOUNCE,
    )  # fmt: skip
    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    assert "Unsubscribed from reminders" in page
    assert "Replied STOP" in page
    assert "Email bounced" in page
    # After STOP only the customer can opt back in, so the owner is not offered the form.
    assert "They replied STOP" in page
    assert "Record consent" not in page


def test_another_orgs_consent_and_suppressions_do_not_show(tenant, other_tenant):
    customer = make_customer(tenant)
    SmsConsent.objects.create(
        organization=other_tenant.org,
        phone=PHONE_E164,
        method=ConsentMethod.OWNER_ATTESTED,
        note="zenith consent",
    )
    Suppression.objects.create(
        organization=other_tenant.org, channel=Channel.SMS, address=PHONE_E164,
        scope=SuppressionScope.ALL, reason=SuppressionReason.STOP_KEYWORD,
    )  # fmt: skip
    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    assert "zenith consent" not in page and "Replied STOP" not in page
    assert "Record consent" in page


def test_notes_and_messages_appear_on_the_timeline_newest_first(tenant):
    customer = make_customer(tenant)
    now = timezone.now()
    Message.objects.create(
        organization=tenant.org, customer=customer, channel=Channel.EMAIL, kind=MessageKind.REMINDER,
        recipient="jo@harbour.test", subject="A friendly reminder about INV-0042", body_text="Hello",
        status=MessageStatus.DELIVERED, created_at=now - timedelta(days=2),
    )  # fmt: skip
    Message.objects.create(
        organization=tenant.org, customer=customer, channel=Channel.SMS, kind=MessageKind.INVOICE,
        recipient=PHONE_E164, body_text="Your invoice INV-0041 is ready", status=MessageStatus.SUPPRESSED,
        status_reason="No SMS consent", created_at=now - timedelta(days=3),
    )  # fmt: skip
    CustomerNoteFactory(customer=customer, body="Older note", created_at=now - timedelta(days=1))
    client = tenant.client()
    response = client.post(f"/customers/{customer.pk}/notes/", {"body": "Called Jo: paying Friday"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/#timeline"
    note = CustomerNote.objects.get(body="Called Jo: paying Friday")
    assert note.author == tenant.user() and note.organization_id == tenant.org.pk

    page = text(client.get(f"/customers/{customer.pk}/"))
    timeline = page[page.index('id="timeline"') :]
    order = [
        timeline.index(s)
        for s in (
            "Called Jo: paying Friday",
            "Older note",
            "A friendly reminder about INV-0042",
            "Your invoice INV-0041 is ready",
        )
    ]
    assert order == sorted(order)
    assert f"Note by {tenant.user().full_name}" in timeline
    assert "Email · Reminder to jo@harbour.test" in timeline and "Delivered" in timeline
    assert "SMS · Invoice to +442079460018" in timeline and "Suppressed" in timeline
    assert "No SMS consent" in timeline


def test_an_empty_note_is_refused_at_its_field(tenant):
    customer = make_customer(tenant)
    response = tenant.client().post(f"/customers/{customer.pk}/notes/", {"body": "   "})
    assert response.status_code == 200
    assert response.context["note_form"].errors["body"]
    assert not CustomerNote.objects.exists()


def test_customer_page_queries_do_not_grow_with_its_history(tenant):
    customer = make_customer(tenant)

    def page_queries() -> int:
        cache.clear()  # the tag list is cached; measure the uncached page both times
        client = tenant.client()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(queries)

    few = page_queries()
    for i in range(10):
        CustomerNoteFactory(customer=customer, author=tenant.user())
        ContactFactory(customer=customer, is_primary=False, phone=f"+44207946{i:04d}")
        Message.objects.create(
            organization=tenant.org, customer=customer, channel=Channel.EMAIL,
            kind=MessageKind.OTHER, recipient="x@y.test", body_text="hi",
        )  # fmt: skip
    assert page_queries() == few

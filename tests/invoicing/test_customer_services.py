from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing.models import Contact, Customer
from invoicing.selectors import customer_list, customer_timeline
from invoicing.services import (
    ContactInput,
    CustomerInput,
    CustomerRowInvalid,
    customer_create,
    customer_note_add,
    customer_update,
    customers_upsert_bulk,
    phone_to_e164,
)

pytestmark = pytest.mark.django_db


def make(tenant, name="Harbour Tiles", *, contacts=None, **fields):
    return customer_create(
        org=tenant.org,
        actor=tenant.user(),
        data=CustomerInput(display_name=name, **fields),
        contacts=contacts
        if contacts is not None
        else [ContactInput(name="Jo Harbour", email="Jo@Harbour.test", phone="020 7946 0018")],
    )


def test_create_normalises_and_makes_the_first_contact_primary(tenant):
    customer = make(tenant, tags=[" Wholesale", "wholesale", "VIP "], credit_limit=Decimal("5000"))
    assert customer.currency == "GBP"  # the organization's default
    assert customer.tags == ["vip", "wholesale"]
    (contact,) = Contact.objects.filter(customer=customer)
    assert contact.is_primary
    assert contact.email == "jo@harbour.test"
    # A national number is read in the organization's country (GB here) and stored as E.164.
    assert str(contact.phone) == "+442079460018"
    assert phone_to_e164("(415) 555-0132", region="US") == "+14155550132"
    with pytest.raises(ValidationError, match="not a phone number"):
        phone_to_e164("020 7946 0018", region=None)


@pytest.mark.parametrize(
    ("fields", "contacts", "key"),
    [
        ({"currency": "XYZ"}, [], "currency"),
        ({"timezone": "Europe/Atlantis"}, [], "timezone"),
        ({"language": "xx"}, [], "language"),
        ({"credit_limit": Decimal("-1")}, [], "credit_limit"),
        ({"billing_country": "XX"}, [], "billing_country"),
        ({"billing_country": "GBR"}, [], "billing_country"),
        ({"billing_address_line1": "x" * 201}, [], "billing_address_line1"),
        ({"billing_postal_code": "1" * 21}, [], "billing_postal_code"),
        ({"tax_id": "1" * 51}, [], "tax_id"),
        ({}, [ContactInput(email="not-an-email")], "contacts[0].email"),
        ({}, [ContactInput(name="A"), ContactInput(phone="12")], "contacts[1].phone"),
        (
            {},
            [ContactInput(name="A", is_primary=True), ContactInput(name="B", is_primary=True)],
            "contacts",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(tenant, fields, contacts, key):
    with pytest.raises(ValidationError) as exc:
        make(tenant, contacts=contacts, **fields)
    assert key in exc.value.message_dict
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()


def test_the_billing_address_is_kept_on_one_line_each_and_is_searchable(tenant):
    customer = make(
        tenant,
        billing_address_line1="  14 Quay\nStreet ",
        billing_city="Leeds",
        billing_postal_code="LS1 4AP",
        billing_country=" gb",
        tax_id=" GB 987 654 321 ",
    )
    assert customer.billing_address_line1 == "14 Quay Street"
    assert (customer.billing_country, customer.tax_id) == ("GB", "GB 987 654 321")
    for words in ("leeds", "ls1 4ap", "LS1"):
        assert list(customer_list(org=tenant.org, search=words)) == [customer]
    # Not the street: "quay" would find every customer on a Quay Street.
    assert not customer_list(org=tenant.org, search="quay").exists()


def test_float_credit_limit_is_refused(tenant):
    with pytest.raises(ValidationError, match="decimal"):
        make(tenant, credit_limit=12.5)


def test_external_id_is_unique_per_org_only(tenant, other_tenant):
    make(tenant, external_id="QB-1")
    with pytest.raises(ValidationError) as exc:
        make(tenant, "Other", external_id="QB-1")
    assert "external_id" in exc.value.message_dict
    make(other_tenant, external_id="QB-1")  # another organization may use the same id


def test_update_replaces_contacts_and_keeps_ids(tenant, other_tenant):
    customer = make(tenant)
    jo = Contact.objects.get(customer=customer)
    customer_update(
        org=tenant.org,
        actor=tenant.user(),
        customer=customer,
        data=CustomerInput(display_name="Harbour Tiles Ltd"),
        contacts=[
            ContactInput(id=jo.pk, name="Jo Harbour", email="jo@harbour.test"),
            ContactInput(name="Accounts", email="ap@harbour.test", is_primary=True),
        ],
    )
    contacts = {c.email: c for c in Contact.objects.filter(customer=customer)}
    assert contacts["jo@harbour.test"].pk == jo.pk
    assert contacts["ap@harbour.test"].is_primary
    assert not contacts["jo@harbour.test"].is_primary
    stranger = make(other_tenant, "Stranger")
    foreign = Contact.objects.get(customer=stranger)
    with pytest.raises(ValidationError, match="not this customer"):
        customer_update(
            org=tenant.org, actor=None, customer=customer,
            data=CustomerInput(display_name="X"), contacts=[ContactInput(id=foreign.pk, name="Y")],
        )  # fmt: skip
    assert Contact.objects.get(pk=foreign.pk).name == foreign.name


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("harb", True),
        ("HARBOUR til", True),
        ("jo@harbour.test", True),
        ("harbour.test", True),
        ("020 7946 0018", True),
        ("02079460018", True),
        ("+44 20 7946", True),
        ("qb-77", True),
        ("tiles zebra", False),
        ("arbour", False),  # prefixes, not substrings
        ("'):*|!", None),  # nothing searchable: every customer
    ],
)
def test_search_by_prefix_of_any_word(tenant, query, found):
    make(tenant, external_id="QB-77")
    make(tenant, "Zebra Crossings", contacts=[ContactInput(email="z@zebra.test")])
    names = list(customer_list(org=tenant.org, search=query).values_list("display_name", flat=True))
    if found is None:
        assert len(names) == 2
    else:
        assert ("Harbour Tiles" in names) is found
        assert "Zebra Crossings" not in names


def test_search_follows_contact_changes_and_stays_in_org(tenant, other_tenant):
    customer = make(tenant)
    make(other_tenant, "Harbour Tiles")
    customer_update(
        org=tenant.org, actor=None, customer=customer,
        data=CustomerInput(display_name="Harbour Tiles"), contacts=[ContactInput(email="new@quay.test")],
    )  # fmt: skip
    assert list(customer_list(org=tenant.org, search="quay")) == [customer]
    assert not customer_list(org=tenant.org, search="jo@harbour").exists()


def test_list_filters_tags_sorts_and_annotates_primary(tenant):
    make(tenant, "b customer", tags=["vip"])
    make(tenant, "A customer", contacts=[ContactInput(email="a@a.test")])
    rows = list(customer_list(org=tenant.org))
    assert [c.display_name for c in rows] == ["A customer", "b customer"]
    assert rows[0].primary_email == "a@a.test"
    assert [c.display_name for c in customer_list(org=tenant.org, tags=["VIP"])] == ["b customer"]
    assert customer_list(org=tenant.org, sort="-name")[0].display_name == "b customer"


def test_timeline_lists_notes_newest_first(tenant):
    customer = make(tenant)
    customer_note_add(org=tenant.org, actor=tenant.user(), customer=customer, body="Called Jo")
    customer_note_add(org=tenant.org, actor=tenant.user(), customer=customer, body="Sent a card")
    entries = customer_timeline(org=tenant.org, customer=customer)
    assert [e.item.body for e in entries] == ["Sent a card", "Called Jo"]
    with pytest.raises(ValidationError):
        customer_note_add(org=tenant.org, actor=tenant.user(), customer=customer, body="  ")


def test_tag_list_follows_changes(tenant, django_capture_on_commit_callbacks):
    from invoicing.selectors import customer_tags

    with django_capture_on_commit_callbacks(execute=True):
        customer = make(tenant, tags=["wholesale"])
    assert customer_tags(org=tenant.org) == ["wholesale"]
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(
            org=tenant.org, actor=None, customer=customer,
            data=CustomerInput(display_name="Harbour Tiles", tags=["retail"]),
        )  # fmt: skip
    assert customer_tags(org=tenant.org) == ["retail"]


# ---------------------------------------------------------------------------------------------
# Many at once (customers_upsert_bulk, the CSV import's writer)


def test_bulk_creates_customers_with_primary_contacts_searchable(
    tenant, django_assert_max_num_queries
):
    rows = [
        (
            CustomerInput(display_name=f" Bulk {i} ", external_id=f"B-{i}", tags=["Bulk"]),
            ContactInput(name=f"Person {i}", email=f"P{i}@Bulk.test", phone="020 7946 0018"),
            None,
        )
        for i in range(30)
    ]
    # A customer with no contact at all.
    rows.append((CustomerInput(display_name="Loner"), None, None))
    with django_assert_max_num_queries(8):  # not a dozen per row
        result = customers_upsert_bulk(org=tenant.org, actor=None, rows=rows)
    assert (result.created, result.updated) == (31, 0)
    customers = Customer.objects.for_org(tenant.org)
    assert customers.count() == 31
    assert list(customers.order_by("pk").values_list("pk", flat=True)) == result.customer_ids

    bulk_7 = customers.get(external_id="B-7")
    assert (bulk_7.display_name, bulk_7.currency, bulk_7.tags) == ("Bulk 7", "GBP", ["bulk"])
    (contact,) = bulk_7.contacts.all()
    assert (contact.is_primary, contact.email, str(contact.phone)) == (
        True,
        "p7@bulk.test",
        "+442079460018",
    )
    assert not customers.get(display_name="Loner").contacts.exists()
    # The search vector is filled as customer_create fills it.
    assert list(customer_list(org=tenant.org, search="p7@bulk")) == [bulk_7]
    assert list(customer_list(org=tenant.org, search="b-7")) == [bulk_7]
    assert customer_list(org=tenant.org, search="bulk").count() == 30


def test_bulk_updates_in_place_without_duplicates(tenant):
    kept = make(tenant, "Harbour Tiles", external_id="HT-1")
    kept_contact = kept.contacts.get()
    no_primary = make(tenant, "Quay Supplies", contacts=[])
    other = make(tenant, "Untouched", contacts=[ContactInput(name="Someone", email="s@u.test")])
    before = Customer.objects.for_org(tenant.org).get(pk=kept.pk).updated_at

    rows = [
        (
            CustomerInput(display_name="Harbour Tiles & Stone", external_id="HT-1", currency="EUR"),
            ContactInput(name="Sam Stone", email="new@harbour.test", receives_reminders=False),
            kept.pk,
        ),
        (
            CustomerInput(
                display_name="Quay Supplies",
                billing_address_line1="2 Dock Road",
                billing_city="Cardiff",
                billing_postal_code="CF10 5AL",
                billing_country="gb",
                tax_id="GB111222333",
            ),
            ContactInput(email="ap@quay.test"),
            no_primary.pk,
        ),
        (CustomerInput(display_name="Untouched Ltd"), None, other.pk),
        (CustomerInput(display_name="Brand New"), ContactInput(email="b@new.test"), None),
    ]
    result = customers_upsert_bulk(org=tenant.org, actor=None, rows=rows)
    assert (result.created, result.updated) == (1, 3)
    assert result.customer_ids[:3] == [kept.pk, no_primary.pk, other.pk]

    kept.refresh_from_db()
    assert (kept.display_name, kept.currency) == ("Harbour Tiles & Stone", "EUR")
    assert kept.updated_at > before
    contact = kept.contacts.get()
    assert contact.pk == kept_contact.pk  # updated in place, not replaced
    assert (contact.email, contact.receives_reminders) == ("new@harbour.test", False)
    assert no_primary.contacts.get().is_primary
    # Every customer column is written by the bulk update, the address too.
    no_primary.refresh_from_db()
    assert (
        no_primary.billing_address_line1,
        no_primary.billing_city,
        no_primary.billing_postal_code,
        no_primary.billing_country,
        no_primary.tax_id,
    ) == ("2 Dock Road", "Cardiff", "CF10 5AL", "GB", "GB111222333")
    assert list(customer_list(org=tenant.org, search="cardiff")) == [no_primary]
    assert other.contacts.get().email == "s@u.test"  # None leaves the contacts alone
    assert list(customer_list(org=tenant.org, search="new@harbour")) == [kept]
    assert not customer_list(org=tenant.org, search="jo@harbour").exists()
    assert list(customer_list(org=tenant.org, search="ap@quay")) == [no_primary]

    # The same rows again: updates only, nothing duplicated.
    again = customers_upsert_bulk(
        org=tenant.org,
        actor=None,
        rows=[(data, contact, cid or result.customer_ids[3]) for data, contact, cid in rows],
    )
    assert (again.created, again.updated) == (0, 4)
    assert Customer.objects.for_org(tenant.org).count() == 4
    assert Contact.objects.for_org(tenant.org).count() == 4


def test_bulk_refuses_a_bad_row_by_index_and_writes_nothing(tenant, other_tenant):
    theirs = make(other_tenant, "Not yours")
    good = (CustomerInput(display_name="Fine"), ContactInput(email="ok@fine.test"), None)
    bad_rows = [
        ((CustomerInput(display_name="Bad", currency="ZZZ"), None, None), "ISO 4217"),
        ((CustomerInput(display_name="Bad"), ContactInput(email="not an email"), None), "email"),
        ((CustomerInput(display_name="Bad"), None, theirs.pk), "No such customer"),
    ]
    for bad, message in bad_rows:
        with pytest.raises(CustomerRowInvalid, match=message) as caught:
            customers_upsert_bulk(org=tenant.org, actor=None, rows=[good, good, bad])
        assert caught.value.index == 2
    assert not Customer.objects.for_org(tenant.org).exists()
    make(tenant, "Taken", external_id="T-1")
    with pytest.raises(ValidationError, match="external id"):
        customers_upsert_bulk(
            org=tenant.org,
            actor=None,
            rows=[good, (CustomerInput(display_name="Dup", external_id="T-1"), None, None)],
        )
    assert Customer.objects.for_org(tenant.org).count() == 1


def test_bulk_drops_the_tag_list_cache(tenant, django_capture_on_commit_callbacks):
    from invoicing.selectors import customer_tags

    assert customer_tags(org=tenant.org) == []
    with django_capture_on_commit_callbacks(execute=True):
        customers_upsert_bulk(
            org=tenant.org,
            actor=None,
            rows=[(CustomerInput(display_name="Tagged", tags=["Retail"]), None, None)],
        )
    assert customer_tags(org=tenant.org) == ["retail"]

from io import StringIO

import pytest
from django.core.management import call_command

from arhub.models import SmsConsent, Suppression
from invoicing.models import Contact, Customer
from invoicing.selectors import customer_list

pytestmark = pytest.mark.django_db


def seed(slug: str, seed: int = 3, customers: int = 60) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", str(seed), "--events", "0",
        "--customers", str(customers), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def directory(slug: str) -> list[tuple]:
    return list(
        Customer.objects.filter(organization__slug=slug)
        .order_by("external_id")
        .values_list("display_name", "timezone", "currency", "language", "tags")
    )


def test_demo_customers_are_realistic_and_deterministic():
    report = seed("one")
    seed("two")
    assert "60 customers" in report
    assert directory("one") == directory("two")
    seed("three", seed=4)
    assert directory("three") != directory("one")
    zones = {row[1].split("/")[0] for row in directory("one")}
    assert {"America", "Europe"} <= zones and len(zones) >= 3  # several continents
    assert {row[3] for row in directory("one")} == {"en", "es"}
    org_contacts = Contact.objects.filter(organization__slug="one")
    assert org_contacts.filter(is_primary=True).count() == 60
    assert SmsConsent.objects.filter(organization__slug="one").exists()
    assert Suppression.objects.filter(organization__slug="one").exists()


def test_demo_customers_are_searchable():
    seed("one")
    org_customer = Customer.objects.filter(organization__slug="one").first()
    found = customer_list(org=org_customer.organization, search=org_customer.external_id)
    assert list(found) == [org_customer]
    email = Contact.objects.filter(customer=org_customer, is_primary=True).get().email
    assert org_customer in customer_list(org=org_customer.organization, search=email)

"""An issued invoice keeps the name, address and tax number it was issued to; a draft follows
the customer record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.bill_to import bill_to_snapshot
from invoicing.credit_services import credit_note_create
from invoicing.models import Customer
from invoicing.pdf import credit_note_pdf, invoice_pdf
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.invoicing.pdf_helpers import pdf_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant) -> Customer:
    customer = CustomerFactory(
        organization=tenant.org,
        display_name="Harbour Tiles",
        billing_address_line1="1 Quay Street",
        billing_city="Galway",
        billing_country="IE",
        tax_id="IE1234567T",
    )
    ContactFactory(customer=customer, name="Sam Byrne", email="sam@harbour.test")
    return customer


def move(customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(
        display_name="Harbour Tiles & Stone", billing_address_line1="9 Dock Road", tax_id=""
    )


def test_issuing_keeps_who_the_invoice_went_to(tenant, customer):
    issued = invoice_make(tenant.org, customer=customer)
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    assert issued.bill_to["billing_address_line1"] == "1 Quay Street"
    assert issued.bill_to["contact_email"] == "sam@harbour.test"
    assert draft.bill_to == {}
    move(customer)
    issued.refresh_from_db()
    draft.refresh_from_db()

    old = pdf_words(invoice_pdf(org=tenant.org, invoice=issued))
    assert "1 Quay Street" in old and "IE1234567T" in old and "9 Dock Road" not in old
    new = pdf_words(invoice_pdf(org=tenant.org, invoice=draft))
    assert "9 Dock Road" in new and "Harbour Tiles & Stone" in new and "IE1234567T" not in new

    note = credit_note_create(
        org=tenant.org, actor=None, invoice=issued, amount=Decimal("10"), reason="Goodwill"
    )
    assert "1 Quay Street" in pdf_words(credit_note_pdf(org=tenant.org, credit_note=note))


def test_the_snapshot_names_the_billing_contact(tenant, customer):
    snapshot = bill_to_snapshot(customer)
    assert (snapshot["display_name"], snapshot["billing_country"], snapshot["contact_name"]) == (
        "Harbour Tiles",
        "IE",
        "Sam Byrne",
    )

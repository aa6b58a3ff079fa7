"""Who an invoice is addressed to, as it was when it was issued.

An issued invoice is a record: reprinting it a year later must show the name, address and tax
number it went out with, not whatever the customer record says now. ``invoice_issue`` stores
this snapshot on the invoice; drafts read the live customer.
"""

from __future__ import annotations

from typing import Any

from invoicing.models import Contact, Customer, Invoice

# The customer fields the bill-to block prints.
FIELDS = (
    "display_name",
    "company",
    "billing_address_line1",
    "billing_address_line2",
    "billing_city",
    "billing_region",
    "billing_postal_code",
    "billing_country",
    "tax_id",
    "language",
)


def billing_contact(customer: Customer) -> Contact | None:
    """The person invoices are addressed to: the primary contact when it takes invoices, else
    any that does, else the primary."""
    contacts = list(customer.contacts.all())
    for wanted in (
        lambda c: c.is_primary and c.receives_invoices,
        lambda c: c.receives_invoices,
        lambda c: c.is_primary,
    ):
        for contact in contacts:
            if wanted(contact):
                return contact
    return None


def bill_to_snapshot(customer: Customer) -> dict[str, Any]:
    contact = billing_contact(customer)
    return {
        **{name: getattr(customer, name) for name in FIELDS},
        "contact_name": contact.name if contact else "",
        "contact_email": contact.email if contact else "",
    }


def bill_to_of(invoice: Invoice) -> dict[str, Any]:
    """The snapshot taken at issue, or (a draft, or an invoice issued before snapshots) the
    customer as they are now."""
    return invoice.bill_to or bill_to_snapshot(invoice.customer)


def bill_to_customer(bill_to: dict[str, Any]) -> Customer:
    """An unsaved Customer holding the snapshot's values, for the address formatting that
    takes a customer."""
    return Customer(**{name: bill_to.get(name, "") for name in FIELDS})

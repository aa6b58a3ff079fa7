"""The objects the isolation sweep builds for a tenant, and the re-reads that check them.

Everything built here carries its organization's name (and some its slug): customers' names,
notes and contacts, invoice lines, memos and notes, tax rate and terms names, credit note
reasons. Both are sweep markers for org B, so B's object showing on any of A's pages or answers
is caught by the sweep's own marker check without each route looking for it.

Customers are all named "<org> client <n>": the invoice editor's search check finds A's and not
B's by searching for "client".
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from invoicing.credit_services import credit_note_create
from invoicing.models import (
    Contact,
    CreditNote,
    Customer,
    CustomerNote,
    Invoice,
    PayLink,
    PaymentTerms,
    TaxRate,
)
from invoicing.services import ContactInput, CustomerInput, customer_create
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make

# Makes names unique: the builders' and the routes modules' request bodies share it.
SERIAL = itertools.count(1)


# ---- customers


def new_customer(tenant: Tenant) -> Customer:
    """A customer with two contacts, its primary one with a phone."""
    n = next(SERIAL)
    name, slug = tenant.org.name, tenant.org.slug
    return customer_create(
        org=tenant.org,
        actor=tenant.owner.user,
        data=CustomerInput(
            display_name=f"{name} client {n}",
            company=f"{name} Trading",
            currency=tenant.org.default_currency,
            external_id=f"{slug}-ext-{n}",
            notes=f"{name} private note",
        ),
        contacts=[
            ContactInput(
                name=f"{name} payables",
                email=f"ap{n}@{slug}.test",
                # A number per contact: consent is recorded per organization and phone.
                phone=f"+44207946{n % 10000:04d}",
                is_primary=True,
            ),
            ContactInput(name=f"{name} buyer", email=f"buyer{n}@{slug}.test"),
        ],
    )


def new_contact(tenant: Tenant) -> Contact:
    return new_customer(tenant).contacts.get(is_primary=True)


def customer_unchanged(built: Customer) -> None:
    current = Customer.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's customer was deleted"
    assert current.organization_id == built.organization_id, "org B's customer moved"
    assert (current.display_name, current.notes, current.external_id) == (
        built.display_name,
        built.notes,
        built.external_id,
    ), "org B's customer changed"
    contacts = Contact.objects.filter(customer_id=built.pk).order_by("pk")
    org_name = built.organization.name
    assert list(contacts.values_list("name", flat=True)) == [
        f"{org_name} payables",
        f"{org_name} buyer",
    ], "org B's customer's contacts changed"
    assert not CustomerNote.objects.filter(customer_id=built.pk).exists(), "a note reached B"


# ---- tax rates and payment terms


def new_tax_rate(tenant: Tenant) -> TaxRate:
    return TaxRate.objects.create(
        organization=tenant.org, name=f"{tenant.org.name} tax {next(SERIAL)}", percent=Decimal(7)
    )


def tax_rate_unchanged(built: TaxRate) -> None:
    current = TaxRate.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's tax rate was deleted"
    assert (current.name, current.percent, current.is_active) == (
        built.name,
        built.percent,
        built.is_active,
    ), "org B's tax rate changed"


def new_terms(tenant: Tenant) -> PaymentTerms:
    return PaymentTerms.objects.create(
        organization=tenant.org,
        name=f"{tenant.org.name} terms {next(SERIAL)}",
        days=21,
        late_fee_kind="percent",
        late_fee_percent=Decimal("1.5"),
    )


def terms_unchanged(built: PaymentTerms) -> None:
    current = PaymentTerms.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's payment terms were deleted"
    assert (current.name, current.days, current.is_default) == (
        built.name,
        built.days,
        built.is_default,
    ), "org B's payment terms changed"


# ---- invoices and credit notes


def new_invoice(tenant: Tenant, *, issue: bool = True) -> Invoice:
    name = tenant.org.name
    return invoice_make(
        tenant.org,
        customer=new_customer(tenant),
        lines=[(f"{name} consulting", "2", "150.00", [new_tax_rate(tenant)])],
        issue=issue,
        memo=f"{name} memo",
        notes=f"{name} private note",
        po_number=f"{tenant.org.slug}-po",
    )


def new_draft(tenant: Tenant) -> Invoice:
    return new_invoice(tenant, issue=False)


def invoice_unchanged(built: Invoice) -> None:
    current = Invoice.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's invoice was deleted"
    assert (current.status, current.number, current.notes, current.total, current.balance_due) == (
        built.status,
        built.number,
        built.notes,
        built.total,
        built.balance_due,
    ), "org B's invoice changed"
    assert list(current.lines.values_list("description", flat=True)) == [
        f"{built.organization.name} consulting"
    ], "org B's invoice lines changed"
    assert not CreditNote.objects.filter(invoice_id=built.pk).exists(), "a credit note reached B"
    assert not PayLink.objects.filter(invoice_id=built.pk, revoked_at__isnull=False).exists(), (
        "org B's pay link was revoked"
    )


def new_credit_note(tenant: Tenant) -> CreditNote:
    return credit_note_create(
        org=tenant.org,
        actor=None,
        invoice=new_invoice(tenant),
        amount=Decimal("10.00"),
        reason=f"{tenant.org.name} goodwill",
    )


def credit_note_unchanged(built: CreditNote) -> None:
    current = CreditNote.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's credit note was deleted"
    assert (current.amount, current.reason) == (built.amount, built.reason), (
        "org B's credit note changed"
    )

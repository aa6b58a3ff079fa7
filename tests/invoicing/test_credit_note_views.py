"""The credit note form: all that remains or part of it, what comes off the balance and what is
kept as customer credit, errors that name the field and save nothing, state, role and tenancy."""

from __future__ import annotations

from decimal import Decimal
from html import unescape
from typing import Any

import pytest

from arhub.roles import Role
from invoicing.invoice_services import invoice_void
from invoicing.models import CreditNote, CustomerCredit, Invoice, InvoiceStatus
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def invoice(tenant):
    customer = CustomerFactory(organization=tenant.org, display_name="Harbour Tiles")
    return invoice_make(tenant.org, customer=customer, lines=[("Design", "2", "150.00")])


def url(invoice: Invoice) -> str:
    return f"/invoices/{invoice.pk}/credit-notes/new/"


def paid_part(invoice: Invoice, amount: str) -> Invoice:
    """As if a payment of ``amount`` had been applied (payments are built elsewhere)."""
    paid = Decimal(amount)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=paid,
        balance_due=invoice.total - paid,
        status=InvoiceStatus.PAID if paid == invoice.total else InvoiceStatus.PARTIALLY_PAID,
    )
    return Invoice.objects.get(pk=invoice.pk)


def test_the_form_shows_what_remains_and_where_it_goes(tenant, invoice):
    page = text(tenant.client().get(url(invoice)))
    assert "Leave blank to credit all that remains (£300.00)." in page
    assert "Crediting £300.00: £300.00 comes off what Harbour Tiles owes." in page
    assert '<label for="id_amount">Amount to credit</label>' in page
    assert '<label for="id_reason">Reason</label>' in page


def test_blank_amount_credits_all_that_remains(tenant, invoice):
    client = tenant.client()
    response = client.post(url(invoice), {"amount": "", "reason": "Cancelled order"})
    assert response.status_code == 302 and response["Location"] == f"/invoices/{invoice.pk}/"
    note = CreditNote.objects.get(invoice=invoice)
    assert (note.amount, note.applied_amount, note.credit_amount) == (
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("0"),
    )
    assert note.reason == "Cancelled order" and note.created_by == tenant.user()
    invoice.refresh_from_db()
    assert invoice.balance_due == 0 and invoice.status == InvoiceStatus.PAID
    page = text(client.get(response["Location"]))
    assert f"Issued credit note {note.number} for £300.00. £300.00 came off the balance." in page
    assert note.number in page and "Cancelled order" in page


def test_part_of_it(tenant, invoice):
    response = tenant.client(Role.BILLING).post(
        url(invoice), {"amount": "45.50", "reason": "One hour billed twice"}
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("45.50")
    assert invoice.balance_due == Decimal("254.50")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    # What is left to credit shrinks by it.
    page = text(tenant.client().get(url(invoice)))
    assert "Leave blank to credit all that remains (£254.50)." in page


def test_more_than_is_owed_becomes_customer_credit(tenant, invoice):
    invoice = paid_part(invoice, "250.00")  # £50.00 still owed
    client = tenant.client()
    page = text(client.get(url(invoice)))
    assert (
        "Crediting £300.00: £50.00 comes off what Harbour Tiles owes, and £250.00 is kept as "
        "credit for their next invoice."
    ) in page
    response = client.post(url(invoice), {"amount": "80", "reason": "Damaged tiles"}, follow=True)
    note = CreditNote.objects.get(invoice=invoice)
    assert (note.applied_amount, note.credit_amount) == (Decimal("50.00"), Decimal("30.00"))
    credit = CustomerCredit.objects.get(credit_note=note)
    assert credit.amount == Decimal("30.00") and credit.customer_id == invoice.customer_id
    assert "£30.00 is kept as credit for Harbour Tiles." in text(response)


def test_a_paid_invoice_credits_all_to_customer_credit(tenant, invoice):
    invoice = paid_part(invoice, "300.00")
    page = text(tenant.client().get(url(invoice)))
    assert "the invoice is already settled, so all of it is kept as credit" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "“abc” is not a number. Write it like 12.50."),
        ("1,000", "Use a point for decimals and no thousands separators, e.g. 1250.50."),
        ("10.005", "GBP amounts have at most 2 decimals."),
        ("300.01", "At most £300.00 of this invoice is left to credit."),
        ("0", "The credit must be more than zero."),
        ("-5", "The credit must be more than zero."),
    ],
)
def test_a_bad_amount_is_named_and_nothing_is_saved(tenant, invoice, amount, message):
    response = tenant.client().post(url(invoice), {"amount": amount, "reason": "Because"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    page = text(response)
    assert f'<a href="#id_amount">Amount to credit: {message}</a>' in page
    assert f'value="{amount}"' in page and "Because" in page
    assert not CreditNote.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).balance_due == invoice.balance_due


def test_the_reason_is_required(tenant, invoice):
    response = tenant.client().post(url(invoice), {"amount": "10", "reason": "   "})
    assert response.context["form"].errors["reason"] == [
        "Say why the credit is given; it is printed on it."
    ]
    assert '<a href="#id_reason">Reason: Say why' in text(response)
    assert not CreditNote.objects.exists()


def test_an_invoice_that_cannot_be_credited(tenant, invoice):
    void = invoice_void(org=tenant.org, actor=None, invoice=invoice, reason="x")
    draft = invoice_make(tenant.org, issue=False)
    client = tenant.client()
    for target in (void, draft):
        page = text(client.get(url(target)))
        assert "Only an issued invoice that is not void or written off can be credited." in page
        assert 'name="reason"' not in page
        response = client.post(url(target), {"amount": "", "reason": "Try anyway"})
        assert response.status_code == 200
        assert "Only an issued invoice that is not void or written off can be credited." in text(
            response
        )
    assert not CreditNote.objects.exists()


def test_nothing_left_to_credit(tenant, invoice):
    client = tenant.client()
    client.post(url(invoice), {"amount": "", "reason": "All of it"})
    page = text(client.get(url(invoice)))
    assert "All of this invoice has already been credited." in page


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_are_refused(tenant, invoice, role):
    client = tenant.client(role)
    assert client.get(url(invoice)).status_code == 403
    assert client.post(url(invoice), {"amount": "", "reason": "x"}).status_code == 403
    assert not CreditNote.objects.exists()


def test_another_organizations_invoice_is_a_404(tenant, other_tenant):
    theirs = invoice_make(other_tenant.org)
    client = tenant.client()
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {"amount": "", "reason": "x"}).status_code == 404
    assert not CreditNote.objects.exists()
    assert Invoice.objects.get(pk=theirs.pk).balance_due == theirs.balance_due

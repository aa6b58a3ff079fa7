"""Credit notes: numbered on their own, reduce the balance, and turn any excess into customer
credit; the balance never goes below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.credit_services import credit_note_create, credit_split
from invoicing.invoice_services import InvoiceStateError, invoice_status_refresh, invoice_void
from invoicing.models import CreditNote, CustomerCredit, Invoice, InvoiceStatus
from tests.invoicing.invoice_factories import TaxRateFactory, invoice_make

pytestmark = pytest.mark.django_db
D = Decimal


def pay(invoice: Invoice, amount: str) -> Invoice:
    invoice.amount_paid += D(amount)
    invoice_status_refresh(invoice)
    invoice.save()
    return invoice


def test_part_credit_reduces_the_balance_with_its_share_of_tax(tenant):
    vat = TaxRateFactory(organization=tenant.org, name="VAT", percent=D("20"))
    invoice = invoice_make(tenant.org, lines=[("Work", "1", "100", [vat])])  # 120.00
    note = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=D("30"), reason="Late delivery"
    )
    assert note.number.startswith("CN-") and note.number.endswith("-0001")
    assert (note.applied_amount, note.credit_amount, note.tax_amount) == (
        D("30"),
        D("0"),
        D("5.00"),
    )
    assert note.tax_breakdown == [{"name": "VAT", "percent": "20", "amount": "5.00"}]
    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.balance_due, invoice.status) == (
        D("30.000"),
        D("90.000"),
        InvoiceStatus.PARTIALLY_PAID,
    )


def test_whole_credit_settles_the_invoice(tenant):
    invoice = invoice_make(tenant.org, lines=[("Work", "1", "100")])
    note = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=None, reason="Cancelled"
    )
    assert note.amount == D("100.00")
    invoice.refresh_from_db()
    assert (invoice.balance_due, invoice.status) == (0, InvoiceStatus.PAID)
    with pytest.raises(ValidationError, match="more than zero"):
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=None, reason="Again")


def test_credit_on_a_paid_invoice_becomes_customer_credit(tenant):
    invoice = pay(invoice_make(tenant.org, lines=[("Work", "1", "100")]), "70")
    note = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=D("50"), reason="Refund part"
    )
    assert (note.applied_amount, note.credit_amount) == (D("30.00"), D("20.00"))
    credit = CustomerCredit.objects.get(credit_note=note)
    assert (credit.amount, credit.currency, credit.customer_id) == (
        D("20.00"),
        invoice.currency,
        invoice.customer_id,
    )
    invoice.refresh_from_db()
    assert (invoice.balance_due, invoice.status) == (0, InvoiceStatus.PAID)


@pytest.mark.parametrize(
    ("amount", "field", "message"),
    [
        (D("0"), "amount", "more than zero"),
        (D("100.01"), "amount", "left to credit"),
        (D("10.005"), "amount", "at most 2 decimals"),
    ],
)
def test_refused_credits_save_nothing(tenant, amount, field, message):
    invoice = invoice_make(tenant.org, lines=[("Work", "1", "100")])
    with pytest.raises(ValidationError) as caught:
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=amount, reason="x")
    assert message in caught.value.message_dict[field][0]
    assert not CreditNote.objects.exists()


def test_a_reason_is_required_and_drafts_and_voids_are_not_credited(tenant):
    invoice = invoice_make(tenant.org)
    with pytest.raises(ValidationError) as caught:
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=D("1"), reason=" ")
    assert "reason" in caught.value.message_dict
    draft = invoice_make(tenant.org, issue=False)
    with pytest.raises(InvoiceStateError):
        credit_note_create(org=tenant.org, actor=None, invoice=draft, amount=D("1"), reason="x")
    invoice_void(org=tenant.org, actor=None, invoice=invoice)
    with pytest.raises(InvoiceStateError):
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=D("1"), reason="x")


@given(
    amount=st.decimals(min_value=0, max_value=10**6, places=2),
    balance=st.decimals(min_value=0, max_value=10**6, places=2),
)
def test_split_never_overdraws_the_balance(amount, balance):
    parts = credit_split(amount=amount, balance=balance)
    assert parts.applied + parts.to_credit == amount
    assert 0 <= parts.applied <= balance and parts.to_credit >= 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.decimals(min_value=1, max_value=5000, places=2),
    paid_share=st.decimals(min_value=0, max_value=1, places=2),
    credit_shares=st.lists(
        st.decimals(min_value=D("0.01"), max_value=1, places=2), min_size=1, max_size=4
    ),
)
def test_credits_never_push_the_balance_below_zero_without_making_credit(
    tenant, price, paid_share, credit_shares
):
    invoice = invoice_make(tenant.org, lines=[("Work", "1", str(price))])
    paid = (invoice.total * paid_share).quantize(D("0.01"))
    if paid:
        invoice = pay(invoice, str(paid))
    credited = D(0)
    for share in credit_shares:
        room = invoice.total - credited
        amount = min((invoice.total * share).quantize(D("0.01")), room)
        if amount <= 0:
            break
        credit_note_create(org=tenant.org, actor=None, invoice=invoice, amount=amount, reason="x")
        credited += amount
        invoice.refresh_from_db()
        assert invoice.balance_due >= 0
    notes = CreditNote.objects.filter(invoice=invoice)
    made_credit = (
        CustomerCredit.objects.filter(credit_note__invoice=invoice).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    # Every unit credited either came off the balance or became customer credit.
    assert sum(n.amount for n in notes) == credited
    assert invoice.amount_credited + made_credit == credited
    assert invoice.balance_due == max(invoice.total - paid - invoice.amount_credited, 0)
    assert made_credit == max(paid + credited - invoice.total, 0)

"""Recording a payment: explicit and automatic allocation, credit left over, and every bad
input refused by field with nothing saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentAllocation, PaymentStatus
from payments.selectors import customer_unapplied, invoice_allocations, payment_get, payment_list
from payments.services import (
    AllocationInput,
    PaymentStateError,
    payment_apply_credit,
    payment_record,
)
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import open_invoices_bulk, payment_make

pytestmark = pytest.mark.django_db


def bill(org, customer, price: str, **fields) -> Invoice:
    return invoice_make(org, customer=customer, lines=(("Work", "1", price),), **fields)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def test_explicit_allocations_pay_what_they_say(tenant):
    customer = CustomerFactory(organization=tenant.org)
    first, second = bill(tenant.org, customer, "100.00"), bill(tenant.org, customer, "80.00")
    payment = payment_make(
        tenant.org,
        customer,
        "150.00",
        allocations=[
            AllocationInput(invoice_id=first.pk, amount=Decimal("100.00")),
            AllocationInput(invoice_id=second.pk, amount=Decimal("30.00")),
        ],
    )
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.unapplied_amount == Decimal("20.00")
    first, second = fresh(first), fresh(second)
    assert (first.status, first.amount_paid, first.balance_due) == ("paid", 100, 0)
    assert first.paid_at is not None
    assert (second.status, second.amount_paid, second.balance_due) == ("partially_paid", 30, 50)
    assert [a.amount for a in invoice_allocations(org=tenant.org, invoice=second)] == [30]
    assert customer_unapplied(org=tenant.org, customer_id=customer.pk, currency="GBP") == 20


def test_automatic_prefers_the_one_invoice_whose_balance_is_the_amount(tenant):
    customer = CustomerFactory(organization=tenant.org)
    older = bill(tenant.org, customer, "300.00", due_date=date(2027, 1, 1))
    matching = bill(tenant.org, customer, "120.00", due_date=date(2027, 3, 1))
    payment = payment_make(tenant.org, customer, "120.00")
    assert fresh(matching).status == InvoiceStatus.PAID
    assert fresh(older).amount_paid == 0
    assert payment.unapplied_amount == 0


def test_automatic_pays_the_oldest_due_first(tenant):
    customer = CustomerFactory(organization=tenant.org)
    # Created first (lower id) but due later: the due date decides, not the id.
    later = bill(tenant.org, customer, "200.00", due_date=date(2027, 5, 1))
    earlier = bill(tenant.org, customer, "200.00", due_date=date(2027, 2, 1))
    payment_make(tenant.org, customer, "250.00")
    assert fresh(earlier).status == InvoiceStatus.PAID
    assert (fresh(later).amount_paid, fresh(later).status) == (50, "partially_paid")


def test_two_exact_matches_fall_back_to_oldest_first(tenant):
    customer = CustomerFactory(organization=tenant.org)
    later = bill(tenant.org, customer, "50.00", due_date=date(2027, 5, 1))
    earlier = bill(tenant.org, customer, "50.00", due_date=date(2027, 2, 1))
    payment_make(tenant.org, customer, "50.00")
    assert fresh(earlier).status == InvoiceStatus.PAID
    assert fresh(later).amount_paid == 0


def test_automatic_skips_other_currencies_customers_and_unissued_invoices(tenant):
    customer = CustomerFactory(organization=tenant.org)
    euro = bill(tenant.org, customer, "10.00", currency="EUR")
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    someone_else = bill(tenant.org, CustomerFactory(organization=tenant.org), "10.00")
    payment = payment_make(tenant.org, customer, "10.00")
    assert payment.unapplied_amount == 10
    for invoice in (euro, draft, someone_else):
        assert fresh(invoice).amount_paid == 0


def test_overpayment_is_kept_as_credit_and_applied_later(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = bill(tenant.org, customer, "100.00")
    payment = payment_make(tenant.org, customer, "160.00")
    assert fresh(invoice).status == InvoiceStatus.PAID
    assert payment.unapplied_amount == 60
    later = bill(tenant.org, customer, "45.00")
    payment = payment_apply_credit(org=tenant.org, actor=None, payment=payment)
    assert payment.unapplied_amount == 15
    assert fresh(later).status == InvoiceStatus.PAID
    assert customer_unapplied(org=tenant.org, customer_id=customer.pk, currency="GBP") == 15
    another = bill(tenant.org, customer, "40.00")
    with pytest.raises(ValidationError) as caught:
        payment_apply_credit(
            org=tenant.org,
            actor=None,
            payment=payment,
            allocations=[AllocationInput(invoice_id=another.pk, amount=Decimal("20.00"))],
        )
    assert set(caught.value.message_dict) == {"allocations"}
    payment = payment_apply_credit(
        org=tenant.org,
        actor=None,
        payment=payment,
        allocations=[AllocationInput(invoice_id=another.pk, amount=Decimal("15.00"))],
    )
    assert payment.unapplied_amount == 0
    assert fresh(another).balance_due == 25
    with pytest.raises(PaymentStateError) as caught:
        payment_apply_credit(org=tenant.org, actor=None, payment=payment)
    assert "unapplied_amount" in caught.value.message_dict


def test_partial_payment_leaves_the_rest_owing(tenant):
    customer = CustomerFactory(organization=tenant.org)
    invoice = bill(tenant.org, customer, "100.00")
    payment_make(tenant.org, customer, "0.01")
    invoice = fresh(invoice)
    assert (invoice.status, invoice.balance_due) == ("partially_paid", Decimal("99.99"))


@pytest.mark.parametrize(
    ("currency", "good", "bad"),
    [("JPY", "1500", "1500.5"), ("KWD", "1.235", "1.2345"), ("GBP", "1.25", "1.255")],
)
def test_amounts_follow_the_currency_minor_unit(tenant, currency, good, bad):
    customer = CustomerFactory(organization=tenant.org, currency=currency)
    invoice = bill(tenant.org, customer, good)
    with pytest.raises(ValidationError) as caught:
        payment_make(tenant.org, customer, bad)
    assert set(caught.value.message_dict) == {"amount"}
    assert "decimals" in caught.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as caught:
        payment_make(
            tenant.org,
            customer,
            good,
            allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal(bad))],
        )
    assert "allocations[0].amount" in caught.value.message_dict
    payment_make(tenant.org, customer, good)
    assert fresh(invoice).status == InvoiceStatus.PAID


def _rows() -> tuple[int, int, list[Decimal]]:
    return (
        Payment.objects.count(),
        PaymentAllocation.objects.count(),
        list(Invoice.objects.order_by("pk").values_list("amount_paid", flat=True)),
    )


@pytest.fixture
def books(tenant):
    """A customer with two open invoices (100 and 80 GBP), one draft, one void, one written
    off, one in euros, and another customer's invoice."""
    org = tenant.org
    customer = CustomerFactory(organization=org)
    return {
        "customer": customer,
        "a": bill(org, customer, "100.00"),
        "b": bill(org, customer, "80.00"),
        "draft": invoice_make(org, customer=customer, issue=False),
        "void": invoice_void(org=org, actor=None, invoice=bill(org, customer, "5.00")),
        "off": invoice_write_off(org=org, actor=None, invoice=bill(org, customer, "5.00")),
        "euro": bill(org, customer, "10.00", currency="EUR"),
        "theirs": bill(org, CustomerFactory(organization=org), "10.00"),
    }


def alloc(*pairs):
    return [AllocationInput(invoice_id=i.pk, amount=Decimal(a)) for i, a in pairs]


BAD = {
    "zero amount": (dict(amount="0"), None, {"amount"}),
    "negative amount": (dict(amount="-5.00"), None, {"amount"}),
    "too many decimals": (dict(amount="10.001"), None, {"amount"}),
    "unknown currency": (dict(currency="XYZ"), None, {"currency"}),
    "unknown method": (dict(method="barter"), None, {"method"}),
    "long reference": (dict(reference="x" * 201), None, {"reference"}),
    "another customer's invoice": ({}, [("theirs", "10.00")], {"allocations[0].invoice"}),
    "draft": ({}, [("a", "10.00"), ("draft", "10.00")], {"allocations[1].invoice"}),
    "void": ({}, [("void", "5.00")], {"allocations[0].invoice"}),
    "written off": ({}, [("off", "5.00")], {"allocations[0].invoice"}),
    "currency differs": ({}, [("euro", "10.00")], {"allocations[0].invoice"}),
    "more than the balance": ({}, [("b", "80.01")], {"allocations[0].amount"}),
    "zero allocation": ({}, [("b", "0")], {"allocations[0].amount"}),
    "listed twice": ({}, [("b", "10.00"), ("b", "10.00")], {"allocations[1].invoice"}),
    "sum over the payment": (
        dict(amount="150.00"),
        [("a", "100.00"), ("b", "60.00")],
        {"allocations"},
    ),
    "several at once": (
        dict(amount="-1", method="barter"),
        [("euro", "10.00")],
        {"amount", "method", "allocations[0].invoice"},
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_names_the_field_and_saves_nothing(tenant, books, case):
    overrides, pairs, fields = BAD[case]
    before = _rows()
    with pytest.raises(ValidationError) as caught:
        payment_record(
            org=tenant.org,
            actor=tenant.user(),
            customer_id=books["customer"].pk,
            amount=Decimal(overrides.get("amount", "100.00")),
            currency=overrides.get("currency", "GBP"),
            method=overrides.get("method", "cheque"),
            received_on=date(2027, 2, 1),
            reference=overrides.get("reference", ""),
            allocations=None if pairs is None else alloc(*((books[k], a) for k, a in pairs)),
        )
    assert set(caught.value.message_dict) == fields
    assert all(m for messages in caught.value.message_dict.values() for m in messages)
    assert _rows() == before


def test_another_orgs_customer_or_invoice_is_not_found(tenant, other_tenant, books):
    theirs = CustomerFactory(organization=other_tenant.org)
    their_invoice = bill(other_tenant.org, theirs, "10.00")
    before = _rows()
    with pytest.raises(NotInOrganization) as caught:
        payment_make(tenant.org, theirs, "10.00")
    assert caught.value.field == "customer"
    for invoice_id in (their_invoice.pk, 10**9):
        with pytest.raises(NotInOrganization) as caught:
            payment_make(
                tenant.org,
                books["customer"],
                "20.00",
                allocations=[
                    AllocationInput(invoice_id=books["a"].pk, amount=Decimal("10.00")),
                    AllocationInput(invoice_id=invoice_id, amount=Decimal("10.00")),
                ],
            )
        assert caught.value.field == "allocations[1].invoice"
    assert _rows() == before
    payment = payment_make(tenant.org, books["customer"], "1.00")
    with pytest.raises(NotInOrganization):
        payment_apply_credit(org=other_tenant.org, actor=None, payment=payment)


def test_selectors_stay_inside_the_org(tenant, other_tenant):
    from django.http import Http404

    mine = CustomerFactory(organization=tenant.org)
    theirs = CustomerFactory(organization=other_tenant.org)
    payment = payment_make(tenant.org, mine, "5.00")
    payment_make(other_tenant.org, theirs, "7.00")
    assert list(payment_list(org=tenant.org)) == [payment]
    assert list(payment_list(org=tenant.org, customer_id=theirs.pk)) == []
    assert payment_get(org=tenant.org, payment_id=payment.pk) == payment
    with pytest.raises(Http404):
        payment_get(org=other_tenant.org, payment_id=payment.pk)


def _queries_for(tenant, count: int) -> tuple[int, Payment]:
    customer = CustomerFactory(organization=tenant.org)
    open_invoices_bulk(tenant.org, customer, count, total=Decimal("10.00"))
    amount = Decimal("10.00") * count - Decimal("5.00")
    with CaptureQueriesContext(connection) as queries:
        payment = payment_make(tenant.org, customer, amount)
    return len(queries), payment


def test_automatic_allocation_takes_the_same_queries_for_5_or_200_invoices(tenant):
    few, _ = _queries_for(tenant, 5)
    many, payment = _queries_for(tenant, 200)
    assert few == many
    # 8, plus one look each for a promise kept and a payment plan to bring up to date.
    assert few <= 10
    assert payment.allocations.count() == 200
    paid = Invoice.objects.filter(customer=payment.customer)
    assert paid.filter(status=InvoiceStatus.PAID).count() == 199
    assert paid.get(status=InvoiceStatus.PARTIALLY_PAID).balance_due == 5

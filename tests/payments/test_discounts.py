"""Early-payment discounts taken with a payment: recorded as a discount allowed on the allocation
that earned it, the invoice closed (paid, balance 0), given back when the money goes back."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing.models import Invoice, InvoiceStatus
from invoicing.pdf import invoice_pdf
from invoicing.pdf_context import invoice_document
from invoicing.terms import Terms
from payments.models import Payment, PaymentAllocation
from payments.refund_services import payment_refund
from payments.services import (
    AllocationInput,
    payment_apply_credit,
    payment_record,
    payment_reverse,
)
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words
from tests.payments.factories import open_invoices_bulk

pytestmark = pytest.mark.django_db

D = Decimal
ISSUED = date(2027, 1, 4)
IN_WINDOW = date(2027, 1, 14)  # the last day of "2/10 net 30"
TOO_LATE = date(2027, 1, 15)


@pytest.fixture
def customer(tenant):
    return CustomerFactory(organization=tenant.org, currency="GBP")


@pytest.fixture
def two_ten(tenant):
    return PaymentTermsFactory(
        organization=tenant.org, name="2/10 net 30", days=30, discount_percent=2, discount_days=10
    )


def bill(tenant, customer, price: str, *, terms=None, issued: date = ISSUED) -> Invoice:
    return invoice_make(
        tenant.org,
        customer=customer,
        lines=(("Work", "1", price),),
        issue_date=issued,
        payment_terms_id=terms.pk if terms else None,
    )


def pay(tenant, customer, amount: str, on: date, allocations=None) -> Payment:
    return payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=D(amount),
        currency="GBP",
        method="bank_transfer",
        received_on=on,
        allocations=allocations,
    )


def to(invoice: Invoice, amount: str) -> list[AllocationInput]:
    return [AllocationInput(invoice_id=invoice.pk, amount=D(amount))]


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def figures(invoice: Invoice) -> tuple[str, Decimal, Decimal, Decimal]:
    invoice = fresh(invoice)
    return (invoice.status, invoice.amount_paid, invoice.amount_discounted, invoice.balance_due)


def discounts(payment: Payment) -> list[Decimal]:
    return list(payment.allocations.order_by("pk").values_list("discount", flat=True))


# ---- explicit allocations


def test_paying_the_discounted_amount_in_the_window_closes_the_invoice(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "98.00", IN_WINDOW, to(invoice, "98.00"))
    assert figures(invoice) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))
    assert discounts(payment) == [D("2.00")]
    assert payment.unapplied_amount == 0
    assert fresh(invoice).paid_at is not None


def test_an_amount_between_the_discounted_and_the_full_gets_the_smaller_discount(
    tenant, customer, two_ten
):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "99.25", IN_WINDOW, to(invoice, "99.25"))
    assert figures(invoice) == (InvoiceStatus.PAID, D("99.25"), D("0.75"), D(0))
    assert discounts(payment) == [D("0.75")]


def test_the_full_balance_allocated_takes_no_discount(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "100.00", IN_WINDOW, to(invoice, "100.00"))
    assert figures(invoice) == (InvoiceStatus.PAID, D("100.00"), D(0), D(0))
    assert discounts(payment) == [D(0)]


def test_after_the_window_the_same_payment_is_a_part_payment(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "98.00", TOO_LATE, to(invoice, "98.00"))
    assert figures(invoice) == (InvoiceStatus.PARTIALLY_PAID, D("98.00"), D(0), D("2.00"))
    assert discounts(payment) == [D(0)]


def test_less_than_the_discounted_amount_earns_nothing(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    pay(tenant, customer, "97.99", IN_WINDOW, to(invoice, "97.99"))
    assert figures(invoice) == (InvoiceStatus.PARTIALLY_PAID, D("97.99"), D(0), D("2.01"))


def test_terms_without_a_discount_never_give_one(tenant, customer):
    invoice = bill(tenant, customer, "100.00")
    pay(tenant, customer, "98.00", ISSUED, to(invoice, "98.00"))
    assert figures(invoice) == (InvoiceStatus.PARTIALLY_PAID, D("98.00"), D(0), D("2.00"))


def test_a_second_payment_in_the_window_settles_with_the_discount(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    first = pay(tenant, customer, "50.00", ISSUED, to(invoice, "50.00"))
    second = pay(tenant, customer, "48.00", IN_WINDOW, to(invoice, "48.00"))
    assert discounts(first) == [D(0)]
    assert discounts(second) == [D("2.00")]
    assert figures(invoice) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))


def test_the_discount_is_a_share_of_the_total_rounded_half_up(tenant, customer, two_ten):
    # 2% of 123.45 is 2.469: 2.47 off.
    invoice = bill(tenant, customer, "123.45", terms=two_ten)
    pay(tenant, customer, "120.98", IN_WINDOW, to(invoice, "120.98"))
    assert figures(invoice) == (InvoiceStatus.PAID, D("120.98"), D("2.47"), D(0))


# ---- automatic allocation


def test_the_exact_match_also_matches_the_discounted_amount(tenant, customer, two_ten):
    older = bill(tenant, customer, "50.00", issued=ISSUED - timedelta(days=20))
    newer = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "98.00", IN_WINDOW)
    assert figures(newer) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))
    assert figures(older)[0] == InvoiceStatus.OPEN
    assert payment.unapplied_amount == 0


def test_oldest_first_pays_the_discounted_amount_when_the_money_covers_it(
    tenant, customer, two_ten
):
    first = bill(tenant, customer, "100.00", terms=two_ten)
    second = bill(tenant, customer, "50.00", issued=ISSUED + timedelta(days=1))
    payment = pay(tenant, customer, "120.00", IN_WINDOW)
    assert figures(first) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))
    # The 2.00 saved goes on to the next invoice.
    assert figures(second) == (InvoiceStatus.PARTIALLY_PAID, D("22.00"), D(0), D("28.00"))
    assert discounts(payment) == [D("2.00"), D(0)]


def test_oldest_first_without_enough_money_is_a_part_payment(tenant, customer, two_ten):
    first = bill(tenant, customer, "100.00", terms=two_ten)
    pay(tenant, customer, "90.00", IN_WINDOW)
    assert figures(first) == (InvoiceStatus.PARTIALLY_PAID, D("90.00"), D(0), D("10.00"))


def test_the_full_amount_paid_in_the_window_keeps_the_saving_as_credit(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "100.00", IN_WINDOW)
    assert figures(invoice) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))
    assert payment.unapplied_amount == D("2.00")


def test_applying_credit_judges_the_window_on_the_day_it_is_applied(tenant, customer, two_ten):
    credit = pay(tenant, customer, "500.00", ISSUED - timedelta(days=30), allocations=[])
    early = bill(tenant, customer, "100.00", terms=two_ten)
    late = bill(tenant, customer, "100.00", terms=two_ten, issued=ISSUED - timedelta(days=40))
    with time_machine.travel(date(2027, 1, 12), tick=False):
        payment_apply_credit(
            org=tenant.org, actor=None, payment=credit, allocations=to(early, "98.00")
        )
        payment_apply_credit(
            org=tenant.org, actor=None, payment=credit, allocations=to(late, "98.00")
        )
    assert figures(early) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))
    assert figures(late) == (InvoiceStatus.PARTIALLY_PAID, D("98.00"), D(0), D("2.00"))


# ---- taking the money back


def test_reversing_gives_the_discount_back(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "98.00", IN_WINDOW, to(invoice, "98.00"))
    payment_reverse(org=tenant.org, actor=None, payment=payment, reason="cheque bounced")
    assert figures(invoice) == (InvoiceStatus.OPEN, D(0), D(0), D("100.00"))
    # The allocation keeps what it had earned, marked reversed.
    allocation = PaymentAllocation.objects.get(payment=payment)
    assert (allocation.discount, allocation.is_live) == (D("2.00"), False)


def test_the_discount_can_be_earned_again_after_a_reversal(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    bounced = pay(tenant, customer, "98.00", ISSUED, to(invoice, "98.00"))
    payment_reverse(org=tenant.org, actor=None, payment=bounced, reason="cheque bounced")
    pay(tenant, customer, "98.00", IN_WINDOW, to(invoice, "98.00"))
    assert figures(invoice) == (InvoiceStatus.PAID, D("98.00"), D("2.00"), D(0))


def test_a_full_refund_gives_the_discount_back(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    payment = pay(tenant, customer, "98.00", IN_WINDOW, to(invoice, "98.00"))
    payment_refund(org=tenant.org, actor=None, payment=payment, amount=D("98.00"), reason="asked")
    assert figures(invoice) == (InvoiceStatus.OPEN, D(0), D(0), D("100.00"))


# ---- the API


def test_the_api_shows_the_discount_on_the_allocation_and_the_invoice(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    api = tenant.api()
    body = {
        "customer": customer.pk,
        "amount": "98.00",
        "currency": "GBP",
        "method": "cheque",
        "received_on": IN_WINDOW.isoformat(),
        "allocations": [{"invoice": invoice.pk, "amount": "98.00"}],
    }
    created = api.post("/api/v1/payments/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    (allocation,) = created.json()["allocations"]
    assert (allocation["amount"], allocation["discount"]) == ("98.00", "2.00")
    shown = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert shown["status"] == "paid"
    assert (shown["amount_discounted"], shown["fees_total"], shown["balance_due"]) == (
        "2.00",
        "0.00",
        "0.00",
    )
    # Sending back what was read still works: both are output only.
    listed = api.get("/api/v1/invoices/").json()["results"]
    assert {row["amount_discounted"] for row in listed} == {"2.00"}


# ---- queries


def _with_discount(invoices: list[Invoice]) -> None:
    terms = Terms(name="2/10 net 30", discount_percent=D(2), discount_days=10).to_json()
    for invoice in invoices:
        invoice.terms = terms
    Invoice.objects.bulk_update(invoices, ["terms"])


def _queries_for(tenant, count: int) -> tuple[int, Payment]:
    customer = CustomerFactory(organization=tenant.org)
    invoices = open_invoices_bulk(tenant.org, customer, count, total=D("10.00"))
    _with_discount(invoices)
    issued = invoices[0].issue_date
    assert issued is not None
    with CaptureQueriesContext(connection) as queries:
        payment = payment_record(
            org=tenant.org,
            actor=None,
            customer_id=customer.pk,
            amount=D("9.80") * count,
            currency=customer.currency,
            method="cash",
            received_on=issued + timedelta(days=3),
        )
    return len(queries), payment


def test_discounts_keep_automatic_allocation_at_constant_queries(tenant):
    few, _ = _queries_for(tenant, 5)
    many, payment = _queries_for(tenant, 200)
    assert few == many
    paid = Invoice.objects.filter(customer=payment.customer)
    assert paid.filter(status=InvoiceStatus.PAID, amount_discounted=D("0.20")).count() == 200
    assert payment.unapplied_amount == 0


@needs_poppler
def test_the_invoice_pdf_shows_the_discount_allowed(tenant, customer, two_ten):
    invoice = bill(tenant, customer, "100.00", terms=two_ten)
    pay(tenant, customer, "98.00", IN_WINDOW, to(invoice, "98.00"))
    invoice = fresh(invoice)
    text = pdf_words(invoice_pdf(org=tenant.org, invoice=invoice))
    assert "Paid \u2212£98.00 Early-payment discount \u2212£2.00" in text
    assert "Balance due £0.00" in text
    assert invoice_document(org=tenant.org, invoice=invoice).discount_allowed == "£2.00"

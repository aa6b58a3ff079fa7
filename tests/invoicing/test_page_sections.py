"""invoicing.page_sections: how apps above invoicing add sections to the invoice page and the
customer page without invoicing importing them, and the payments sections that use it (each
allocation on the invoice page, a customer's payments and credit), at a constant number of
queries."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing import page_sections
from invoicing.models import Invoice
from invoicing.page_sections import PageSection, SectionAction
from payments.models import PaymentAllocation
from payments.services import AllocationInput, payment_record, payment_reverse
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db

INVOICING = Path(__file__).resolve().parents[2] / "invoicing"


def pay(tenant, invoice: Invoice, amount: str, **fields) -> object:
    return payment_record(
        org=tenant.org,
        actor=tenant.owner.user,
        customer_id=invoice.customer_id,
        amount=Decimal(amount),
        currency=invoice.currency,
        method=fields.pop("method", "cheque"),
        received_on=fields.pop("received_on", date(2027, 2, 1)),
        reference=fields.pop("reference", ""),
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal(amount))],
    )


def test_invoicing_never_imports_payments():
    offenders = []
    for path in INVOICING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "payments"]
    assert offenders == []


# ---- the registry


def test_a_registered_section_shows_on_the_invoice_page_with_its_actions(tenant, monkeypatch):
    invoice = invoice_make(tenant.org)
    calls = []

    def provider(*, org, membership, invoice):
        calls.append((org, membership.role, invoice.pk))
        return PageSection(
            template_name="payments/_invoice_payments.html",
            context={"rows": [], "record_url": "/somewhere/"},
            actions=(SectionAction("Do the test thing", "/test-thing/"),),
        )

    def nothing(*, org, membership, invoice):
        return None

    monkeypatch.setattr(page_sections, "_invoice_providers", {})
    page_sections.invoice_section_register(name="test", provider=nothing)
    page_sections.invoice_section_register(name="test", provider=provider)  # replaces
    page_sections.invoice_section_register(name="quiet", provider=nothing)
    response = tenant.client().get(f"/invoices/{invoice.pk}/")
    assert calls == [(tenant.org, Role.OWNER, invoice.pk)]
    assert len(response.context["sections"]) == 1
    body = response.content.decode()
    assert '<a class="button" href="/test-thing/">Do the test thing</a>' in body
    assert body.count('id="payments-heading"') == 1


def test_a_registered_section_shows_on_the_customer_page(tenant, monkeypatch):
    customer = CustomerFactory(organization=tenant.org)

    def provider(*, org, membership, customer):
        return PageSection(
            template_name="payments/_customer_payments.html",
            context={"rows": [], "credits": [], "customer": customer, "record_url": ""},
        )

    monkeypatch.setattr(page_sections, "_customer_providers", {})
    page_sections.customer_section_register(name="test", provider=provider)
    body = tenant.client().get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="payments-heading"' in body and "No payments yet." in body


# ---- payments on the invoice page


def test_the_invoice_page_lists_each_payment_and_offers_to_record_one(tenant):
    invoice = invoice_make(tenant.org, lines=[("Tiling", "1", "300.00")])
    kept = pay(tenant, invoice, "100.00", reference="CHQ-77", received_on=date(2027, 2, 3))
    bounced = pay(tenant, invoice, "50.00", method="bank_transfer", reference="TRF-9")
    payment_reverse(org=tenant.org, actor=None, payment=bounced, reason="Recalled by the bank")
    PaymentAllocation.objects.filter(payment=kept).update(discount=Decimal("6.00"))
    body = tenant.client().get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'id="payments-heading"' in body
    assert f'href="/payments/{kept.pk}/"' in body and f'href="/payments/{bounced.pk}/"' in body
    assert "CHQ-77" in body and "3 Feb 2027" in body and "Cheque" in body
    assert "Bank transfer" in body and "Reversed" in body and "Recalled by the bank" in body
    assert "£6.00 discount allowed" in body
    assert f'href="/payments/new/?invoice={invoice.pk}"' in body


def test_no_record_button_when_nothing_is_owed_or_for_read_only_roles(tenant):
    invoice = invoice_make(tenant.org, lines=[("Tiling", "1", "300.00")])
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        body = tenant.client(role).get(f"/invoices/{invoice.pk}/").content.decode()
        assert "Record a payment" not in body and "/payments/new/" not in body
        assert 'id="payments-heading"' in body
    pay(tenant, invoice, "300.00")
    body = tenant.client().get(f"/invoices/{invoice.pk}/").content.decode()
    assert "/payments/new/" not in body and 'id="payments-heading"' in body
    draft = invoice_make(tenant.org, issue=False)
    body = tenant.client().get(f"/invoices/{draft.pk}/").content.decode()
    assert 'id="payments-heading"' not in body


def test_invoice_page_queries_do_not_grow_with_payments(tenant):
    invoice = invoice_make(tenant.org, lines=[("Tiling", "1", "1000.00")])

    def queries() -> int:
        cache.clear()
        client = tenant.client()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
        return len(captured)

    pay(tenant, invoice, "10.00")
    few = queries()
    for _ in range(9):
        pay(tenant, invoice, "10.00")
    payment_reverse(
        org=tenant.org,
        actor=None,
        payment=PaymentAllocation.objects.filter(invoice=invoice).first().payment,
        reason="Bounced",
    )
    assert queries() == few


# ---- payments on the customer page


def test_the_customer_page_shows_payments_and_credit_per_currency(tenant):
    customer = CustomerFactory(organization=tenant.org, currency="USD", display_name="Casa Verde")
    invoice = invoice_make(tenant.org, customer=customer, lines=[("Tiling", "1", "100.00")])
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("40.00"),
        currency="USD",
        method="cash",
        received_on=date(2027, 2, 1),
        reference="CASH-1",
        allocations=[],
    )
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("25.00"),
        currency="EUR",
        method="bank_transfer",
        received_on=date(2027, 2, 2),
    )
    client = tenant.client()
    response = client.get(f"/customers/{customer.pk}/")
    body = response.content.decode()
    assert "Unapplied credit" in body and "$40.00" in body and "€25.00" in body
    assert "CASH-1" in body
    # USD is owed (the invoice), so USD credit can be applied; nothing is owed in EUR.
    assert 'name="currency" value="USD"' in body
    assert 'name="currency" value="EUR"' not in body
    assert "Nothing is owed in EUR now" in body
    assert f'href="/payments/new/?customer={customer.pk}"' in body
    assert f'href="/payments/?customer={customer.pk}"' in body
    viewer = tenant.client(Role.VIEWER).get(f"/customers/{customer.pk}/").content.decode()
    assert "$40.00" in viewer
    assert 'name="currency" value="USD"' not in viewer and "/payments/new/" not in viewer
    assert invoice.balance_due == Decimal("100.00")


def test_customer_page_queries_do_not_grow_with_payments(tenant):
    customer = CustomerFactory(organization=tenant.org, currency="USD")
    invoice = invoice_make(tenant.org, customer=customer, lines=[("Tiling", "1", "1000.00")])

    def queries() -> int:
        cache.clear()
        client = tenant.client()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(captured)

    pay(tenant, invoice, "10.00")
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("5.00"),
        currency="USD",
        method="cash",
        received_on=date(2027, 2, 1),
        allocations=[],
    )
    few = queries()
    for _ in range(10):
        pay(tenant, invoice, "10.00")
    assert queries() == few


def test_a_refunded_part_says_refunded_not_reversed(tenant):
    from payments.refund_services import payment_refund

    invoice = invoice_make(tenant.org, lines=[("Tiling", "1", "300.00")])
    paid = pay(tenant, invoice, "300.00", reference="CARD-1")
    payment_refund(
        org=tenant.org, actor=None, payment=paid, amount=Decimal("40.00"), reason="Broken tile"
    )
    body = tenant.client().get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Refunded" in body and "Reversed" not in body
    assert "£260.00" in body

"""One payment's page (/payments/<id>/): what it shows, applying its credit in one click,
reversing it with a reason (audited), the customer page's "Apply", roles and other
organizations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentAllocation, PaymentRefund, PaymentStatus
from payments.services import AllocationInput, payment_record
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import open_invoices_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant):
    return CustomerFactory(organization=tenant.org, display_name="Harbour Tiles", currency="USD")


@pytest.fixture
def invoices(tenant, customer) -> list[Invoice]:
    return open_invoices_bulk(tenant.org, customer, 2, total=Decimal("100.00"))


def cheque(tenant, customer, invoices, amount: str = "250.00") -> Payment:
    """150 on the two invoices (100 + 50), the rest kept as credit."""
    return payment_record(
        org=tenant.org,
        actor=tenant.owner.user,
        customer_id=customer.pk,
        amount=Decimal(amount),
        currency="USD",
        method="cheque",
        received_on=date(2027, 2, 1),
        reference="CHQ-0042",
        allocations=[
            AllocationInput(invoice_id=invoices[0].pk, amount=Decimal("100.00")),
            AllocationInput(invoice_id=invoices[1].pk, amount=Decimal("50.00")),
        ],
    )


# ---- the page


def test_the_page_shows_the_payment_and_where_it_went(tenant, customer, invoices):
    payment = cheque(tenant, customer, invoices)
    PaymentAllocation.objects.filter(invoice=invoices[1]).update(discount=Decimal("2.00"))
    response = tenant.client().get(f"/payments/{payment.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Payment of $250.00",
        "Harbour Tiles",
        f'href="/customers/{customer.pk}/"',
        "Cheque",
        "CHQ-0042",
        "1 Feb 2027",
        tenant.owner.user.full_name,
        f'href="/invoices/{invoices[0].pk}/"',
        "$2.00",  # the discount allowed
        "$100.00",
        "Apply to open invoices",
        "Reverse payment",
    ]:
        assert text in body, text
    assert response.context["unapplied"] == "$100.00"
    assert response.context["applied"] == "$150.00"
    assert response.context["open_count"] == 1  # the second invoice still owes 50


def test_refunds_and_chargebacks_show(tenant, customer, invoices):
    payment = cheque(tenant, customer, invoices)
    PaymentRefund.objects.create(
        organization=tenant.org,
        payment=payment,
        amount=Decimal("30.00"),
        reason="Overpaid by mistake",
        created_by=tenant.owner.user,
    )
    Payment.objects.filter(pk=payment.pk).update(
        refunded_amount=Decimal("30.00"),
        unapplied_amount=Decimal("70.00"),
        chargeback_at=timezone.now(),
        chargeback_reason="fraudulent",
    )
    body = tenant.client().get(f"/payments/{payment.pk}/").content.decode()
    assert "Refunds" in body and "Overpaid by mistake" in body and "$30.00" in body
    assert "Partly refunded" in body
    assert "opened a chargeback" in body and "fraudulent" in body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_see_no_actions_and_cannot_act(tenant, customer, invoices, role):
    payment = cheque(tenant, customer, invoices)
    client = tenant.client(role)
    body = client.get(f"/payments/{payment.pk}/").content.decode()
    assert "Apply to open invoices" not in body
    assert "Reverse payment" not in body
    assert client.get(f"/payments/{payment.pk}/reverse/").status_code == 403
    assert client.post(f"/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code == 403
    assert client.post(f"/payments/{payment.pk}/apply-credit/").status_code == 403
    credit = f"/payments/credit/{customer.pk}/apply/"
    assert client.post(credit, {"currency": "USD"}).status_code == 403
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED
    assert payment.unapplied_amount == Decimal("100.00")


def test_another_organizations_payment_is_404_everywhere(tenant, other_tenant):
    theirs = CustomerFactory(organization=other_tenant.org)
    [invoice] = open_invoices_bulk(other_tenant.org, theirs, 1)
    payment = payment_record(
        org=other_tenant.org,
        actor=None,
        customer_id=theirs.pk,
        amount=Decimal("150.00"),
        currency=theirs.currency,
        method="cash",
        received_on=date(2027, 2, 1),
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal("100.00"))],
    )
    client = tenant.client()
    assert client.get(f"/payments/{payment.pk}/").status_code == 404
    assert client.get(f"/payments/{payment.pk}/reverse/").status_code == 404
    assert client.post(f"/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert client.post(f"/payments/{payment.pk}/apply-credit/").status_code == 404
    credit = f"/payments/credit/{theirs.pk}/apply/"
    assert client.post(credit, {"currency": theirs.currency}).status_code == 404
    payment.refresh_from_db()
    assert (payment.status, payment.unapplied_amount) == ("completed", Decimal("50.00"))


# ---- applying credit


def test_apply_credit_in_one_click(tenant, customer, invoices):
    payment = cheque(tenant, customer, invoices)
    later = invoice_make(
        tenant.org, customer=customer, lines=[("Later", "1", "80.00")], due_date=date(2099, 6, 1)
    )
    response = tenant.client().post(f"/payments/{payment.pk}/apply-credit/", follow=True)
    assert response.redirect_chain == [(f"/payments/{payment.pk}/", 302)]
    payment.refresh_from_db()
    # 50 to the invoice still owing, the other 50 to the later one.
    assert payment.unapplied_amount == Decimal("0.00")
    later.refresh_from_db()
    assert later.balance_due == Decimal("30.00")
    assert "Applied $100.00 to open invoices." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PAYMENT_CREDIT_APPLIED)
    assert event.actor == tenant.owner.user
    assert event.data["payment"] == payment.pk


def test_apply_credit_with_nothing_owed_says_so(tenant, customer):
    payment = payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("40.00"),
        currency="USD",
        method="cash",
        received_on=date(2027, 2, 1),
    )
    page = tenant.client().get(f"/payments/{payment.pk}/").content.decode()
    assert "nothing is owed in USD now" in page
    assert "Apply to open invoices" not in page
    response = tenant.client().post(f"/payments/{payment.pk}/apply-credit/", follow=True)
    assert "Nothing was applied" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PAYMENT_CREDIT_APPLIED).exists()


def test_customer_page_apply_uses_all_credit_in_that_currency(tenant, customer):
    for amount in ("30.00", "40.00"):
        payment_record(
            org=tenant.org,
            actor=None,
            customer_id=customer.pk,
            amount=Decimal(amount),
            currency="USD",
            method="cash",
            received_on=date(2027, 2, 1),
        )
    [invoice] = open_invoices_bulk(tenant.org, customer, 1, total=Decimal("60.00"))
    response = tenant.client().post(
        f"/payments/credit/{customer.pk}/apply/", {"currency": "usd"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/customers/{customer.pk}/#payments"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    left = Payment.objects.filter(customer=customer).values_list("unapplied_amount", flat=True)
    assert sorted(left) == [Decimal("0.00"), Decimal("10.00")]
    body = response.content.decode()
    assert "Applied $60.00 of credit to open invoices. $10.00 is still kept as credit." in body
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_CREDIT_APPLIED).count() == 2


# ---- reversing


def test_reversing_asks_why_and_says_what_happens(tenant, customer, invoices):
    payment = cheque(tenant, customer, invoices)
    page = tenant.client().get(f"/payments/{payment.pk}/reverse/").content.decode()
    assert "These invoices will owe again" in page
    assert invoices[0].number in page and "cannot be undone" in page
    refused = tenant.client().post(f"/payments/{payment.pk}/reverse/", {"reason": "   "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMPLETED
    assert not AuditEvent.objects.filter(action=AuditAction.PAYMENT_REVERSED).exists()


def test_reversing_restores_the_invoices_and_is_audited(tenant, customer, invoices):
    payment = cheque(tenant, customer, invoices)
    response = tenant.client().post(
        f"/payments/{payment.pk}/reverse/", {"reason": "Cheque bounced"}, follow=True
    )
    assert response.redirect_chain == [(f"/payments/{payment.pk}/", 302)]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    assert payment.reversal_reason == "Cheque bounced"
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.balance_due == Decimal("100.00")
        assert invoice.status == InvoiceStatus.OPEN
    body = response.content.decode()
    assert "Reversed the payment of $250.00" in body
    assert "Reason: Cheque bounced" in body
    assert "Reverse payment" not in body
    event = AuditEvent.objects.get(action=AuditAction.PAYMENT_REVERSED)
    assert event.actor == tenant.owner.user and "Cheque bounced" in event.summary
    again = tenant.client().post(
        f"/payments/{payment.pk}/reverse/", {"reason": "Twice"}, follow=True
    )
    assert "already reversed" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_REVERSED).count() == 1

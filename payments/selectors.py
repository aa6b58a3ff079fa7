"""Reads for payments, always inside one organization."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.shortcuts import get_object_or_404

from arhub.models import Organization, OrgQuerySet
from arhub.money import ZERO
from invoicing.models import OUTSTANDING_STATUSES, CustomerCredit, Invoice
from payments.models import Payment, PaymentAllocation, PaymentSettings, PaymentStatus


def payment_list(*, org: Organization, customer_id: int | None = None) -> OrgQuerySet[Payment]:
    """Newest received first (served by the received-on indexes)."""
    payments = Payment.objects.for_org(org).select_related("customer")
    if customer_id is not None:
        payments = payments.filter(customer_id=customer_id)
    return payments.order_by("-received_on", "-id")


def payment_get(*, org: Organization, payment_id: int) -> Payment:
    """A payment of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(Payment.objects.for_org(org).select_related("customer"), pk=payment_id)


def invoice_allocations(*, org: Organization, invoice: Invoice) -> OrgQuerySet[PaymentAllocation]:
    """Every allocation to the invoice, reversed ones included, oldest first."""
    return (
        PaymentAllocation.objects.for_org(org)
        .filter(invoice_id=invoice.pk)
        .select_related("payment")
        .order_by("id")
    )


def customer_unapplied(*, org: Organization, customer_id: int, currency: str) -> Decimal:
    """The customer's cash received but not yet applied to an invoice, in ``currency``."""
    total = (
        Payment.objects.for_org(org)
        .filter(customer_id=customer_id, currency=currency, status=PaymentStatus.COMPLETED)
        .aggregate(total=Sum("unapplied_amount"))["total"]
    )
    return total if total is not None else ZERO


def payment_settings_get(*, org: Organization) -> PaymentSettings:
    """The organization's payment settings; an unsaved row of defaults until it saves some."""
    found = PaymentSettings.objects.for_org(org).first()
    return found if found is not None else PaymentSettings(organization=org)


def customer_balance_owed(*, org: Organization, customer_id: int, currency: str) -> Decimal:
    """Everything the customer still owes in ``currency``: the open invoices' balances (late
    fees included), less the credit they hold (unapplied payments and credit notes), never
    below zero."""
    owed = (
        Invoice.objects.for_org(org)
        .filter(
            customer_id=customer_id,
            currency=currency,
            status__in=OUTSTANDING_STATUSES,
        )
        .aggregate(total=Sum("balance_due"))["total"]
        or ZERO
    )
    credit_notes = (
        CustomerCredit.objects.for_org(org)
        .filter(customer_id=customer_id, currency=currency)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    unapplied = customer_unapplied(org=org, customer_id=customer_id, currency=currency)
    return max(owed - unapplied - credit_notes, ZERO)

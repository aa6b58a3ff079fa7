"""What payments adds to invoicing's pages, through ``invoicing.page_sections`` (invoicing may
not import payments): the payments applied to an invoice, with "Record a payment" for one still
owing; and a customer's recent payments with their unapplied cash per currency.

Each provider runs a fixed number of queries (one for the invoice, at most three for the
customer), however many payments there are.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse

from arhub.models import Membership, Organization
from arhub.money import money_format
from arhub.permissions import membership_allows
from arhub.roles import Perm
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice
from invoicing.page_sections import (
    PageSection,
    SectionAction,
    customer_section_register,
    invoice_section_register,
)
from payments.models import Payment, PaymentStatus
from payments.payment_list_rows import payment_rows
from payments.selectors import invoice_allocations, payment_list

# Payments listed on the customer page, newest received first.
RECENT_PAYMENTS = 5


def invoice_payments_section(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> PageSection | None:
    if invoice.is_draft:
        return None
    locale = org.locale
    rows = [
        {
            "allocation": allocation,
            "payment": allocation.payment,
            "amount": money_format(allocation.amount, invoice.currency, locale),
            "discount": money_format(allocation.discount, invoice.currency, locale)
            if allocation.discount
            else "",
            "reversed": not allocation.is_live,
        }
        for allocation in invoice_allocations(org=org, invoice=invoice)
    ]
    owing = invoice.is_outstanding and invoice.balance_due > 0
    record_url = ""
    if owing and membership_allows(membership, Perm.OPERATE):
        record_url = reverse("payment_create") + "?" + urlencode({"invoice": invoice.pk})
    if not rows and not owing:
        return None
    return PageSection(
        template_name="payments/_invoice_payments.html",
        context={"rows": rows, "record_url": record_url, "invoice": invoice},
        actions=(SectionAction("Record a payment", record_url),) if record_url else (),
    )


def customer_payments_section(
    *, org: Organization, membership: Membership, customer: Customer
) -> PageSection:
    locale = org.locale
    recent = list(payment_list(org=org, customer_id=customer.pk)[: RECENT_PAYMENTS + 1])
    credit = (
        Payment.objects.for_org(org)
        .filter(customer_id=customer.pk, status=PaymentStatus.COMPLETED, unapplied_amount__gt=0)
        .values("currency")
        .annotate(amount=Sum("unapplied_amount"), count=Count("pk"))
        .order_by("currency")
    )
    credits = list(credit)
    owed: set[str] = set()
    if credits:
        owed = set(
            Invoice.objects.for_org(org)
            .filter(
                customer_id=customer.pk,
                currency__in=[row["currency"] for row in credits],
                status__in=OUTSTANDING_STATUSES,
                balance_due__gt=0,
            )
            .order_by()
            .values_list("currency", flat=True)
            .distinct()
        )
    operate = membership_allows(membership, Perm.OPERATE)
    return PageSection(
        template_name="payments/_customer_payments.html",
        context={
            "rows": payment_rows(recent[:RECENT_PAYMENTS], locale=locale),
            "more": len(recent) > RECENT_PAYMENTS,
            "credits": [
                {
                    "currency": row["currency"],
                    "amount": money_format(row["amount"], row["currency"], locale),
                    "count": row["count"],
                    "can_apply": operate and row["currency"] in owed,
                    "owed": row["currency"] in owed,
                }
                for row in credits
            ],
            "record_url": reverse("payment_create") + "?" + urlencode({"customer": customer.pk})
            if operate
            else "",
            "list_url": reverse("payments") + "?" + urlencode({"customer": customer.pk}),
            "customer": customer,
        },
    )


def register() -> None:
    invoice_section_register(name="payments", provider=invoice_payments_section)
    customer_section_register(name="payments", provider=customer_payments_section)

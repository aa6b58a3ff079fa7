"""What payments adds to invoicing's pages, through ``invoicing.page_sections`` (invoicing may
not import payments): the payments applied to an invoice, with "Record a payment" for one still
owing; and a customer's recent payments with their unapplied cash per currency.

Each provider runs a fixed number of queries (one for the invoice, at most three for the
customer), however many payments there are.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, F, Sum
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
from payments.models import Payment, PaymentStatus, PromiseStatus
from payments.payment_list_rows import payment_rows
from payments.plan_models import LIVE_PLAN_STATUSES, PaymentPlan
from payments.promise_selectors import promise_date_limits, promise_list, promise_refusal
from payments.selectors import invoice_allocations, payment_list

# Payments listed on the customer page, newest received first.
RECENT_PAYMENTS = 5
# Promises listed on the invoice page, newest first.
PROMISES_SHOWN = 10


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


def invoice_promise_section(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> PageSection | None:
    """ "Promise to pay": the open promise (cancel with a reason), or a form to record one on
    the customer's word where the invoice can take one; the earlier ones below."""
    if invoice.is_draft:
        return None
    promises = list(promise_list(org=org, invoice_id=invoice.pk)[:PROMISES_SHOWN])
    current = next((p for p in promises if p.status == PromiseStatus.OPEN), None)
    operate = membership_allows(membership, Perm.OPERATE)
    can_record = (
        operate
        and current is None
        and promise_refusal(org=org, invoice=invoice, by_customer=False) is None
    )
    if not promises and not can_record:
        return None
    first, last = promise_date_limits(org=org)
    return PageSection(
        template_name="payments/promises/_invoice_section.html",
        context={
            "invoice": invoice,
            "current": current,
            "earlier": [
                {"promise": p, "amount": money_format(p.amount, p.currency, org.locale)}
                for p in promises
                if p is not current
            ],
            "amount": money_format(invoice.balance_due, invoice.currency, org.locale),
            "can_cancel": operate and current is not None,
            "can_record": can_record,
            "first": first,
            "last": last,
        },
    )


# ---- Payment plans: the invoice's live plan (or "Offer a payment plan"), a customer's plans.
# At most three queries each.
PLANS_SHOWN = 5


def _plan_offer_url(customer_id: int, invoice_id: int | None = None) -> str:
    query = {"customer": customer_id, **({"invoice": invoice_id} if invoice_id else {})}
    return reverse("plan_offer") + "?" + urlencode(query)


def _plan_rows(plans: list[PaymentPlan], locale: str) -> list[dict[str, object]]:
    return [
        {"plan": p, "total": money_format(p.total, p.currency, locale), "live": p.is_live}
        for p in plans
    ]


def invoice_plan_section(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> PageSection | None:
    if invoice.is_draft:
        return None
    plans = list(
        PaymentPlan.objects.for_org(org)
        .filter(plan_invoices__invoice_id=invoice.pk)
        .order_by("-created_at", "-pk")[:PLANS_SHOWN]
    )
    live = next((p for p in plans if p.status in LIVE_PLAN_STATUSES), None)
    next_due = None
    if live is not None:
        next_due = live.instalments.filter(amount_paid__lt=F("amount")).order_by("seq").first()
    offer_url = ""
    if (
        live is None
        and invoice.is_outstanding
        and invoice.balance_due > 0
        and membership_allows(membership, Perm.OPERATE)
    ):
        offer_url = _plan_offer_url(invoice.customer_id, invoice.pk)
    if not plans and not offer_url:
        return None
    locale = org.locale
    return PageSection(
        template_name="payments/plans/_invoice_section.html",
        context={
            "live": live,
            "next_due": next_due,
            "next_amount": money_format(next_due.remaining, invoice.currency, locale)
            if next_due
            else "",
            "rows": _plan_rows(plans, locale),
            "offer_url": offer_url,
        },
        actions=(SectionAction("Offer a payment plan", offer_url),) if offer_url else (),
    )


def customer_plan_section(
    *, org: Organization, membership: Membership, customer: Customer
) -> PageSection | None:
    plans = list(
        PaymentPlan.objects.for_org(org)
        .filter(customer_id=customer.pk)
        .order_by("-created_at", "-pk")[: PLANS_SHOWN + 1]
    )
    owing = (
        Invoice.objects.for_org(org)
        .filter(customer_id=customer.pk, status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
        .exists()
    )
    offer_url = ""
    if owing and membership_allows(membership, Perm.OPERATE):
        offer_url = _plan_offer_url(customer.pk)
    if not plans and not offer_url:
        return None
    return PageSection(
        template_name="payments/plans/_customer_section.html",
        context={
            "rows": _plan_rows(plans[:PLANS_SHOWN], org.locale),
            "more": len(plans) > PLANS_SHOWN,
            "list_url": reverse("plan_list") + "?" + urlencode({"customer": customer.pk}),
            "offer_url": offer_url,
            "customer": customer,
        },
    )


def register() -> None:
    invoice_section_register(name="payments", provider=invoice_payments_section)
    invoice_section_register(name="promises", provider=invoice_promise_section)
    customer_section_register(name="payments", provider=customer_payments_section)
    invoice_section_register(name="plans", provider=invoice_plan_section)
    customer_section_register(name="plans", provider=customer_plan_section)

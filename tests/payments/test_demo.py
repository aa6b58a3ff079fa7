"""seed_demo's payments: every kind the product handles, through the real services, so every
invoice's figures are explained by its payments, and the same for the same seed and today."""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum

from arhub.models import AuditAction, AuditEvent, Message, MessageKind, Organization
from invoicing import demo_payer
from invoicing.models import CreditNote, Invoice, InvoiceStatus, LateFee
from payments.amount_due import discount_deadline
from payments.demo import BOUNCED, DAMAGED, WAIVED
from payments.demo_payer import invoice_demo_pay
from payments.models import (
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentRefund,
    PaymentSettings,
    PaymentStatus,
    StripeEvent,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
ZERO = Decimal(0)


def seed(slug: str, *extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", "5", "--events", "0", "--customers", "40",
        "--today", TODAY.isoformat(), *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def payments_of(slug: str) -> list[tuple]:
    return list(
        Payment.objects.filter(organization__slug=slug)
        .order_by("received_on", "customer__external_id", "amount", "method", "reference")
        .values_list(
            "customer__external_id", "amount", "currency", "method", "received_on", "reference",
            "status", "unapplied_amount", "refunded_amount", "stripe_payment_intent",
        )
    )  # fmt: skip


def test_the_demo_gets_paid_every_way_the_product_knows():
    report = seed("paid")
    org = Organization.objects.get(slug="paid")
    payments = Payment.objects.for_org(org)
    live = PaymentAllocation.objects.for_org(org).filter(reversed_at=None)

    # Card payments through Stripe, transfers, cheques and cash, with references, for months.
    methods = Counter(payments.values_list("method", flat=True))
    assert {
        PaymentMethod.STRIPE,
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.CHEQUE,
        PaymentMethod.CASH,
    } <= set(methods)
    assert f"{payments.count()} payments" in report
    for payment in payments.filter(method=PaymentMethod.STRIPE):
        assert payment.stripe_payment_intent.startswith("pi_demo_")
        assert payment.reference == payment.stripe_payment_intent
        assert payment.created_by is None  # recorded from Stripe, by nobody
    assert not payments.exclude(method=PaymentMethod.STRIPE).exclude(stripe_payment_intent="")
    assert not payments.filter(reference="")
    assert payments.filter(method=PaymentMethod.CHEQUE, reference__startswith="Cheque ").exists()
    assert payments.filter(
        method=PaymentMethod.BANK_TRANSFER, reference__startswith="ACH "
    ).exists()
    months = {(d.year, d.month) for d in payments.values_list("received_on", flat=True)}
    assert len(months) >= 10
    assert max(payments.values_list("received_on", flat=True)) < TODAY
    # No Stripe account behind the demo: no events pretending to be signed.
    assert not StripeEvent.objects.for_org(org).exists()

    # Partial payments.
    partial = Invoice.objects.for_org(org).filter(status=InvoiceStatus.PARTIALLY_PAID)
    assert live.filter(invoice__in=partial).exists()

    # An overpayment applied to a later invoice with payment_apply_credit ...
    applied = AuditEvent.objects.for_org(org).get(action=AuditAction.PAYMENT_CREDIT_APPLIED)
    credited = payments.get(pk=applied.data["payment"])
    assert live.filter(payment=credited).values("invoice").distinct().count() == 2
    assert credited.amount == credited.unapplied_amount + sum(
        live.filter(payment=credited).values_list("amount", flat=True)
    )
    # ... and one kept as the credit of a customer who owes nothing else in that currency.
    kept = payments.exclude(pk=credited.pk).get(
        status=PaymentStatus.COMPLETED, unapplied_amount__gt=0
    )
    assert not Invoice.objects.for_org(org).filter(
        customer=kept.customer, currency=kept.currency, balance_due__gt=0,
        status__in=[InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID],
    )  # fmt: skip

    # A bounced cheque, reversed with the bank's reason; its invoice owes it again.
    bounced = payments.get(status=PaymentStatus.REVERSED)
    assert bounced.method == PaymentMethod.CHEQUE and bounced.reversal_reason == BOUNCED
    assert bounced.reversed_at.date() > bounced.received_on
    taken = PaymentAllocation.objects.for_org(org).get(payment=bounced)
    assert taken.reversed_at is not None
    assert taken.invoice.status != InvoiceStatus.PAID and taken.invoice.balance_due > 0

    # An early-payment discount taken in its window, recorded as a discount allowed.
    discounts = live.filter(discount__gt=0).select_related("payment", "invoice")
    assert discounts
    for allocation in discounts:
        invoice = allocation.invoice
        assert invoice.status == InvoiceStatus.PAID
        assert allocation.payment.received_on <= discount_deadline(invoice)
        assert invoice.amount_discounted == allocation.discount

    # Late fees on overdue invoices, one of them waived with its reason.
    fees = LateFee.objects.for_org(org)
    assert fees.count() >= 2 and fees.values("invoice").distinct().count() >= 2
    waived = fees.get(waived_at__isnull=False)
    assert waived.waive_reason == WAIVED
    assert waived.charged_on <= waived.waived_at.date() <= TODAY
    assert fees.filter(waived_at=None).count() >= 2  # the others are still owed
    for invoice in Invoice.objects.for_org(org).filter(late_fees__isnull=False).distinct():
        owed = invoice.late_fees.filter(waived_at=None).aggregate(s=Sum("amount"))["s"] or ZERO
        assert invoice.fees_total == owed
        assert invoice.due_date < TODAY

    # Part of a card payment refunded in Stripe, with the credit note that settles the invoice.
    refund = PaymentRefund.objects.for_org(org).get()
    card = refund.payment
    assert card.method == PaymentMethod.STRIPE and ZERO < refund.amount < card.amount
    assert card.refunded_amount == refund.amount and refund.reason == DAMAGED
    assert refund.stripe_refund.startswith("re_demo_")
    note = CreditNote.objects.for_org(org).get(reason=DAMAGED)
    assert note.amount == refund.amount and note.invoice.status == InvoiceStatus.PAID

    # The organization's settings: receipts on, part payments with a minimum, late fees on,
    # cheques payable to the business, Stripe not connected.
    settings = PaymentSettings.objects.for_org(org).get()
    assert settings.send_receipts and settings.late_fees_enabled and settings.allow_partial
    assert settings.partial_minimum == Decimal(25)
    assert settings.cheque_payable_to == org.legal_name
    assert not settings.stripe_connected and not settings.stripe_webhook_secret

    # Each went through its service, which audited it.
    audited = Counter(AuditEvent.objects.for_org(org).values_list("action", flat=True))
    assert audited[AuditAction.PAYMENT_RECORDED] == payments.count()
    assert audited[AuditAction.PAYMENT_REVERSED] == 1
    assert audited[AuditAction.PAYMENT_REFUNDED] == 1
    assert audited[AuditAction.LATE_FEE_WAIVED] == 1

    # Demo data never thanks anybody.
    assert not Message.objects.filter(organization=org, kind=MessageKind.RECEIPT).exists()


def test_every_figure_is_explained_by_the_payments():
    seed("books")
    org = Organization.objects.get(slug="books")
    live = Q(payment_allocations__reversed_at=None)
    invoices = Invoice.objects.for_org(org).annotate(
        paid=Sum("payment_allocations__amount", filter=live),
        discount=Sum("payment_allocations__discount", filter=live),
    )
    assert invoices.filter(amount_paid__gt=0).count() >= 100
    for invoice in invoices:
        assert invoice.amount_paid == (invoice.paid or ZERO), invoice.number
        assert invoice.amount_discounted == (invoice.discount or ZERO), invoice.number
        if invoice.status in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE, InvoiceStatus.DRAFT):
            continue
        assert invoice.balance_due == (
            invoice.total + invoice.fees_total - invoice.amount_paid
            - invoice.amount_credited - invoice.amount_discounted
        ), invoice.number  # fmt: skip
        assert (invoice.status == InvoiceStatus.PAID) == (
            invoice.balance_due == 0 and invoice.issue_date is not None
        ), invoice.number
        assert (invoice.paid_at is not None) == (invoice.status == InvoiceStatus.PAID)
    zone = ZoneInfo(org.timezone)
    assert (
        max(invoices.values_list("paid_at", flat=True).exclude(paid_at=None))
        .astimezone(zone)
        .date()
        < TODAY
    )
    for payment in Payment.objects.for_org(org):
        applied = payment.allocations.filter(reversed_at=None).aggregate(s=Sum("amount"))["s"]
        if payment.is_reversed:
            assert applied is None and payment.unapplied_amount == 0
        else:
            assert payment.amount - payment.refunded_amount == (
                payment.unapplied_amount + (applied or ZERO)
            )
        # Stamped on the day it was received, not on the day the demo was made.
        assert payment.created_at.astimezone(zone).date() == payment.received_on


def test_the_same_seed_and_today_give_the_same_payments_once():
    seed("first")
    seed("second")
    made = payments_of("first")
    assert made == payments_of("second")
    assert len(made) > 100

    def fees(slug: str) -> list[tuple]:
        return list(
            LateFee.objects.filter(organization__slug=slug)
            .order_by("invoice__number", "period_start")
            .values_list("invoice__number", "period_start", "amount", "rule", "waive_reason")
        )

    assert fees("first") == fees("second")
    assert "already exists" in seed("first", "--if-missing")
    assert payments_of("first") == made
    assert Payment.objects.filter(organization__slug="first").count() == len(made)


def test_without_a_payer_the_invoice_demo_pays_nothing(monkeypatch):
    """Invoicing never writes amount_paid itself: with no payments app to record them, its
    invoices stay unpaid rather than owing less than their payments say."""
    monkeypatch.setattr(demo_payer, "_PAYERS", {})
    out = StringIO()
    call_command(
        "seed_demo", "--org", "unpaid", "--seed", "5", "--events", "0", "--customers", "10",
        "--invoices", "30", "--today", TODAY.isoformat(), stdout=out,
    )  # fmt: skip
    org = Organization.objects.get(slug="unpaid")
    invoices = Invoice.objects.for_org(org).annotate(
        paid=Sum("payment_allocations__amount", filter=Q(payment_allocations__reversed_at=None))
    )
    assert invoices.count() >= 25
    for invoice in invoices:
        assert invoice.amount_paid == (invoice.paid or ZERO), invoice.number
    assert not Payment.objects.for_org(org).filter(method=PaymentMethod.STRIPE).exists()
    monkeypatch.undo()
    assert demo_payer.demo_payer() is invoice_demo_pay

"""The receipt PDF: what the customer paid, when and how, where it went, and what they owe now.

Rendered with ``arhub.pdf`` in the invoice PDF's frame (``invoicing/pdf/_document.html``: the
organization's brand, its address, the page footer), in the customer's language. It is made
when the receipt email goes (``receipt_pdf_attachments``, registered for the RECEIPT kind in
``PaymentsConfig.ready``), from the database, so nothing of it is stored or put on the broker.

Late fees are named only when some of the money paid them: a customer who pays on time never
reads the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from arhub.messaging.channels import Attachment
from arhub.models import Channel, Message, Organization
from arhub.money import ZERO
from arhub.pdf import render_pdf_cached
from invoicing.bill_to import bill_to_snapshot
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import Language
from invoicing.pdf_context import (
    Brand,
    Party,
    brand_for,
    customer_party,
    formatter_for,
    org_party,
    page_size,
)
from invoicing.pdf_labels import labels_for
from payments.models import Payment, PaymentAllocation, PaymentMethod
from payments.selectors import customer_balance_owed

TEMPLATE = "payments/pdf/receipt.html"

RECEIPT_LABELS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "receipt": "Receipt",
        "received_from": "Received from",
        "amount_received": "Amount received",
        "received_on": "Received on",
        "method": "Method",
        "reference": "Reference",
        "thanks": "Thank you for your payment.",
        "applied_to": "Applied to",
        "invoice": "Invoice",
        "invoice_date": "Invoice date",
        "discount_allowed": "Early-payment discount",
        "applied": "Amount applied",
        "includes_fees": "Including {amount} in late fees",
        "total_applied": "Applied to invoices",
        "unapplied": "Kept as credit on your account",
        "refunded": "Refunded to you",
        "balance": "Your balance with us",
        "nothing_applied": "This payment is kept as credit on your account.",
        "reversed": "Reversed",
        "reversed_note": "This payment was reversed; it no longer counts towards your account.",
    },
    Language.SPANISH: {
        "receipt": "Recibo",
        "received_from": "Recibido de",
        "amount_received": "Importe recibido",
        "received_on": "Fecha de recepción",
        "method": "Forma de pago",
        "reference": "Referencia",
        "thanks": "Gracias por su pago.",
        "applied_to": "Aplicado a",
        "invoice": "Factura",
        "invoice_date": "Fecha de la factura",
        "discount_allowed": "Descuento por pronto pago",
        "applied": "Importe aplicado",
        "includes_fees": "Incluye {amount} de recargos por mora",
        "total_applied": "Aplicado a facturas",
        "unapplied": "Saldo a su favor",
        "refunded": "Reembolsado",
        "balance": "Su saldo con nosotros",
        "nothing_applied": "Este pago queda como saldo a su favor.",
        "reversed": "Anulado",
        "reversed_note": "Este pago fue anulado; ya no cuenta en su cuenta.",
    },
}

METHODS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        PaymentMethod.CHEQUE: "Cheque",
        PaymentMethod.BANK_TRANSFER: "Bank transfer",
        PaymentMethod.CASH: "Cash",
        PaymentMethod.CARD: "Card",
        PaymentMethod.STRIPE: "Online payment",
        PaymentMethod.OTHER: "Other",
    },
    Language.SPANISH: {
        PaymentMethod.CHEQUE: "Cheque",
        PaymentMethod.BANK_TRANSFER: "Transferencia bancaria",
        PaymentMethod.CASH: "Efectivo",
        PaymentMethod.CARD: "Tarjeta",
        PaymentMethod.STRIPE: "Pago en línea",
        PaymentMethod.OTHER: "Otro",
    },
}


@dataclass(frozen=True)
class ReceiptLine:
    invoice: str
    invoice_date: str
    amount: str
    discount: str  # "" when none was allowed
    fees_note: str  # "" unless some of this money went to late fees


@dataclass(frozen=True)
class ReceiptDocument:
    labels: dict[str, str]
    language: str
    brand: Brand
    seller: Party
    buyer: Party
    page_size: str
    title: str
    footer: str
    status: str  # "reversed" or ""
    amount: str
    received_on: str
    method: str
    reference: str
    lines: list[ReceiptLine]
    show_discount: bool
    total_applied: str
    unapplied: str  # "" when all of it was applied
    refunded: str  # "" when nothing was given back
    balance: str


def _fees_paid(org: Organization, allocations: list[PaymentAllocation]) -> dict[int, Decimal]:
    """How much of each allocation (by id) went to late fees. Money paid on an invoice pays
    the invoice itself first and its fees last (as simple late fees are charged on what is
    unpaid of the invoice), in the order it was applied: one query for every invoice."""
    mine = {allocation.pk: allocation for allocation in allocations}
    invoices = {allocation.invoice_id: allocation.invoice for allocation in allocations}
    live = (
        PaymentAllocation.objects.for_org(org)
        .filter(invoice_id__in=list(invoices), reversed_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", "invoice_id", "amount")
    )
    paid_before: dict[int, Decimal] = dict.fromkeys(invoices, ZERO)
    fees: dict[int, Decimal] = {}
    for pk, invoice_id, amount in live:
        invoice = invoices[invoice_id]
        owed_before_fees = invoice.total - invoice.amount_credited - invoice.amount_discounted
        beyond = paid_before[invoice_id] + amount - owed_before_fees
        paid_before[invoice_id] += amount
        if pk in mine and beyond > 0 and invoice.fees_total > 0:
            fees[pk] = min(beyond, amount, invoice.fees_total)
    return fees


def receipt_document(*, org: Organization, payment: Payment) -> ReceiptDocument:
    customer = payment.customer
    language = customer.language
    # The invoice PDF's words (page numbers, tax id) and the receipt's own.
    labels = {**labels_for(language), **RECEIPT_LABELS.get(language, RECEIPT_LABELS["en"])}
    fmt = formatter_for(org, payment.currency)
    settings = invoice_settings_get(org=org)
    allocations = list(
        payment.allocations.filter(reversed_at__isnull=True)
        .select_related("invoice")
        .order_by("invoice__issue_date", "invoice_id", "pk")
    )
    fees_paid = _fees_paid(org, allocations)
    lines = []
    applied = ZERO
    for allocation in allocations:
        invoice = allocation.invoice
        applied += allocation.amount
        lines.append(
            ReceiptLine(
                invoice=invoice.number,
                invoice_date=fmt.date(invoice.issue_date),
                amount=fmt.money(allocation.amount),
                discount=fmt.money(allocation.discount) if allocation.discount else "",
                fees_note=labels["includes_fees"].format(amount=fmt.money(fees_paid[allocation.pk]))
                if allocation.pk in fees_paid
                else "",
            )
        )
    owed = customer_balance_owed(org=org, customer_id=customer.pk, currency=payment.currency)
    methods = METHODS.get(language, METHODS[Language.ENGLISH])
    return ReceiptDocument(
        labels=labels,
        language=language,
        brand=brand_for(org),
        seller=org_party(org, fmt, labels),
        buyer=customer_party(bill_to_snapshot(customer), labels, fmt.locale),
        page_size=page_size(settings.paper_size),
        title=labels["receipt"],
        footer=settings.footer,
        status="reversed" if payment.is_reversed else "",
        amount=fmt.money(payment.amount),
        received_on=fmt.date(payment.received_on),
        method=methods.get(payment.method, payment.get_method_display()),
        reference=payment.reference,
        lines=lines,
        show_discount=any(line.discount for line in lines),
        total_applied=fmt.money(applied),
        unapplied=fmt.money(payment.unapplied_amount) if payment.unapplied_amount > 0 else "",
        refunded=fmt.money(payment.refunded_amount) if payment.refunded_amount > 0 else "",
        balance=fmt.money(owed),
    )


def receipt_pdf_html(*, org: Organization, payment: Payment) -> str:
    return render_to_string(TEMPLATE, {"doc": receipt_document(org=org, payment=payment)})


def receipt_pdf(*, org: Organization, payment: Payment) -> bytes:
    return render_pdf_cached(receipt_pdf_html(org=org, payment=payment))


def receipt_pdf_filename(payment: Payment) -> str:
    return f"receipt-{payment.received_on.isoformat()}-{payment.pk}.pdf"


def receipt_pdf_attachments(message: Message) -> list[Attachment]:
    """The receipt PDF on a receipt email, rendered at send time."""
    if message.channel != Channel.EMAIL or message.payment_id is None:
        return []
    org = message.organization
    payment = (
        Payment.objects.for_org(org)
        .select_related("customer")
        .filter(pk=message.payment_id)
        .first()
    )
    if payment is None:
        return []
    return [
        Attachment(
            name=receipt_pdf_filename(payment),
            content=receipt_pdf(org=org, payment=payment),
            mimetype="application/pdf",
        )
    ]

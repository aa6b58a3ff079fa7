"""Output shapes of the invoices API: invoices (a list row, and one with its lines, taxes and
terms) and credit notes. Money is a decimal string in the object's currency, with the
currency's minor units ("1500.00", JPY "1500")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from arhub.locales import currency_minor_units, is_currency
from invoicing.invoice_serializers import plain
from invoicing.invoice_services import invoice_terms_effective
from invoicing.models import (
    CreditNote,
    DiscountKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    TermsKind,
)
from invoicing.pay_links import pay_link_token
from invoicing.serializers import MONEY_SCHEMA, money_text
from invoicing.terms import sentence_locale, terms_sentence


def price_text(value: Decimal, currency: str) -> str:
    """A unit price: at least the currency's minor units (``150.00``), more when it has them
    (``0.0125``)."""
    digits = currency_minor_units(currency) if is_currency(currency) else 2
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{value.quantize(Decimal(1).scaleb(-max(places, digits))):f}"


# ---- invoices


class LineTaxOutput(serializers.Serializer):
    tax_rate = serializers.IntegerField(source="tax_rate_id")
    name = serializers.CharField()
    percent = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()

    def get_percent(self, tax: Any) -> str:
        return plain(tax.percent)

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount(self, tax: Any) -> str:
        return money_text(tax.amount, self.context["currency"])


class LineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.SerializerMethodField()
    unit = serializers.CharField()
    unit_price = serializers.SerializerMethodField()
    discount_percent = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField(
        help_text="Quantity times price, less the line discount"
    )
    invoice_discount = serializers.SerializerMethodField(
        help_text="This line's share of the invoice discount"
    )
    tax_amount = serializers.SerializerMethodField()
    tax_rates = serializers.SerializerMethodField(help_text="Ids, as sent")
    taxes = serializers.SerializerMethodField()

    def _money(self, amount: Decimal) -> str:
        return money_text(amount, self.context["currency"])

    def get_quantity(self, line: InvoiceLine) -> str:
        return plain(line.quantity)

    @extend_schema_field(MONEY_SCHEMA)
    def get_unit_price(self, line: InvoiceLine) -> str:
        return price_text(line.unit_price, self.context["currency"])

    def get_discount_percent(self, line: InvoiceLine) -> str:
        return plain(line.discount_percent)

    @extend_schema_field(MONEY_SCHEMA)
    def get_amount(self, line: InvoiceLine) -> str:
        return self._money(line.amount)

    @extend_schema_field(MONEY_SCHEMA)
    def get_invoice_discount(self, line: InvoiceLine) -> str:
        return self._money(line.invoice_discount)

    @extend_schema_field(MONEY_SCHEMA)
    def get_tax_amount(self, line: InvoiceLine) -> str:
        return self._money(line.tax_amount)

    def get_tax_rates(self, line: InvoiceLine) -> list[int]:
        return [tax.tax_rate_id for tax in line.taxes.all()]

    @extend_schema_field(LineTaxOutput(many=True))
    def get_taxes(self, line: InvoiceLine) -> Any:
        return LineTaxOutput(line.taxes.all(), many=True, context=self.context).data


@extend_schema_field(MONEY_SCHEMA)
class MoneyOutput(serializers.Field):
    """An amount of the object being shown, in that object's ``currency``, with the currency's
    minor units ("1500.00", JPY "1500", KWD "1.500")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: Any) -> str:
        return money_text(getattr(obj, str(self.field_name)), obj.currency)


class InvoiceSummaryOutput(serializers.Serializer):
    """An invoice without its lines and terms: one row of the list. Context: ``today`` (the
    organization's)."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Blank while a draft")
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    currency = serializers.CharField()
    issue_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    po_number = serializers.CharField()
    subtotal = MoneyOutput()
    discount_total = MoneyOutput()
    tax_total = MoneyOutput()
    total = MoneyOutput()
    amount_paid = MoneyOutput()
    amount_credited = MoneyOutput()
    amount_discounted = MoneyOutput(
        help_text="Early-payment discounts allowed, recorded with the payments that earned them"
    )
    fees_total = MoneyOutput(help_text="Late fees charged and not waived")
    balance_due = MoneyOutput(
        help_text="total + fees_total - amount_paid - amount_credited - amount_discounted"
    )
    is_overdue = serializers.SerializerMethodField(
        help_text="Outstanding and past due in the organization's calendar"
    )
    pay_url = serializers.SerializerMethodField(
        help_text="The customer's pay page; null for drafts, void and written-off invoices"
    )
    pdf_url = serializers.SerializerMethodField(help_text="The invoice as a PDF, through the API")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    issued_at = serializers.DateTimeField(allow_null=True)
    last_sent_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    voided_at = serializers.DateTimeField(allow_null=True)
    written_off_at = serializers.DateTimeField(allow_null=True)

    def get_is_overdue(self, invoice: Invoice) -> bool:
        return bool(
            invoice.is_outstanding
            and invoice.due_date is not None
            and invoice.due_date < self.context["today"]
        )

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_pdf_url(self, invoice: Invoice) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("api_invoice_pdf", args=[invoice.pk])

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_pay_url(self, invoice: Invoice) -> str | None:
        # The live link is prefetched (``live_pay_links``), so a page costs one query for all.
        links = getattr(invoice, "live_pay_links", None)
        if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID) or not links:
            return None
        return settings.SITE_URL.rstrip("/") + reverse("pay_page", args=[pay_link_token(links[0])])


class TaxBreakdownOutput(serializers.Serializer):
    name = serializers.CharField()
    percent = serializers.CharField()
    amount = serializers.CharField()


class TermsOutput(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=TermsKind.choices)
    days = serializers.IntegerField()
    discount_percent = serializers.CharField(allow_null=True)
    discount_days = serializers.IntegerField(allow_null=True)
    late_fee_kind = serializers.CharField()
    late_fee_amount = serializers.CharField(allow_null=True)
    late_fee_percent = serializers.CharField(allow_null=True)
    late_fee_grace_days = serializers.IntegerField()
    late_fee_cap_percent = serializers.CharField(allow_null=True)
    late_fee_compound = serializers.BooleanField()


class InvoiceOutput(InvoiceSummaryOutput):
    """One invoice with its lines, taxes and terms. Context: ``org``, ``today`` and
    ``payment_terms`` (the id of the named terms a draft uses, or None)."""

    notes = serializers.CharField()
    memo = serializers.CharField()
    discount_kind = serializers.ChoiceField(choices=DiscountKind.choices)
    discount_value = serializers.SerializerMethodField()
    payment_terms = serializers.SerializerMethodField(
        help_text="A draft's named payment terms (null: the customer's); null once issued, "
        "when `terms` holds the terms as issued."
    )
    terms = serializers.SerializerMethodField(
        help_text="The terms as issued, or (for a draft) as it would be issued today"
    )
    terms_sentence = serializers.SerializerMethodField(
        help_text="What the customer reads: when it is due, any early-payment discount and late fee"
    )
    tax_breakdown = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    void_reason = serializers.CharField(help_text="Why it was voided or written off")

    def get_discount_value(self, invoice: Invoice) -> str:
        if invoice.discount_kind == DiscountKind.AMOUNT:
            return money_text(invoice.discount_value, invoice.currency)
        return plain(invoice.discount_value)

    def get_payment_terms(self, invoice: Invoice) -> int | None:
        value: int | None = self.context.get("payment_terms")
        return value

    def _terms(self, invoice: Invoice) -> Any:
        if not hasattr(invoice, "_api_terms"):
            invoice._api_terms = invoice_terms_effective(  # type: ignore[attr-defined]
                org=self.context["org"], invoice=invoice
            )
        return invoice._api_terms  # type: ignore[attr-defined]

    @extend_schema_field(TermsOutput)
    def get_terms(self, invoice: Invoice) -> dict[str, Any]:
        data: dict[str, Any] = self._terms(invoice).to_json()
        return data

    def get_terms_sentence(self, invoice: Invoice) -> str:
        terms = self._terms(invoice)
        issue_date = invoice.issue_date or self.context["today"]
        if terms.kind == TermsKind.FIXED and invoice.due_date is None:
            return ""
        due_date = invoice.due_date if invoice.due_date else terms.due_date(issue_date)
        language = invoice.customer.language
        return terms_sentence(
            terms=terms,
            issue_date=issue_date,
            due_date=due_date,
            currency=invoice.currency,
            locale=sentence_locale(org_locale=self.context["org"].locale, language=language),
            language=language,
        )

    @extend_schema_field(TaxBreakdownOutput(many=True))
    def get_tax_breakdown(self, invoice: Invoice) -> list[dict[str, str]]:
        return [
            {
                "name": row["name"],
                "percent": row["percent"],
                "amount": money_text(Decimal(row["amount"]), invoice.currency),
            }
            for row in invoice.tax_breakdown
        ]

    @extend_schema_field(LineOutput(many=True))
    def get_lines(self, invoice: Invoice) -> Any:
        context = {**self.context, "currency": invoice.currency}
        return LineOutput(invoice.lines.all(), many=True, context=context).data


# ---- credit notes


class CreditNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    currency = serializers.CharField()
    issue_date = serializers.DateField()
    reason = serializers.CharField()
    amount = MoneyOutput(help_text="The whole credit, tax included")
    tax_amount = MoneyOutput()
    applied_amount = MoneyOutput(help_text="Taken off the invoice's balance")
    credit_amount = MoneyOutput(help_text="Left over, kept as the customer's credit")
    tax_breakdown = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(TaxBreakdownOutput(many=True))
    def get_tax_breakdown(self, note: CreditNote) -> list[dict[str, str]]:
        return [
            {**row, "amount": money_text(Decimal(row["amount"]), note.currency)}
            for row in note.tax_breakdown
        ]

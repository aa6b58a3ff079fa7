"""What an invoice or credit-note document shows, as plain strings ready to print.

Everything is formatted here (money in the invoice currency, dates in the organization's
locale, the terms sentence in the customer's language), so the templates only place text and
Django escapes every piece of it. The PDF templates and the pay page both read these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from arhub.clock import org_today
from arhub.colours import HEX_COLOUR, text_colour_on
from arhub.models import Organization
from arhub.money import money_format, price_format
from arhub.pdf import image_data_url, qr_svg_data_url
from invoicing.addresses import billing_address_lines, place_lines, tax_id_label_key
from invoicing.bill_to import bill_to_customer, bill_to_of
from invoicing.invoice_services import invoice_settings_get, invoice_terms_effective
from invoicing.late_fee_rows import FeeRow, late_fee_rows
from invoicing.models import (
    DiscountKind,
    Invoice,
    InvoiceSettings,
    InvoiceStatus,
    LineKind,
    PaperSize,
)
from invoicing.pay_links import pay_link_url
from invoicing.pdf_labels import labels_for, line_kind_label, method_label
from invoicing.terms import sentence_locale, terms_sentence

logger = logging.getLogger(__name__)

DEFAULT_BRAND = "#1f6feb"
# Amounts taken off print with a real minus sign, which lines up with the digits.
MINUS = "\u2212"
# The settings form refuses bigger logos; a file put there some other way is left out.
LOGO_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Formatter:
    """Numbers and dates the way the organization's locale writes them."""

    locale: str  # Babel form, "en_US"
    currency: str

    def money(self, amount: Decimal) -> str:
        return money_format(amount, self.currency, self.locale)

    def price(self, amount: Decimal) -> str:
        """A unit price keeps the sub-cent digits it was entered with (0.0125 per unit)."""
        return price_format(amount, self.currency, self.locale)

    def number(self, value: Decimal) -> str:
        return format_decimal(value.normalize(), locale=self.locale, decimal_quantization=False)

    def percent(self, value: Decimal) -> str:
        return format_percent(value / 100, format="#,##0.####%", locale=self.locale)

    def date(self, day: date | None) -> str:
        return format_date(day, format="medium", locale=self.locale) if day else ""


def formatter_for(org: Organization, currency: str) -> Formatter:
    locale = org.locale.replace("-", "_")
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        locale = "en_US"
    return Formatter(locale=locale, currency=currency)


@dataclass(frozen=True)
class Party:
    """The organization or the customer, as printed."""

    name: str
    lines: list[str] = field(default_factory=list)
    # Who at the customer it is for: printed apart from the address.
    attention: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Brand:
    name: str
    colour: str
    on_colour: str
    logo: str | None  # a data: URL


def brand_for(org: Organization) -> Brand:
    colour = org.brand_color if HEX_COLOUR.fullmatch(org.brand_color or "") else DEFAULT_BRAND
    return Brand(name=org.name, colour=colour, on_colour=text_colour_on(colour), logo=_logo(org))


def _logo(org: Organization) -> str | None:
    if not org.logo:
        return None
    try:
        with org.logo.storage.open(org.logo.name, "rb") as handle:
            content = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        logger.warning("logo of organization %s could not be read", org.pk)
        return None
    if len(content) > LOGO_MAX_BYTES:
        return None
    return image_data_url(content)


def page_size(paper: str) -> str:
    return "letter" if paper == PaperSize.LETTER else "A4"


def org_party(org: Organization, fmt: Formatter, labels: dict[str, str]) -> Party:
    country = ""
    if org.country:
        country = Locale.parse(fmt.locale).territories.get(org.country.upper(), org.country)
    lines = [org.legal_name if org.legal_name != org.name else "", org.address_line1]
    lines.append(org.address_line2)
    # Written as the organization's country writes addresses, as the customer's is.
    lines += place_lines(
        city=org.city,
        region=org.region,
        postal_code=org.postal_code,
        country=(org.country or "").upper(),
    )
    lines.append(country)
    if org.tax_id:
        lines.append(f"{labels['tax_id']}: {org.tax_id}")
    if org.email_reply_to:
        lines.append(org.email_reply_to)
    return Party(name=org.name, lines=[line for line in lines if line])


def customer_party(bill_to: dict[str, Any], labels: dict[str, str], locale: str) -> Party:
    """Name, company, billing address, tax number, then who to send it to, from the invoice's
    bill-to snapshot (``invoicing.bill_to``). The country is named in ``locale``, as the
    organization's own is."""
    customer = bill_to_customer(bill_to)
    lines = (
        [customer.company] if customer.company and customer.company != customer.display_name else []
    )
    lines += billing_address_lines(customer, locale=locale)
    if customer.tax_id:
        key = tax_id_label_key(country=customer.billing_country, language=customer.language)
        lines.append(f"{labels[key]}: {customer.tax_id}")
    attention = []
    name, email = bill_to.get("contact_name", ""), bill_to.get("contact_email", "")
    if name and name != customer.display_name:
        attention.append(f"{labels['attention']} {name}")
    if email:
        attention.append(email)
    return Party(name=customer.display_name, lines=lines, attention=attention)


@dataclass(frozen=True)
class LineRow:
    description: str
    kind: str  # "" for items, else "Shipping" / "Fee"
    quantity: str
    unit: str
    unit_price: str
    discount: str
    taxes: list[str]
    amount: str


@dataclass(frozen=True)
class TotalRow:
    label: str
    value: str
    emphasis: bool = False
    # A line of explanation under the label (how a late fee was worked out).
    note: str = ""


@dataclass(frozen=True)
class Payment:
    url: str | None
    qr: str | None  # a data: URL
    methods: list[str]
    instructions: str


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    labels: dict[str, str]
    language: str
    brand: Brand
    seller: Party
    buyer: Party
    page_size: str  # the CSS @page size
    title: str
    number: str
    status: str  # "draft", "void", "paid" or ""
    status_label: str
    status_note: str
    meta: list[tuple[str, str]]
    lines: list[LineRow]
    show_unit: bool
    show_discount: bool
    show_taxes: bool
    totals: list[TotalRow]
    amount_due: str
    due_date: str
    terms: str
    notes: str
    payment: Payment
    footer: str
    # Late fees not waived, oldest first, and the early-payment discount allowed ("" if none).
    fees: list[FeeRow] = field(default_factory=list)
    discount_allowed: str = ""


def _status(invoice: Invoice, labels: dict[str, str]) -> tuple[str, str, str]:
    if invoice.status == InvoiceStatus.DRAFT:
        return "draft", labels["draft"], labels["draft_note"]
    if invoice.status == InvoiceStatus.VOID:
        return "void", labels["void"], labels["void_note"]
    if invoice.status == InvoiceStatus.PAID:
        return "paid", labels["paid"], labels["paid_note"]
    return "", "", ""


def _dates(org: Organization, invoice: Invoice) -> tuple[date, date, str]:
    """Issue date, due date and the terms sentence. A draft shows the dates it would get if
    it were issued today."""
    terms = invoice_terms_effective(org=org, invoice=invoice)
    issue = invoice.issue_date or org_today(org)
    if invoice.is_draft or invoice.due_date is None:
        due = terms.due_date(issue, fixed=invoice.due_date or issue)
    else:
        due = invoice.due_date
    language = invoice.customer.language
    sentence = terms_sentence(
        terms=terms,
        issue_date=issue,
        due_date=due,
        currency=invoice.currency,
        locale=sentence_locale(org_locale=org.locale, language=language),
        language=language,
    )
    return issue, due, sentence


def _line_rows(invoice: Invoice, fmt: Formatter, language: str) -> list[LineRow]:
    rows = []
    for line in invoice.lines.prefetch_related("taxes"):
        taxes = [f"{tax.name} {fmt.percent(tax.percent)}" for tax in line.taxes.all()]
        rows.append(
            LineRow(
                description=line.description,
                kind=line_kind_label(line.kind, language) if line.kind != LineKind.ITEM else "",
                quantity=fmt.number(line.quantity),
                unit=line.unit,
                unit_price=fmt.price(line.unit_price),
                discount=fmt.percent(line.discount_percent) if line.discount_percent else "",
                taxes=taxes,
                amount=fmt.money(line.amount),
            )
        )
    return rows


def _totals(
    invoice: Invoice, fmt: Formatter, labels: dict[str, str], fees: list[FeeRow]
) -> list[TotalRow]:
    rows = [TotalRow(labels["subtotal"], fmt.money(invoice.subtotal))]
    if invoice.discount_total:
        label = labels["discount"]
        if invoice.discount_kind == DiscountKind.PERCENT:
            label = f"{label} ({fmt.percent(invoice.discount_value)})"
        rows.append(TotalRow(label, MINUS + fmt.money(invoice.discount_total)))
    for tax in invoice.tax_breakdown:
        label = f"{tax['name']} ({fmt.percent(Decimal(tax['percent']))})"
        rows.append(TotalRow(label, fmt.money(Decimal(tax["amount"]))))
    rows.append(TotalRow(labels["total"], fmt.money(invoice.total), emphasis=True))
    rows += [
        TotalRow(f"{labels['late_fee']}, {row.charged_on}", row.amount, note=row.rule)
        for row in fees
    ]
    if invoice.amount_paid:
        rows.append(TotalRow(labels["amount_paid"], MINUS + fmt.money(invoice.amount_paid)))
    if invoice.amount_credited:
        rows.append(TotalRow(labels["amount_credited"], MINUS + fmt.money(invoice.amount_credited)))
    if invoice.amount_discounted:
        rows.append(
            TotalRow(labels["discount_allowed"], MINUS + fmt.money(invoice.amount_discounted))
        )
    return rows


def _payment(
    org: Organization, invoice: Invoice, settings: InvoiceSettings, language: str
) -> Payment:
    url = qr = None
    # Only an invoice that can still be paid carries a link: never a draft, a void or a
    # written-off one, and a paid one has nothing left to pay.
    if invoice.is_outstanding and invoice.balance_due > 0:
        url = pay_link_url(org=org, invoice=invoice)
        qr = qr_svg_data_url(url)
    return Payment(
        url=url,
        qr=qr,
        methods=[method_label(method, language) for method in settings.accepted_methods],
        instructions=settings.payment_instructions,
    )


def invoice_document(*, org: Organization, invoice: Invoice) -> InvoiceDocument:
    language = invoice.customer.language
    labels = labels_for(language)
    settings = invoice_settings_get(org=org)
    fmt = formatter_for(org, invoice.currency)
    issue, due, sentence = _dates(org, invoice)
    status, status_label, status_note = _status(invoice, labels)
    meta = [
        (labels["issue_date"], fmt.date(issue)),
        (labels["due_date"], fmt.date(due)),
    ]
    if invoice.po_number:
        meta.append((labels["po_number"], invoice.po_number))
    lines = _line_rows(invoice, fmt, language)
    amount_due = invoice.total if invoice.is_draft else invoice.balance_due
    fees = late_fee_rows(org=org, invoice=invoice, locale=fmt.locale, include_waived=False)
    return InvoiceDocument(
        invoice=invoice,
        labels=labels,
        language=language,
        brand=brand_for(org),
        seller=org_party(org, fmt, labels),
        buyer=customer_party(bill_to_of(invoice), labels, fmt.locale),
        page_size=page_size(settings.paper_size),
        title=labels["invoice"],
        number=invoice.number or labels["draft_number"],
        status=status,
        status_label=status_label,
        status_note=status_note,
        meta=meta,
        lines=lines,
        show_unit=any(line.unit for line in lines),
        show_discount=any(line.discount for line in lines),
        show_taxes=any(line.taxes for line in lines),
        totals=_totals(invoice, fmt, labels, fees),
        amount_due=fmt.money(amount_due),
        due_date=fmt.date(due),
        terms=sentence,
        notes=invoice.notes,
        payment=_payment(org, invoice, settings, language),
        footer=settings.footer,
        fees=fees,
        discount_allowed=fmt.money(invoice.amount_discounted) if invoice.amount_discounted else "",
    )

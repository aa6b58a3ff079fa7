"""What the invoice page shows, worked out from the invoice: its lines and figures formatted in
the organization's locale, the terms sentence, the pay link, credit notes, the messages sent,
and which actions the person may take now (state and role together)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.urls import reverse

from arhub.clock import org_today
from arhub.messaging.selectors import message_list
from arhub.models import Membership, Organization
from arhub.money import money_format, plain, price_format
from arhub.permissions import membership_allows
from arhub.roles import Perm
from invoicing.invoice_editor import EditorPreview
from invoicing.invoice_services import invoice_terms_effective
from invoicing.late_fee_rows import late_fee_rows
from invoicing.models import CreditNote, DiscountKind, Invoice, InvoiceLine, InvoiceStatus
from invoicing.page_sections import invoice_sections
from invoicing.pay_links import pay_link_url
from invoicing.sending import SENDABLE
from invoicing.terms import sentence_locale, terms_sentence

# Messages listed on the invoice page, newest first.
MESSAGE_LIMIT = 50
# Amounts taken off the total get a real minus sign, which screen readers say as "minus".
MINUS = "\u2212"


@dataclass(frozen=True)
class LineRow:
    line: InvoiceLine
    quantity: str
    unit_price: str
    discount: str
    taxes: str
    amount: str


@dataclass(frozen=True)
class FigureRow:
    label: str
    amount: str
    emphasis: bool = False


@dataclass(frozen=True)
class PageActions:
    """What the person may do to the invoice now: its state and their role together."""

    edit: bool = False
    issue: bool = False
    send: str = ""  # the button's words, "" when sending is not possible
    void: bool = False
    write_off: bool = False
    credit: bool = False
    duplicate: bool = False
    delete: bool = False
    new_pay_link: bool = False

    @property
    def any(self) -> bool:
        flags = (self.edit, self.issue, self.void, self.write_off, self.credit, self.delete)
        return bool(self.send) or self.duplicate or any(flags)


def page_actions(invoice: Invoice, membership: Membership) -> PageActions:
    if not membership_allows(membership, Perm.OPERATE):
        return PageActions()
    status = invoice.status
    issued = status in SENDABLE
    send = ""
    if invoice.is_draft:
        send = "Issue and send"
    elif issued:
        send = "Send again" if invoice.last_sent_at else "Send"
    return PageActions(
        edit=invoice.is_draft,
        issue=invoice.is_draft,
        send=send,
        void=invoice.can_void(),
        write_off=invoice.can_write_off(),
        credit=invoice.can_credit(),
        duplicate=True,
        delete=invoice.is_draft,
        new_pay_link=issued
        and status != InvoiceStatus.PAID
        and membership_allows(membership, Perm.MANAGE_SETTINGS),
    )


def terms_text(org: Organization, invoice: Invoice) -> str:
    """The terms as the customer reads them (in their language), for a draft as if issued
    today."""
    terms = invoice_terms_effective(org=org, invoice=invoice)
    issue_date = invoice.issue_date or org_today(org)
    try:
        due_date = (
            invoice.due_date
            if not invoice.is_draft and invoice.due_date
            else terms.due_date(issue_date, fixed=invoice.due_date)
        )
    except ValueError:
        return ""
    language = invoice.customer.language
    return terms_sentence(
        terms=terms,
        issue_date=issue_date,
        due_date=due_date,
        currency=invoice.currency,
        locale=sentence_locale(org_locale=org.locale, language=language),
        language=language,
    )


def line_rows(invoice: Invoice, locale: str) -> list[LineRow]:
    currency = invoice.currency
    rows = []
    for line in invoice.lines.prefetch_related("taxes"):
        taxes = ", ".join(f"{t.name} {plain(t.percent)}%" for t in line.taxes.all())
        rows.append(
            LineRow(
                line=line,
                quantity=format_decimal(
                    line.quantity.normalize(),
                    locale=locale.replace("-", "_"),
                    decimal_quantization=False,
                ),
                unit_price=price_format(line.unit_price, currency, locale),
                discount=f"{plain(line.discount_percent)}%" if line.discount_percent else "",
                taxes=taxes,
                amount=money_format(line.amount, currency, locale),
            )
        )
    return rows


def figure_rows(invoice: Invoice, locale: str) -> list[FigureRow]:
    currency = invoice.currency

    def m(amount: Decimal) -> str:
        return money_format(amount, currency, locale)

    rows = [FigureRow("Subtotal", m(invoice.subtotal))]
    if invoice.discount_total:
        label = "Discount"
        if invoice.discount_kind == DiscountKind.PERCENT:
            label = f"Discount {plain(invoice.discount_value)}%"
        rows.append(FigureRow(label, MINUS + m(invoice.discount_total)))
    for tax in invoice.tax_breakdown:
        rows.append(FigureRow(f"{tax['name']} {tax['percent']}%", m(Decimal(tax["amount"]))))
    rows.append(FigureRow("Total", m(invoice.total), emphasis=True))
    if invoice.fees_total:
        rows.append(FigureRow("Late fees", m(invoice.fees_total)))
    if not invoice.is_draft:
        if invoice.amount_paid:
            rows.append(FigureRow("Paid", MINUS + m(invoice.amount_paid)))
        if invoice.amount_credited:
            rows.append(FigureRow("Credited", MINUS + m(invoice.amount_credited)))
        if invoice.amount_discounted:
            rows.append(FigureRow("Discount allowed", MINUS + m(invoice.amount_discounted)))
        rows.append(FigureRow("Balance due", m(invoice.balance_due), emphasis=True))
    return rows


@dataclass(frozen=True)
class PreviewDisplay:
    figures: list[FigureRow]
    line_amounts: dict[int, str]


def preview_display(preview: EditorPreview | None, locale: str) -> PreviewDisplay | None:
    """The editor's running totals, formatted like the invoice page's."""
    if preview is None:
        return None
    totals, currency = preview.totals, preview.currency

    def m(amount: Decimal) -> str:
        return money_format(amount, currency, locale)

    rows = [FigureRow("Subtotal", m(totals.subtotal))]
    if totals.discount_total:
        rows.append(FigureRow("Discount", MINUS + m(totals.discount_total)))
    for tax in totals.taxes:
        rows.append(FigureRow(f"{tax.name} {plain(tax.percent)}%", m(tax.amount)))
    rows.append(FigureRow("Total", m(totals.total), emphasis=True))
    return PreviewDisplay(
        figures=rows,
        line_amounts={index: m(amount) for index, amount in preview.line_amounts.items()},
    )


def invoice_page_context(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> dict[str, Any]:
    locale = org.locale
    today = org_today(org)
    overdue_days = (
        (today - invoice.due_date).days
        if invoice.is_outstanding and invoice.due_date and invoice.due_date < today
        else 0
    )
    pay_url = None
    if invoice.status in SENDABLE:
        pay_url = pay_link_url(org=org, invoice=invoice)
    credit_notes = list(
        CreditNote.objects.for_org(org).filter(invoice=invoice).order_by("created_at", "pk")
    )
    return {
        "invoice": invoice,
        "customer": invoice.customer,
        "overdue_days": overdue_days,
        "line_rows": line_rows(invoice, locale),
        "figures": figure_rows(invoice, locale),
        "terms_sentence": terms_text(org, invoice),
        "pay_url": pay_url,
        "pdf_url": reverse("invoice_pdf", args=[invoice.pk]),
        "pdf_preview_url": reverse("invoice_pdf_preview", args=[invoice.pk]),
        "credit_notes": [
            {
                "note": note,
                "amount": money_format(note.amount, note.currency, locale),
                "applied": money_format(note.applied_amount, note.currency, locale),
                "to_credit": money_format(note.credit_amount, note.currency, locale),
                "pdf_url": reverse("credit_note_pdf", args=[note.pk]),
            }
            for note in credit_notes
        ],
        "sent_messages": list(message_list(org=org, invoice_id=invoice.pk)[:MESSAGE_LIMIT]),
        "actions": page_actions(invoice, membership),
        "late_fees": late_fee_rows(org=org, invoice=invoice, locale=locale),
        # Waiving is the owner's and billing staff's: a fee still owed on an invoice still open.
        "can_waive_fees": invoice.is_outstanding and membership_allows(membership, Perm.OPERATE),
        # What the apps above invoicing show here (payments, …): invoicing.page_sections.
        "sections": invoice_sections(org=org, membership=membership, invoice=invoice),
    }

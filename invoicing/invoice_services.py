"""Writes for invoices: drafts, issuing, voiding, writing off, and keeping the amounts right.

An invoice is edited only while it is a draft. Issuing takes the next number, fixes the dates
and copies the terms; from then on corrections are credit notes (``credit_services``) or a void
and a re-issue (``invoice_duplicate``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.clock import org_today
from arhub.models import Organization, User
from arhub.money import plain
from invoicing.bill_to import bill_to_snapshot
from invoicing.invoice_input import CleanInvoice, InvoiceData, LineData, invoice_data_validate
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineTax,
    InvoiceSettings,
    InvoiceStatus,
    SequenceKind,
    TermsKind,
)
from invoicing.numbering import number_next
from invoicing.pay_links import pay_link_active, pay_link_revoke
from invoicing.terms import Terms, terms_for_customer
from invoicing.totals import balance_due, invoice_totals

EDIT_ISSUED = (
    "Issued invoices are not edited. Issue a credit note for part of it, "
    "or void it and issue a corrected copy."
)


class InvoiceStateError(ValidationError):
    """The invoice is not in a state that allows this; the message says what to do instead."""


def invoice_settings_get(*, org: Organization) -> InvoiceSettings:
    settings, _ = InvoiceSettings.objects.get_or_create(organization=org)
    return settings


def _write_lines(org: Organization, invoice: Invoice, clean: CleanInvoice) -> None:
    totals = invoice_totals(
        [line.as_totals_input() for line in clean.lines],
        currency=clean.currency,
        discount_kind=clean.discount_kind,
        discount_value=clean.discount_value,
    )
    InvoiceLine.objects.filter(invoice=invoice).delete()
    made = InvoiceLine.objects.bulk_create(
        InvoiceLine(
            organization=org,
            invoice=invoice,
            position=index,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            amount=figures.amount,
            invoice_discount=figures.invoice_discount,
            tax_amount=figures.tax_amount,
        )
        for index, (line, figures) in enumerate(zip(clean.lines, totals.lines, strict=True))
    )
    InvoiceLineTax.objects.bulk_create(
        InvoiceLineTax(
            organization=org,
            line=row,
            tax_rate=rate,
            name=rate.name,
            percent=rate.percent,
            amount=amount,
        )
        for row, line, figures in zip(made, clean.lines, totals.lines, strict=True)
        for rate, amount in zip(line.tax_rates, figures.tax_amounts, strict=True)
    )
    invoice.subtotal = totals.subtotal
    invoice.discount_total = totals.discount_total
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.tax_breakdown = [
        {"name": t.name, "percent": plain(t.percent), "amount": str(t.amount)} for t in totals.taxes
    ]
    invoice.balance_due = balance_due(
        total=totals.total,
        paid=invoice.amount_paid,
        credited=invoice.amount_credited,
        fees=invoice.fees_total,
        discounted=invoice.amount_discounted,
    )


def _apply(invoice: Invoice, clean: CleanInvoice) -> None:
    invoice.customer = clean.customer
    invoice.currency = clean.currency
    invoice.issue_date = clean.issue_date
    # On a draft, a due date means "fixed date" and named terms mean "these, not the
    # customer's"; both are settled for good at issue.
    invoice.due_date = clean.due_date
    invoice.terms = Terms.from_model(clean.payment_terms).to_json() if clean.payment_terms else {}
    invoice.po_number = clean.po_number
    invoice.notes = clean.notes
    invoice.memo = clean.memo
    invoice.discount_kind = clean.discount_kind
    invoice.discount_value = clean.discount_value


def invoice_create(*, org: Organization, actor: User | None, data: InvoiceData) -> Invoice:
    """A draft. Nothing is numbered or sent until it is issued."""
    clean = invoice_data_validate(org, data)
    with transaction.atomic():
        invoice = Invoice(organization=org, created_by=actor, status=InvoiceStatus.DRAFT)
        _apply(invoice, clean)
        invoice.save()
        _write_lines(org, invoice, clean)
        invoice.save()
    return invoice


def _locked(org: Organization, invoice: Invoice) -> Invoice:
    return Invoice.objects.for_org(org).select_for_update().get(pk=invoice.pk)


def invoice_update(
    *, org: Organization, actor: User | None, invoice: Invoice, data: InvoiceData
) -> Invoice:
    clean = invoice_data_validate(org, data)
    with transaction.atomic():
        locked = _locked(org, invoice)
        if not locked.is_draft:
            raise InvoiceStateError({"status": EDIT_ISSUED})
        _apply(locked, clean)
        _write_lines(org, locked, clean)
        locked.save()
    return locked


def invoice_delete_draft(*, org: Organization, actor: User | None, invoice: Invoice) -> None:
    with transaction.atomic():
        locked = _locked(org, invoice)
        if not locked.is_draft:
            raise InvoiceStateError(
                {"status": "Only drafts can be deleted; an issued invoice can be voided."}
            )
        locked.delete()


def invoice_terms_effective(*, org: Organization, invoice: Invoice) -> Terms:
    """The terms an invoice has, or (for a draft) would be issued under today."""
    if invoice.terms:
        terms = Terms.from_json(invoice.terms)
    else:
        terms = terms_for_customer(org=org, customer=invoice.customer)
    if invoice.is_draft and invoice.due_date is not None:
        terms = replace(terms, kind=TermsKind.FIXED)
    return terms


def invoice_issue(
    *, org: Organization, actor: User | None, invoice: Invoice, on: date | None = None
) -> Invoice:
    """Number the draft, fix its dates and terms, and open it. Idempotent on an issued
    invoice (returns it unchanged), so "send" can call it on anything."""
    settings = invoice_settings_get(org=org)
    with transaction.atomic():
        locked = _locked(org, invoice)
        if not locked.is_draft:
            return locked
        if not locked.lines.exists():
            raise InvoiceStateError({"lines": "Add at least one line before issuing."})
        if locked.total <= 0:
            raise InvoiceStateError({"lines": "The invoice total must be more than zero."})
        issue_date = locked.issue_date or on or org_today(org)
        terms = invoice_terms_effective(org=org, invoice=locked)
        due_date = terms.due_date(issue_date, fixed=locked.due_date)
        if due_date < issue_date:
            raise InvoiceStateError({"due_date": "The due date cannot be before the issue date."})
        locked.number = number_next(
            org=org, kind=SequenceKind.INVOICE, on=issue_date, settings=settings
        )
        locked.issue_date = issue_date
        locked.due_date = due_date
        locked.terms = terms.to_json()
        locked.bill_to = bill_to_snapshot(locked.customer)
        locked.status = InvoiceStatus.OPEN
        locked.issued_at = timezone.now()
        locked.save()
        pay_link_active(org=org, invoice=locked)
    return locked


def invoice_void(
    *, org: Organization, actor: User | None, invoice: Invoice, reason: str = ""
) -> Invoice:
    with transaction.atomic():
        locked = _locked(org, invoice)
        if locked.status == InvoiceStatus.VOID:
            return locked
        if not locked.can_void():
            raise InvoiceStateError(
                {
                    "status": (
                        "Only an open invoice with no payments can be voided. "
                        "For a paid or part-paid invoice, issue a credit note."
                        if not locked.is_draft
                        else "A draft is deleted, not voided."
                    )
                }
            )
        locked.status = InvoiceStatus.VOID
        locked.voided_at = timezone.now()
        locked.void_reason = reason.strip()[:300]
        locked.balance_due = Decimal(0)
        locked.save()
        pay_link_revoke(org=org, invoice=locked)
    return locked


def invoice_write_off(
    *, org: Organization, actor: User | None, invoice: Invoice, reason: str = ""
) -> Invoice:
    """Mark what is left as uncollectible. The balance stays on record for the reports (bad
    debt), but the invoice is no longer chased."""
    with transaction.atomic():
        locked = _locked(org, invoice)
        if not locked.can_write_off():
            raise InvoiceStateError({"status": "Only an unpaid issued invoice can be written off."})
        locked.status = InvoiceStatus.UNCOLLECTIBLE
        locked.written_off_at = timezone.now()
        locked.void_reason = reason.strip()[:300]
        locked.save()
        pay_link_revoke(org=org, invoice=locked)
    return locked


def invoice_duplicate(*, org: Organization, actor: User | None, invoice: Invoice) -> Invoice:
    """A new draft with the same customer, lines and notes: the "re-issue" after a void."""
    lines = list(invoice.lines.prefetch_related("taxes"))
    data = InvoiceData(
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        lines=[
            LineData(
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate_ids=[tax.tax_rate_id for tax in line.taxes.all()],
            )
            for line in lines
        ],
        po_number=invoice.po_number,
        notes=invoice.notes,
        memo=invoice.memo,
        discount_kind=invoice.discount_kind,
        discount_value=invoice.discount_value,
    )
    return invoice_create(org=org, actor=actor, data=data)


def invoice_status_refresh(invoice: Invoice) -> None:
    """Set balance and status from total, fees, payments, credits and discounts allowed. For
    callers that hold the row lock (credit notes here; payments, late fees)."""
    invoice.balance_due = balance_due(
        total=invoice.total,
        paid=invoice.amount_paid,
        credited=invoice.amount_credited,
        fees=invoice.fees_total,
        discounted=invoice.amount_discounted,
    )
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID):
        return
    if invoice.balance_due == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = invoice.paid_at or timezone.now()
    elif invoice.balance_due < invoice.total + invoice.fees_total:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
        invoice.paid_at = None
    else:
        invoice.status = InvoiceStatus.OPEN
        invoice.paid_at = None

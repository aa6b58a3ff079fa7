"""Credit notes: part or all of an issued invoice taken back, in their own number sequence.

The credit first reduces what the invoice still owes; whatever is left over (the invoice was
already paid, or the credit is larger than the balance) becomes customer credit, so the balance
never goes below zero and no money is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from arhub.clock import org_today
from arhub.locales import currency_minor_units
from arhub.models import Organization, User
from arhub.money import ZERO, is_quantized, money_format, quantize, split
from invoicing.invoice_services import (
    InvoiceStateError,
    invoice_settings_get,
    invoice_status_refresh,
)
from invoicing.models import CreditNote, CustomerCredit, Invoice, SequenceKind
from invoicing.numbering import number_next


@dataclass(frozen=True)
class CreditSplit:
    applied: Decimal  # taken off the invoice's balance
    to_credit: Decimal  # left over, kept as customer credit


def credit_split(*, amount: Decimal, balance: Decimal) -> CreditSplit:
    applied = min(amount, max(balance, ZERO))
    return CreditSplit(applied=applied, to_credit=amount - applied)


def _tax_breakdown(invoice: Invoice, amount: Decimal) -> tuple[Decimal, list[dict[str, str]]]:
    """The tax inside a credit of ``amount``, in proportion to the invoice's, split by rate."""
    if invoice.total <= 0 or invoice.tax_total <= 0:
        return ZERO, []
    tax = quantize(amount * invoice.tax_total / invoice.total, invoice.currency)
    rates = invoice.tax_breakdown
    parts = split(tax, [Decimal(r["amount"]) for r in rates], invoice.currency)
    return tax, [
        {"name": r["name"], "percent": r["percent"], "amount": str(part)}
        for r, part in zip(rates, parts, strict=True)
    ]


def credit_note_create(
    *,
    org: Organization,
    actor: User | None,
    invoice: Invoice,
    amount: Decimal | None,
    reason: str,
    on: date | None = None,
) -> CreditNote:
    """Credit ``amount`` (tax included) of ``invoice``; ``None`` credits all that is left."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the credit is given; it is printed on it."})
    settings = invoice_settings_get(org=org)
    with transaction.atomic():
        locked = Invoice.objects.for_org(org).select_for_update().get(pk=invoice.pk)
        if not locked.can_credit():
            raise InvoiceStateError(
                {"invoice": "Only an issued invoice (not void or written off) can be credited."}
            )
        earlier = sum(
            CreditNote.objects.for_org(org).filter(invoice=locked).values_list("amount", flat=True),
            ZERO,
        )
        room = max(locked.total - earlier, ZERO)
        value = room if amount is None else amount
        if value <= 0:
            raise ValidationError({"amount": "The credit must be more than zero."})
        if not is_quantized(value, locked.currency):
            raise ValidationError(
                {
                    "amount": f"{locked.currency} amounts have at most "
                    f"{currency_minor_units(locked.currency)} decimals."
                }
            )
        if value > room:
            raise ValidationError(
                {
                    "amount": f"At most {money_format(room, locked.currency, org.locale)} "
                    "of this invoice is left to credit."
                }
            )
        parts = credit_split(amount=value, balance=locked.balance_due)
        tax, breakdown = _tax_breakdown(locked, value)
        issue_date = on or org_today(org)
        note = CreditNote.objects.create(
            organization=org,
            invoice=locked,
            customer_id=locked.customer_id,
            number=number_next(
                org=org, kind=SequenceKind.CREDIT_NOTE, on=issue_date, settings=settings
            ),
            currency=locked.currency,
            issue_date=issue_date,
            reason=reason.strip(),
            amount=value,
            tax_amount=tax,
            tax_breakdown=breakdown,
            applied_amount=parts.applied,
            credit_amount=parts.to_credit,
            created_by=actor,
        )
        if parts.to_credit:
            CustomerCredit.objects.create(
                organization=org,
                customer_id=locked.customer_id,
                currency=locked.currency,
                amount=parts.to_credit,
                credit_note=note,
                note=f"From credit note {note.number}",
            )
        locked.amount_credited += parts.applied
        invoice_status_refresh(locked)
        locked.save()
    return note

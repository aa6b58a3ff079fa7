"""An issued invoice as the lines an accounting system imports, adding up to what the customer
owes to the cent.

QuickBooks Online and Xero import an invoice as lines (quantity, price, tax code, amount) and
have no invoice-level discount or separate late fee. So:

- each item line goes as it is: quantity, unit price, its own line discount, its amount, and its
  tax worked out on that amount (rate x amount, rounded per tax, as both systems do);
- the invoice-level discount becomes one negative "Discount" line per tax code, carrying the
  tax it took off (our tax on the discounted amounts minus the tax on the full ones), so the tax
  adds up to the invoice's exactly;
- each late fee charged and not waived becomes an untaxed line.

Sum of (amount + tax) over the lines = invoice total + late fees. ``metrics/formulas/
accounting.md`` has a worked example.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from arhub.models import Organization
from arhub.money import ZERO, plain, quantize
from invoicing.models import DiscountKind, Invoice, InvoiceLine, LateFee
from metrics.report_tables import REGISTER_LEFT_OUT, period_check

CHUNK = 500
HUNDRED = Decimal(100)


def short(value: Decimal) -> Decimal:
    """A quantity or price as it was typed, trailing zeros dropped (1.0000 is written 1 and
    12.5000 as 12.5): the stored places are storage, not meaning."""
    return value.normalize()


@dataclass(frozen=True)
class ImportLine:
    kind: str  # "item", "discount" or "fee"
    description: str
    quantity: Decimal
    unit_price: Decimal  # before the line's own discount
    discount_percent: Decimal  # the line's own discount; zero on discount and fee lines
    amount: Decimal  # quantity x price less the line's own discount, rounded
    tax_code: str
    tax_amount: Decimal

    @property
    def rate(self) -> Decimal:
        """The unit price after the line's own discount (exact: a 4-place price times a
        2-place percentage has at most 6 places), for systems that take no line discount."""
        if not self.discount_percent:
            return self.unit_price
        return self.unit_price * (HUNDRED - self.discount_percent) / HUNDRED


@dataclass(frozen=True)
class ImportInvoice:
    invoice: Invoice
    bill_to: dict[str, Any]
    lines: list[ImportLine]

    @property
    def contact_name(self) -> str:
        return str(self.bill_to.get("display_name") or self.invoice.customer.display_name)


def tax_code_for(names: list[str], *, untaxed: str, codes: Mapping[str, str]) -> str:
    joined = " + ".join(names)
    if not joined:
        return untaxed
    return codes.get(joined, joined)


def _discount_words(invoice: Invoice) -> str:
    if invoice.discount_kind == DiscountKind.PERCENT and invoice.discount_value:
        return f"Discount ({plain(invoice.discount_value)}%)"
    return "Discount"


def invoice_import_lines(
    invoice: Invoice, *, untaxed: str = "", codes: Mapping[str, str] | None = None
) -> list[ImportLine]:
    """The lines of one invoice (its lines, taxes and late fees prefetched)."""
    codes = codes or {}
    currency = invoice.currency
    out: list[ImportLine] = []
    # Per tax code: (discount taken off the lines, tax it took off).
    discounts: dict[str, tuple[Decimal, Decimal]] = {}
    for line in invoice.lines.all():
        taxes = sorted(line.taxes.all(), key=lambda tax: tax.pk)  # in the order charged
        code = tax_code_for([t.name for t in taxes], untaxed=untaxed, codes=codes)
        tax = line.tax_amount
        if line.invoice_discount:
            full = sum((quantize(line.amount * t.percent / HUNDRED, currency) for t in taxes), ZERO)
            taken, tax_off = discounts.get(code, (ZERO, ZERO))
            discounts[code] = (taken + line.invoice_discount, tax_off + full - line.tax_amount)
            tax = full
        out.append(
            ImportLine(
                kind="item",
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                amount=line.amount,
                tax_code=code,
                tax_amount=tax,
            )
        )
    for code, (taken, tax_off) in discounts.items():
        out.append(
            ImportLine(
                kind="discount",
                description=_discount_words(invoice),
                quantity=Decimal(1),
                unit_price=-taken,
                discount_percent=ZERO,
                amount=-taken,
                tax_code=code,
                tax_amount=-tax_off,
            )
        )
    for fee in invoice.late_fees.all():  # those not waived, prefetched
        out.append(
            ImportLine(
                kind="fee",
                description=f"Late fee: {fee.rule}" if fee.rule else "Late fee",
                quantity=Decimal(1),
                unit_price=fee.amount,
                discount_percent=ZERO,
                amount=fee.amount,
                tax_code=untaxed,
                tax_amount=ZERO,
            )
        )
    return out


def import_invoices(
    *,
    org: Organization,
    start: date,
    end: date,
    currency: str,
    untaxed: str = "",
    codes: Mapping[str, str] | None = None,
) -> Iterator[ImportInvoice]:
    """The invoices issued in the period in ``currency`` (void ones left out), oldest first,
    with their import lines; read in chunks, each chunk's lines in three queries."""
    period_check(start=start, end=end)
    lines = InvoiceLine.objects.order_by("position", "id")
    fees = LateFee.objects.filter(waived_at__isnull=True).order_by("period_start", "id")
    invoices = (
        Invoice.objects.for_org(org)
        .filter(currency=currency, issue_date__gte=start, issue_date__lte=end)
        .exclude(status__in=REGISTER_LEFT_OUT)
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .prefetch_related("lines__taxes")
        .prefetch_related(Prefetch("late_fees", queryset=fees))
        .order_by("issue_date", "number", "id")
    )
    for invoice in invoices.iterator(chunk_size=CHUNK):
        yield ImportInvoice(
            invoice=invoice,
            bill_to=invoice.bill_to or {},
            lines=invoice_import_lines(invoice, untaxed=untaxed, codes=codes),
        )

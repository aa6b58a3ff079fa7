"""An invoice's arithmetic, with no database: lines in, rounded amounts out.

The rules (DESIGN.md, money):
- a line's amount is quantity x unit price less its own discount, rounded half-up to the
  currency's minor unit;
- the invoice-level discount is shared across the item lines in proportion to their amounts
  (shipping and fees are not discounted) in whole minor units (``arhub.money.split``: the
  leftover units go to the lines that lost most to rounding), so the shares add up to the
  discount exactly and none is negative;
- each tax on each line is computed on the line's discounted amount and rounded; the tax by rate
  is the sum of those rounded line taxes;
- subtotal, tax and total are sums of rounded figures, so what the customer adds up on paper is
  what we charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arhub.money import ZERO, quantize, split

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxInput:
    key: object  # the tax rate's id (or anything hashable that names it)
    name: str
    percent: Decimal


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    taxes: Sequence[TaxInput] = ()
    discountable: bool = True  # False for shipping and fee lines


@dataclass(frozen=True)
class LineTotals:
    amount: Decimal
    invoice_discount: Decimal
    tax_amounts: tuple[Decimal, ...]

    @property
    def tax_amount(self) -> Decimal:
        return sum(self.tax_amounts, ZERO)


@dataclass(frozen=True)
class TaxTotal:
    key: object
    name: str
    percent: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceTotals:
    lines: list[LineTotals]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    taxes: list[TaxTotal] = field(default_factory=list)


class TotalsError(ValueError):
    """An input the arithmetic refuses; ``field`` names it for the caller's error message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def line_amount(line: LineInput, currency: str) -> Decimal:
    gross = line.quantity * line.unit_price
    return quantize(gross - gross * line.discount_percent / HUNDRED, currency)


def invoice_discount_amount(
    *, kind: str, value: Decimal, discountable_total: Decimal, currency: str
) -> Decimal:
    """The invoice-level discount in money: a percentage of the discountable lines or a fixed
    amount, never more than those lines come to."""
    if kind == "percent":
        amount = quantize(discountable_total * value / HUNDRED, currency)
    elif kind == "amount":
        amount = quantize(value, currency)
    else:
        return ZERO
    return min(amount, max(discountable_total, ZERO))


def invoice_totals(
    lines: Sequence[LineInput],
    *,
    currency: str,
    discount_kind: str = "none",
    discount_value: Decimal = ZERO,
) -> InvoiceTotals:
    for index, line in enumerate(lines):
        if line.quantity < 0:
            raise TotalsError(f"lines[{index}].quantity", "Quantity cannot be negative.")
        if line.unit_price < 0:
            raise TotalsError(f"lines[{index}].unit_price", "Unit price cannot be negative.")
        if not ZERO <= line.discount_percent <= HUNDRED:
            raise TotalsError(
                f"lines[{index}].discount_percent", "A discount is between 0 and 100%."
            )
    if discount_value < 0:
        raise TotalsError("discount_value", "The discount cannot be negative.")
    if discount_kind == "percent" and discount_value > HUNDRED:
        raise TotalsError("discount_value", "A percentage discount is at most 100%.")

    amounts = [line_amount(line, currency) for line in lines]
    weights = [
        amount if line.discountable else ZERO for line, amount in zip(lines, amounts, strict=True)
    ]
    discount = invoice_discount_amount(
        kind=discount_kind,
        value=discount_value,
        discountable_total=sum(weights, ZERO),
        currency=currency,
    )
    shares = split(discount, weights, currency) if discount else [ZERO] * len(lines)

    line_totals: list[LineTotals] = []
    by_rate: dict[object, TaxTotal] = {}
    for line, amount, share in zip(lines, amounts, shares, strict=True):
        base = amount - share
        taxes = tuple(quantize(base * tax.percent / HUNDRED, currency) for tax in line.taxes)
        line_totals.append(LineTotals(amount=amount, invoice_discount=share, tax_amounts=taxes))
        for tax, tax_amount in zip(line.taxes, taxes, strict=True):
            seen = by_rate.get(tax.key)
            by_rate[tax.key] = TaxTotal(
                key=tax.key,
                name=tax.name,
                percent=tax.percent,
                amount=(seen.amount if seen else ZERO) + tax_amount,
            )

    subtotal = sum(amounts, ZERO)
    tax_total = sum((t.tax_amount for t in line_totals), ZERO)
    return InvoiceTotals(
        lines=line_totals,
        subtotal=subtotal,
        discount_total=discount,
        tax_total=tax_total,
        total=subtotal - discount + tax_total,
        taxes=list(by_rate.values()),
    )


def balance_due(
    *,
    total: Decimal,
    paid: Decimal,
    credited: Decimal,
    fees: Decimal = ZERO,
    discounted: Decimal = ZERO,
) -> Decimal:
    """What is still owed: the total and any late fees, less payments, credits and early-payment
    discounts allowed; never below zero (an overpayment or over-credit is customer credit, kept
    elsewhere)."""
    return max(total + fees - paid - credited - discounted, ZERO)

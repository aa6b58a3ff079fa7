"""What a caller (form, API, recurring template) hands the invoice services, and its checks.

Every problem is reported by field (``lines[2].unit_price``) in one ValidationError, before
anything is written. Ids of other organizations' customers and tax rates raise
``NotInOrganization``: the API answers 404 for them, as if they did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from arhub.locales import currency_minor_units, is_currency
from arhub.models import Organization
from arhub.money import is_quantized
from invoicing.models import Customer, DiscountKind, LineKind, PaymentTerms, TaxRate
from invoicing.totals import LineInput, TaxInput

MAX_LINES = 500
MAX_TAXES_PER_LINE = 4
MAX_QUANTITY = Decimal("1e9")
MAX_PRICE = Decimal("1e12")


class NotInOrganization(Exception):
    """An id that names nothing in this organization (another tenant's, or none at all)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class LineData:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = ""
    discount_percent: Decimal = Decimal(0)
    tax_rate_ids: list[int] = field(default_factory=list)
    kind: str = LineKind.ITEM


@dataclass
class InvoiceData:
    customer_id: int
    lines: list[LineData]
    currency: str = ""  # blank: the customer's currency
    issue_date: date | None = None
    # Set only to override the terms with a fixed due date.
    due_date: date | None = None
    # Named terms for this invoice; None: the customer's (or the organization's default).
    payment_terms_id: int | None = None
    po_number: str = ""
    notes: str = ""
    memo: str = ""
    discount_kind: str = DiscountKind.NONE
    discount_value: Decimal = Decimal(0)


@dataclass(frozen=True)
class CleanLine:
    kind: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rates: tuple[TaxRate, ...]

    def as_totals_input(self) -> LineInput:
        return LineInput(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            taxes=tuple(TaxInput(key=r.pk, name=r.name, percent=r.percent) for r in self.tax_rates),
            discountable=self.kind == LineKind.ITEM,
        )


@dataclass(frozen=True)
class CleanInvoice:
    customer: Customer
    currency: str
    lines: list[CleanLine]
    issue_date: date | None
    due_date: date | None
    payment_terms: PaymentTerms | None
    po_number: str
    notes: str
    memo: str
    discount_kind: str
    discount_value: Decimal


def _decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def lines_validate(
    org: Organization, lines: list[LineData], *, prefix: str = "lines"
) -> list[CleanLine]:
    errors: dict[str, str] = {}
    if not lines:
        raise ValidationError({prefix: "Add at least one line."})
    if len(lines) > MAX_LINES:
        raise ValidationError({prefix: f"An invoice has at most {MAX_LINES} lines."})
    wanted = {pk for line in lines for pk in line.tax_rate_ids}
    rates = {r.pk: r for r in TaxRate.objects.for_org(org).filter(pk__in=wanted)}
    cleaned: list[CleanLine] = []
    for index, line in enumerate(lines):
        at = f"{prefix}[{index}]"
        description = line.description.strip()
        if not description:
            errors[f"{at}.description"] = "Describe what this line is for."
        if line.kind not in LineKind.values:
            errors[f"{at}.kind"] = f"“{line.kind}” is not a kind of line (item, shipping, fee)."
        if line.quantity < 0:
            errors[f"{at}.quantity"] = "The quantity cannot be negative."
        elif line.quantity >= MAX_QUANTITY or _decimal_places(line.quantity) > 4:
            errors[f"{at}.quantity"] = "Use a quantity under a billion with at most 4 decimals."
        if line.unit_price < 0:
            errors[f"{at}.unit_price"] = (
                "The unit price cannot be negative; use a credit note or a discount."
            )
        elif line.unit_price >= MAX_PRICE or _decimal_places(line.unit_price) > 4:
            errors[f"{at}.unit_price"] = "Use a price under a trillion with at most 4 decimals."
        if not Decimal(0) <= line.discount_percent <= Decimal(100):
            errors[f"{at}.discount_percent"] = "A line discount is between 0 and 100%."
        if len(set(line.tax_rate_ids)) != len(line.tax_rate_ids):
            errors[f"{at}.tax_rate_ids"] = "The same tax is listed twice."
        if len(line.tax_rate_ids) > MAX_TAXES_PER_LINE:
            errors[f"{at}.tax_rate_ids"] = f"At most {MAX_TAXES_PER_LINE} taxes on a line."
        for pk in line.tax_rate_ids:
            if pk not in rates:
                raise NotInOrganization(f"{at}.tax_rate_ids", f"Tax rate {pk} does not exist.")
            if not rates[pk].is_active and f"{at}.tax_rate_ids" not in errors:
                errors[f"{at}.tax_rate_ids"] = f"“{rates[pk].name}” is retired."
        cleaned.append(
            CleanLine(
                kind=line.kind,
                description=description[:500],
                quantity=line.quantity,
                unit=line.unit.strip()[:20],
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rates=tuple(rates[pk] for pk in line.tax_rate_ids if pk in rates),
            )
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def invoice_data_validate(org: Organization, data: InvoiceData) -> CleanInvoice:
    customer = Customer.objects.for_org(org).filter(pk=data.customer_id).first()
    if customer is None:
        raise NotInOrganization("customer", f"Customer {data.customer_id} does not exist.")
    terms = None
    if data.payment_terms_id is not None:
        terms = PaymentTerms.objects.for_org(org).filter(pk=data.payment_terms_id).first()
        if terms is None:
            raise NotInOrganization(
                "payment_terms", f"Payment terms {data.payment_terms_id} do not exist."
            )

    errors: dict[str, str] = {}
    currency = (data.currency or customer.currency).strip().upper()
    if not is_currency(currency):
        errors["currency"] = f"“{currency}” is not an ISO 4217 currency code."
    if data.discount_kind not in DiscountKind.values:
        errors["discount_kind"] = "Choose none, percent or amount."
    elif data.discount_value < 0:
        errors["discount_value"] = "The discount cannot be negative."
    elif data.discount_kind == DiscountKind.PERCENT and data.discount_value > 100:
        errors["discount_value"] = "A percentage discount is at most 100%."
    elif (
        data.discount_kind == DiscountKind.AMOUNT
        and "currency" not in errors
        and not is_quantized(data.discount_value, currency)
    ):
        errors["discount_value"] = (
            f"{currency} amounts have at most {currency_minor_units(currency)} decimals."
        )
    if data.issue_date and data.due_date and data.due_date < data.issue_date:
        errors["due_date"] = "The due date cannot be before the issue date."
    if len(data.po_number) > 100:
        errors["po_number"] = "A PO number has at most 100 characters."
    try:
        lines = lines_validate(org, data.lines)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        lines = []
    if errors:
        raise ValidationError(errors)
    return CleanInvoice(
        customer=customer,
        currency=currency,
        lines=lines,
        issue_date=data.issue_date,
        due_date=data.due_date,
        payment_terms=terms,
        po_number=data.po_number.strip(),
        notes=data.notes.strip(),
        memo=data.memo.strip(),
        discount_kind=data.discount_kind,
        discount_value=data.discount_value,
    )

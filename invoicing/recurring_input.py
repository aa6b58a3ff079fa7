"""What a caller (form, API) hands the recurring services, and its checks.

The lines are checked by ``invoice_input.lines_validate``, the invoice editor's own check, so a
template refuses exactly what an invoice would. Every problem is reported by field in one
ValidationError before anything is written; ids of another organization's customer, terms or
tax rates raise ``NotInOrganization`` (a 404 in the API), as if they did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from arhub.locales import is_currency
from arhub.models import Organization
from invoicing.invoice_input import CleanLine, LineData, NotInOrganization, lines_validate
from invoicing.models import Customer, Frequency, LineKind, PaymentTerms, RecurringInvoice
from invoicing.recurring_schedule import Schedule, next_after, periods_between
from invoicing.totals import InvoiceTotals, invoice_totals

# A start date further back than this many periods is almost certainly a typo (2016 for
# 2026); it would issue that many invoices the moment it is saved.
MAX_BACKDATED_PERIODS = 12
MAX_COUNT = 10_000


@dataclass
class RecurringData:
    customer_id: int
    name: str
    lines: list[LineData]
    frequency: str
    start_date: date
    currency: str = ""  # blank: the customer's currency
    day_of_month: int | None = None  # blank: the start date's day (not used when weekly)
    end_date: date | None = None
    max_count: int | None = None
    payment_terms_id: int | None = None  # None: the customer's terms at each issue
    notes: str = ""
    po_number: str = ""
    auto_send: bool = True


@dataclass(frozen=True)
class CleanRecurring:
    customer: Customer
    name: str
    currency: str
    lines: list[CleanLine]
    lines_json: list[dict[str, Any]]
    frequency: str
    day_of_month: int | None
    start_date: date
    end_date: date | None
    max_count: int | None
    payment_terms: PaymentTerms | None
    notes: str
    po_number: str
    auto_send: bool

    @property
    def schedule(self) -> Schedule:
        return Schedule.of(self)


# ---- the lines as stored (RecurringInvoice.lines: decimals as strings)


def lines_to_json(lines: list[CleanLine]) -> list[dict[str, Any]]:
    return [
        {
            "kind": line.kind,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit": line.unit,
            "unit_price": str(line.unit_price),
            "discount_percent": str(line.discount_percent),
            "tax_rate_ids": [rate.pk for rate in line.tax_rates],
        }
        for line in lines
    ]


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value if value is not None else "0"))
    except InvalidOperation:
        return Decimal(0)


def lines_from_json(raw: object) -> list[LineData]:
    """The stored lines as the invoice services take them. Written only by this module, but
    read defensively: a hand-edited row still becomes lines the validator can report on."""
    if not isinstance(raw, list):
        return []
    lines: list[LineData] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        taxes = entry.get("tax_rate_ids") or []
        lines.append(
            LineData(
                kind=str(entry.get("kind") or LineKind.ITEM),
                description=str(entry.get("description") or ""),
                quantity=_decimal(entry.get("quantity")),
                unit=str(entry.get("unit") or ""),
                unit_price=_decimal(entry.get("unit_price")),
                discount_percent=_decimal(entry.get("discount_percent")),
                tax_rate_ids=[int(pk) for pk in taxes if isinstance(pk, int)],
            )
        )
    return lines


def recurring_data_of(template: RecurringInvoice) -> RecurringData:
    """A saved template as input again (a PATCH changes some fields of this)."""
    return RecurringData(
        customer_id=template.customer_id,
        name=template.name,
        lines=lines_from_json(template.lines),
        frequency=template.frequency,
        start_date=template.start_date,
        currency=template.currency,
        day_of_month=template.day_of_month,
        end_date=template.end_date,
        max_count=template.max_count,
        payment_terms_id=template.payment_terms_id,
        notes=template.notes,
        po_number=template.po_number,
        auto_send=template.auto_send,
    )


def recurring_totals(lines: list[CleanLine], currency: str) -> InvoiceTotals:
    """What each invoice will come to (with today's tax rates)."""
    return invoice_totals([line.as_totals_input() for line in lines], currency=currency)


# ---- the checks


def _schedule_errors(data: RecurringData, *, issued_count: int, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.frequency not in Frequency.values:
        return {"frequency": "Choose weekly, monthly, quarterly or yearly."}
    monthly = data.frequency != Frequency.WEEKLY
    if monthly and data.day_of_month is not None and not 1 <= data.day_of_month <= 31:
        errors["day_of_month"] = "Choose a day from 1 to 31."
    if data.end_date is not None and data.end_date < data.start_date:
        errors["end_date"] = "The end date cannot be before the start date."
    if data.max_count is not None:
        if not 1 <= data.max_count <= MAX_COUNT:
            errors["max_count"] = f"Choose a number of invoices from 1 to {MAX_COUNT:,}."
        elif data.max_count < issued_count:
            errors["max_count"] = (
                f"{issued_count} invoices have already been issued from it; the number cannot "
                "be lower."
            )
    if errors:
        return errors
    schedule = Schedule(
        frequency=data.frequency,
        start_date=data.start_date,
        day_of_month=None if data.frequency == Frequency.WEEKLY else data.day_of_month,
        end_date=data.end_date,
        max_count=data.max_count,
    )
    if issued_count == 0:
        if next_after(schedule, None) is None:
            errors["end_date"] = "No invoice date falls between the start and the end date."
        else:
            backlog = periods_between(schedule, None, today)
            if backlog > MAX_BACKDATED_PERIODS:
                errors["start_date"] = (
                    f"From this start date {backlog} invoices would be issued at once. Choose a "
                    f"later start date (at most {MAX_BACKDATED_PERIODS} periods back)."
                )
    return errors


def recurring_data_validate(
    org: Organization, data: RecurringData, *, issued_count: int = 0, today: date
) -> CleanRecurring:
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
    name = data.name.strip()
    if not name:
        errors["name"] = "Name it, e.g. “Monthly maintenance”."
    elif len(name) > 120:
        errors["name"] = "A name has at most 120 characters."
    currency = (data.currency or customer.currency).strip().upper()
    if not is_currency(currency):
        errors["currency"] = f"“{currency}” is not an ISO 4217 currency code."
    if len(data.po_number.strip()) > 100:
        errors["po_number"] = "A PO number has at most 100 characters."
    errors.update(_schedule_errors(data, issued_count=issued_count, today=today))
    lines: list[CleanLine] = []
    try:
        lines = lines_validate(org, data.lines)
    except ValidationError as exc:
        errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if lines and "currency" not in errors and recurring_totals(lines, currency).total <= 0:
        errors["lines"] = "Each invoice must come to more than zero."
    if errors:
        raise ValidationError(errors)

    weekly = data.frequency == Frequency.WEEKLY
    return CleanRecurring(
        customer=customer,
        name=name,
        currency=currency,
        lines=lines,
        lines_json=lines_to_json(lines),
        frequency=data.frequency,
        day_of_month=None if weekly else (data.day_of_month or data.start_date.day),
        start_date=data.start_date,
        end_date=data.end_date,
        max_count=data.max_count,
        payment_terms=terms,
        notes=data.notes.strip(),
        po_number=data.po_number.strip(),
        auto_send=data.auto_send,
    )

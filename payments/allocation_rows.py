"""The table of open invoices on the payment form: one amount input per invoice, named by the
invoice's id (``allocate-<id>``), so what was typed stays with its invoice however the list
changes between showing the form and sending it.

The rows are the customer's open invoices in the payment's currency, oldest due first (one
query), plus any invoice an amount was sent for that is no longer among them (paid meanwhile,
or another customer's in a hand-made request): those stay on screen with the service's
explanation rather than being dropped silently. An id that is not this organization's is still
sent to the service, which answers 404 for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When

from arhub.models import Organization
from arhub.money import ZERO, money_format, quantize
from invoicing.line_editor import ErrorLink
from invoicing.line_forms import PlainDecimalField
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice
from payments.services import AllocationInput

# Rows shown at most; a customer with more open invoices than this is better served by the
# automatic allocation (oldest first) or by recording the payment in parts.
ROW_LIMIT = 200
# Amounts read from one request at most, so a hand-made request cannot ask for thousands.
MAX_SUBMITTED = 500
_INPUT = re.compile(r"^allocate-(\d{1,18})$")
_KEY = re.compile(r"^allocations\[(\d+)\]\.(\w+)$")


@dataclass
class AllocationRow:
    invoice: Invoice
    balance: str
    raw: str = ""  # what was typed (or prefilled)
    amount: Decimal | None = None  # what was typed, read as a number
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return f"allocate-{self.invoice.pk}"

    @property
    def label(self) -> str:
        return self.invoice.number or "Draft"


@dataclass
class AllocationTable:
    currency: str
    rows: list[AllocationRow]
    more: bool = False  # there are open invoices beyond ROW_LIMIT
    errors: list[str] = field(default_factory=list)
    # Submitted ids that matched no row here (another organization's): sent on to the service.
    unknown: list[tuple[int, Decimal]] = field(default_factory=list)
    left: str = ""  # what the typed amounts leave of the payment, when both read as numbers
    over: bool = False  # the typed amounts add up to more than the payment
    _sources: list[AllocationRow] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        return any(row.raw for row in self.rows) or bool(self.unknown)

    @property
    def valid(self) -> bool:
        return not any(row.errors for row in self.rows)

    def allocations(self) -> list[AllocationInput]:
        """The typed amounts as the service's input, rows in table order; remembers which row
        each came from, so the service's ``allocations[i]`` errors find their way back."""
        self._sources = []
        inputs = []
        for row in self.rows:
            if row.amount is not None:
                self._sources.append(row)
                inputs.append(AllocationInput(invoice_id=row.invoice.pk, amount=row.amount))
        inputs += [AllocationInput(invoice_id=pk, amount=amount) for pk, amount in self.unknown]
        return inputs

    def take_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put ``allocations…`` errors on their rows or the table; the rest are returned."""
        rest: dict[str, list[str]] = {}
        for key, messages in errors.items():
            match = _KEY.match(key)
            if match and int(match[1]) < len(self._sources):
                self._sources[int(match[1])].errors.extend(messages)
            elif key == "allocations" or key.startswith("allocations["):
                self.errors.extend(messages)
            else:
                rest[key] = messages
        return rest

    def error_links(self) -> list[ErrorLink]:
        links = [ErrorLink(f"Invoices: {m}", "#allocations-heading") for m in self.errors]
        for row in self.rows:
            for message in row.errors:
                # The services' messages usually name the invoice already.
                text = message if row.label in message else f"Invoice {row.label}: {message}"
                links.append(ErrorLink(text, f"#{row.input_id}"))
        return links


def _oldest_first(invoice: Invoice) -> tuple[date, date, int]:
    return (invoice.due_date or date.max, invoice.issue_date or date.max, invoice.pk)


def submitted_amounts(data: Any) -> dict[int, str]:
    """``allocate-<id>`` inputs that hold something, by invoice id."""
    typed: dict[int, str] = {}
    if data is None:
        return typed
    for key in data:
        match = _INPUT.match(key)
        value = str(data.get(key) or "").strip()
        if match and value:
            typed[int(match[1])] = value
            if len(typed) >= MAX_SUBMITTED:
                break
    return typed


def amount_text(amount: Decimal, currency: str) -> str:
    """An amount as it is typed into an input: "1250.00", no symbol, no separators."""
    return format(quantize(amount, currency), "f")


def allocation_table(
    *,
    org: Organization,
    customer: Customer,
    currency: str,
    data: Any = None,
    prefill: dict[int, Decimal] | None = None,
    payment_amount: Decimal | None = None,
) -> AllocationTable:
    """The table for ``customer`` in ``currency``: bound to the amounts in ``data`` (a
    QueryDict), or showing ``prefill`` (invoice id → amount) on a fresh form. One query."""
    typed = submitted_amounts(data) if data is not None else {}
    if data is None and prefill:
        typed = {pk: amount_text(amount, currency) for pk, amount in prefill.items()}
    open_q = Q(
        customer_id=customer.pk,
        currency=currency,
        status__in=OUTSTANDING_STATUSES,
        balance_due__gt=0,
    )
    # Invoices something was typed for first, so the limit never cuts them off.
    wanted = Case(
        When(pk__in=list(typed), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    found = list(
        Invoice.objects.for_org(org)
        .filter(open_q | Q(pk__in=list(typed)))
        .order_by(wanted, "due_date", "issue_date", "pk")[: ROW_LIMIT + len(typed) + 1]
    )
    open_count = sum(1 for invoice in found if invoice.pk not in typed)
    more = open_count > ROW_LIMIT
    if more:
        keep = ROW_LIMIT
        trimmed = []
        for invoice in found:
            if invoice.pk in typed:
                trimmed.append(invoice)
            elif keep:
                trimmed.append(invoice)
                keep -= 1
        found = trimmed
    found.sort(key=_oldest_first)
    reader = PlainDecimalField(required=False)
    rows: list[AllocationRow] = []
    for invoice in found:
        row = AllocationRow(
            invoice=invoice,
            balance=money_format(invoice.balance_due, invoice.currency, org.locale),
            raw=typed.get(invoice.pk, ""),
        )
        if row.raw:
            try:
                row.amount = reader.clean(row.raw)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
        rows.append(row)
    shown = {invoice.pk for invoice in found}
    unknown = []
    for pk, raw in typed.items():
        if pk in shown:
            continue
        try:
            amount = reader.clean(raw)
        except ValidationError:
            continue  # not a number, for an invoice that is not ours: the 404 says enough
        if amount is not None:
            unknown.append((pk, amount))
    table = AllocationTable(currency=currency, rows=rows, more=more, unknown=unknown)
    amounts = [row.amount for row in rows if row.amount is not None]
    if payment_amount is not None and amounts and table.valid:
        left = payment_amount - sum(amounts, ZERO)
        table.over = left < 0
        table.left = money_format(abs(left), currency, org.locale)
    return table

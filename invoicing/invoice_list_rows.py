"""What the invoice list shows and how it pages: the sort orders (each a keyset), one row per
invoice in words and formatted money, and the outstanding totals per currency.

Paging is by cursor (``arhub.keyset``): one query per page of rows whatever page it is, no
OFFSET and no COUNT(*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from arhub import keyset
from arhub.keyset import InvalidCursor, Keyset, aware_datetime
from arhub.models import Organization
from arhub.money import money_format
from invoicing.invoice_selectors import overdue_q
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus

# Drafts have no due date yet; in "due date" order they come after every dated invoice.
NO_DUE_DATE = date(9999, 12, 31)


def _iso_date(value: Any) -> date:
    return date.fromisoformat(keyset.text(value))


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str | int):
        raise TypeError("cursor value is not a number")
    return Decimal(value)


@dataclass(frozen=True)
class SortKey:
    expression: Any  # annotated on the rows as ``sort_key``
    keyset: Keyset


SORT_KEYS: dict[str, SortKey] = {
    "newest": SortKey(
        F("created_at"),
        Keyset("newest", "sort_key", descending=True, parse=aware_datetime),
    ),
    "due": SortKey(
        Coalesce("due_date", Value(NO_DUE_DATE)),
        Keyset("due", "sort_key", parse=_iso_date),
    ),
    "total": SortKey(F("total"), Keyset("total", "sort_key", descending=True, parse=_decimal)),
    # Drafts have no number ("" sorts lowest), so they come last.
    "number": SortKey(F("number"), Keyset("number", "sort_key", descending=True)),
}


@dataclass
class InvoicePage:
    rows: Sequence[Invoice]
    next_cursor: str | None = None
    previous_cursor: str | None = None


def invoice_page(
    invoices: QuerySet[Invoice],
    *,
    sort: str,
    after: str | None,
    before: str | None,
    size: int,
) -> InvoicePage:
    """One page of ``invoices`` in ``sort`` order (ties broken by id), in one query. A cursor
    that cannot be read, or was made for another order, gives the first page."""
    key = SORT_KEYS[sort]
    annotated = invoices.annotate(sort_key=key.expression)
    token, backward = (before, True) if after is None else (after, False)
    try:
        cursor = key.keyset.decode(token)
    except InvalidCursor:
        cursor = None
    if cursor is not None and cursor.backward != backward:
        cursor = None
    fetched = key.keyset.page(annotated, cursor, size)
    if fetched.ran_out_backward:  # everything before it went away: start again
        fetched = key.keyset.page(annotated, None, size)
    page = InvoicePage(rows=fetched.rows)
    if fetched.has_next:
        page.next_cursor = key.keyset.cursor(fetched.rows[-1])
    if fetched.has_previous:
        page.previous_cursor = key.keyset.cursor(fetched.rows[0], backward=True)
    return page


def ordered_ids(invoices: QuerySet[Invoice], *, sort: str, limit: int) -> list[int]:
    """The ids of ``invoices`` in the list's order, at most ``limit`` of them."""
    key = SORT_KEYS[sort]
    direction = "-" if key.keyset.descending else ""
    ordered = invoices.annotate(sort_key=key.expression).order_by(
        f"{direction}sort_key", f"{direction}pk"
    )
    return list(ordered.values_list("pk", flat=True)[:limit])


# --------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    label: str  # the number, or "Draft"
    status: str  # the status in words (never colour alone)
    status_key: str  # for the badge's class
    overdue_days: int | None  # days past due, when outstanding and past due
    due_today: bool
    total: str
    balance: str

    @property
    def overdue_text(self) -> str:
        if self.overdue_days is None:
            return ""
        days = self.overdue_days
        return f"Overdue by {days} day{'' if days == 1 else 's'}"


def invoice_row(invoice: Invoice, *, today: date, locale: str) -> InvoiceRow:
    outstanding = invoice.status in OUTSTANDING_STATUSES
    past_due = outstanding and invoice.due_date is not None and invoice.due_date < today
    status_key = "overdue" if past_due else invoice.status
    status = invoice.get_status_display()
    if past_due and invoice.status == InvoiceStatus.OPEN:
        status = "Overdue"
    elif past_due:
        status = f"{status}, overdue"
    return InvoiceRow(
        invoice=invoice,
        label=invoice.number or "Draft",
        status=status,
        status_key=status_key,
        overdue_days=(today - invoice.due_date).days
        if past_due and invoice.due_date is not None
        else None,
        due_today=outstanding and invoice.due_date == today,
        total=money_format(invoice.total, invoice.currency, locale),
        balance=money_format(invoice.balance_due, invoice.currency, locale),
    )


def invoice_rows(invoices: Sequence[Invoice], *, today: date, locale: str) -> list[InvoiceRow]:
    return [invoice_row(invoice, today=today, locale=locale) for invoice in invoices]


# --------------------------------------------------------------------------------------------
# Totals


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    outstanding: str
    overdue: str | None  # None when nothing of it is overdue


def outstanding_totals(
    invoices: QuerySet[Invoice], *, org: Organization, today: date, locale: str
) -> list[CurrencyTotal]:
    """What the filtered invoices still have owing, per currency (nothing is converted), and
    how much of it is overdue. One query."""
    rows = (
        invoices.filter(status__in=OUTSTANDING_STATUSES)
        .order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            outstanding=Sum("balance_due"),
            overdue=Sum("balance_due", filter=overdue_q(org=org, today=today)),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotal(
            currency=row["currency"],
            count=row["count"],
            outstanding=money_format(row["outstanding"], row["currency"], locale),
            overdue=money_format(row["overdue"], row["currency"], locale)
            if row["overdue"]
            else None,
        )
        for row in rows
        if row["outstanding"]
    ]

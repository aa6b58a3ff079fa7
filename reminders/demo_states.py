"""The demo's invoices as they stood on each past day, for replaying the reminder engine.

By the time reminders' part of ``seed_demo`` runs, invoicing's and payments' parts have left
every invoice as it is *today*: paid, part paid, credited, charged late fees, voided or written
off. The engine reads an invoice's status and balance, so to replay the months before, the
invoices are first put back as they were when the history starts (issued, nothing paid) and
then moved forward one day at a time from their own records: each payment allocation from the
day it was made until the day it was reversed, each credit note from its date, each late fee
from the day it was charged until it was waived, a void or a write-off from its day. Changes of
a day take effect before any reminder of that day, so a customer who paid on a day gets nothing
from that day on. At the end every invoice gets back exactly the figures it had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from arhub.models import Organization
from invoicing.invoice_balances import invoice_balances_write
from invoicing.models import CreditNote, Invoice, InvoiceStatus, LateFee
from invoicing.totals import balance_due
from payments.models import PaymentAllocation

ZERO = Decimal(0)
FIGURES = ("amount_paid", "amount_credited", "amount_discounted", "fees_total")
STORED = ("status", "balance_due", *FIGURES, "paid_at")


@dataclass
class _Figures:
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    discounted: Decimal = ZERO
    fees: Decimal = ZERO
    closed_as: str = ""  # void or written off, from that day on


@dataclass(frozen=True)
class _Change:
    day: date
    invoice_id: int
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    discounted: Decimal = ZERO
    fees: Decimal = ZERO
    closed_as: str = ""


@dataclass
class InvoiceStates:
    org: Organization
    invoices: dict[int, Invoice]
    final: dict[int, dict[str, Any]]
    changes: list[_Change]
    figures: dict[int, _Figures] = field(default_factory=lambda: defaultdict(_Figures))
    applied: int = 0
    # What the invoices' updated_at says (invoice_balances_write sets it): when this ran.
    now: datetime = field(default_factory=timezone.now)

    @classmethod
    def load(cls, org: Organization) -> InvoiceStates:
        zone = ZoneInfo(org.timezone)
        issued = Invoice.objects.for_org(org).exclude(status=InvoiceStatus.DRAFT).order_by("pk")
        invoices = {invoice.pk: invoice for invoice in issued}
        final = {pk: {name: getattr(i, name) for name in STORED} for pk, i in invoices.items()}
        changes = _changes(org, invoices, zone)
        return cls(org=org, invoices=invoices, final=final, changes=changes)

    def rewind(self) -> None:
        """Every issued invoice as it was before anything was paid, credited or charged."""
        self._write(self.invoices.keys())

    def advance(self, day: date) -> list[int]:
        """Apply everything that happened up to and including ``day``; the invoices changed."""
        touched: set[int] = set()
        while self.applied < len(self.changes) and self.changes[self.applied].day <= day:
            change = self.changes[self.applied]
            figures = self.figures[change.invoice_id]
            figures.paid += change.paid
            figures.credited += change.credited
            figures.discounted += change.discounted
            figures.fees += change.fees
            figures.closed_as = change.closed_as or figures.closed_as
            touched.add(change.invoice_id)
            self.applied += 1
        if touched:
            self._write(sorted(touched))
        return sorted(touched)

    def owed(self, invoice_id: int) -> bool:
        """Owed as things stand on the day reached."""
        invoice = self.invoices[invoice_id]
        return invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID) and (
            invoice.balance_due > 0
        )

    def restore(self) -> None:
        """Every invoice exactly as the other demos left it."""
        for pk, invoice in self.invoices.items():
            for name, value in self.final[pk].items():
                setattr(invoice, name, value)
        invoice_balances_write(org=self.org, invoices=list(self.invoices.values()), now=self.now)

    def _write(self, ids: Iterable[int]) -> None:
        rows = []
        for pk in ids:
            invoice, figures = self.invoices[pk], self.figures[pk]
            invoice.amount_paid, invoice.amount_credited = figures.paid, figures.credited
            invoice.amount_discounted, invoice.fees_total = figures.discounted, figures.fees
            invoice.balance_due = balance_due(
                total=invoice.total,
                paid=figures.paid,
                credited=figures.credited,
                fees=figures.fees,
                discounted=figures.discounted,
            )
            invoice.status = _status(invoice, figures)
            if invoice.status == InvoiceStatus.VOID:  # as invoice_void leaves it
                invoice.balance_due = ZERO
            invoice.paid_at = (
                self.final[pk]["paid_at"] if invoice.status == InvoiceStatus.PAID else None
            )
            rows.append(invoice)
        invoice_balances_write(org=self.org, invoices=rows, now=self.now)


def _status(invoice: Invoice, figures: _Figures) -> str:
    """As ``invoice_status_refresh`` sets it, or void / written off from that day."""
    if figures.closed_as:
        return figures.closed_as
    if invoice.balance_due == 0:
        return InvoiceStatus.PAID
    if invoice.balance_due < invoice.total + figures.fees:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.OPEN


def _changes(org: Organization, invoices: dict[int, Invoice], zone: ZoneInfo) -> list[_Change]:
    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    changes: list[_Change] = []
    allocations = PaymentAllocation.objects.for_org(org).filter(invoice_id__in=invoices)
    for a in allocations.values_list(
        "invoice_id", "amount", "discount", "created_at", "reversed_at"
    ):
        invoice_id, amount, discount, made, reversed_at = a
        changes.append(_Change(day(made), invoice_id, paid=amount, discounted=discount))
        if reversed_at is not None:
            changes.append(
                _Change(day(reversed_at), invoice_id, paid=-amount, discounted=-discount)
            )
    notes = CreditNote.objects.for_org(org).filter(invoice_id__in=invoices, applied_amount__gt=0)
    for invoice_id, on, applied in notes.values_list("invoice_id", "issue_date", "applied_amount"):
        changes.append(_Change(on, invoice_id, credited=applied))
    fees = LateFee.objects.for_org(org).filter(invoice_id__in=invoices)
    for invoice_id, on, amount, waived_at in fees.values_list(
        "invoice_id", "charged_on", "amount", "waived_at"
    ):
        changes.append(_Change(on, invoice_id, fees=amount))
        if waived_at is not None:
            changes.append(_Change(day(waived_at), invoice_id, fees=-amount))
    for invoice in invoices.values():
        if invoice.status == InvoiceStatus.VOID and invoice.voided_at:
            changes.append(_Change(day(invoice.voided_at), invoice.pk, closed_as=invoice.status))
        if invoice.status == InvoiceStatus.UNCOLLECTIBLE and invoice.written_off_at:
            closed = day(invoice.written_off_at)
            changes.append(_Change(closed, invoice.pk, closed_as=invoice.status))
    # Within a day, amounts before closings, then by invoice, for the same order every run.
    changes.sort(key=lambda c: (c.day, bool(c.closed_as), c.invoice_id, c.paid, c.fees))
    return changes

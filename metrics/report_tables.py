"""The accountant's period reports as :class:`~metrics.tables.Table` s: the invoice register,
payments received with where each went, credit notes, and discounts allowed with late fees.

Each takes ``(org, start, end, currency)`` and streams its rows from the database in chunks
(``.iterator()``), so the CSV of a year of invoices never sits in memory. Every figure is in
the one currency asked for; another currency's rows are left out, never added in. What counts
and what each column means is in ``metrics/formulas/accounting.md``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import date

from django.db.models import Prefetch, QuerySet

from arhub.models import Organization
from arhub.money import ZERO
from invoicing.models import CreditNote, Invoice, InvoiceStatus, LateFee
from metrics.tables import Column, Table, period_words
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus

CHUNK = 2000
# Issued invoices; a void one never was a sale. Written-off ones were, and stay in.
REGISTER_LEFT_OUT = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def period_check(*, start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"end: {end.isoformat()} is before the start, {start.isoformat()}")


def _filters(start: date, end: date) -> dict[str, str]:
    return {"Period": period_words(start, end)}


# --------------------------------------------------------------------------------------------
# Invoice register

REGISTER_COLUMNS = (
    Column("number", "Invoice"),
    Column("customer", "Customer"),
    Column("issue_date", "Issued", "date"),
    Column("due_date", "Due", "date"),
    Column("status", "Status"),
    Column("subtotal", "Subtotal", "money", total=True),
    Column("discount_total", "Discount", "money", total=True),
    Column("tax_total", "Tax", "money", total=True),
    Column("total", "Total", "money", total=True),
    Column("fees_total", "Late fees", "money", total=True),
    Column("amount_paid", "Paid", "money", total=True),
    Column("amount_credited", "Credited", "money", total=True),
    Column("amount_discounted", "Early-payment discount", "money", total=True),
    Column("balance_due", "Balance due", "money", total=True),
)
# The register's database columns, in the table's order (the benchmark COPYs these).
REGISTER_FIELDS = (
    "number",
    "customer__display_name",
    "issue_date",
    "due_date",
    "status",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "fees_total",
    "amount_paid",
    "amount_credited",
    "amount_discounted",
    "balance_due",
)


def invoice_register_queryset(
    *, org: Organization, start: date, end: date, currency: str
) -> QuerySet[Invoice, tuple[object, ...]]:
    return (
        Invoice.objects.for_org(org)
        .filter(currency=currency, issue_date__gte=start, issue_date__lte=end)
        .exclude(status__in=REGISTER_LEFT_OUT)
        .order_by("issue_date", "number", "id")
        .values_list(*REGISTER_FIELDS)
    )


def _register_rows(queryset: QuerySet[Invoice, tuple[object, ...]]) -> Iterator[list[object]]:
    labels = dict(InvoiceStatus.choices)
    for values in queryset.iterator(chunk_size=CHUNK):
        row = list(values)
        row[4] = labels.get(str(row[4]), row[4])
        yield row


def invoice_register_table(*, org: Organization, start: date, end: date, currency: str) -> Table:
    period_check(start=start, end=end)
    queryset = invoice_register_queryset(org=org, start=start, end=end, currency=currency)
    return Table(
        title="Invoice register",
        columns=REGISTER_COLUMNS,
        rows=_register_rows(queryset),
        currency=currency,
        filters=_filters(start, end),
        subtitle="Invoices issued in the period, void ones left out; paid, credited and "
        "balance as they stand now. Total + late fees - paid - credited - early-payment "
        "discount = balance due (on a written-off invoice, the bad debt).",
    )


# --------------------------------------------------------------------------------------------
# Payments received

PAYMENT_COLUMNS = (
    Column("received_on", "Received", "date"),
    Column("payment", "Payment"),
    Column("customer", "Customer"),
    Column("method", "Method"),
    Column("reference", "Reference"),
    Column("invoice", "Invoice"),
    Column("applied", "Applied", "money", total=True),
    Column("discount", "Discount allowed", "money", total=True),
    Column("unapplied", "Unapplied credit", "money", total=True),
    Column("refunded", "Refunded", "money", total=True),
    Column("reversed", "Reversed", "money", total=True),
)


def _payment_rows(payment: Payment, methods: dict[str, str]) -> Iterator[list[object]]:
    """Where the payment's money is now, a row for each part: applied to an invoice (with the
    discount it earned there), held as credit, given back, or reversed. The parts add up to
    the payment's amount (the discount is not money received, and is beside it)."""
    head: list[object] = [
        payment.received_on,
        str(payment.pk),
        payment.customer.display_name,
        methods.get(payment.method, payment.method),
        payment.reference,
    ]
    money = [ZERO] * 5
    if payment.status == PaymentStatus.REVERSED:
        yield [*head, "", *money[:4], payment.amount - payment.refunded_amount]
    for allocation in payment.allocations.all():  # the live ones, prefetched
        yield [*head, allocation.invoice.number, allocation.amount, allocation.discount, *money[:3]]
    if payment.unapplied_amount:
        yield [*head, "", ZERO, ZERO, payment.unapplied_amount, ZERO, ZERO]
    if payment.refunded_amount:
        yield [*head, "", ZERO, ZERO, ZERO, payment.refunded_amount, ZERO]


def payments_received_table(*, org: Organization, start: date, end: date, currency: str) -> Table:
    period_check(start=start, end=end)
    live = (
        PaymentAllocation.objects.filter(reversed_at__isnull=True)
        .select_related("invoice")
        .order_by("id")
    )
    payments = (
        Payment.objects.for_org(org)
        .filter(currency=currency, received_on__gte=start, received_on__lte=end)
        .select_related("customer")
        .prefetch_related(Prefetch("allocations", queryset=live))
        .order_by("received_on", "id")
    )
    methods = dict(PaymentMethod.choices)

    def rows() -> Iterator[list[object]]:
        for payment in payments.iterator(chunk_size=CHUNK):
            yield from _payment_rows(payment, methods)

    return Table(
        title="Payments received",
        columns=PAYMENT_COLUMNS,
        rows=rows(),
        currency=currency,
        filters=_filters(start, end),
        subtitle="Each payment received in the period, a row for each place its money is now. "
        "Applied + unapplied + refunded + reversed = the amounts received.",
    )


# --------------------------------------------------------------------------------------------
# Credit notes

CREDIT_COLUMNS = (
    Column("number", "Credit note"),
    Column("issue_date", "Issued", "date"),
    Column("customer", "Customer"),
    Column("invoice", "Invoice"),
    Column("reason", "Reason"),
    Column("tax_amount", "Tax", "money", total=True),
    Column("amount", "Amount", "money", total=True),
    Column("applied_amount", "Applied to invoice", "money", total=True),
    Column("credit_amount", "To customer credit", "money", total=True),
)


def credit_notes_table(*, org: Organization, start: date, end: date, currency: str) -> Table:
    period_check(start=start, end=end)
    notes = (
        CreditNote.objects.for_org(org)
        .filter(currency=currency, issue_date__gte=start, issue_date__lte=end)
        .order_by("issue_date", "number", "id")
        .values_list(
            "number",
            "issue_date",
            "customer__display_name",
            "invoice__number",
            "reason",
            "tax_amount",
            "amount",
            "applied_amount",
            "credit_amount",
        )
    )
    return Table(
        title="Credit notes",
        columns=CREDIT_COLUMNS,
        rows=(list(values) for values in notes.iterator(chunk_size=CHUNK)),
        currency=currency,
        filters=_filters(start, end),
        subtitle="Credit notes issued in the period, tax included. Applied to invoice + to "
        "customer credit = amount.",
    )


# --------------------------------------------------------------------------------------------
# Discounts allowed and late fees

ADJUSTMENT_COLUMNS = (
    Column("date", "Date", "date"),
    Column("kind", "Kind"),
    Column("customer", "Customer"),
    Column("invoice", "Invoice"),
    Column("detail", "Detail"),
    Column("discount", "Discount allowed", "money", total=True),
    Column("fee", "Late fee charged", "money", total=True),
    Column("waived", "Late fee waived", "money", total=True),
)


def _discount_rows(org: Organization, start: date, end: date, currency: str) -> Iterator[tuple]:
    allocations = (
        PaymentAllocation.objects.for_org(org)
        .filter(
            reversed_at__isnull=True,
            discount__gt=0,
            payment__currency=currency,
            payment__received_on__gte=start,
            payment__received_on__lte=end,
        )
        .order_by("payment__received_on", "id")
        .values_list(
            "payment__received_on",
            "invoice__customer__display_name",
            "invoice__number",
            "payment_id",
            "payment__reference",
            "discount",
        )
    )
    for day, customer, number, payment_id, reference, discount in allocations.iterator(
        chunk_size=CHUNK
    ):
        detail = f"Payment {payment_id}" + (f" ({reference})" if reference else "")
        yield (day, 0, ["Early-payment discount", customer, number, detail, discount, ZERO, ZERO])


def _fee_rows(org: Organization, start: date, end: date, currency: str) -> Iterator[tuple]:
    fees = (
        LateFee.objects.for_org(org)
        .filter(invoice__currency=currency, charged_on__gte=start, charged_on__lte=end)
        .order_by("charged_on", "id")
        .values_list(
            "charged_on",
            "invoice__customer__display_name",
            "invoice__number",
            "rule",
            "amount",
            "waived_at",
            "waive_reason",
        )
    )
    for day, customer, number, rule, amount, waived_at, reason in fees.iterator(chunk_size=CHUNK):
        if waived_at is None:
            yield (day, 1, ["Late fee", customer, number, rule, ZERO, amount, ZERO])
        else:
            detail = f"{rule}; waived: {reason}"
            yield (day, 1, ["Late fee, waived", customer, number, detail, ZERO, amount, amount])


def discounts_and_fees_table(*, org: Organization, start: date, end: date, currency: str) -> Table:
    period_check(start=start, end=end)
    merged = heapq.merge(
        _discount_rows(org, start, end, currency),
        _fee_rows(org, start, end, currency),
        key=lambda item: (item[0], item[1]),
    )
    rows: Iterator[Sequence[object]] = ([day, *cells] for day, _, cells in merged)
    return Table(
        title="Discounts allowed and late fees",
        columns=ADJUSTMENT_COLUMNS,
        rows=rows,
        currency=currency,
        filters=_filters(start, end),
        subtitle="Early-payment discounts allowed on payments received in the period, and late "
        "fees charged in it. A waived fee shows in both fee columns: charged - waived is what "
        "is still owed.",
    )

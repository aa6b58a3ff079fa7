"""Payments in the layouts QuickBooks Online and Xero can take in (neither imports customer
payments by itself): QuickBooks' receive-payment fields as the import apps map them, and a Xero
bank statement of the money in and out. ``metrics/formulas/accounting.md`` has the mapping."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from arhub.models import Organization
from arhub.money import ZERO, quantize
from metrics.accounting_dates import DateStyle, date_style_for, date_text
from metrics.accounting_dates import import_columns as _columns
from metrics.accounting_dates import import_filters as _filters
from metrics.report_tables import period_check
from metrics.tables import Table
from payments.models import (
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentRefund,
    PaymentStatus,
)

CHUNK = 2000

QUICKBOOKS_PAYMENT_COLUMNS = _columns(
    [
        ("RefNumber", "text"),
        ("TxnDate", "text"),
        ("PaymentRefNumber", "text"),
        ("Customer", "text"),
        ("PaymentMethod", "text"),
        ("DepositToAccount", "text"),
        ("InvoiceApplyTo", "text"),
        ("LineAmount", "money"),
        ("PrivateNote", "text"),
        ("Currency", "text"),
    ]
)


def quickbooks_payments_table(
    *,
    org: Organization,
    start: date,
    end: date,
    currency: str,
    dates: DateStyle | None = None,
    deposit_to: str = "Undeposited Funds",
) -> Table:
    """One row per invoice each payment received in the period is applied to now (reversed
    payments and allocations taken back are left out; unapplied credit stays in AR Hub)."""
    period_check(start=start, end=end)
    style = dates or date_style_for(org)
    methods = dict(PaymentMethod.choices)
    live = (
        PaymentAllocation.objects.filter(reversed_at__isnull=True)
        .select_related("invoice")
        .order_by("id")
    )
    payments = (
        Payment.objects.for_org(org)
        .filter(currency=currency, received_on__gte=start, received_on__lte=end)
        .exclude(status=PaymentStatus.REVERSED)
        .select_related("customer")
        .prefetch_related(Prefetch("allocations", queryset=live))
        .order_by("received_on", "id")
    )

    def rows() -> Iterator[list[object]]:
        for payment in payments.iterator(chunk_size=CHUNK):
            for allocation in payment.allocations.all():
                # QuickBooks takes no discount on a payment: it is noted, and listed in the
                # discounts report for a credit memo.
                discount = allocation.discount
                yield [
                    f"AR-{payment.pk}",
                    date_text(payment.received_on, style),
                    payment.reference,
                    payment.customer.display_name,
                    methods.get(payment.method, payment.method),
                    deposit_to,
                    allocation.invoice.number,
                    allocation.amount,
                    f"Early-payment discount {quantize(discount, currency)}" if discount else "",
                    payment.currency,
                ]

    return Table(
        title="QuickBooks Online payments",
        columns=QUICKBOOKS_PAYMENT_COLUMNS,
        rows=rows(),
        currency=currency,
        filters=_filters(start, end, style),
    )


XERO_STATEMENT_COLUMNS = _columns(
    [
        ("*Date", "text"),
        ("*Amount", "money"),
        ("Payee", "text"),
        ("Description", "text"),
        ("Reference", "text"),
        ("Cheque Number", "text"),
    ]
)


def _bounds(org: Organization, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(org.timezone)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _statement_money_in(org: Organization, start: date, end: date, currency: str) -> Iterator:
    payments = (
        Payment.objects.for_org(org)
        .filter(currency=currency, received_on__gte=start, received_on__lte=end)
        .select_related("customer")
        .prefetch_related("allocations__invoice")
        .order_by("received_on", "id")
    )
    for payment in payments.iterator(chunk_size=CHUNK):
        numbers = sorted({a.invoice.number for a in payment.allocations.all()})
        words = f"Payment for {', '.join(numbers)}" if numbers else "Payment on account"
        cheque = payment.reference if payment.method == PaymentMethod.CHEQUE else ""
        row = [payment.amount, payment.customer.display_name, words, payment.reference, cheque]
        yield (payment.received_on, payment.pk, 0, row)


def _statement_money_out(org: Organization, start: date, end: date, currency: str) -> Iterator:
    zone = ZoneInfo(org.timezone)
    after, before = _bounds(org, start, end)
    refunds = (
        PaymentRefund.objects.for_org(org)
        .filter(payment__currency=currency, created_at__gte=after, created_at__lt=before)
        .select_related("payment__customer")
        .order_by("created_at", "id")
    )
    reversals = (
        Payment.objects.for_org(org)
        .filter(currency=currency, reversed_at__gte=after, reversed_at__lt=before)
        .select_related("customer")
        .order_by("reversed_at", "id")
    )
    gone = (
        (
            refund.created_at.astimezone(zone).date(),
            refund.payment_id,
            1,
            [
                -refund.amount,
                refund.payment.customer.display_name,
                f"Refund: {refund.reason}",
                refund.payment.reference,
                "",
            ],
        )
        for refund in refunds.iterator(chunk_size=CHUNK)
    )
    bounced = (
        (
            payment.reversed_at.astimezone(zone).date(),  # type: ignore[union-attr]
            payment.pk,
            2,
            [
                -(payment.amount - payment.refunded_amount),
                payment.customer.display_name,
                f"Reversed: {payment.reversal_reason}",
                payment.reference,
                "",
            ],
        )
        for payment in reversals.iterator(chunk_size=CHUNK)
    )
    # Each stream is in date order; within a day the order does not matter to the bank.
    yield from heapq.merge(gone, bounced, key=lambda item: item[0])


def xero_payments_table(
    *, org: Organization, start: date, end: date, currency: str, dates: DateStyle | None = None
) -> Table:
    """Money in (payments received) and out (refunds, reversals) in the period, one line
    each, dated as it moved; import it into the Xero bank account the payments went to."""
    period_check(start=start, end=end)
    style = dates or date_style_for(org)
    merged = heapq.merge(
        _statement_money_in(org, start, end, currency),
        _statement_money_out(org, start, end, currency),
        key=lambda item: item[0],
    )
    rows = (
        [date_text(day, style), *cells]
        for day, _, _, cells in merged
        if cells[0] != ZERO  # a payment reversed after a full refund moved nothing more
    )
    return Table(
        title="Xero bank statement (payments)",
        columns=XERO_STATEMENT_COLUMNS,
        rows=rows,
        currency=currency,
        filters=_filters(start, end, style),
    )

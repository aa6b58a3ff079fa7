"""How many rows an export will write, counted before it starts, so its progress bar has an
end. Each is one or two COUNT queries over the rows the report reads; where a report writes a
varying number of rows per record the figure is close rather than exact, and the job's total
grows if the rows pass it (``metrics.export_files``).
"""

from __future__ import annotations

from arhub.models import Organization
from invoicing.models import CreditNote, InvoiceLine, LateFee
from metrics.aging import aging_by_customer, aging_report
from metrics.export_params import ExportParams
from metrics.report_tables import invoice_register_queryset
from metrics.statement_zip import customers_owing
from payments.models import Payment, PaymentAllocation


def aging_customers_count(org: Organization, p: ExportParams) -> int:
    return len(aging_by_customer(org=org, as_of=p.day, currency=p.currency, edges=p.edges))


def aging_invoices_count(org: Organization, p: ExportParams) -> int:
    return aging_report(org=org, as_of=p.day, currency=p.currency, edges=p.edges).invoice_count


def register_count(org: Organization, p: ExportParams) -> int:
    start, end = p.period
    return invoice_register_queryset(org=org, start=start, end=end, currency=p.currency).count()


def payments_count(org: Organization, p: ExportParams) -> int:
    # A row per payment and one more per invoice it was applied to: close, not exact (credit
    # held and refunds add a row each); the bar's total grows if the rows pass it.
    received = Payment.objects.for_org(org).filter(
        currency=p.currency, received_on__gte=p.start, received_on__lte=p.end
    )
    applied = PaymentAllocation.objects.for_org(org).filter(
        payment__in=received, reversed_at__isnull=True
    )
    return received.count() + applied.count()


def credit_notes_count(org: Organization, p: ExportParams) -> int:
    return (
        CreditNote.objects.for_org(org)
        .filter(currency=p.currency, issue_date__gte=p.start, issue_date__lte=p.end)
        .count()
    )


def discounts_fees_count(org: Organization, p: ExportParams) -> int:
    fees = LateFee.objects.for_org(org).filter(
        invoice__currency=p.currency, charged_on__gte=p.start, charged_on__lte=p.end
    )
    discounts = PaymentAllocation.objects.for_org(org).filter(
        reversed_at__isnull=True,
        discount__gt=0,
        payment__currency=p.currency,
        payment__received_on__gte=p.start,
        payment__received_on__lte=p.end,
    )
    return fees.count() + discounts.count()


def statements_count(org: Organization, p: ExportParams) -> int:
    return 1 if p.customer_id is not None else len(customers_owing(org=org))


def register_lines_count(org: Organization, p: ExportParams) -> int:
    # One import row per line (late fees add lines of their own; the total grows then).
    start, end = p.period
    invoices = invoice_register_queryset(org=org, start=start, end=end, currency=p.currency)
    lines = InvoiceLine.objects.for_org(org).filter(invoice__in=invoices.values("pk"))
    return lines.count()

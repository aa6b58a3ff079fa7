"""A quarter of hand-made books (January to March 2027, GBP, Europe/London) for the export
tests: every kind of row the accountant's reports show, made through the services on the day
each thing happened (time-machine), and the figures worked out here by hand.

  INV1  10 Jan  Riverside  2 x 150.00 + VAT 20%        300.00 + 60.00 = 360.00
        paid 200.00 (1 Feb); 50.00 cheque 1 Mar, bounced 2 Mar; credit note 60.00 (10 Mar,
        tax 60 x 60/360 = 10.00)                       balance 360 - 200 - 60 = 100.00
  INV2   1 Feb  Harbour    200.00 + VAT, 50.00 no tax, 10% invoice discount
        discount 25.00 shared 20.00 / 5.00 (in proportion 200 : 50); VAT on 180.00 = 36.00
        250.00 - 25.00 + 36.00 = 261.00; paid by a 300.00 payment (15 Feb), 39.00 unapplied
  INV3   5 Mar  Riverside  100.00, void                  left out everywhere
  INV4  20 Mar  Harbour    EUR 500.00                    another currency: left out
  INV5  20 Dec 2026        50.00                         before the period: left out
  INV6   5 Jan  Harbour    400.00, late fee 2.5% a month of it unpaid (400 x 2.5% = 10.00), due 4 Feb
        fees charged 5 Feb and 5 Mar, the second waived   balance 400 + 10 = 410.00
  INV7   1 Mar  Riverside  500.00 on 2/10 net 30: 490.00 paid 5 Mar, 10.00 discount allowed
  INV8  25 Mar  Harbour    80.00, written off 31 Mar     stays in the register
  Zenith (another organization) has an invoice in the period: never seen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import (
    invoice_create,
    invoice_issue,
    invoice_void,
    invoice_write_off,
)
from invoicing.models import CreditNote, Customer, Invoice, LateFee, TaxRate
from metrics.export_csv import csv_stream
from metrics.tables import Table
from payments.late_fee_services import late_fee_waive, late_fees_apply
from payments.models import Payment, PaymentMethod
from payments.services import AllocationInput, payment_record, payment_reverse
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory

D = Decimal
START, END = date(2027, 1, 1), date(2027, 3, 31)


@contextmanager
def on(day: date, hour: int = 12) -> Iterator[None]:
    with time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False):
        yield


@dataclass
class Books:
    org: Organization
    vat: TaxRate
    riverside: Customer
    harbour: Customer
    inv1: Invoice
    inv2: Invoice
    inv3: Invoice
    inv4: Invoice
    inv5: Invoice
    inv6: Invoice
    inv7: Invoice
    inv8: Invoice
    p1: Payment
    p2: Payment
    p3: Payment
    p7: Payment
    credit: CreditNote
    fees: list[LateFee]
    foreign: Invoice


def _invoice(
    org: Organization,
    customer: Customer,
    day: date,
    lines: list[LineData],
    **fields: object,
) -> Invoice:
    with on(day):
        data = InvoiceData(customer_id=customer.pk, lines=lines, issue_date=day, **fields)  # type: ignore[arg-type]
        return invoice_issue(
            org=org, actor=None, invoice=invoice_create(org=org, actor=None, data=data)
        )


def _pay(
    org: Organization,
    customer: Customer,
    day: date,
    amount: str,
    to: list[tuple[Invoice, str]],
    **kw: object,
) -> Payment:
    with on(day):
        return payment_record(
            org=org,
            actor=None,
            customer_id=customer.pk,
            amount=D(amount),
            currency="GBP",
            method=kw.pop("method", PaymentMethod.BANK_TRANSFER),  # type: ignore[arg-type]
            received_on=day,
            allocations=[AllocationInput(invoice_id=i.pk, amount=D(a)) for i, a in to],
            notify=False,
            **kw,  # type: ignore[arg-type]
        )


def books_make(org: Organization, other: Organization) -> Books:
    vat = TaxRateFactory(organization=org, name="VAT", percent=D("20"))
    riverside = CustomerFactory(organization=org, display_name="Riverside Bakery", currency="GBP")
    ContactFactory(customer=riverside, name="Jo Baker", email="jo@riverside.test")
    harbour = CustomerFactory(organization=org, display_name="Harbour Cafe", currency="GBP")
    ContactFactory(customer=harbour, name="Sam Quay", email="sam@harbour.test")

    inv5 = _invoice(org, riverside, date(2026, 12, 20), [LineData("Old work", D(1), D("50.00"))])
    inv1 = _invoice(
        org,
        riverside,
        date(2027, 1, 10),
        [LineData("Boiler service", D(2), D("150.00"), tax_rate_ids=[vat.pk])],
    )
    late = PaymentTermsFactory(
        organization=org,
        name="Net 30, late fee",
        days=30,
        late_fee_kind="percent",
        late_fee_percent=D("2.5"),
    )
    inv6 = _invoice(
        org,
        harbour,
        date(2027, 1, 5),
        [LineData("Boiler install", D(1), D("400.00"))],
        payment_terms_id=late.pk,
    )
    inv2 = _invoice(
        org,
        harbour,
        date(2027, 2, 1),
        [
            LineData("Pipe repair", D(1), D("200.00"), tax_rate_ids=[vat.pk]),
            LineData("Call-out", D(1), D("50.00")),
        ],
        discount_kind="percent",
        discount_value=D("10"),
        po_number="PO-77",
    )
    p1 = _pay(org, riverside, date(2027, 2, 1), "200.00", [(inv1, "200.00")])
    fees = late_fees_apply(org=org, day=date(2027, 2, 5))
    p2 = _pay(org, harbour, date(2027, 2, 15), "300.00", [(inv2, "261.00")], reference="BACS 4411")
    p3 = _pay(
        org,
        riverside,
        date(2027, 3, 1),
        "50.00",
        [(inv1, "50.00")],
        method=PaymentMethod.CHEQUE,
        reference="100234",
    )
    with on(date(2027, 3, 2)):
        p3 = payment_reverse(org=org, actor=None, payment=p3, reason="Cheque bounced")
    discount_terms = PaymentTermsFactory(
        organization=org, name="2/10 net 30", days=30, discount_percent=D("2"), discount_days=10
    )
    inv7 = _invoice(
        org,
        riverside,
        date(2027, 3, 1),
        [LineData("Annual contract", D(1), D("500.00"))],
        payment_terms_id=discount_terms.pk,
    )
    fees += late_fees_apply(org=org, day=date(2027, 3, 5))
    p7 = _pay(org, riverside, date(2027, 3, 5), "490.00", [(inv7, "490.00")])
    inv3 = _invoice(org, riverside, date(2027, 3, 5), [LineData("Mistake", D(1), D("100.00"))])
    with on(date(2027, 3, 6)):
        inv3 = invoice_void(org=org, actor=None, invoice=inv3, reason="Raised twice")
        late_fee_waive(org=org, actor=None, fee=fees[1], reason="Goodwill")
    with on(date(2027, 3, 10)):
        credit = credit_note_create(
            org=org,
            actor=None,
            invoice=inv1,
            amount=D("60.00"),
            reason="Part refund",
            on=date(2027, 3, 10),
        )
    inv4 = _invoice(
        org, harbour, date(2027, 3, 20), [LineData("Export job", D(1), D("500.00"))], currency="EUR"
    )
    inv8 = _invoice(org, harbour, date(2027, 3, 25), [LineData("Small job", D(1), D("80.00"))])
    with on(date(2027, 3, 31)):
        inv8 = invoice_write_off(org=org, actor=None, invoice=inv8, reason="Gone away")

    zenith = CustomerFactory(organization=other, display_name="Zenith Customer", currency="GBP")
    foreign = _invoice(other, zenith, date(2027, 2, 2), [LineData("Not yours", D(1), D("999.00"))])
    fresh = {i.pk: i for i in Invoice.objects.all()}
    return Books(
        org=org,
        vat=vat,
        riverside=riverside,
        harbour=harbour,
        inv1=fresh[inv1.pk],
        inv2=fresh[inv2.pk],
        inv3=fresh[inv3.pk],
        inv4=fresh[inv4.pk],
        inv5=fresh[inv5.pk],
        inv6=fresh[inv6.pk],
        inv7=fresh[inv7.pk],
        inv8=fresh[inv8.pk],
        p1=Payment.objects.get(pk=p1.pk),
        p2=Payment.objects.get(pk=p2.pk),
        p3=Payment.objects.get(pk=p3.pk),
        p7=Payment.objects.get(pk=p7.pk),
        credit=credit,
        fees=list(LateFee.objects.filter(organization=org).order_by("charged_on")),
        foreign=foreign,
    )


def csv_table_read(table: Table) -> tuple[list[str], list[dict[str, str]]]:
    """The table's CSV as a user's script reads it: the header, then one dict per line (the
    totals line last)."""
    reader = csv.DictReader(io.StringIO("".join(csv_stream(table)), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows

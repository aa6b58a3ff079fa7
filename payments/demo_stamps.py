"""When the demo's payments happened. The services stamp everything with "now"; once the demo
has made its payments, refunds, reversals and fees, their timestamps are moved to the days the
story says, at plausible hours, in a fixed number of queries. Audit rows are left as written
(they are only ever added), as invoicing's demo leaves those of its invoices.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from arhub.models import Organization
from invoicing.models import Invoice, InvoiceStatus, LateFee
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentRefund

OFFICE_HOURS = (9, 17)
# Customers pay online at any hour they are awake.
ONLINE_HOURS = (7, 22)


class Stamps:
    def __init__(self, *, org: Organization, rng: random.Random) -> None:
        self.org, self.rng = org, rng
        self.zone = ZoneInfo(org.timezone)
        self._closed: dict[int, date] = {}  # invoice -> day the last payment event touched it
        self._credit: dict[int, date] = {}  # allocation made from credit -> day
        self._back: dict[int, date] = {}  # payment -> day it was reversed or refunded
        self._refunds: dict[int, date] = {}
        self._waived: dict[int, date] = {}

    def at(self, day: date, hours: tuple[int, int] = OFFICE_HOURS) -> datetime:
        moment = time(self.rng.randrange(*hours), self.rng.randrange(60))
        return datetime.combine(day, moment, tzinfo=self.zone)

    def closed(self, invoice_id: int, day: date) -> None:
        self._closed[invoice_id] = day

    def credit_applied(self, allocation_ids: list[int], day: date) -> None:
        self._credit.update(dict.fromkeys(allocation_ids, day))

    def taken_back(self, payment_id: int, day: date) -> None:
        self._back[payment_id] = day

    def refunded(self, refund_id: int, payment_id: int, day: date) -> None:
        self._refunds[refund_id] = day
        self._back[payment_id] = day

    def waived(self, fee_id: int, day: date) -> None:
        self._waived[fee_id] = day

    def save(self) -> None:
        org = self.org
        payments = list(Payment.objects.for_org(org).order_by("received_on", "pk"))
        back = {pk: self.at(day) for pk, day in sorted(self._back.items())}
        for payment in payments:
            online = payment.method == PaymentMethod.STRIPE
            payment.created_at = self.at(
                payment.received_on, ONLINE_HOURS if online else OFFICE_HOURS
            )
            if payment.reversed_at is not None:
                payment.reversed_at = back[payment.pk]
        Payment.objects.bulk_update(payments, ["created_at", "reversed_at"], batch_size=500)
        recorded = {payment.pk: payment.created_at for payment in payments}

        credit = {pk: self.at(day) for pk, day in sorted(self._credit.items())}
        allocations = list(PaymentAllocation.objects.for_org(org).order_by("pk"))
        for allocation in allocations:
            allocation.created_at = credit.get(allocation.pk) or recorded[allocation.payment_id]
            if allocation.reversed_at is not None:
                allocation.reversed_at = back[allocation.payment_id]
        PaymentAllocation.objects.bulk_update(
            allocations, ["created_at", "reversed_at"], batch_size=500
        )

        refunds = list(PaymentRefund.objects.for_org(org).filter(pk__in=self._refunds))
        for refund in refunds:
            refund.created_at = back[refund.payment_id]
        PaymentRefund.objects.bulk_update(refunds, ["created_at"])

        fees = list(LateFee.objects.for_org(org).order_by("pk"))
        for fee in fees:
            fee.created_at = self.at(fee.charged_on, (5, 7))  # the early morning sweep
            if fee.pk in self._waived:
                fee.waived_at = self.at(self._waived[fee.pk])
        LateFee.objects.bulk_update(fees, ["created_at", "waived_at"], batch_size=500)

        invoices = list(
            Invoice.objects.for_org(org).filter(pk__in=self._closed, status=InvoiceStatus.PAID)
        )
        for invoice in invoices:
            invoice.paid_at = self.at(self._closed[invoice.pk])
        Invoice.objects.bulk_update(invoices, ["paid_at"])

"""The invoices the demo's promises, plans and disputes are told on
(``payments.demo_arrangements``, ``payments.demo_disputes``), and the days they must keep to.

Reminders' part of the demo runs afterwards and replays the last weeks through the reminder
engine, which holds an invoice while it is disputed, on a plan or promised (``reminders.holds``)
but only sees how things stand today. So a story that holds an invoice is told where no reminder
of the demo's policies falls (they remind from three days before the due date to thirty after):
an arrangement still running began before the first reminder; one that ended either ended before
it, or began after the last. The history then never shows a reminder sent while the invoice was
held, nor one missing from before the hold began.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Max

from arhub.models import Channel, Organization, Suppression
from invoicing.models import Contact, Invoice, InvoiceStatus
from invoicing.terms import Terms
from payments.models import PaymentAllocation

# A story that holds reminders ends this many days before the due date (the first reminder
# comes three days before), or starts this many after it (the last comes thirty after, or on
# the next day the window opens).
BEFORE_DUE = 4
AFTER_DUE = 35
S = TypeVar("S")


def quiet_before(invoice: Invoice, last: date) -> bool:
    """A hold ending on ``last`` (or one still running that began then) crosses no reminder."""
    return invoice.due_date is not None and last <= invoice.due_date - timedelta(days=BEFORE_DUE)


def quiet_after(invoice: Invoice, first: date) -> bool:
    """A hold beginning on ``first`` comes after every reminder of the invoice."""
    return invoice.due_date is not None and first >= invoice.due_date + timedelta(days=AFTER_DUE)


def issued(invoice: Invoice) -> date:
    if invoice.issue_date is None:
        raise ValueError(f"invoice {invoice.pk} is a draft")
    return invoice.issue_date


def due(invoice: Invoice) -> date:
    if invoice.due_date is None:
        raise ValueError(f"invoice {invoice.pk} has no due date")
    return invoice.due_date


class Pool:
    """Open invoices nothing has happened to yet (nothing paid, credited, charged or
    discounted; no early-payment terms), and invoices paid off lately for stories told after
    the payment, of customers in none of ``avoid``'s stories whose email reaches them. Each
    story takes the first invoice (in an order the seed shuffles) its shape fits, of a customer
    in no story yet while there are some."""

    def __init__(
        self, *, org: Organization, today: date, pick: random.Random, avoid: set[int]
    ) -> None:
        self.org = org
        self.avoid = set(avoid) | unreachable_customers(org)
        self.taken: set[int] = set()  # customers in a story here
        self.used: set[int] = set()  # invoices
        paid = (
            Invoice.objects.for_org(org)
            .filter(
                status=InvoiceStatus.PAID,
                amount_credited=0,
                paid_at__date__gte=today - timedelta(days=30),
                issue_date__isnull=False,
                due_date__isnull=False,
            )
            .exclude(customer_id__in=self.avoid)
            .select_related("customer")
            .order_by("paid_at", "pk")
        )
        self.paid = list(paid)
        pick.shuffle(self.paid)
        owing = [
            invoice
            for invoice in Invoice.objects.for_org(org)
            .filter(
                status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID),
                amount_credited=0,
                amount_discounted=0,
                fees_total=0,
                issue_date__isnull=False,
                due_date__isnull=False,
                late_fees__isnull=True,
            )
            .exclude(customer_id__in=self.avoid)
            .select_related("customer")
            .order_by("issue_date", "pk")
            if not Terms.from_json(invoice.terms).has_discount
        ]
        pick.shuffle(owing)
        home = org.default_currency
        # The organization's own currency first: most of a small business's customers.
        owing.sort(key=lambda i: i.currency != home)
        # Nothing paid yet, for promises and plans (what is paid towards a plan is what its
        # invoices were paid since it began); disputes may take one paid in part.
        self.rows = [invoice for invoice in owing if invoice.amount_paid == 0]
        self.owing = self.rows + [invoice for invoice in owing if invoice.amount_paid > 0]
        zone = ZoneInfo(org.timezone)
        paid_last = (
            PaymentAllocation.objects.for_org(org)
            .filter(invoice_id__in=[i.pk for i in owing if i.amount_paid > 0])
            .values_list("invoice_id")
            .annotate(last=Max("created_at"))
        )
        self.last_paid = {pk: last.astimezone(zone).date() for pk, last in paid_last}

    def take(
        self, *fits: Callable[[Invoice], S | None], kind: str = "fresh"
    ) -> tuple[Invoice, S] | None:
        """The first invoice of ``kind`` ("fresh", "owing" or "paid"; see the class) and its
        shape that the first of ``fits`` that fits any fits: of a customer in no story yet,
        else of any."""
        rows = {"fresh": self.rows, "owing": self.owing, "paid": self.paid}[kind]
        for shared in (False, True):
            for shaped in fits:
                for invoice in rows:
                    if invoice.pk in self.used or (
                        not shared and invoice.customer_id in self.taken
                    ):
                        continue
                    shape = shaped(invoice)
                    if shape is not None:
                        self.use(invoice)
                        return invoice, shape
        return None

    def paid_before(self, invoice: Invoice, day: date) -> bool:
        """Nothing was paid on ``invoice`` from ``day`` on."""
        return self.last_paid.get(invoice.pk, date.min) < day

    def use(self, invoice: Invoice) -> None:
        self.used.add(invoice.pk)
        self.taken.add(invoice.customer_id)

    def others(self, invoice: Invoice) -> list[Invoice]:
        """The same customer's other fresh invoices in the same currency, oldest due first."""
        return sorted(
            (
                i
                for i in self.rows
                if i.customer_id == invoice.customer_id
                and i.pk not in self.used
                and i.currency == invoice.currency
            ),
            key=lambda i: (i.due_date or date.max, i.pk),
        )


def unreachable_customers(org: Organization) -> set[int]:
    """Customers with an email address that is suppressed (unsubscribed, bounced)."""
    addresses = Suppression.objects.for_org(org).filter(channel=Channel.EMAIL)
    return set(
        Contact.objects.for_org(org)
        .filter(email__in=addresses.values_list("address", flat=True))
        .values_list("customer_id", flat=True)
    )

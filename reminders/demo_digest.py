"""A customer with several invoices due the same day, so the demo always has digests: whether
any of invoicing's randomly dated invoices line up for one customer depends on the seed.

Three orders of one customer, billed on the same day through invoicing's services (each a copy
of one of their earlier invoices, as "duplicate" makes it), due ten days before the demo's
today and still owed: their reminders go as one digest on each step's day, and the next one is
still to come. The customer is one whose terms carry no late fee or early-payment discount
(payments' part of the demo has already charged the fees and taken the discounts) and whose
reminders reach them. Being issued after invoicing's part, their numbers come after its
latest, though they are dated earlier.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arhub.models import Organization, User
from invoicing.invoice_services import invoice_duplicate, invoice_issue
from invoicing.models import Customer, Invoice, InvoiceStatus, PayLink
from invoicing.terms import TermsKind, terms_for_customer
from reminders.demo_stories import audited_at, unreachable_customers

ORDERS = 3
DUE_DAYS_AGO = 10


def digest_invoices(
    *, org: Organization, owner: User, today: date, pick: random.Random
) -> list[Invoice]:
    """The invoices made, or none when no customer fits."""
    unreachable = unreachable_customers(org)
    earlier: dict[int, list[Invoice]] = {}
    billed = (
        Invoice.objects.for_org(org)
        .filter(recurring=None, issue_date__lt=today)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID])
        # A copy is charged today's taxes: not one whose rate has been retired since.
        .exclude(lines__taxes__tax_rate__is_active=False)
        .select_related("customer")
        .order_by("-issue_date", "-pk")
    )
    for invoice in billed:
        earlier.setdefault(invoice.customer_id, []).append(invoice)
    fitting = []
    for customer in sorted({i.customer for rows in earlier.values() for i in rows}, key=_order):
        terms = terms_for_customer(org=org, customer=customer)
        if (
            customer.pk not in unreachable
            and customer.preferred_channel in ("email", "both")
            and terms.kind == TermsKind.NET
            and not terms.has_late_fee
            and not terms.has_discount
        ):
            fitting.append((customer, terms.days))
    if not fitting:
        return []
    customer, days = pick.choice(fitting)
    issued_on = today - timedelta(days=DUE_DAYS_AGO + days)
    zone = ZoneInfo(org.timezone)
    at = datetime.combine(issued_on, time(pick.randrange(9, 12), pick.randrange(60)), tzinfo=zone)
    sources = earlier[customer.pk]
    made = []
    with audited_at(org, at):
        for n in range(ORDERS):
            draft = invoice_duplicate(org=org, actor=owner, invoice=sources[n % len(sources)])
            made.append(invoice_issue(org=org, actor=owner, invoice=draft, on=issued_on))
    ids = [invoice.pk for invoice in made]
    Invoice.objects.for_org(org).filter(pk__in=ids).update(created_at=at, issued_at=at)
    PayLink.objects.for_org(org).filter(invoice_id__in=ids).update(created_at=at)
    return made


def _order(customer: Customer) -> tuple[str, int]:
    return (customer.external_id, customer.pk)

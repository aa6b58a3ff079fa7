"""Why an invoice gets no reminder right now, asked when the sweep plans one and again right
before it is sent (a payment, a pause or a dispute may have come in between).

Each hold is a sentence for the owner ("Paused by Dana: customer on holiday"). Disputes, payment
plans and promises to pay add theirs here when they arrive (reminders sits above payments and
disputes, so it asks them; they never call it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arhub.models import Organization
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus
from reminders.models import CustomerReminders, InvoiceReminderPause


@dataclass(frozen=True)
class Hold:
    code: str
    reason: str


def _status_hold(invoice: Invoice) -> Hold | None:
    if invoice.status == InvoiceStatus.PAID or (
        invoice.status in OUTSTANDING_STATUSES and invoice.balance_due <= 0
    ):
        return Hold("paid", "Paid: nothing is owed.")
    if invoice.status not in OUTSTANDING_STATUSES:
        return Hold("closed", f"The invoice is {invoice.get_status_display().lower()}.")
    return None


def _pause_words(reason: str, by: str) -> str:
    words = "Paused"
    if by:
        words += f" by {by}"
    return words + (f": {reason}" if reason else ".")


def invoice_holds(
    *,
    org: Organization,
    invoices: Iterable[Invoice],
) -> dict[int, Hold]:
    """The first hold of each invoice that has one, in a constant number of queries."""
    invoices = list(invoices)
    held: dict[int, Hold] = {}
    for invoice in invoices:
        status = _status_hold(invoice)
        if status is not None:
            held[invoice.pk] = status
    open_ids = [invoice.pk for invoice in invoices if invoice.pk not in held]
    if not open_ids:
        return held
    pauses = (
        InvoiceReminderPause.objects.for_org(org)
        .filter(invoice_id__in=open_ids)
        .select_related("paused_by")
    )
    for pause in pauses:
        by = pause.paused_by.full_name if pause.paused_by else ""
        held[pause.invoice_id] = Hold("invoice_paused", _pause_words(pause.reason, by))
    customer_of = {invoice.pk: invoice.customer_id for invoice in invoices}
    paused_customers = {
        row.customer_id: row
        for row in CustomerReminders.objects.for_org(org)
        .filter(customer_id__in={customer_of[pk] for pk in open_ids}, paused=True)
        .select_related("paused_by")
    }
    for pk in open_ids:
        if pk in held:
            continue
        row = paused_customers.get(customer_of[pk])
        if row is not None:
            by = row.paused_by.full_name if row.paused_by else ""
            reason = _pause_words(row.paused_reason, by)
            held[pk] = Hold(
                "customer_paused", "Customer's reminders " + reason[0].lower() + reason[1:]
            )
    still_open = [invoice for invoice in invoices if invoice.pk not in held]
    for pk, hold in invoice_extra_holds(org=org, invoices=still_open).items():
        held.setdefault(pk, hold)
    return held


def invoice_extra_holds(*, org: Organization, invoices: Sequence[Invoice]) -> dict[int, Hold]:
    """Holds from the apps reminders asks before sending: a dispute open, a payment plan, a
    promise to pay until a date. Empty until disputes and plans land (issue 8 fills this, in a
    constant number of queries however many invoices); every caller of ``invoice_holds`` (the
    sweep, the sender, the invoice's reminder timeline) then honours them."""
    return {}


def invoice_hold(*, org: Organization, invoice: Invoice) -> Hold | None:
    return invoice_holds(org=org, invoices=[invoice]).get(invoice.pk)

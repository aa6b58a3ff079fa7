"""Why an invoice gets no reminder right now, asked when the sweep plans one and again right
before it is sent (a payment, a pause or a dispute may have come in between).

Each hold is a sentence for the owner ("Paused by Dana: customer on holiday"). After the pauses
come a dispute open or under review, an active payment plan (its own reminders go instead,
``reminders.arrangement_sends``) and an open promise to pay (until it is kept or broken).
Reminders sits above payments and disputes, so it asks them; they never call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from arhub.clock import org_today
from arhub.models import Organization
from disputes.models import Dispute, DisputeKind
from disputes.selectors import active_disputes_by_invoice
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus
from payments.models import PromiseToPay
from payments.plan_selectors import active_plans_by_invoice
from payments.promise_selectors import open_promises_by_invoice
from payments.selectors import payment_settings_get
from reminders.models import CustomerReminders, InvoiceReminderPause
from reminders.next_send import day_words


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


PLAN_HOLD = Hold("on_plan", "On a payment plan: the plan's own reminders go instead.")


def _first_lower(words: str) -> str:
    return words[:1].lower() + words[1:]


def _dispute_hold(org: Organization, dispute: Dispute, today: date) -> Hold:
    since = day_words(dispute.opened_at.astimezone(ZoneInfo(org.timezone)).date(), today=today)
    what = _first_lower(dispute.get_reason_display())
    if dispute.kind == DisputeKind.CHARGEBACK:
        return Hold(
            "disputed", f"In dispute since {since} (a chargeback): {dispute.bank_reason or what}."
        )
    return Hold("disputed", f"In dispute since {since}: {what}.")


def _promise_hold(promise: PromiseToPay, grace_days: int, today: date) -> Hold:
    words = f"Promised to pay by {day_words(promise.promised_date, today=today)}"
    if today <= promise.promised_date:
        return Hold("promised", words + ".")
    broken = day_words(promise.promised_date + timedelta(days=grace_days), today=today)
    return Hold("promised", f"{words}; not paid yet, counted as broken after {broken}.")


def invoice_extra_holds(*, org: Organization, invoices: Sequence[Invoice]) -> dict[int, Hold]:
    """Holds from the apps reminders asks before sending, first found first: a dispute open or
    under review, an active payment plan, an open promise to pay. Three queries however many
    invoices (a fourth, the grace days, when a promise is found); every caller of
    ``invoice_holds`` (the sweep, the sender, the invoice's reminder timeline) honours them."""
    ids = [invoice.pk for invoice in invoices]
    if not ids:
        return {}
    today = org_today(org)
    held = {
        invoice_id: _dispute_hold(org, dispute, today)
        for invoice_id, dispute in active_disputes_by_invoice(org=org, invoice_ids=ids).items()
    }
    ids = [pk for pk in ids if pk not in held]
    if ids:
        for invoice_id in active_plans_by_invoice(org=org, invoice_ids=ids):
            held[invoice_id] = PLAN_HOLD
        ids = [pk for pk in ids if pk not in held]
    promises = open_promises_by_invoice(org=org, invoice_ids=ids) if ids else {}
    if promises:
        grace = payment_settings_get(org=org).promise_grace_days
        for invoice_id, promise in promises.items():
            held[invoice_id] = _promise_hold(promise, grace, today)
    return held


def invoice_hold(*, org: Organization, invoice: Invoice) -> Hold | None:
    return invoice_holds(org=org, invoices=[invoice]).get(invoice.pk)

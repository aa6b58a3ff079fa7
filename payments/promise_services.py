"""Writes for promises to pay: make one (the customer on the pay page, or the owner on the
customer's word), cancel one, mark them kept when their invoice is paid, and broken when they
are still unpaid ``promise_grace_days`` after the promised date.

A promise holds the invoice's reminders while it is open (``promise_selectors``); kept, broken
or cancelled, the hold simply goes away and the normal policy carries on. Every change happens
with the invoice locked first, then its promise, the order payments lock in, so a payment and
the sweep never deadlock and never both decide a promise's fate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from arhub.clock import org_today
from arhub.messaging.placeholders import format_day, value_locale
from arhub.messaging.services import message_queue
from arhub.models import AuditAction, Channel, MessageKind, NoticeKind, Organization, User
from arhub.money import money_format
from arhub.services.audit import audit_record
from arhub.services.notices import notice_create
from invoicing.invoice_input import NotInOrganization
from invoicing.message_values import invoice_message_values
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus
from payments.models import PromiseStatus, PromiseToPay
from payments.promise_selectors import day_text, promise_date_limits, promise_refusal
from payments.promise_words import promise_message
from payments.receipts import receipt_channels
from payments.selectors import payment_settings_get

NOTE_LIMIT = 1000
REASON_LIMIT = 300


def _date_problem(org: Organization, promised_date: date) -> str | None:
    first, last = promise_date_limits(org=org)
    if promised_date < first:
        return f"The promised date cannot be in the past; the earliest is {day_text(first)}."
    if promised_date > last:
        days = (last - first).days
        return (
            f"A promise may be at most {days} day{'' if days == 1 else 's'} ahead: "
            f"the last allowed date is {day_text(last)}."
        )
    return None


def _lock_invoice(org: Organization, invoice: Invoice) -> Invoice:
    locked = (
        Invoice.objects.for_org(org)
        .select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=invoice.pk)
        .first()
    )
    if locked is None:
        raise NotInOrganization("invoice", f"Invoice {invoice.pk} does not exist.")
    return locked


def _confirm(org: Organization, promise: PromiseToPay, invoice: Invoice) -> None:
    """Thank the customer and restate the date, by the channel they prefer. Kind OTHER: it is
    neither a reminder (it must not count towards the reminder gap and cap, nor be stopped by
    an unsubscribe from reminders) nor a plan or dispute update."""
    customer = invoice.customer
    locale = value_locale(org=org, language=customer.language)
    for channel in receipt_channels(customer):
        values = invoice_message_values(
            org=org, invoice=invoice, short_dates=channel == Channel.SMS
        )
        values["due_date"] = format_day(
            promise.promised_date, locale=locale, short=channel == Channel.SMS
        )
        message_queue(
            org=org,
            customer=customer,
            kind=MessageKind.OTHER,
            channel=channel,
            values=values,
            invoice=invoice,
            wording=promise_message(channel=channel, language=customer.language),
        )


def promise_make(
    *,
    org: Organization,
    invoice: Invoice,
    promised_date: date,
    note: str = "",
    actor: User | None = None,
) -> PromiseToPay:
    """The customer (``actor`` None, from the pay page) or a member (on the customer's word)
    promises the invoice's whole balance by ``promised_date``. Reminders hold until then."""
    note = note.strip()
    with transaction.atomic():
        locked = _lock_invoice(org, invoice)
        refusal = promise_refusal(org=org, invoice=locked, by_customer=actor is None)
        errors: dict[str, list[ValidationError]] = dict(refusal.error_dict) if refusal else {}
        date_problem = _date_problem(org, promised_date)
        if date_problem:
            errors["promised_date"] = [ValidationError(date_problem, code="out_of_range")]
        if len(note) > NOTE_LIMIT:
            errors["note"] = [ValidationError(f"A note has at most {NOTE_LIMIT} characters.")]
        if errors:
            raise ValidationError(errors)
        promise = PromiseToPay.objects.create(
            organization=org,
            invoice=locked,
            customer=locked.customer,
            promised_date=promised_date,
            amount=locked.balance_due,
            currency=locked.currency,
            note=note,
            created_by=actor,
        )
        amount = money_format(locked.balance_due, locked.currency, org.locale)
        who = "on the pay page" if actor is None else f"recorded by {actor.email}"
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.PROMISE_MADE,
            summary=f"Promise to pay {amount} on {locked.number} by "
            f"{day_text(promised_date)}, {who}",
            data={
                "promise": promise.pk,
                "invoice": locked.pk,
                "promised_date": promised_date.isoformat(),
                "amount": str(promise.amount),
                "currency": promise.currency,
            },
        )
        if actor is None:
            notice_create(
                org=org,
                kind=NoticeKind.PROMISE_MADE,
                summary=f"{locked.customer.display_name} promised to pay {amount} on "
                f"{locked.number} by {day_text(promised_date)}",
                path=reverse("invoice_detail", args=[locked.pk]),
            )
        _confirm(org, promise, locked)
    return promise


def promise_cancel(
    *, org: Organization, actor: User | None, promise: PromiseToPay, reason: str
) -> PromiseToPay:
    """The owner withdraws an open promise (the customer changed their mind, it was recorded in
    error); reminders resume. The reason goes to the audit log."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the promise is cancelled."})
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": f"A reason has at most {REASON_LIMIT} characters."})
    with transaction.atomic():
        invoice = _lock_invoice(org, Invoice(pk=promise.invoice_id))
        locked = PromiseToPay.objects.for_org(org).select_for_update().get(pk=promise.pk)
        if locked.status != PromiseStatus.OPEN:
            raise ValidationError(
                {"status": f"This promise is already {locked.get_status_display().lower()}."}
            )
        locked.status, locked.cancelled_at = PromiseStatus.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.PROMISE_CANCELLED,
            summary=f"Cancelled the promise to pay {invoice.number} by "
            f"{day_text(locked.promised_date)}: {reason}",
            data={"promise": locked.pk, "invoice": invoice.pk, "reason": reason},
        )
    return locked


def _keep(org: Organization, promise: PromiseToPay, invoice: Invoice) -> None:
    promise.status, promise.kept_at = PromiseStatus.KEPT, timezone.now()
    promise.save(update_fields=["status", "kept_at"])
    audit_record(
        org=org,
        actor=None,
        action=AuditAction.PROMISE_KEPT,
        summary=f"Promise to pay {invoice.number} by {day_text(promise.promised_date)} kept",
        data={"promise": promise.pk, "invoice": invoice.pk},
    )


def promises_settle(*, org: Organization, invoice_ids: Iterable[int]) -> None:
    """Called where payments change invoice balances, inside that transaction (the invoices are
    locked already): an open promise whose invoice owes nothing now is kept. A part payment
    keeps nothing; the promise was for the whole balance."""
    ids = list(invoice_ids)
    if not ids:
        return
    promises = (
        PromiseToPay.objects.for_org(org)
        .select_for_update(of=("self",))
        .select_related("invoice")
        .filter(invoice_id__in=ids, status=PromiseStatus.OPEN, invoice__balance_due__lte=0)
        .order_by("pk")
    )
    for promise in promises:
        _keep(org, promise, promise.invoice)


def _break(org: Organization, promise: PromiseToPay, invoice: Invoice, now: datetime) -> None:
    promise.status, promise.broken_at = PromiseStatus.BROKEN, now
    promise.save(update_fields=["status", "broken_at"])
    owed = money_format(invoice.balance_due, invoice.currency, org.locale)
    audit_record(
        org=org,
        actor=None,
        action=AuditAction.PROMISE_BROKEN,
        summary=f"Promise to pay {invoice.number} by {day_text(promise.promised_date)} broken: "
        f"{owed} still owed",
        data={"promise": promise.pk, "invoice": invoice.pk, "balance": str(invoice.balance_due)},
    )
    notice_create(
        org=org,
        kind=NoticeKind.PROMISE_BROKEN,
        summary=f"{invoice.customer.display_name} did not pay {invoice.number} by "
        f"{day_text(promise.promised_date)} as promised; {owed} is still owed and reminders resume",
        path=reverse("invoice_detail", args=[invoice.pk]),
    )


def _end_with_invoice(org: Organization, promise: PromiseToPay, invoice: Invoice) -> None:
    promise.status, promise.cancelled_at = PromiseStatus.CANCELLED, timezone.now()
    promise.save(update_fields=["status", "cancelled_at"])
    audit_record(
        org=org,
        actor=None,
        action=AuditAction.PROMISE_CANCELLED,
        summary=f"Promise to pay {invoice.number} ended: the invoice was "
        f"{invoice.get_status_display().lower()}",
        data={"promise": promise.pk, "invoice": invoice.pk},
    )


def promises_end_for_plan(*, org: Organization, plan_id: int, invoice_ids: Iterable[int]) -> int:
    """A payment plan that starts on these invoices replaces any open promise to pay them: the
    plan's dates are what the customer now keeps to, and a promise left open would break on its
    own date and tell the owner of a broken promise that was never the deal any more."""
    promises = list(
        PromiseToPay.objects.for_org(org)
        .select_for_update()
        .select_related("invoice")
        .filter(invoice_id__in=list(invoice_ids), status=PromiseStatus.OPEN)
        .order_by("pk")
    )
    now = timezone.now()
    for promise in promises:
        promise.status, promise.cancelled_at = PromiseStatus.CANCELLED, now
        promise.save(update_fields=["status", "cancelled_at"])
        audit_record(
            org=org,
            actor=None,
            action=AuditAction.PROMISE_CANCELLED,
            summary=f"Promise to pay {promise.invoice.number} by "
            f"{day_text(promise.promised_date)} replaced by payment plan {plan_id}",
            data={"promise": promise.pk, "invoice": promise.invoice_id, "plan": plan_id},
        )
    return len(promises)


def promises_sweep(*, org: Organization, today: date | None = None) -> list[PromiseToPay]:
    """Hourly: settle what payments alone could not tell us (an invoice paid off by a credit
    note is kept; a voided or written-off one's promise ends), then break every open promise
    still unpaid more than ``promise_grace_days`` after its date, in the organization's
    calendar: with 3 grace days, a promise for the 10th breaks on the 14th. Returns the broken
    ones; the owner is told of each."""
    today = today or org_today(org)
    grace = timedelta(days=payment_settings_get(org=org).promise_grace_days)
    candidates = list(
        PromiseToPay.objects.for_org(org)
        .filter(status=PromiseStatus.OPEN)
        .filter(
            Q(promised_date__lt=today - grace)
            | Q(invoice__balance_due__lte=0)
            | ~Q(invoice__status__in=OUTSTANDING_STATUSES)
        )
        .values_list("pk", "invoice_id")
    )
    if not candidates:
        return []
    broken: list[PromiseToPay] = []
    with transaction.atomic():
        # Invoices first, then promises: the order payments lock in.
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.for_org(org)
            .select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk__in={invoice_id for _, invoice_id in candidates})
            .order_by("pk")
        }
        locked = (
            PromiseToPay.objects.for_org(org)
            .select_for_update()
            .filter(pk__in=[pk for pk, _ in candidates], status=PromiseStatus.OPEN)
            .order_by("pk")
        )
        now = timezone.now()
        for promise in locked:
            invoice = invoices[promise.invoice_id]
            if invoice.status in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE):
                _end_with_invoice(org, promise, invoice)
            elif invoice.balance_due <= 0:
                _keep(org, promise, invoice)
            elif promise.promised_date < today - grace:
                _break(org, promise, invoice, now)
                broken.append(promise)
    return broken

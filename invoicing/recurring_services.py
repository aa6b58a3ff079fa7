"""Writes for recurring invoices: the template's life (create, edit, pause, resume, finish,
delete) and the scheduler's side (issue what is due, sweep every organization).

The one guarantee that matters: a period is issued at most once. Each invoice made from a
template carries (template, period) under a unique constraint, and the template's row is locked
while a period is issued, so a retried task, a second worker or a beat restarted mid-run can
never charge a customer twice for the same period.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from arhub.clock import org_today
from arhub.models import Organization, User
from invoicing.invoice_input import InvoiceData, NotInOrganization
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Invoice, RecurringInvoice, RecurringStatus
from invoicing.recurring_input import (
    CleanRecurring,
    RecurringData,
    lines_from_json,
    recurring_data_validate,
)
from invoicing.recurring_schedule import Schedule, next_after
from invoicing.terms import Terms, terms_for_customer

logger = logging.getLogger(__name__)

# One task run issues at most this many missed periods (two years of weekly invoices); the
# next sweep carries on, so a long outage is caught up without one task running for ages.
CATCH_UP_LIMIT = 104


class RecurringStateError(ValidationError):
    """The template is not in a state that allows this; the message says what to do instead."""


def _locked(org: Organization, template: RecurringInvoice) -> RecurringInvoice:
    # The same lock the issuer takes, so an edit waits for a period being issued and the
    # other way round.
    return RecurringInvoice.objects.for_org(org).select_for_update(no_key=True).get(pk=template.pk)


def _last_period(org: Organization, template: RecurringInvoice) -> date | None:
    found: date | None = (
        Invoice.objects.for_org(org)
        .filter(recurring=template)
        .aggregate(last=Max("recurring_period"))["last"]
    )
    return found


def _apply(template: RecurringInvoice, clean: CleanRecurring) -> None:
    template.customer = clean.customer
    template.name = clean.name
    template.currency = clean.currency
    template.lines = clean.lines_json
    template.frequency = clean.frequency
    template.day_of_month = clean.day_of_month
    template.start_date = clean.start_date
    template.end_date = clean.end_date
    template.max_count = clean.max_count
    template.payment_terms = clean.payment_terms
    template.notes = clean.notes
    template.po_number = clean.po_number
    template.auto_send = clean.auto_send


def _next_from(org: Organization, template: RecurringInvoice, *, floor: date) -> date | None:
    """The next period of the (possibly changed) schedule: after the last one issued and not
    before ``floor``. A template that has issued nothing starts at its first period."""
    schedule = Schedule.of(template)
    last = _last_period(org, template)
    if last is None and template.issued_count == 0:
        return next_after(schedule, None)
    after = floor - timedelta(days=1)
    if last is not None:
        after = max(after, last)
    return next_after(schedule, after, issued=template.issued_count)


def recurring_create(
    *, org: Organization, actor: User | None, data: RecurringData
) -> RecurringInvoice:
    """A new template, active. Its first period is the first date of the schedule on or after
    the start date; a start date in the past issues the periods already due at the next sweep
    (at most a year's worth, see MAX_BACKDATED_PERIODS)."""
    clean = recurring_data_validate(org, data, today=org_today(org))
    template = RecurringInvoice(organization=org, created_by=actor)
    _apply(template, clean)
    template.next_date = next_after(clean.schedule, None)
    template.status = RecurringStatus.ACTIVE
    template.save()
    return template


def recurring_update(
    *, org: Organization, actor: User | None, template: RecurringInvoice, data: RecurringData
) -> RecurringInvoice:
    """Change a template. Edits apply to future periods only: invoices already issued are
    never touched, and a changed schedule continues after the last period issued (or, if none
    was issued yet, from its start)."""
    today = org_today(org)
    with transaction.atomic():
        locked = _locked(org, template)
        if locked.status == RecurringStatus.FINISHED:
            raise RecurringStateError(
                {"status": "This recurring invoice has finished. Start a new one instead."}
            )
        clean = recurring_data_validate(org, data, issued_count=locked.issued_count, today=today)
        _apply(locked, clean)
        floor = today
        if locked.status == RecurringStatus.ACTIVE and locked.next_date is not None:
            # Periods already due but not yet issued (the sweep runs every few minutes) stay due.
            floor = min(floor, locked.next_date)
        locked.next_date = _next_from(org, locked, floor=floor)
        if locked.next_date is None:
            if locked.issued_count == 0:
                raise ValidationError({"end_date": "No invoice date is left in this schedule."})
            locked.status = RecurringStatus.FINISHED
        locked.save()
    return locked


def recurring_pause(
    *, org: Organization, actor: User | None, template: RecurringInvoice
) -> RecurringInvoice:
    with transaction.atomic():
        locked = _locked(org, template)
        if locked.status == RecurringStatus.FINISHED:
            raise RecurringStateError({"status": "This recurring invoice has already finished."})
        if locked.status == RecurringStatus.ACTIVE:
            locked.status = RecurringStatus.PAUSED
            locked.save(update_fields=["status", "updated_at"])
    return locked


def recurring_resume(
    *, org: Organization, actor: User | None, template: RecurringInvoice
) -> RecurringInvoice:
    """Start issuing again from the next period on or after today. Periods that fell while it
    was paused are skipped: pausing means "do not bill for now"."""
    today = org_today(org)
    with transaction.atomic():
        locked = _locked(org, template)
        if locked.status == RecurringStatus.FINISHED:
            raise RecurringStateError(
                {"status": "This recurring invoice has finished. Start a new one instead."}
            )
        if locked.status == RecurringStatus.ACTIVE:
            return locked
        schedule = Schedule.of(locked)
        after = today - timedelta(days=1)
        last = _last_period(org, locked)
        if last is not None:
            after = max(after, last)
        locked.next_date = next_after(schedule, after, issued=locked.issued_count)
        locked.status = (
            RecurringStatus.ACTIVE if locked.next_date is not None else RecurringStatus.FINISHED
        )
        locked.save(update_fields=["status", "next_date", "updated_at"])
    return locked


def recurring_finish(
    *, org: Organization, actor: User | None, template: RecurringInvoice
) -> RecurringInvoice:
    """Stop for good; the invoices it issued stay as they are."""
    with transaction.atomic():
        locked = _locked(org, template)
        locked.status = RecurringStatus.FINISHED
        locked.next_date = None
        locked.save(update_fields=["status", "next_date", "updated_at"])
    return locked


def recurring_delete(*, org: Organization, actor: User | None, template: RecurringInvoice) -> None:
    """Only a template that has issued nothing is deleted; one with invoices is finished
    instead, so each invoice still shows where it came from."""
    with transaction.atomic():
        # A full lock: deleting is a key change, which an issuer's NO KEY lock must exclude.
        locked = RecurringInvoice.objects.for_org(org).select_for_update().get(pk=template.pk)
        if locked.issued_count or Invoice.objects.for_org(org).filter(recurring=locked).exists():
            raise RecurringStateError(
                {
                    "status": "Invoices have been issued from it, so it cannot be deleted. "
                    "Finish it instead: nothing more is issued and its invoices stay linked."
                }
            )
        locked.delete()


# ---------------------------------------------------------------------------------------------
# Issuing


def _invoice_data(
    org: Organization, template: RecurringInvoice, period: date, today: date
) -> InvoiceData:
    data = InvoiceData(
        customer_id=template.customer_id,
        currency=template.currency,
        lines=lines_from_json(template.lines),
        issue_date=period,
        payment_terms_id=template.payment_terms_id,
        po_number=template.po_number,
        notes=template.notes,
        memo=f"Issued by the recurring invoice “{template.name}” for {period:%d %b %Y}.",
    )
    if period < today:
        # A period caught up late (the scheduler was down) keeps its own date, but the customer
        # still gets the whole payment window from the day it reaches them: an invoice must not
        # arrive already overdue.
        if template.payment_terms is not None:
            terms = Terms.from_model(template.payment_terms)
        else:
            terms = terms_for_customer(org=org, customer=template.customer)
        if terms.due_date(period) < today:
            data = replace(data, due_date=terms.due_date(today))
    return data


def _advance(org: Organization, template: RecurringInvoice, period: date) -> None:
    # Counted, not incremented: after a crash between the insert and this update (which the
    # transaction rules out, but a restored backup might not) the count is still the truth.
    template.issued_count = Invoice.objects.for_org(org).filter(recurring=template).count()
    template.next_date = next_after(Schedule.of(template), period, issued=template.issued_count)
    if template.next_date is None:
        template.status = RecurringStatus.FINISHED
    template.save(update_fields=["issued_count", "next_date", "status", "updated_at"])


def _send(org: Organization, invoice: Invoice) -> None:
    from invoicing.sending import invoice_send  # the sender sits above the services

    try:
        with transaction.atomic():
            invoice_send(org=org, actor=None, invoice=invoice)
    except ValidationError as exc:
        # The charge stands; only the email could not be queued (no contact gets invoices).
        # The owner sends it from the invoice page once a contact is added.
        logger.warning("recurring invoice %s issued but not sent: %s", invoice.pk, exc.messages)


def recurring_issue_due(
    *, org: Organization, template_id: int, today: date | None = None
) -> Invoice | None:
    """Issue the template's next period if it is due (``next_date`` on or before the
    organization's today), and advance the template. Returns the invoice, or None when nothing
    was issued: not due, not active, held by another worker, already issued, or the template
    no longer makes a valid invoice (a tax rate was retired; the page shows why and the
    period stays due until it is fixed).

    Dates: the invoice is dated its period, even when caught up after an outage. Each missed
    period is a real charge, so each is issued, once, in order; its due date is moved so the
    customer still gets the full payment window (see ``_invoice_data``). With ``auto_send``
    each is sent once, in the same transaction as its issue, so a retry never sends twice.
    """
    today = today or org_today(org)
    with transaction.atomic():
        # NO KEY UPDATE: workers exclude each other (skip_locked: the second one moves on),
        # while rows that merely point at the template (invoices) can still be written.
        template = (
            RecurringInvoice.objects.for_org(org)
            .select_for_update(skip_locked=True, no_key=True)
            .filter(pk=template_id)
            .first()
        )
        if template is None:  # gone, another tenant's, or another worker is on it
            return None
        period = template.next_date
        if template.status != RecurringStatus.ACTIVE or period is None or period > today:
            return None
        issued = Invoice.objects.for_org(org).filter(recurring=template, recurring_period=period)
        if issued.exists():
            _advance(org, template, period)
            return None
        try:
            with transaction.atomic():
                invoice = invoice_create(
                    org=org, actor=None, data=_invoice_data(org, template, period, today)
                )
                invoice.recurring = template
                invoice.recurring_period = period
                invoice.save(update_fields=["recurring", "recurring_period"])
                invoice = invoice_issue(org=org, actor=None, invoice=invoice, on=period)
        except IntegrityError:
            if not issued.exists():
                raise
            _advance(org, template, period)
            return None
        except (ValidationError, NotInOrganization) as exc:
            message = exc.messages if isinstance(exc, ValidationError) else exc.message
            logger.warning("recurring invoice %s cannot issue %s: %s", template.pk, period, message)
            return None
        _advance(org, template, period)
        if template.auto_send:
            _send(org, invoice)
    return invoice


def recurring_catch_up(
    *, org: Organization, template_id: int, today: date | None = None, limit: int = CATCH_UP_LIMIT
) -> list[Invoice]:
    """Issue every period of the template that is due, oldest first, each in its own
    transaction. Stops when nothing more is due, or when a period does not move (another
    worker holds the template, or it cannot be issued)."""
    today = today or org_today(org)
    invoices: list[Invoice] = []
    for _ in range(limit):
        before = RecurringInvoice.objects.for_org(org).filter(pk=template_id).first()
        if before is None or before.status != RecurringStatus.ACTIVE:
            break
        if before.next_date is None or before.next_date > today:
            break
        invoice = recurring_issue_due(org=org, template_id=template_id, today=today)
        if invoice is not None:
            invoices.append(invoice)
            continue
        after = RecurringInvoice.objects.for_org(org).filter(pk=template_id).first()
        if after is None or after.next_date == before.next_date:
            break
    return invoices


def recurring_due(*, now: datetime) -> list[tuple[int, int]]:
    """(org id, template id) of every active template whose next period has come in its
    organization's calendar. Cross-tenant by nature, like the other sweeps."""
    utc_today = now.astimezone(ZoneInfo("UTC")).date()
    # No organization is more than a day ahead of UTC (UTC+14 at most), so this indexed
    # prefilter (recurring_due_idx: next_date where active) finds every candidate; the exact
    # check is per organization's zone below.
    candidates = (
        RecurringInvoice.objects.filter(
            status=RecurringStatus.ACTIVE, next_date__lte=utc_today + timedelta(days=1)
        )
        .order_by("next_date", "pk")
        .values_list("organization_id", "pk", "next_date", "organization__timezone")
    )
    today_in: dict[str, date] = {}
    due: list[tuple[int, int]] = []
    for org_id, template_id, next_date, zone in candidates.iterator():
        if zone not in today_in:
            today_in[zone] = now.astimezone(ZoneInfo(zone)).date()
        if next_date is not None and next_date <= today_in[zone]:
            due.append((org_id, template_id))
    return due


def recurring_sweep(*, now: datetime | None = None) -> int:
    """Queue one issue task per due template; returns how many. A template queued twice (two
    sweeps close together, or two beats) is issued once: the task takes the template's lock
    and the unique period constraint stops a second invoice."""
    from invoicing.recurring_tasks import recurring_invoice_issue  # tasks import this module

    due = recurring_due(now=now or timezone.now())
    for org_id, template_id in due:
        recurring_invoice_issue.delay(org_id, template_id)
    return len(due)

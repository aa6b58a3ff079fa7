"""Reads of promises to pay, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from arhub.clock import org_today
from arhub.models import Organization
from invoicing.models import OUTSTANDING_STATUSES, Invoice
from payments.models import PaymentPlanInvoice, PromiseStatus, PromiseToPay
from payments.plan_models import LIVE_PLAN_STATUSES
from payments.selectors import payment_settings_get


def open_promises_by_invoice(
    *, org: Organization, invoice_ids: Iterable[int]
) -> dict[int, PromiseToPay]:
    """The open promise of each invoice that has one, in one query (at most one each, a
    constraint says so). An open promise past its date stays open through the grace days,
    until it is kept or broken."""
    rows = PromiseToPay.objects.for_org(org).filter(
        invoice_id__in=list(invoice_ids), status=PromiseStatus.OPEN
    )
    return {promise.invoice_id: promise for promise in rows}


# The dashboard's order: what needs watching first, then what went wrong, then what went well.
STATUS_ORDER = Case(
    When(status=PromiseStatus.OPEN, then=Value(0)),
    When(status=PromiseStatus.BROKEN, then=Value(1)),
    When(status=PromiseStatus.KEPT, then=Value(2)),
    default=Value(3),
)


def promise_list(
    *,
    org: Organization,
    status: str | None = None,
    invoice_id: int | None = None,
    customer_id: int | None = None,
) -> QuerySet[PromiseToPay]:
    """Newest made first, with invoice and customer; filters combine."""
    promises = PromiseToPay.objects.for_org(org).select_related("invoice", "customer", "created_by")
    if status:
        promises = promises.filter(status=status)
    if invoice_id is not None:
        promises = promises.filter(invoice_id=invoice_id)
    if customer_id is not None:
        promises = promises.filter(customer_id=customer_id)
    return promises.order_by("-created_at", "-pk")


def promise_list_by_state(
    *, org: Organization, status: str | None = None
) -> QuerySet[PromiseToPay]:
    """The dashboard's list: open ones first (soonest date first), then broken, kept and
    cancelled (most recent first)."""
    return promise_list(org=org, status=status).order_by(
        STATUS_ORDER,
        Case(When(status=PromiseStatus.OPEN, then="promised_date")),
        "-created_at",
        "-pk",
    )


def promise_get(*, org: Organization, promise_id: int) -> PromiseToPay:
    """A promise of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(
        PromiseToPay.objects.for_org(org).select_related("invoice", "customer", "created_by"),
        pk=promise_id,
    )


# Why an invoice cannot take a promise, by code (the pay page words them for the customer).
NOT_OPEN = "not_open"
IN_PLAN = "in_plan"
ALREADY_PROMISED = "already_promised"
BROKEN_BEFORE = "broken_before"
DISABLED = "disabled"


def day_text(day: date) -> str:
    """A date in the owner's messages: "4 April 2027"."""
    return f"{day:%-d %B %Y}"


def promise_date_limits(*, org: Organization, today: date | None = None) -> tuple[date, date]:
    """The first and last day a promise made now may name: the organization's today, and
    ``promise_max_days`` after it."""
    today = today or org_today(org)
    return today, today + timedelta(days=payment_settings_get(org=org).promise_max_days)


def promise_refusal(
    *, org: Organization, invoice: Invoice, by_customer: bool
) -> ValidationError | None:
    """Why ``invoice`` cannot take a new promise now (an error under ``invoice`` with one of the
    codes above), or None. The customer is also refused when the business turned promises off,
    or after breaking one on this invoice: the owner may still record one on their word."""
    label = invoice.number or "This invoice"
    problem: tuple[str, str] | None = None
    if invoice.status not in OUTSTANDING_STATUSES or invoice.balance_due <= 0:
        problem = (f"{label} has nothing left to pay, so it takes no promise.", NOT_OPEN)
    elif (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(invoice=invoice, released_at__isnull=True, plan__status__in=LIVE_PLAN_STATUSES)
        .exists()
    ):
        problem = (f"{label} is in a payment plan; the plan's dates apply instead.", IN_PLAN)
    else:
        promises = PromiseToPay.objects.for_org(org).filter(invoice=invoice)
        current = promises.filter(status=PromiseStatus.OPEN).first()
        if current is not None:
            problem = (
                f"{label} already has a promise to pay by {day_text(current.promised_date)}; "
                "cancel it first to record another.",
                ALREADY_PROMISED,
            )
        elif by_customer and not payment_settings_get(org=org).promises_enabled:
            problem = ("Promises to pay are turned off in Settings → Payments.", DISABLED)
        elif by_customer and promises.filter(status=PromiseStatus.BROKEN).exists():
            problem = (f"A promise on {label} was broken before.", BROKEN_BEFORE)
    if problem is None:
        return None
    return ValidationError({"invoice": ValidationError(problem[0], code=problem[1])})

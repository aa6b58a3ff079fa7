"""What a payment plan may be, checked before anything is saved: the limits a customer chooses
within, the invoices (open, one customer, one currency, in no other live plan), the schedule
(by count and frequency, or the owner's own instalments), and the plan's rows once agreed.

The invoices are locked (``select_for_update``, by id: the order payments lock them in) before
their balances are read, so a payment arriving meanwhile waits, and a second plan on the same
invoice finds the first one (a partial unique index backs this). Errors are ValidationErrors
keyed by field: ``count``, ``frequency``, ``start_date``, ``instalments``, ``invoices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from arhub.clock import org_today
from arhub.locales import currency_minor_units
from arhub.messaging.placeholders import format_day
from arhub.models import Organization, User
from arhub.money import ZERO, is_quantized, minor_unit, money_format, quantize
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice, InvoiceStatus
from payments.models import (
    Instalment,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanFrequency,
    PlanOrigin,
    PlanStatus,
)
from payments.plan_schedule import ScheduledInstalment, plan_schedule
from payments.selectors import payment_settings_get

# How far ahead a customer may put the first payment.
START_WITHIN_DAYS = 30
# Owners may go past the organization's limits, not past this.
MOST_INSTALMENTS = 120
NOTE_MAX = 2000

_NOT_OPEN = {
    InvoiceStatus.DRAFT: "is a draft; issue it first.",
    InvoiceStatus.PAID: "is already paid.",
    InvoiceStatus.VOID: "is void, so nothing is owed on it.",
    InvoiceStatus.UNCOLLECTIBLE: "was written off.",
}


@dataclass(frozen=True)
class PlanLimits:
    """What a customer may choose for ``balance``: a count in ``counts`` (each instalment at
    least ``min_instalment``), a frequency in ``frequencies``, a first payment from today to
    ``latest_start``. ``counts`` is empty when the balance is too small for a plan."""

    currency: str
    balance: Decimal
    counts: list[int]
    frequencies: list[str]
    min_instalment: Decimal
    latest_start: date


def _smallest_part(balance: Decimal, count: int, currency: str) -> Decimal:
    # split_evenly gives the extra units to the last instalments: the first is the smallest.
    unit = minor_unit(currency)
    return (balance / unit // count) * unit


def plan_limits(*, org: Organization, currency: str, balance: Decimal) -> PlanLimits:
    settings = payment_settings_get(org=org)
    # A minimum above the whole balance would rule out every plan; it is capped at the balance.
    least = min(quantize(settings.plan_min_instalment, currency), balance)
    least = max(least, minor_unit(currency))
    counts = [
        count
        for count in range(2, settings.plan_max_instalments + 1)
        if _smallest_part(balance, count, currency) >= least
    ]
    return PlanLimits(
        currency=currency,
        balance=balance,
        counts=counts,
        frequencies=[f for f in PlanFrequency.values if f in (settings.plan_frequencies or [])],
        min_instalment=least,
        latest_start=org_today(org) + timedelta(days=START_WITHIN_DAYS),
    )


# ---- checking what was asked


def clean_text(value: str, field: str, *, required: str = "", most: int = NOTE_MAX) -> str:
    """``value`` stripped; ValidationError under ``field`` when blank and ``required`` (the
    message), or longer than ``most``."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > most:
        raise ValidationError({field: f"Keep it to {most} characters or fewer."})
    return value


def plan_invoices_lock(
    org: Organization, customer: Customer, invoices: Sequence[Invoice]
) -> tuple[list[Invoice], str, Decimal]:
    """The invoices locked and checked: (invoices, currency, what they owe together)."""
    if customer.organization_id != org.pk:
        raise ValidationError({"customer": "This customer does not exist."})
    ids = {invoice.pk for invoice in invoices}
    if not ids:
        raise ValidationError({"invoices": "Choose at least one invoice."})
    locked = list(
        Invoice.objects.for_org(org).select_for_update().filter(pk__in=ids).order_by("pk")
    )
    missing = sorted(ids - {invoice.pk for invoice in locked})
    if missing:
        raise ValidationError({"invoices": f"Invoice {missing[0]} does not exist."})
    problems = []
    currency = locked[0].currency
    for invoice in locked:
        label = invoice.number or f"Invoice {invoice.pk}"
        if invoice.customer_id != customer.pk:
            problems.append(f"{label} belongs to another customer.")
        elif invoice.status not in OUTSTANDING_STATUSES or invoice.balance_due <= 0:
            reason = _NOT_OPEN.get(InvoiceStatus(invoice.status), "has nothing left to pay.")
            problems.append(f"{label} {reason}")
        elif invoice.currency != currency:
            problems.append(
                f"{label} is in {invoice.currency}, the others in {currency}; a plan covers "
                "invoices in one currency."
            )
    live = PaymentPlanInvoice.objects.for_org(org).filter(
        invoice_id__in=ids, released_at__isnull=True
    )
    for link in live.select_related("invoice", "plan"):
        label = link.invoice.number or f"Invoice {link.invoice_id}"
        problems.append(
            f"{label} is already in a payment plan ({link.plan.get_status_display().lower()})."
        )
    if problems:
        raise ValidationError({"invoices": problems})
    return locked, currency, sum((invoice.balance_due for invoice in locked), ZERO)


def _day(org: Organization, day: date) -> str:
    return format_day(day, locale=org.locale.replace("-", "_"))


def _count_problem(org: Organization, count: int, limits: PlanLimits | None) -> str:
    if limits is None:
        if not 1 <= count <= MOST_INSTALMENTS:
            return f"Choose from 1 to {MOST_INSTALMENTS} instalments."
        return ""
    if count in limits.counts:
        return ""
    least = money_format(limits.min_instalment, limits.currency, org.locale)
    if not limits.counts:
        owed = money_format(limits.balance, limits.currency, org.locale)
        return f"{owed} is too little to split: each instalment must be at least {least}."
    return (
        f"Choose from {limits.counts[0]} to {limits.counts[-1]} instalments "
        f"(each at least {least})."
    )


def _frequency_problem(frequency: str | None, limits: PlanLimits | None) -> str:
    allowed = limits.frequencies if limits is not None else list(PlanFrequency.values)
    if not frequency:
        return "Choose how often to pay."
    if frequency not in allowed:
        words = ", ".join(PlanFrequency(f).label.lower() for f in allowed) or "none"
        return f"“{frequency}” is not offered; choose one of: {words}."
    return ""


def _start_problem(org: Organization, start_date: date | None, limits: PlanLimits | None) -> str:
    if start_date is None:
        return "Choose the date of the first payment."
    if start_date < org_today(org):
        return "The first payment cannot be in the past."
    if limits is not None and start_date > limits.latest_start:
        return f"The first payment must be on or before {_day(org, limits.latest_start)}."
    return ""


def _explicit(
    org: Organization, *, balance: Decimal, currency: str, rows: Sequence[tuple[date, Decimal]]
) -> list[ScheduledInstalment]:
    """The owner's own instalments, checked: dates strictly later each time and not past,
    amounts above zero in the currency's units, adding up to the balance exactly."""
    if not rows:
        raise ValidationError({"instalments": "Give at least one instalment."})
    if len(rows) > MOST_INSTALMENTS:
        raise ValidationError({"instalments": f"At most {MOST_INSTALMENTS} instalments."})
    today, problems = org_today(org), []
    previous: date | None = None
    for n, (due_date, amount) in enumerate(rows, 1):
        if due_date < today:
            problems.append(f"Instalment {n} is due {_day(org, due_date)}, in the past.")
        elif previous is not None and due_date <= previous:
            problems.append(
                f"Instalment {n} must be due after instalment {n - 1} ({_day(org, previous)})."
            )
        previous = due_date
        if amount <= 0:
            problems.append(f"Instalment {n} must be more than zero.")
        elif not is_quantized(amount, currency):
            places = currency_minor_units(currency)
            problems.append(f"Instalment {n}: {currency} amounts have at most {places} decimals.")
    total = sum((amount for _, amount in rows), ZERO)
    if not problems and total != balance:
        problems.append(
            f"The instalments add up to {money_format(total, currency, org.locale)}, but "
            f"{money_format(balance, currency, org.locale)} is owed; they must match exactly."
        )
    if problems:
        raise ValidationError({"instalments": problems})
    return [ScheduledInstalment(due_date=day, amount=amount) for day, amount in rows]


def plan_terms(
    org: Organization,
    *,
    balance: Decimal,
    currency: str,
    count: int | None,
    frequency: str | None,
    start_date: date | None,
    instalments: Sequence[tuple[date, Decimal]] | None = None,
    limits: PlanLimits | None = None,
) -> list[ScheduledInstalment]:
    """The schedule asked for, checked: within ``limits`` (a customer) or without (the owner,
    when ``limits`` is None, who may also give each instalment)."""
    if instalments is not None:
        if count is not None or frequency or start_date is not None:
            raise ValidationError(
                {"instalments": "Give either the instalments or a count, frequency and start "
                 "date, not both."}
            )  # fmt: skip
        return _explicit(org, balance=balance, currency=currency, rows=instalments)
    errors = {
        "count": "Choose how many instalments." if count is None else "",
        "frequency": _frequency_problem(frequency, limits),
        "start_date": _start_problem(org, start_date, limits),
    }
    if count is not None and not errors["count"]:
        errors["count"] = _count_problem(org, count, limits)
    errors = {field: message for field, message in errors.items() if message}
    if errors:
        raise ValidationError(errors)
    if count is None or not frequency or start_date is None:  # for the type checker
        raise ValidationError({"count": "Choose how many instalments."})
    try:
        return plan_schedule(
            total=balance,
            currency=currency,
            count=count,
            frequency=frequency,
            start_date=start_date,
        )
    except ValueError:
        owed = money_format(balance, currency, org.locale)
        raise ValidationError(
            {"count": f"{owed} cannot be split into {count} instalments."}
        ) from None


# ---- making plans


def plan_create(
    org: Organization,
    *,
    customer: Customer,
    invoices: list[Invoice],
    schedule: list[ScheduledInstalment],
    origin: PlanOrigin,
    actor: User | None,
    frequency: str | None,
    note: str = "",
    message: str = "",
    counter_to: PaymentPlan | None = None,
) -> PaymentPlan:
    """A proposed plan over the (locked, checked) invoices, as they stand."""
    plan = PaymentPlan.objects.create(
        organization=org,
        customer=customer,
        currency=invoices[0].currency,
        total=sum((invoice.balance_due for invoice in invoices), ZERO),
        status=PlanStatus.PROPOSED,
        origin=origin,
        frequency=frequency or "",
        customer_note=note,
        owner_message=message,
        counter_to=counter_to,
        created_by=actor,
    )
    PaymentPlanInvoice.objects.bulk_create(
        PaymentPlanInvoice(
            organization=org, plan=plan, invoice=invoice, balance_at_start=invoice.balance_due
        )
        for invoice in invoices
    )
    Instalment.objects.bulk_create(
        Instalment(organization=org, plan=plan, seq=n, due_date=row.due_date, amount=row.amount)
        for n, row in enumerate(schedule, 1)
    )
    return plan


def plan_summary(org: Organization, plan: PaymentPlan, count: int) -> str:
    total = money_format(plan.total, plan.currency, org.locale)
    how = f" {PlanFrequency(plan.frequency).label.lower()}" if plan.frequency else ""
    return f"{total} in {count} instalment{'' if count == 1 else 's'}{how}"

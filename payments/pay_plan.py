"""Payment plans on the customer's pay page: the "Ask for a payment plan" choice, the form at
``/pay/v/<key>/plan/`` that shows the exact schedule before anything is sent, the panel that
shows a plan asked for, offered or running (with what is paid and what is next), and accepting
an owner's offer.

The form is a GET that shows the schedule for the choices made (no script needed), and a POST
that sends the request; ``plan_request`` checks everything again and has the last word. The
customer then comes back to the pay page, which says whether the plan started at once or waits
for the owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from arhub.clock import org_today
from arhub.money import ZERO
from invoicing.models import OUTSTANDING_STATUSES
from invoicing.pdf_context import Formatter, brand_for, formatter_for
from payments.models import Instalment, PaymentPlan, PlanOrigin, PlanStatus
from payments.pay_access import InvoiceAccess, invoice_access, post_from_elsewhere
from payments.pay_arrangements import Choice, Contribution, Panel
from payments.pay_labels import Days
from payments.pay_responses import private
from payments.pay_sessions import GrantKind, grant_find, grant_notice_set
from payments.plan_forms import NOTE_LIMIT, PlanRequestForm
from payments.plan_schedule import plan_schedule
from payments.plan_selectors import live_plan_for_invoice
from payments.plan_services import PlanLimits, plan_accept, plan_limits, plan_request
from payments.plan_words import NOTICES, plan_words
from payments.selectors import payment_settings_get

STARTED, WAITING, ACCEPTED, NOT_ACCEPTED = (
    "plan_started",
    "plan_waiting",
    "plan_accepted",
    "plan_not_accepted",
)
# An instalment this close counts as due now on the schedule.
DUE_SOON = timedelta(days=7)


def instalment_state(instalment: Instalment, *, today: date) -> str:
    """paid, overdue, due (today or within a week) or upcoming: the same on both sides."""
    if instalment.remaining <= 0:
        return "paid"
    if instalment.due_date < today:
        return "overdue"
    if instalment.due_date <= today + DUE_SOON:
        return "due"
    return "upcoming"


def schedule_rows(
    instalments: Sequence[Instalment],
    *,
    fmt: Formatter,
    days: Days,
    today: date,
    words: dict[str, str],
) -> list[dict[str, Any]]:
    rows = []
    for item in instalments:
        state = instalment_state(item, today=today)
        text = words[f"status_{state}"]
        if state != "paid" and item.amount_paid > 0:
            text += " · " + words["status_part"].format(paid=fmt.money(item.amount_paid))
        rows.append(
            {
                "label": words["payment_n"].format(n=item.seq),
                "date": days.short(item.due_date, today=today),
                "iso": item.due_date.isoformat(),
                "amount": fmt.money(item.amount),
                "state": state,
                "status": text,
            }
        )
    return rows


def _context(access: InvoiceAccess, language: str) -> tuple[Formatter, Days, date, dict[str, str]]:
    org = access.org
    fmt = formatter_for(org, access.invoice.currency)
    return (
        fmt,
        Days.of(org_locale=org.locale, language=language),
        org_today(org),
        plan_words(language),
    )


def _limits(access: InvoiceAccess) -> PlanLimits | None:
    """The organization's limits for this invoice, or None when it cannot be asked for here."""
    org, invoice = access.org, access.invoice
    if invoice.status not in OUTSTANDING_STATUSES or invoice.balance_due <= 0:
        return None
    if not payment_settings_get(org=org).plans_enabled:
        return None
    if live_plan_for_invoice(org=org, invoice=invoice) is not None:
        return None
    limits = plan_limits(org=org, currency=invoice.currency, balance=invoice.balance_due)
    return limits if limits.counts and limits.frequencies else None


def _panel(access: InvoiceAccess, plan: PaymentPlan, language: str) -> Panel:
    org = access.org
    fmt, days, today, words = _context(access, language)
    instalments = list(plan.instalments.order_by("seq"))
    numbers = list(plan.plan_invoices.order_by("pk").values_list("invoice__number", flat=True))
    count, total = len(instalments), fmt.money(plan.total)
    context: dict[str, Any] = {
        "words": words,
        "plan": plan,
        "rows": schedule_rows(instalments, fmt=fmt, days=days, today=today, words=words),
        "covers": words["covers"].format(numbers=", ".join(numbers)) if len(numbers) > 1 else "",
        "notice": words[NOTICES[access.notice]].format(org=org.name)
        if access.notice in NOTICES
        else "",
        "problem": words["accept_failed"].format(org=org.name)
        if access.notice == NOT_ACCEPTED
        else "",
    }
    if plan.status == PlanStatus.ACTIVE:
        paid = sum((item.amount_paid for item in instalments), ZERO)
        upcoming = [item for item in instalments if item.remaining > 0]
        context |= {
            "heading": words["active_heading"],
            "text": words["active_summary"].format(paid=fmt.money(paid), total=total),
            "next": words["active_next"].format(
                amount=fmt.money(upcoming[0].remaining),
                date=days.short(upcoming[0].due_date, today=today),
            )
            if upcoming
            else "",
            "status_column": True,
        }
    elif plan.origin == PlanOrigin.OWNER:
        context |= {
            "heading": words["offer_heading"].format(org=org.name),
            "text": words["offer_text"].format(total=total, count=count),
            "message": plan.owner_message,
            "accept_url": reverse("pay_plan_accept", args=[access.grant.key]),
        }
    else:
        context |= {
            "heading": words["waiting_heading"],
            "text": words["waiting_text"].format(
                date=days.short(plan.created_at.date(), today=today),
                total=total,
                count=count,
                org=org.name,
            ),
        }
    return Panel("payments/_pay_plan.html", context)


def _declined_panel(access: InvoiceAccess, language: str) -> Panel | None:
    """The answer to the customer's last request, when the owner said no."""
    latest = (
        PaymentPlan.objects.for_org(access.org)
        .filter(plan_invoices__invoice=access.invoice, origin=PlanOrigin.CUSTOMER)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.status != PlanStatus.DECLINED:
        return None
    words = plan_words(language)
    return Panel(
        "payments/_pay_plan.html",
        {
            "words": words,
            "heading": words["declined_heading"],
            "text": words["declined_text"].format(org=access.org.name),
            "message": latest.owner_message,
        },
    )


def pay_plan_contribution(access: InvoiceAccess, payable: bool, language: str) -> Contribution:
    plan = live_plan_for_invoice(org=access.org, invoice=access.invoice)
    if plan is not None:
        return Contribution(panel=_panel(access, plan, language))
    limits = _limits(access) if payable else None
    choice = None
    if limits is not None:
        words = plan_words(language)
        choice = Choice(
            key="plan",
            label=words["choice"],
            hint=words["choice_hint"].format(n=max(limits.counts)),
            url=reverse("pay_plan", args=[access.grant.key]),
        )
    return Contribution(choice=choice, panel=_declined_panel(access, language))


# ---- The request form


def _form(
    access: InvoiceAccess, limits: PlanLimits, data: Any, language: str
) -> tuple[PlanRequestForm, Days, date]:
    _, days, today, words = _context(access, language)
    last = max(limits.latest_start, today)
    frequencies = list(limits.frequencies)
    initial = {
        "count": 3 if 3 in limits.counts else limits.counts[0],
        "frequency": "monthly" if "monthly" in frequencies else frequencies[0],
        "start_date": min(today + timedelta(days=7), last),
    }
    form = PlanRequestForm(
        data,
        initial=initial,
        counts=limits.counts,
        frequencies=frequencies,
        first=today,
        last=last,
        words=words,
        language=language,
        dates={"first": days.long(today), "last": days.long(last), "example": last.isoformat()},
    )
    return form, days, today


def _page(
    request: HttpRequest,
    access: InvoiceAccess,
    limits: PlanLimits,
    form: PlanRequestForm,
    days: Days,
    today: date,
) -> HttpResponse:
    org, invoice = access.org, access.invoice
    language = invoice.customer.language
    words = form.words
    fmt = formatter_for(org, invoice.currency)
    preview: list[dict[str, Any]] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            parts = plan_schedule(
                total=invoice.balance_due,
                currency=invoice.currency,
                count=data["count"],
                frequency=data["frequency"],
                start_date=data["start_date"],
            )
        except ValueError:
            form.add_error("count", words["too_small"])
            parts = []
        preview = [
            {
                "label": words["payment_n"].format(n=n),
                "date": days.short(part.due_date, today=today),
                "iso": part.due_date.isoformat(),
                "amount": fmt.money(part.amount),
            }
            for n, part in enumerate(parts, start=1)
        ]
    balance = fmt.money(invoice.balance_due)
    context = {
        "org": org,
        "brand": brand_for(org),
        "language": language,
        "words": words,
        "form": form,
        "key": access.grant.key,
        "title": words["title"].format(number=invoice.number),
        "intro": words["intro"].format(amount=balance),
        "start_help": words["start_help"].format(
            first=days.long(form.first), last=days.long(form.last)
        ),
        "min_help": words["min_help"].format(minimum=fmt.money(limits.min_instalment))
        if limits.min_instalment > 0
        else "",
        "preview": preview,
        "caption": words["schedule_caption"].format(count=len(preview), number=invoice.number),
        "total": balance,
        "adds_up": words["adds_up"].format(total=balance),
        "send_hint": words["send_hint"].format(org=org.name),
        "note_limit": NOTE_LIMIT,
    }
    return private(render(request, "payments/plans/pay_form.html", context))


def _refused(form: PlanRequestForm, exc: ValidationError, org_name: str) -> None:
    """``plan_request`` refused what the form let through (the limits or the invoice changed
    meanwhile): its reasons beside the fields they name, in the customer's words."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {}
    words = form.words
    named = False
    for key in ("count", "frequency", "start_date"):
        if key in found:
            form.add_error(key, [str(m) for e in found[key] for m in e.messages])
            named = True
    if "note" in found or "message" in found:
        form.add_error("note", words["note_long"].format(limit=NOTE_LIMIT))
        named = True
    if not named:
        form.add_error(None, words["unavailable"].format(org=org_name))


def _leave_notice(request: HttpRequest, key: str, notice: str) -> HttpResponse:
    # The grant as the session holds it now (invoice_access just renewed it).
    grant = grant_find(request, key, kind=GrantKind.INVOICE)
    if grant is not None:
        grant_notice_set(request, grant, notice)
    return private(redirect("pay_view", key=key))


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_plan(request: HttpRequest, key: str) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    limits = _limits(access)
    if limits is None:
        # Paid, already in a plan, or plans turned off: the pay page says what applies.
        return private(redirect("pay_view", key=key))
    language = access.invoice.customer.language
    posted = request.method == "POST" and not post_from_elsewhere(request)
    chosen = any(name in request.GET for name in ("count", "frequency", "start_date"))
    data = request.POST if posted else (request.GET if chosen else None)
    form, days, today = _form(access, limits, data, language)
    if not posted or not form.is_valid():
        return _page(request, access, limits, form, days, today)
    org, invoice = access.org, access.invoice
    try:
        plan = plan_request(
            org=org,
            customer=invoice.customer,
            invoices=[invoice],
            count=form.cleaned_data["count"],
            frequency=form.cleaned_data["frequency"],
            start_date=form.cleaned_data["start_date"],
            note=form.cleaned_data["note"].strip(),
        )
    except ValidationError as exc:
        _refused(form, exc, org.name)
        return _page(request, access, limits, form, days, today)
    return _leave_notice(request, key, STARTED if plan.status == PlanStatus.ACTIVE else WAITING)


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_plan_accept(request: HttpRequest, key: str) -> HttpResponse:
    """ "Accept this plan": the owner's offer (or counter-offer) on this invoice starts. A GET,
    or an offer no longer there, just goes back to the page, which shows what stands."""
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    if request.method != "POST" or post_from_elsewhere(request):
        return private(redirect("pay_view", key=key))
    plan = live_plan_for_invoice(org=access.org, invoice=access.invoice)
    if plan is None or plan.status != PlanStatus.PROPOSED or plan.origin != PlanOrigin.OWNER:
        return private(redirect("pay_view", key=key))
    try:
        plan_accept(org=access.org, plan=plan)
    except ValidationError:
        return _leave_notice(request, key, NOT_ACCEPTED)
    return _leave_notice(request, key, ACCEPTED)

"""Promises to pay on the customer's pay page: the "Promise to pay by a date" choice, the short
form at ``/pay/v/<key>/promise/``, and the panel that tells the customer what they promised.

The choice shows only where a promise can be made (``promise_services.promise_refusal``); the
form checks the date in the customer's words and ``promise_make`` checks everything again, its
word final. After a promise the customer is sent back to the pay page, which thanks them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from arhub.clock import org_today
from invoicing.pdf_context import brand_for, formatter_for
from payments.models import PromiseStatus, PromiseToPay
from payments.pay_access import InvoiceAccess, invoice_access, post_from_elsewhere
from payments.pay_arrangements import Choice, Contribution, Panel
from payments.pay_labels import Days
from payments.pay_responses import private
from payments.pay_sessions import GrantKind, grant_find, grant_notice_set
from payments.promise_selectors import promise_date_limits, promise_refusal
from payments.promise_services import NOTE_LIMIT, promise_make
from payments.promise_words import promise_words

MADE = "promise_made"


def _days(access: InvoiceAccess, language: str) -> Days:
    return Days.of(org_locale=access.org.locale, language=language)


def pay_promise_contribution(access: InvoiceAccess, payable: bool, language: str) -> Contribution:
    org, invoice = access.org, access.invoice
    words, days, today = promise_words(language), _days(access, language), org_today(org)
    latest = PromiseToPay.objects.for_org(org).filter(invoice=invoice).first()
    panel = None
    if latest is not None and latest.status == PromiseStatus.OPEN:
        when = days.short(latest.promised_date, today=today)
        panel = Panel(
            "payments/_pay_promise.html",
            {
                "heading": words["open_heading"],
                "text": words["open_panel"].format(date=when),
                "notice": words["made_notice"].format(date=when) if access.notice == MADE else "",
            },
        )
    elif latest is not None and latest.status == PromiseStatus.KEPT:
        panel = Panel(
            "payments/_pay_promise.html",
            {"heading": words["kept_heading"], "text": words["kept_panel"]},
        )
    choice = None
    if payable and promise_refusal(org=org, invoice=invoice, by_customer=True) is None:
        _, last = promise_date_limits(org=org, today=today)
        choice = Choice(
            key="promise",
            label=words["choice"],
            hint=words["choice_hint"].format(last=days.short(last, today=today)),
            url=reverse("pay_promise", args=[access.grant.key]),
        )
    return Contribution(choice=choice, panel=panel)


class PromiseForm(forms.Form):
    """The date (a date input, ISO from the browser; a typed ISO date where there is none) and
    an optional note, refused in the customer's words."""

    promised_date = forms.DateField(input_formats=["%Y-%m-%d"])
    note = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(
        self, *args: Any, first: date, last: date, words: dict[str, str], days: Days, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.last, self.words, self.days = first, last, words, days
        self.fields["promised_date"].error_messages = {
            "required": words["date_missing"],
            "invalid": words["date_invalid"].format(example=last.isoformat()),
        }

    def clean_promised_date(self) -> date:
        value: date = self.cleaned_data["promised_date"]
        if value < self.first:
            raise ValidationError(self.words["date_past"].format(first=self.days.long(self.first)))
        if value > self.last:
            raise ValidationError(
                self.words["date_too_late"].format(last=self.days.long(self.last))
            )
        return value

    def clean_note(self) -> str:
        note: str = self.cleaned_data.get("note", "").strip()
        if len(note) > NOTE_LIMIT:
            raise ValidationError(self.words["note_too_long"].format(limit=NOTE_LIMIT))
        return note


def _form_page(request: HttpRequest, access: InvoiceAccess, form: PromiseForm) -> HttpResponse:
    org, invoice = access.org, access.invoice
    language = invoice.customer.language
    words = form.words
    fmt = formatter_for(org, invoice.currency)
    context = {
        "org": org,
        "brand": brand_for(org),
        "language": language,
        "words": words,
        "form": form,
        "key": access.grant.key,
        "title": words["title"].format(number=invoice.number),
        "intro": words["intro"].format(amount=fmt.money(invoice.balance_due)),
        "date_help": words["date_help"].format(
            first=form.days.long(form.first), last=form.days.long(form.last)
        ),
        "first": form.first.isoformat(),
        "last": form.last.isoformat(),
        "note_limit": NOTE_LIMIT,
    }
    return private(render(request, "payments/promises/pay_form.html", context))


def _words_for_refusal(form: PromiseForm, exc: ValidationError) -> None:
    """``promise_make`` refused what the form let through (the limits or the invoice changed
    meanwhile): its reasons, in the customer's words."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {}
    if "promised_date" in found:
        form.add_error(
            "promised_date", form.words["date_too_late"].format(last=form.days.long(form.last))
        )
    if "note" in found:
        form.add_error("note", form.words["note_too_long"].format(limit=NOTE_LIMIT))
    if "invoice" in found or not found:
        form.add_error(None, form.words["unavailable"])


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_promise(request: HttpRequest, key: str) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    org, invoice = access.org, access.invoice
    if promise_refusal(org=org, invoice=invoice, by_customer=True) is not None:
        # Paid, in a plan, promised already or turned off: the pay page says what applies.
        return private(redirect("pay_view", key=key))
    language = invoice.customer.language
    first, last = promise_date_limits(org=org)
    posted = request.method == "POST" and not post_from_elsewhere(request)
    form = PromiseForm(
        request.POST if posted else None,
        first=first,
        last=last,
        words=promise_words(language),
        days=_days(access, language),
    )
    if not posted:
        return _form_page(request, access, form)
    if not form.is_valid():
        return _form_page(request, access, form)
    try:
        promise_make(
            org=org,
            invoice=invoice,
            promised_date=form.cleaned_data["promised_date"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _words_for_refusal(form, exc)
        return _form_page(request, access, form)
    grant = grant_find(request, key, kind=GrantKind.INVOICE)
    if grant is not None:
        grant_notice_set(request, grant, MADE)
    return private(redirect("pay_view", key=key))

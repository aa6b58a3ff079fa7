"""The pay page a customer reaches from the link on an invoice, and its PDF.

``/pay/<token>/`` only trades the token for a pay session and redirects
(``payments.pay_access``); the page itself is ``/pay/v/<key>/``, whose key means something only
in this browser's session. It shows the itemized invoice, what has been paid, late fees and the
early-payment discount, the amount due today and every way to pay; a paid invoice shows its
receipt. "Pay online" is a plain form: its POST makes a Stripe Checkout Session and redirects
there, the one step that leaves the page (no script needed). When Stripe cannot be reached the
page says so and shows the other ways to pay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from arhub.clock import org_today
from invoicing.models import OUTSTANDING_STATUSES
from invoicing.pdf import invoice_pdf, invoice_pdf_filename
from invoicing.pdf_context import (
    Formatter,
    InvoiceDocument,
    TotalRow,
    formatter_for,
    invoice_document,
)
from invoicing.pdf_views import pdf_response
from payments.checkout import CheckoutLine, checkout_start
from payments.pay_access import (
    InvoiceAccess,
    invoice_access,
    pay_link_exchange,
    post_from_elsewhere,
)
from payments.pay_arrangements import pay_arrangements
from payments.pay_forms import OTHER, PayAmountForm
from payments.pay_labels import notice_text, words_for
from payments.pay_options import PayOptions, checkout_origin, pay_options
from payments.pay_responses import private
from payments.pay_sessions import GrantKind, grant_open
from payments.pay_summary import PaySummary, pay_summary
from payments.plan_selectors import active_plans_by_invoice, plan_due
from payments.statement_links import statement_link_active
from payments.stripe_client import StripeKeyRefused, StripeNotConnected, StripeUnavailable

logger = logging.getLogger(__name__)


@require_safe
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    return pay_link_exchange(request, token)


@dataclass(frozen=True)
class PageState:
    """Everything one request needs to show or check the page, worked out once."""

    words: dict[str, str]
    language: str
    fmt: Formatter
    doc: InvoiceDocument
    summary: PaySummary
    options: PayOptions
    payable: bool
    minimum: Decimal
    # An active payment plan covers the invoice: it asks for less than the balance, and any
    # amount up to the balance may be paid.
    on_plan: bool = False

    @property
    def allow_partial(self) -> bool:
        return self.options.allow_partial or self.on_plan

    def form(self, data: QueryDict | None = None) -> PayAmountForm:
        return PayAmountForm(
            data,
            due=self.summary.due,
            allow_partial=self.allow_partial,
            minimum=self.minimum,
            fmt=self.fmt,
            words=self.words,
        )


def _state(access: InvoiceAccess) -> PageState:
    org, invoice = access.org, access.invoice
    language = invoice.customer.language
    words = words_for(language)
    fmt = formatter_for(org, invoice.currency)
    doc = invoice_document(org=org, invoice=invoice)
    today = org_today(org)
    plan = active_plans_by_invoice(org=org, invoice_ids=[invoice.pk]).get(invoice.pk)
    summary = pay_summary(
        org=org,
        invoice=invoice,
        today=today,
        fmt=fmt,
        words=words,
        language=language,
        fees=doc.fees,
        plan_due=plan_due(plan=plan, today=today) if plan is not None else None,
    )
    options = pay_options(org=org, currency=invoice.currency, words=words, language=language)
    return PageState(
        words=words,
        language=language,
        fmt=fmt,
        doc=doc,
        summary=summary,
        options=options,
        payable=invoice.status in OUTSTANDING_STATUSES and summary.due.due_today > 0,
        minimum=min(options.partial_minimum, summary.due.due_today),
        on_plan=plan is not None,
    )


def _item_totals(rows: list[TotalRow]) -> list[TotalRow]:
    """The document's totals down to the invoice total; what was paid and credited since is
    told, with the rest of what is owed, in the page's own breakdown."""
    for index, row in enumerate(rows):
        if row.emphasis:
            return rows[: index + 1]
    return rows


def _page(
    request: HttpRequest,
    access: InvoiceAccess,
    state: PageState,
    *,
    form: PayAmountForm | None = None,
    card_unavailable: bool = False,
) -> HttpResponse:
    org, invoice = access.org, access.invoice
    words, fmt, summary, options = state.words, state.fmt, state.summary, state.options
    form = form if form is not None else state.form()
    online = state.payable and options.online
    doc = state.doc
    context = {
        "org": org,
        "doc": doc,
        "item_totals": _item_totals(doc.totals),
        "words": words,
        "language": state.language,
        "summary": summary,
        "options": options,
        "payable": state.payable,
        "online": online,
        "partial": online and state.allow_partial,
        "amount_help": words["amount_help"].format(
            minimum=fmt.money(state.minimum), balance=summary.balance
        ),
        "form": form,
        "other_open": form.is_bound and form.data.get("pay") == OTHER,
        "card_unavailable": card_unavailable,
        # Once the webhook has settled the invoice, the receipt says thank you instead.
        "notice": (notice_text(words, access.notice) if summary.receipt is None else ""),
        "key": access.grant.key,
        "paid_thanks": words["paid_thanks"].format(name=doc.buyer.name),
        "title": words["invoice_from"].format(number=invoice.number, org=org.name),
        "pay_full_label": words["pay_amount"].format(amount=summary.due_today),
        "statement_label": words["see_statement"].format(org=org.name),
        "reference_text": words["quote_reference"].format(reference=invoice.number),
        "cheque_back": words["cheque_back"].format(reference=invoice.number),
        "cheque_payable": words["cheque_payable"].format(name=options.cheque_payable_to),
        "ask_bank": words["ask_bank_details"].format(org=org.name),
        "card_unavailable_text": (
            words["card_unavailable_others"].format(methods=options.offline_words)
            if options.offline_words
            else words["card_unavailable"]
        ),
        "arrangements": pay_arrangements(access, payable=state.payable, language=state.language),
        "also_accept": (
            words["also_accept"].format(methods=", ".join(options.others)) if options.others else ""
        ),
    }
    response = render(request, "payments/pay_page.html", context)
    if online:
        # The form's redirect leads to Stripe's Checkout; the CSP must let the form go there.
        response._csp_update = {"form-action": [checkout_origin()]}  # type: ignore[attr-defined]
    return private(response)


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_view(request: HttpRequest, key: str) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    state = _state(access)
    if (
        request.method != "POST"
        or post_from_elsewhere(request)
        or not state.payable
        or not state.options.online
    ):
        return _page(request, access, state)
    form = state.form(request.POST)
    if not form.is_valid():
        return _page(request, access, state, form=form)
    org, invoice = access.org, access.invoice
    try:
        checkout = checkout_start(
            org=org,
            customer=invoice.customer,
            lines=[CheckoutLine(invoice=invoice, amount=form.cleaned_data["amount_value"])],
        )
    except ValidationError as exc:
        # A rule checkout_start enforces that the form did not catch (a payment landed
        # meanwhile): its message, on the field the customer typed in or on the form.
        messages = [m for ms in exc.message_dict.values() for m in ms]
        target = "amount" if form.cleaned_data.get("pay") == OTHER else None
        for message in messages:
            form.add_error(target, message)
        return _page(request, access, state, form=form)
    except (StripeUnavailable, StripeKeyRefused, StripeNotConnected) as exc:
        logger.warning("checkout for invoice %s not started: %s", invoice.pk, exc)
        return _page(request, access, state, card_unavailable=True)
    return private(HttpResponseRedirect(checkout.url))


@require_safe
def pay_page_pdf(request: HttpRequest, key: str) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    pdf = invoice_pdf(org=access.org, invoice=access.invoice)
    return private(pdf_response(pdf, filename=invoice_pdf_filename(access.invoice)))


@require_safe
def pay_statement(request: HttpRequest, key: str) -> HttpResponse:
    """ "See all your invoices": the customer's statement, opened from their invoice's page."""
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    customer = access.invoice.customer
    link = statement_link_active(org=access.org, customer=customer)
    grant = grant_open(
        request,
        kind=GrantKind.CUSTOMER,
        org=access.org.pk,
        subject=customer.pk,
        link=link.pk,
        language=customer.language,
    )
    return private(redirect("statement_view", key=grant.key))

"""The customer's statement portal: every open invoice with its aging, paying several in one
Stripe Checkout (one currency at a time), the payment history, the statement PDF and each
invoice's PDF.

``/statement/<token>/`` only trades the token for a pay session and redirects
(``payments.pay_access``); the portal is ``/statement/v/<key>/``. Only the customer's own open
invoices can be chosen: any other id in the form is refused and nothing is made.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from arhub.clock import org_today
from arhub.money import quantize
from invoicing.models import Invoice
from invoicing.pdf import invoice_pdf, invoice_pdf_filename
from invoicing.pdf_context import brand_for
from invoicing.pdf_views import pdf_response
from payments.amount_due import amount_due
from payments.checkout import CheckoutLine, checkout_start
from payments.pay_access import (
    DEAD_STATUSES,
    CustomerAccess,
    customer_access,
    post_from_elsewhere,
    statement_link_exchange,
)
from payments.pay_forms import StatementPayForm
from payments.pay_labels import notice_text
from payments.pay_options import checkout_origin, pay_options
from payments.pay_responses import invalid_page, private
from payments.statement_pdf import statement_pdf_bytes, statement_pdf_filename
from payments.statement_summary import CurrencyGroup, Statement, statement_build
from payments.stripe_client import StripeKeyRefused, StripeNotConnected, StripeUnavailable

logger = logging.getLogger(__name__)


@require_safe
def statement_page(request: HttpRequest, token: str) -> HttpResponse:
    return statement_link_exchange(request, token)


@dataclass(frozen=True)
class GroupView:
    """One currency's list as the page shows it: can it be paid online, its form, which
    invoices are ticked."""

    group: CurrencyGroup
    online: bool
    form: StatementPayForm
    chosen: set[str]
    pay_label: str


def _forms(statement: Statement) -> dict[str, StatementPayForm]:
    return {
        group.currency: StatementPayForm(
            invoices=[line.invoice for line in group.lines], words=statement.words
        )
        for group in statement.groups
    }


def _page(
    request: HttpRequest,
    access: CustomerAccess,
    statement: Statement,
    *,
    forms: dict[str, StatementPayForm] | None = None,
    failed: str = "",
    card_unavailable: bool = False,
) -> HttpResponse:
    org, words = access.org, statement.words
    forms = forms if forms is not None else _forms(statement)
    options = pay_options(
        org=org, currency=org.default_currency, words=words, language=statement.language
    )
    groups = []
    for group in statement.groups:
        online = pay_options(
            org=org, currency=group.currency, words=words, language=statement.language
        ).online
        form = forms[group.currency]
        chosen = (
            {str(v) for v in form.data.getlist("invoice")}  # type: ignore[attr-defined]
            if form.is_bound
            else {str(line.invoice.pk) for line in group.lines}
        )
        label = words["pay_selected"].format(currency=group.currency)
        groups.append(GroupView(group, online, form, chosen, label))
    context = {
        "org": org,
        "brand": brand_for(org),
        "statement": statement,
        "words": words,
        "language": statement.language,
        "groups": groups,
        "failed": failed,
        "errors": [e for g in groups for e in g.form.errors.get("invoice", [])]
        + [e for g in groups for e in g.form.non_field_errors()],
        "options": options,
        "card_unavailable": card_unavailable,
        "card_unavailable_text": (
            words["card_unavailable_others"].format(methods=options.offline_words)
            if options.offline_words
            else words["card_unavailable"]
        ),
        "notice": notice_text(words, access.notice),
        "key": access.grant.key,
        "title": words["account_with"].format(org=org.name),
        "as_of": words["as_of"].format(date=statement.as_of),
        "ask_bank": words["ask_bank_details"].format(org=org.name),
        "cheque_payable": words["cheque_payable"].format(name=options.cheque_payable_to),
        "also_accept": (
            words["also_accept"].format(methods=", ".join(options.others)) if options.others else ""
        ),
    }
    response = render(request, "payments/statement_page.html", context)
    if any(g.online for g in groups):
        response._csp_update = {"form-action": [checkout_origin()]}  # type: ignore[attr-defined]
    return private(response)


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def statement_view(request: HttpRequest, key: str) -> HttpResponse:
    access = customer_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    today = org_today(access.org)
    statement = statement_build(org=access.org, customer=access.customer, today=today)
    if request.method != "POST" or post_from_elsewhere(request):
        return _page(request, access, statement)
    forms = _forms(statement)
    currency = request.POST.get("currency", "")
    group = statement.group(currency)
    if group is None:
        # Nothing open in that currency any more (paid meanwhile), or a made-up one.
        return _page(request, access, statement, failed=statement.words["cannot_pay_here"])
    form = StatementPayForm(
        request.POST, invoices=[line.invoice for line in group.lines], words=statement.words
    )
    forms[currency] = form
    if not form.is_valid():
        return _page(request, access, statement, forms=forms)
    lines = [
        CheckoutLine(
            invoice=invoice,
            amount=quantize(amount_due(invoice, on=today).due_today, invoice.currency),
        )
        for invoice in form.chosen()
    ]
    try:
        checkout = checkout_start(org=access.org, customer=access.customer, lines=lines)
    except ValidationError as exc:
        for messages in exc.message_dict.values():
            for message in messages:
                form.add_error(None, message)
        return _page(request, access, statement, forms=forms)
    except (StripeUnavailable, StripeKeyRefused, StripeNotConnected) as exc:
        logger.warning("checkout for customer %s not started: %s", access.customer.pk, exc)
        return _page(request, access, statement, card_unavailable=True)
    return private(HttpResponseRedirect(checkout.url))


@require_safe
def statement_pdf(request: HttpRequest, key: str) -> HttpResponse:
    access = customer_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    today = org_today(access.org)
    pdf = statement_pdf_bytes(org=access.org, customer=access.customer, today=today)
    filename = statement_pdf_filename(access.customer, today)
    return private(pdf_response(pdf, filename=filename))


@require_safe
def statement_invoice_pdf(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """One of the customer's own invoices; any other id is "no longer valid"."""
    access = customer_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    invoice = (
        Invoice.objects.for_org(access.org)
        .filter(pk=pk, customer_id=access.customer.pk)
        .exclude(status__in=DEAD_STATUSES)
        .first()
    )
    if invoice is None:
        return invalid_page(request, org=access.org, language=access.customer.language)
    pdf = invoice_pdf(org=access.org, invoice=invoice)
    return private(pdf_response(pdf, filename=invoice_pdf_filename(invoice)))

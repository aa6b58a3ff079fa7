"""The dispute pages under the pay page: ``/pay/v/<key>/dispute/`` (raise one),
``.../dispute/<pk>/reply/`` (add a message) and ``.../dispute/<pk>/withdraw/`` (confirm, then
withdraw). No login: ``invoice_access`` decides what the key opens, and a dispute is looked up
inside that invoice only, so any other id is a 404.

Like ``pay_view`` these take their POSTs without Django's CSRF check and refuse a POST another
site made (``payments.pay_access.post_from_elsewhere``) by showing the page instead of acting.
The body is not read until its size is known to be within what a dispute can hold (5 files of
10 MB and the words): Django limits the form fields but not the files, so a bigger request gets
a page saying so instead of being read into temporary files.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE
from disputes.models import Dispute, DisputeKind
from disputes.services import (
    DisputeActive,
    dispute_customer_reply,
    dispute_open,
    dispute_withdraw,
)
from invoicing.models import InvoiceLine
from invoicing.pdf_context import brand_for, formatter_for
from payments.pay_access import InvoiceAccess, invoice_access, post_from_elsewhere
from payments.pay_dispute import DISPUTABLE, dispute_state, has_active_dispute
from payments.pay_dispute_forms import DisputeOpenForm, DisputeReplyForm, DisputeWithdrawForm
from payments.pay_dispute_labels import dispute_words, reason_labels
from payments.pay_labels import words_for
from payments.pay_responses import invalid_page, private
from payments.pay_sessions import GrantKind, grant_find, grant_notice_set

# Five files at the limit, plus room for the message and the multipart framing.
REQUEST_MAX_BYTES = MAX_PER_DISPUTE * MAX_BYTES + 1024 * 1024

# Where each field's errors link to from the error summary.
ANCHORS = {
    "reason": "dispute-reason-0",
    "lines": "dispute-line-0",
    "message": "dispute-message",
    "attachments": "dispute-files",
}


def _language(access: InvoiceAccess) -> str:
    return access.invoice.customer.language


def _context(access: InvoiceAccess, **extra: Any) -> dict[str, Any]:
    language = _language(access)
    return {
        "org": access.org,
        "brand": brand_for(access.org),
        "words": words_for(language),
        "dw": dispute_words(language),
        "language": language,
        "key": access.grant.key,
        **extra,
    }


def _summary(form: Any) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary: field errors link to their field."""
    found = [("", str(error)) for error in form.non_field_errors()]
    for name in form.fields:
        found += [(ANCHORS.get(name, ""), str(error)) for error in form.errors.get(name, [])]
    return found


def _back(request: HttpRequest, access: InvoiceAccess, notice: str = "") -> HttpResponse:
    if notice:
        # The grant as invoice_access left it (its clock restarted), with the notice added.
        grant = grant_find(request, access.grant.key, kind=GrantKind.INVOICE) or access.grant
        grant_notice_set(request, grant, notice)
    url = reverse("pay_view", args=[access.grant.key])
    return private(redirect(url + ("#disputes" if notice else "")))


def _body_refused(request: HttpRequest, access: InvoiceAccess, again: str) -> HttpResponse | None:
    """The page to show instead of reading a body too large or malformed; None when fine."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    problem = "too_big" if length > REQUEST_MAX_BYTES else ""
    if not problem:
        try:
            request.POST, request.FILES  # noqa: B018 - parsed here so a refusal is ours to word
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            problem = "too_big"
        except MultiPartParserError:
            problem = "unreadable"
    if not problem:
        return None
    dw = dispute_words(_language(access))
    context = _context(
        access,
        title=dw[f"{problem}_title"],
        message=dw[f"{problem}_body"],
        again=again,
    )
    status = 413 if problem == "too_big" else 400
    return private(render(request, "payments/pay_dispute_refused.html", context, status=status))


def _closed_meanwhile(exc: ValidationError) -> bool:
    """The business resolved the dispute between the page and the POST: nothing to add to."""
    return hasattr(exc, "error_dict") and "dispute" in exc.error_dict


def _dispute(access: InvoiceAccess, pk: int) -> Dispute | None:
    return (
        Dispute.objects.for_org(access.org)
        .filter(pk=pk, invoice=access.invoice, kind=DisputeKind.CUSTOMER)
        .first()
    )


def _lines(access: InvoiceAccess) -> list[tuple[InvoiceLine, str]]:
    fmt = formatter_for(access.org, access.invoice.currency)
    rows = InvoiceLine.objects.for_org(access.org).filter(invoice=access.invoice)
    return [(line, fmt.money(line.amount)) for line in rows.order_by("position", "pk")]


def _open_page(
    request: HttpRequest, access: InvoiceAccess, form: DisputeOpenForm, *, files_sent: bool
) -> HttpResponse:
    invoice, dw = access.invoice, dispute_words(_language(access))
    amount = formatter_for(access.org, invoice.currency).money(invoice.total)
    chosen = {str(v) for v in (form["lines"].value() or [])} if form.is_bound else set()
    lines = [
        (line.pk, line.description, money, str(line.pk) in chosen) for line, money in _lines(access)
    ]
    context = _context(
        access,
        title=dw["title"],
        form=form,
        summary=_summary(form) if form.is_bound else [],
        intro=dw["intro"].format(number=invoice.number, org=access.org.name, amount=amount),
        intro_pause=dw["intro_pause"].format(org=access.org.name),
        reasons=list(reason_labels(_language(access)).items()),
        reason=form["reason"].value() if form.is_bound else None,
        lines=lines,
        files_again=files_sent and bool(form.errors),
        send=dw["send"].format(org=access.org.name),
        action=reverse("pay_dispute_new", args=[access.grant.key]),
    )
    return private(render(request, "payments/pay_dispute.html", context))


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_dispute_new(request: HttpRequest, key: str) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    if access.invoice.status not in DISPUTABLE or has_active_dispute(access):
        # One at a time: the page shows the dispute already open, with its reply form.
        return _back(request, access)
    language = _language(access)
    words = dispute_words(language)
    form_args: dict[str, Any] = {
        "reasons": reason_labels(language),
        "lines": _lines(access),
        "words": words,
    }
    if request.method != "POST" or post_from_elsewhere(request):
        return _open_page(request, access, DisputeOpenForm(**form_args), files_sent=False)
    refused = _body_refused(request, access, reverse("pay_dispute_new", args=[key]))
    if refused is not None:
        return refused
    form = DisputeOpenForm(request.POST, request.FILES, **form_args)
    files_sent = bool(request.FILES.getlist("attachments"))
    if not form.is_valid():
        return _open_page(request, access, form, files_sent=files_sent)
    data = form.cleaned_data
    try:
        dispute_open(
            org=access.org,
            invoice=access.invoice,
            reason=data["reason"],
            message=data["message"],
            line_ids=data["lines"],
            files=data["attachments"],
        )
    except DisputeActive:
        # Raised meanwhile (another tab): the page shows it, with its reply form.
        return _back(request, access)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _open_page(request, access, form, files_sent=files_sent)
    return _back(request, access, "dispute_opened")


def _reply_page(
    request: HttpRequest, access: InvoiceAccess, dispute: Dispute, form: DisputeReplyForm
) -> HttpResponse:
    language = _language(access)
    state = dispute_state(access, dispute, language)
    dw = dispute_words(language)
    context = _context(
        access,
        title=dw["reply_heading"],
        state=state,
        form=form,
        summary=_summary(form) if form.is_bound else [],
        files_again=form.is_bound and bool(form.errors) and bool(form.files),
        attached_note=dw["attached_note"].format(org=access.org.name),
    )
    return private(render(request, "payments/pay_dispute_reply.html", context))


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_dispute_reply(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    dispute = _dispute(access, pk)
    if dispute is None:
        return invalid_page(request, org=access.org, language=_language(access))
    if not dispute.is_active:
        return _back(request, access)
    words = dispute_words(_language(access))
    left = dispute_state(access, dispute, _language(access)).files_left
    if request.method != "POST" or post_from_elsewhere(request):
        form = DisputeReplyForm(words=words, files_left=left)
        return _reply_page(request, access, dispute, form)
    refused = _body_refused(request, access, reverse("pay_dispute_reply", args=[key, pk]))
    if refused is not None:
        return refused
    form = DisputeReplyForm(request.POST, request.FILES, words=words, files_left=left)
    if not form.is_valid():
        return _reply_page(request, access, dispute, form)
    try:
        dispute_customer_reply(
            org=access.org,
            dispute=dispute,
            body=form.cleaned_data["message"],
            files=form.cleaned_data["attachments"],
        )
    except ValidationError as exc:
        if _closed_meanwhile(exc):
            return _back(request, access)
        form.add_service_errors(exc)
        return _reply_page(request, access, dispute, form)
    return _back(request, access, "dispute_replied")


@csrf_exempt  # see payments.pay_access.post_from_elsewhere
@require_http_methods(["GET", "HEAD", "POST"])
def pay_dispute_withdraw(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """GET asks "Withdraw your dispute?"; only the POST of that page withdraws it."""
    access = invoice_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    dispute = _dispute(access, pk)
    if dispute is None:
        return invalid_page(request, org=access.org, language=_language(access))
    if not dispute.is_active:
        return _back(request, access)
    dw = dispute_words(_language(access))
    form = DisputeWithdrawForm(words=dw)
    if request.method == "POST" and not post_from_elsewhere(request):
        refused = _body_refused(request, access, reverse("pay_dispute_withdraw", args=[key, pk]))
        if refused is not None:
            return refused
        form = DisputeWithdrawForm(request.POST, words=dw)
        if form.is_valid():
            try:
                dispute_withdraw(
                    org=access.org, dispute=dispute, message=form.cleaned_data["message"]
                )
            except ValidationError as exc:
                if _closed_meanwhile(exc):
                    return _back(request, access)
                form.add_service_errors(exc)
            else:
                return _back(request, access, "dispute_withdrawn")
    context = _context(
        access,
        title=dw["withdraw_title"],
        form=form,
        summary=_summary(form) if form.is_bound else [],
        body=dw["withdraw_body"].format(org=access.org.name),
        message_label=dw["withdraw_message_label"].format(org=access.org.name),
        state=dispute_state(access, dispute, _language(access)),
    )
    return private(render(request, "payments/pay_dispute_withdraw.html", context))

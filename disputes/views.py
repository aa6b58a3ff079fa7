"""The owner's dispute pages: the list (with how long each waits for an answer), one dispute
with its whole thread, replying, reviewing, resolving, the attachments as downloads, and the
response target.

Reading needs VIEW; every action needs OPERATE; the target needs MANAGE_SETTINGS. Another
organization's dispute or attachment is a 404.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.money import money_format
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from disputes.attachments import MAX_PER_DISPUTE
from disputes.downloads import attachment_download
from disputes.forms import DisputeFilterForm, DisputeSettingsForm, ReplyForm, ResolveForm
from disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    Author,
    Dispute,
    DisputeLine,
    DisputeMessage,
    DisputeOutcome,
    DisputeStatus,
)
from disputes.selectors import (
    dispute_attachment_get,
    dispute_get,
    dispute_list,
    dispute_settings_get,
    dispute_status_counts,
    owner_thread,
    response_cutoff,
    response_due_by,
)
from disputes.services import (
    dispute_owner_reply,
    dispute_resolve,
    dispute_review_start,
)
from disputes.settings_services import dispute_settings_update

PER_PAGE = 50


def deadline_words(moment: datetime) -> str:
    """ "Tue 10 Mar, 15:00"; a deadline at midnight reads as the end of the day before."""
    if moment.time() == time(0):
        return "the end of " + date_format(moment - timedelta(days=1), "D j M")
    return date_format(moment, "D j M, H:i")


def age_words(age: timedelta | None) -> str:
    days = age.days if age is not None else 0
    if days <= 0:
        return "Today"
    return f"{days} day{'s' if days != 1 else ''}"


class DisputeListView(OrgViewMixin, View):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = DisputeFilterForm(request.GET or None)
        status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
        rows = dispute_list(org=self.org, status=None if status == "active" else status or None)
        if status == "active":
            rows = rows.filter(status__in=ACTIVE_DISPUTE_STATUSES)
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        locale = self.org.locale
        return render(
            request,
            "disputes/dispute_list.html",
            {
                "filters": filters,
                "filtering": bool(status),
                "status": status,
                "page": page,
                "rows": [
                    {
                        "dispute": dispute,
                        "age": age_words(getattr(dispute, "age", None)),
                        "amount": money_format(dispute.amount, dispute.currency, locale)
                        if dispute.amount
                        else "",
                    }
                    for dispute in page
                ],
                "counts": dispute_status_counts(org=self.org),
                "target_days": dispute_settings_get(org=self.org).response_target_days,
                "can_manage": membership_allows(self.membership, Perm.MANAGE_SETTINGS),
            },
        )


def _author_name(message: DisputeMessage, dispute: Dispute) -> str:
    if message.author == Author.CUSTOMER:
        return dispute.customer.display_name
    if message.author == Author.BANK:
        return "The customer's bank"
    if message.author == Author.SYSTEM:
        return "AR Hub"
    user = message.author_user
    return (user.full_name or user.email) if user is not None else "Your team"


class _DisputeView(OrgViewMixin, View):
    def page(
        self,
        request: HttpRequest,
        dispute: Dispute,
        *,
        reply_form: ReplyForm | None = None,
        resolve_form: ResolveForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        org, invoice = self.org, dispute.invoice
        locale = org.locale
        operate = membership_allows(self.membership, Perm.OPERATE)
        target = dispute_settings_get(org=org).response_target_days
        waiting = dispute.awaiting_owner_since if dispute.is_active else None
        lines = (
            DisputeLine.objects.for_org(org)
            .filter(dispute=dispute)
            .select_related("line")
            .order_by("line__position", "line__pk")
        )
        thread = owner_thread(dispute=dispute)
        attachments_count = sum(len(m.attachments.all()) for m in thread)
        return render(
            request,
            "disputes/dispute_detail.html",
            {
                "dispute": dispute,
                "invoice": invoice,
                "customer": dispute.customer,
                "lines": [
                    {
                        "line": row.line,
                        "amount": money_format(row.line.amount, invoice.currency, locale),
                    }
                    for row in lines
                ],
                "amount": money_format(dispute.amount, dispute.currency, locale)
                if dispute.amount
                else "",
                "balance": money_format(invoice.balance_due, invoice.currency, locale),
                "total": money_format(invoice.total, invoice.currency, locale),
                "credit": money_format(dispute.credit_note.amount, invoice.currency, locale)
                if dispute.credit_note
                else "",
                "thread": [{"message": m, "author": _author_name(m, dispute)} for m in thread],
                "waiting_since": waiting,
                "overdue": waiting is not None and waiting < response_cutoff(org=org, days=target),
                "answer_by": deadline_words(response_due_by(org=org, since=waiting, days=target))
                if waiting
                else "",
                "target_days": target,
                "can_operate": operate,
                "can_reply": operate,
                "can_review": operate and dispute.status == DisputeStatus.OPEN,
                "can_resolve": operate and dispute.is_active,
                "can_reissue": operate and dispute.outcome == DisputeOutcome.CORRECTED,
                "reply_form": reply_form or ReplyForm(),
                "resolve_form": resolve_form or ResolveForm(),
                "files_left": max(MAX_PER_DISPUTE - attachments_count, 0),
            },
            status=status,
        )


class DisputeDetailView(_DisputeView):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, dispute_get(org=self.org, dispute_id=pk))


class DisputeReplyView(_DisputeView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = dispute_get(org=self.org, dispute_id=pk)
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dispute_owner_reply(
                    org=self.org,
                    actor=self.membership.user,
                    dispute=dispute,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    internal=form.internal,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Note added; only your team sees it."
                    if form.internal
                    else f"Reply sent to {dispute.customer.display_name}.",
                )
                return redirect("dispute_detail", pk=dispute.pk)
        return self.page(request, dispute, reply_form=form, status=400)


class DisputeReviewView(_DisputeView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = dispute_get(org=self.org, dispute_id=pk)
        try:
            dispute_review_start(org=self.org, actor=self.membership.user, dispute=dispute)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The dispute is under review.")
        return redirect("dispute_detail", pk=dispute.pk)


class DisputeResolveView(_DisputeView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = dispute_get(org=self.org, dispute_id=pk)
        form = ResolveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                resolved = dispute_resolve(
                    org=self.org,
                    actor=self.membership.user,
                    dispute=dispute,
                    outcome=data["outcome"],
                    message=data["message"],
                    credit_amount=data["credit_amount"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Resolved: {resolved.get_outcome_display().lower()}. "
                    f"{dispute.customer.display_name} is told.",
                )
                return redirect("dispute_detail", pk=dispute.pk)
        return self.page(request, dispute, resolve_form=form, status=400)


class DisputeAttachmentView(OrgViewMixin, View):
    """The file as a download, only to the organization's members, with the content type
    found when it was stored; never rendered in the browser."""

    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        dispute = dispute_get(org=self.org, dispute_id=pk)
        return attachment_download(
            dispute_attachment_get(org=self.org, dispute=dispute, attachment_id=attachment_pk)
        )


class DisputeSettingsView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_SETTINGS

    def get(self, request: HttpRequest) -> HttpResponse:
        current = dispute_settings_get(org=self.org)
        form = DisputeSettingsForm(initial={"response_target_days": current.response_target_days})
        return self.show(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DisputeSettingsForm(request.POST)
        if form.is_valid():
            try:
                dispute_settings_update(
                    org=self.org,
                    actor=self.membership.user,
                    response_target_days=form.cleaned_data["response_target_days"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, "Saved the response target.")
                return redirect("disputes")
        return self.show(request, form, status=400)

    def show(
        self, request: HttpRequest, form: DisputeSettingsForm, status: int = 200
    ) -> HttpResponse:
        context: dict[str, Any] = {"form": form}
        return render(request, "disputes/dispute_settings.html", context, status=status)

"""Promises to pay on the dashboard: the list (open ones first, then broken, kept and
cancelled), recording one from the invoice page on the customer's word, and cancelling one.

The writes are POSTs from the invoice page's "Promise to pay" section
(``payments.page_sections``); they come back to it with a message, the service's words when it
refuses. Another organization's invoice or promise is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from arhub.money import money_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.models import Invoice
from payments.models import PromiseStatus, PromiseToPay
from payments.promise_forms import PromiseCancelForm, PromiseFilterForm, PromiseRecordForm
from payments.promise_selectors import promise_get, promise_list_by_state
from payments.promise_services import promise_cancel, promise_make

# Rows on one page of the list; the open ones come first, so they are never the ones cut off.
LIST_LIMIT = 200


def _back(invoice_pk: int) -> str:
    return reverse("invoice_detail", args=[invoice_pk]) + "#promise"


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


class PromiseListView(OrgViewMixin, View):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PromiseFilterForm(request.GET or None)
        status = form.status_value()
        promises = list(
            promise_list_by_state(org=self.org, status=status or None)[: LIST_LIMIT + 1]
        )
        counts = dict(
            PromiseToPay.objects.for_org(self.org)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        rows = [
            {
                "promise": promise,
                "amount": money_format(promise.amount, promise.currency, self.org.locale),
            }
            for promise in promises[:LIST_LIMIT]
        ]
        return render(
            request,
            "payments/promises/list.html",
            {
                "filters": form,
                "status": status,
                "status_label": dict(PromiseStatus.choices).get(status, ""),
                "rows": rows,
                "more": len(promises) > LIST_LIMIT,
                "limit": LIST_LIMIT,
                "counts": [
                    {"status": value, "label": label, "count": counts.get(value, 0)}
                    for value, label in PromiseStatus.choices
                ],
                "nothing_at_all": not counts,
            },
        )


class InvoicePromiseCreateView(OrgViewMixin, View):
    """The customer said, on the phone or by email, when they will pay."""

    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, invoice_pk: int) -> HttpResponse:
        invoice = get_object_or_404(
            Invoice.objects.for_org(self.org).select_related("customer"), pk=invoice_pk
        )
        form = PromiseRecordForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"No promise recorded: {error}")
            return redirect(_back(invoice.pk))
        try:
            promise = promise_make(
                org=self.org,
                invoice=invoice,
                promised_date=form.cleaned_data["promised_date"],
                note=form.cleaned_data["note"],
                actor=self.membership.user,
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                f"Recorded: {invoice.customer.display_name} will pay {invoice.number} by "
                f"{promise.promised_date:%-d %b %Y}. Reminders about it wait until then, and "
                "the customer gets a short note restating the date.",
            )
        return redirect(_back(invoice.pk))


class PromiseCancelView(OrgViewMixin, View):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        promise = promise_get(org=self.org, promise_id=pk)
        form = PromiseCancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was cancelled: say why the promise is cancelled.")
            return redirect(_back(promise.invoice_id))
        try:
            promise_cancel(
                org=self.org,
                actor=self.membership.user,
                promise=promise,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                f"Cancelled the promise to pay {promise.invoice.number} by "
                f"{promise.promised_date:%-d %b %Y}. Reminders about it resume.",
            )
        return redirect(_back(promise.invoice_id))

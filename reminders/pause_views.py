"""The forms of the reminder sections on the invoice and customer pages: pause and resume an
invoice's reminders, pause and resume all of a customer's, choose a customer's policy.

POST only, for those who may operate; another organization's invoice, customer or policy is a
404. Each answers with a redirect back to the section and a notice in the service's words.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_selectors import invoice_get
from invoicing.models import Customer, Invoice
from invoicing.selectors import customer_get
from reminders.pause_services import (
    customer_reminders_pause,
    customer_reminders_resume,
    customer_reminders_set_policy,
    invoice_reminders_pause,
    invoice_reminders_resume,
)


def _invoice_back(invoice: Invoice) -> str:
    return reverse("invoice_detail", args=[invoice.pk]) + "#reminders"


def _customer_back(customer: Customer) -> str:
    return reverse("customer_detail", kwargs={"pk": customer.pk}) + "#reminders"


class _PostView(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    http_method_names = ["post"]


class InvoiceRemindersPauseView(_PostView):
    def post(self, request: HttpRequest, invoice_pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=invoice_pk)
        try:
            invoice_reminders_pause(
                org=self.org,
                actor=self.membership.user,
                invoice=invoice,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Reminders for invoice {invoice.number} are paused until you resume them."
            )
        return redirect(_invoice_back(invoice))


class InvoiceRemindersResumeView(_PostView):
    def post(self, request: HttpRequest, invoice_pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=invoice_pk)
        if invoice_reminders_resume(org=self.org, actor=self.membership.user, invoice=invoice):
            messages.success(
                request,
                f"Reminders for invoice {invoice.number} are back on. Only the latest step that "
                "has come due goes out, never a burst.",
            )
        return redirect(_invoice_back(invoice))


class CustomerRemindersPolicyView(_PostView):
    def post(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=customer_pk)
        raw = request.POST.get("policy", "").strip()
        if raw and not raw.isdigit():
            raise Http404("No such policy.")
        try:
            row = customer_reminders_set_policy(
                org=self.org,
                actor=self.membership.user,
                customer=customer,
                policy_id=int(raw) if raw else None,
            )
        except NotInOrganization as exc:
            raise Http404(exc.message) from exc
        chosen = row.policy.name if row.policy else "your default policy"
        messages.success(request, f"{customer.display_name}'s invoices now follow {chosen}.")
        return redirect(_customer_back(customer))


class CustomerRemindersPauseView(_PostView):
    def post(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=customer_pk)
        try:
            customer_reminders_pause(
                org=self.org,
                actor=self.membership.user,
                customer=customer,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"All reminders to {customer.display_name} are paused until you resume."
            )
        return redirect(_customer_back(customer))


class CustomerRemindersResumeView(_PostView):
    def post(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=customer_pk)
        if customer_reminders_resume(org=self.org, actor=self.membership.user, customer=customer):
            messages.success(request, f"Reminders to {customer.display_name} are back on.")
        return redirect(_customer_back(customer))

"""The actions on an invoice page: issue, send, void, write off, duplicate, delete a draft, issue
a credit note, and replace the pay link. Each is a POST (void, write-off and credit notes first
show a page that asks why); a role that may not act gets 403 from ``OrgViewMixin``, and a state
that does not allow it gets the service's explanation back on the invoice page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.money import ZERO, money_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.credit_services import credit_note_create, credit_split
from invoicing.invoice_forms import CreditNoteForm, ReasonForm
from invoicing.invoice_selectors import invoice_get
from invoicing.invoice_services import (
    invoice_delete_draft,
    invoice_duplicate,
    invoice_issue,
    invoice_void,
    invoice_write_off,
)
from invoicing.models import CreditNote, Invoice
from invoicing.pay_links import pay_link_active, pay_link_revoke


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class _InvoiceActionView(OrgViewMixin, View):
    required_perm = Perm.OPERATE

    def get_invoice(self, pk: int) -> Invoice:
        return invoice_get(org=self.org, invoice_id=pk)

    def back(self, invoice: Invoice) -> HttpResponse:
        return redirect("invoice_detail", pk=invoice.pk)

    def refused(self, request: HttpRequest, invoice: Invoice, exc: ValidationError) -> HttpResponse:
        messages.error(request, _messages_of(exc))
        return self.back(invoice)

    def money(self, amount: Decimal, invoice: Invoice) -> str:
        return money_format(amount, invoice.currency, self.org.locale)


class InvoiceIssueView(_InvoiceActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        was_draft = invoice.is_draft
        try:
            invoice = invoice_issue(org=self.org, actor=self.membership.user, invoice=invoice)
        except ValidationError as exc:
            return self.refused(request, invoice, exc)
        if was_draft:
            messages.success(
                request, f"Issued invoice {invoice.number}. Send it when you are ready."
            )
        else:
            messages.info(request, f"Invoice {invoice.number} was already issued.")
        return self.back(invoice)


class InvoiceSendView(_InvoiceActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from invoicing.sending import invoice_send

        invoice = self.get_invoice(pk)
        was_draft = invoice.is_draft
        try:
            invoice = invoice_send(org=self.org, actor=self.membership.user, invoice=invoice)
        except ValidationError as exc:
            return self.refused(request, invoice, exc)
        issued = f"Issued invoice {invoice.number} and sending" if was_draft else "Sending"
        messages.success(
            request,
            f"{issued} it to {invoice.customer.display_name}. "
            "Each email and text is listed under Messages below.",
        )
        return self.back(invoice)


class _ReasonView(_InvoiceActionView):
    """A page that confirms the action and asks why, then does it."""

    template_name = "invoicing/invoice_void.html"
    reason_required = True
    offer_copy = False
    title = ""
    button = ""

    def allowed(self, invoice: Invoice) -> bool:
        raise NotImplementedError

    def explain(self, invoice: Invoice) -> str:
        raise NotImplementedError

    def act(self, invoice: Invoice, reason: str) -> Invoice:
        raise NotImplementedError

    def done(self, invoice: Invoice) -> str:
        raise NotImplementedError

    def render_page(self, request: HttpRequest, invoice: Invoice, form: ReasonForm) -> Any:
        if not self.offer_copy:
            del form.fields["then_copy"]
        return render(
            request,
            self.template_name,
            {
                "invoice": invoice,
                "form": form,
                "allowed": self.allowed(invoice),
                "title": self.title,
                "button": self.button,
                "explanation": self.explain(invoice),
                "balance": self.money(invoice.balance_due, invoice),
                "total": self.money(invoice.total, invoice),
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        form = ReasonForm(
            reason_required=self.reason_required,
            initial={"then_copy": request.GET.get("then") == "copy"},
        )
        return self.render_page(request, invoice, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        form = ReasonForm(request.POST, reason_required=self.reason_required)
        if not self.offer_copy:
            del form.fields["then_copy"]
        if not form.is_valid():
            return self.render_page(request, invoice, form)
        then_copy = self.offer_copy and form.cleaned_data.get("then_copy")
        copy = None
        try:
            # Void and copy together or not at all: a void whose copy failed would leave the
            # customer with nothing to pay.
            with transaction.atomic():
                invoice = self.act(invoice, form.cleaned_data["reason"])
                if then_copy:
                    copy = invoice_duplicate(
                        org=self.org, actor=self.membership.user, invoice=invoice
                    )
        except ValidationError as exc:
            return self.refused(request, invoice, exc)
        messages.success(request, self.done(invoice))
        if copy is not None:
            messages.info(request, "This is the corrected copy, a new draft. Change it and issue.")
            return redirect("invoice_edit", pk=copy.pk)
        return self.back(invoice)


class InvoiceVoidView(_ReasonView):
    offer_copy = True
    title = "Void invoice"
    button = "Void invoice"

    def allowed(self, invoice: Invoice) -> bool:
        return invoice.can_void()

    def explain(self, invoice: Invoice) -> str:
        if invoice.is_draft:
            return "A draft is not voided: delete it instead."
        if not invoice.can_void():
            return (
                "Only an open invoice with no payments can be voided. For a paid or part-paid "
                "invoice, issue a credit note."
            )
        return (
            "Voiding cancels the invoice: it stops being owed, its pay link stops working and "
            "no more reminders go out. Its number stays on record. This cannot be undone."
        )

    def act(self, invoice: Invoice, reason: str) -> Invoice:
        return invoice_void(
            org=self.org, actor=self.membership.user, invoice=invoice, reason=reason
        )

    def done(self, invoice: Invoice) -> str:
        return f"Voided invoice {invoice.number}."


class InvoiceWriteOffView(_ReasonView):
    reason_required = False
    title = "Write off invoice"
    button = "Write off"

    def allowed(self, invoice: Invoice) -> bool:
        return invoice.can_write_off()

    def explain(self, invoice: Invoice) -> str:
        if not invoice.can_write_off():
            return "Only an issued invoice that is still owed can be written off."
        return (
            "Writing off marks what is still owed as uncollectible (bad debt). Reminders stop "
            "and the pay link stops working; the amount stays in your reports."
        )

    def act(self, invoice: Invoice, reason: str) -> Invoice:
        return invoice_write_off(
            org=self.org, actor=self.membership.user, invoice=invoice, reason=reason
        )

    def done(self, invoice: Invoice) -> str:
        return f"Wrote off {self.money(invoice.balance_due, invoice)} of invoice {invoice.number}."


class InvoiceDuplicateView(_InvoiceActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        try:
            copy = invoice_duplicate(org=self.org, actor=self.membership.user, invoice=invoice)
        except ValidationError as exc:
            return self.refused(request, invoice, exc)
        messages.success(request, f"Copied {invoice} to a new draft. Check it and issue it.")
        return redirect("invoice_edit", pk=copy.pk)


class InvoiceDeleteView(_InvoiceActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        try:
            invoice_delete_draft(org=self.org, actor=self.membership.user, invoice=invoice)
        except ValidationError as exc:
            return self.refused(request, invoice, exc)
        messages.success(request, "Draft deleted.")
        return redirect("invoices")


class InvoicePayLinkRevokeView(_InvoiceActionView):
    """A pay link sent to the wrong person: the old one stops working, a new one is made."""

    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        if not invoice.is_outstanding:
            messages.error(request, "Only an invoice that is still owed has a pay link to replace.")
            return self.back(invoice)
        pay_link_revoke(org=self.org, invoice=invoice)
        pay_link_active(org=self.org, invoice=invoice)
        messages.success(
            request,
            "The old pay link no longer works. The new one is below; send the invoice again "
            "to give it to the customer.",
        )
        return redirect(reverse("invoice_detail", kwargs={"pk": invoice.pk}) + "#pay-link")


# --------------------------------------------------------------------------------------------
# Credit notes


def credit_room(invoice: Invoice) -> Decimal:
    """What is left to credit: the total less earlier credit notes (as the service counts)."""
    earlier = CreditNote.objects.for_org(invoice.organization).filter(invoice=invoice)
    return max(invoice.total - (earlier.aggregate(s=Sum("amount"))["s"] or ZERO), ZERO)


class CreditNoteCreateView(_InvoiceActionView):
    template_name = "invoicing/credit_note_form.html"

    def render_page(self, request: HttpRequest, invoice: Invoice, form: CreditNoteForm) -> Any:
        room = credit_room(invoice)
        amount = room
        if form.is_bound and form.is_valid() and form.cleaned_data["amount"]:
            amount = min(form.cleaned_data["amount"], room)
        parts = credit_split(amount=amount, balance=invoice.balance_due)
        form.fields[
            "amount"
        ].help_text = (
            f"Tax included. Leave blank to credit all that remains ({self.money(room, invoice)})."
        )
        return render(
            request,
            self.template_name,
            {
                "invoice": invoice,
                "form": form,
                "allowed": invoice.can_credit() and room > 0,
                "room": self.money(room, invoice),
                "balance": self.money(invoice.balance_due, invoice),
                "amount": self.money(amount, invoice),
                "applied": self.money(parts.applied, invoice),
                "to_credit": self.money(parts.to_credit, invoice),
                "has_to_credit": parts.to_credit > 0,
                "has_applied": parts.applied > 0,
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, self.get_invoice(pk), CreditNoteForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.get_invoice(pk)
        form = CreditNoteForm(request.POST)
        if form.is_valid():
            # Said here in money as people read it; the service checks the same under its lock.
            room = credit_room(invoice)
            amount = form.cleaned_data["amount"]
            if amount is not None and amount > room and invoice.can_credit():
                form.add_error(
                    "amount",
                    f"At most {self.money(room, invoice)} of this invoice is left to credit.",
                )
                return self.render_page(request, invoice, form)
            try:
                note = credit_note_create(
                    org=self.org,
                    actor=self.membership.user,
                    invoice=invoice,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                told = f"Issued credit note {note.number} for {self.money(note.amount, invoice)}."
                if note.applied_amount:
                    told += f" {self.money(note.applied_amount, invoice)} came off the balance."
                if note.credit_amount:
                    told += (
                        f" {self.money(note.credit_amount, invoice)} is kept as credit for "
                        f"{invoice.customer.display_name}."
                    )
                messages.success(request, told)
                return self.back(invoice)
        return self.render_page(request, invoice, form)

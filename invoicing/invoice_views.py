"""Dashboard pages for one invoice: the editor (new invoice, draft) and the invoice page.

The editor works without JavaScript: the customer is found by a search that re-renders the form
with the matches to pick from (an organization may have 50,000 customers), "Add another line"
re-renders it with one more row, and "Update totals" shows the totals of what is typed. None of
those saves anything; only "Save draft" and "Save and issue" do, through the invoice services.
The actions on the invoice page are in ``invoice_action_views``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views import View

from arhub.models import Organization
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.invoice_editor import InvoiceEditor, editor_preview, invoice_editor
from invoicing.invoice_input import MAX_LINES, NotInOrganization
from invoicing.invoice_page import invoice_page_context, preview_display
from invoicing.invoice_selectors import invoice_get
from invoicing.invoice_services import invoice_create, invoice_issue, invoice_update
from invoicing.line_forms import add_blank_line
from invoicing.models import Customer, Invoice
from invoicing.selectors import customer_get, customer_list
from invoicing.terms import terms_for_customer

# Search matches offered to pick from; more means "type more of the name".
MATCH_LIMIT = 20
SAVE_ACTIONS = ("save", "issue")


def _customer_in_org(org: Organization, raw: Any) -> Customer | None:
    """The submitted customer when it is this organization's; anything else is "none chosen"
    here, and the service answers 404 for it if it is saved."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return Customer.objects.for_org(org).filter(pk=pk).first()


class _InvoiceEditorView(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    template_name = "invoicing/invoice_form.html"

    def editor_for(
        self,
        *,
        data: QueryDict | None = None,
        invoice: Invoice | None = None,
        customer: Customer | None = None,
    ) -> InvoiceEditor:
        if data is not None:
            customer = _customer_in_org(self.org, data.get("customer"))
        elif invoice is not None:
            customer = invoice.customer
        terms = terms_for_customer(org=self.org, customer=customer).name if customer else ""
        return invoice_editor(
            org=self.org, data=data, invoice=invoice, customer=customer, customer_terms=terms
        )

    def render_editor(
        self,
        request: HttpRequest,
        editor: InvoiceEditor,
        *,
        invoice: Invoice | None = None,
        new_line: int | None = None,
    ) -> HttpResponse:
        search = ""
        if editor.form.is_bound:
            search = str(editor.form["customer_search"].value() or "").strip()
        matches: list[Customer] = []
        if editor.customer is None and search:
            found = list(customer_list(org=self.org, search=search)[: MATCH_LIMIT + 1])
            matches = found[:MATCH_LIMIT]
        else:
            found = []
        editor.focus_line(new_line)
        currency = str(editor.form["currency"].value() or "") or (
            editor.customer.currency if editor.customer else self.org.default_currency
        )
        preview = editor_preview(org=self.org, editor=editor, currency=currency)
        shown = preview_display(preview, self.org.locale)
        amounts = shown.line_amounts if shown else {}
        return render(
            request,
            self.template_name,
            {
                "editor": editor,
                "form": editor.form,
                "lines": editor.lines,
                "customer": editor.customer,
                "invoice": invoice,
                "search": search,
                "matches": matches,
                "more_matches": len(found) > MATCH_LIMIT,
                "match_limit": MATCH_LIMIT,
                "line_rows": editor.line_rows(amounts),
                "preview": preview,
                "preview_display": shown,
                "error_summary": editor.error_summary(),
                "max_lines": MAX_LINES,
            },
        )

    def save(self, request: HttpRequest, invoice: Invoice | None) -> HttpResponse:
        data = request.POST.copy()
        action = data.get("_action", "save")
        if action == "change_customer":
            data["customer"] = ""
        new_line = add_blank_line(data) if action == "add_line" else None
        editor = self.editor_for(data=data, invoice=invoice)
        if action not in SAVE_ACTIONS:
            editor.silence()
            return self.render_editor(request, editor, invoice=invoice, new_line=new_line)
        if editor.is_valid():
            payload, sources = editor.to_data()
            actor = self.membership.user
            try:
                # One transaction: "Save and issue" that cannot issue saves nothing either,
                # so what is on the screen is what is (not) in the books.
                with transaction.atomic():
                    if invoice is None:
                        saved = invoice_create(org=self.org, actor=actor, data=payload)
                    else:
                        saved = invoice_update(
                            org=self.org, actor=actor, invoice=invoice, data=payload
                        )
                    if action == "issue":
                        saved = invoice_issue(org=self.org, actor=actor, invoice=saved)
            except NotInOrganization as exc:
                # Another organization's customer or tax rate: as if it did not exist.
                raise Http404(exc.message) from None
            except ValidationError as exc:
                editor.add_service_errors(exc, sources)
            else:
                if action == "issue":
                    messages.success(
                        request, f"Issued invoice {saved.number}. Send it when you are ready."
                    )
                else:
                    messages.success(request, "Draft saved. Nothing is sent until you issue it.")
                return redirect("invoice_detail", pk=saved.pk)
        return self.render_editor(request, editor, invoice=invoice)


class InvoiceCreateView(_InvoiceEditorView):
    def get(self, request: HttpRequest) -> HttpResponse:
        customer = None
        raw = request.GET.get("customer", "").strip()
        if raw:
            if not raw.isdigit():
                raise Http404("No such customer.")
            customer = customer_get(org=self.org, customer_id=int(raw))
        return self.render_editor(request, self.editor_for(customer=customer))

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.save(request, None)


class InvoiceEditView(_InvoiceEditorView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=pk)
        if not invoice.is_draft:
            return self.locked(request, invoice)
        return self.render_editor(request, self.editor_for(invoice=invoice), invoice=invoice)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=pk)
        if not invoice.is_draft:
            return self.locked(request, invoice, status=409)
        return self.save(request, invoice)

    def locked(self, request: HttpRequest, invoice: Invoice, status: int = 200) -> HttpResponse:
        """An issued invoice is corrected with a credit note, or voided and copied."""
        return render(
            request,
            "invoicing/invoice_locked.html",
            {"invoice": invoice},
            status=status,
        )


class InvoiceDetailView(OrgViewMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoice_get(org=self.org, invoice_id=pk)
        return render(
            request,
            "invoicing/invoice_detail.html",
            invoice_page_context(org=self.org, membership=self.membership, invoice=invoice),
        )

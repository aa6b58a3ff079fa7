"""Dashboard pages for recurring invoices: the list, the editor (new and edit), the page of one
template (its schedule, the next dates, what it issued) and its pause, resume, finish and
delete buttons."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from arhub.clock import org_today
from arhub.keyset import InvalidCursor, Keyset, aware_datetime
from arhub.money import money_format, plain, price_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.invoice_input import NotInOrganization
from invoicing.line_forms import add_blank_line
from invoicing.models import (
    Customer,
    Invoice,
    LineKind,
    RecurringInvoice,
    RecurringStatus,
    TaxRate,
)
from invoicing.recurring_editor import recurring_editor
from invoicing.recurring_forms import RecurringEditor
from invoicing.recurring_input import lines_from_json, recurring_totals
from invoicing.recurring_schedule import Schedule, describe, upcoming
from invoicing.recurring_selectors import (
    recurring_get,
    recurring_invoices,
    recurring_lines_checked,
    recurring_list,
)
from invoicing.recurring_services import (
    recurring_create,
    recurring_delete,
    recurring_finish,
    recurring_pause,
    recurring_resume,
    recurring_update,
)
from invoicing.selectors import customer_get
from invoicing.totals import LineInput, TaxInput, invoice_totals

PAGE_SIZE = 50
NEWEST = Keyset("-created", "created_at", descending=True, parse=aware_datetime)
STATUS_TABS = [("", "All"), *RecurringStatus.choices]
ISSUED_SHOWN = 50


def schedule_end_text(template: RecurringInvoice) -> str:
    parts = []
    if template.end_date is not None:
        end = template.end_date
        parts.append(f"until {end.day} {end:%b %Y}")
    if template.max_count is not None:
        parts.append(f"{template.max_count} invoices in all")
    if not parts:
        return "No end date"
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def amount_of(template: RecurringInvoice, rates: dict[int, TaxRate]) -> Decimal | None:
    """What each invoice comes to at today's rates, for the list (None when the lines do not
    add up, e.g. a rate since deleted; the template's page says why)."""
    inputs = []
    for line in lines_from_json(template.lines):
        taxes = []
        for pk in line.tax_rate_ids:
            if pk not in rates:
                return None
            taxes.append(TaxInput(key=pk, name=rates[pk].name, percent=rates[pk].percent))
        inputs.append(
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                taxes=tuple(taxes),
                discountable=line.kind == LineKind.ITEM,
            )
        )
    try:
        return invoice_totals(inputs, currency=template.currency).total
    except (ValueError, ArithmeticError):
        return None


# --------------------------------------------------------------------------------------------
# The list


@dataclass
class Row:
    template: RecurringInvoice
    schedule: str
    amount: str


class RecurringListView(OrgViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        if status not in RecurringStatus.values:
            status = ""
        customer = None
        raw_customer = request.GET.get("customer", "")
        if raw_customer.isdigit():
            customer = Customer.objects.for_org(self.org).filter(pk=int(raw_customer)).first()
        templates = recurring_list(
            org=self.org, status=status or None, customer_id=customer.pk if customer else None
        )
        try:
            cursor = NEWEST.decode(request.GET.get("after"))
        except InvalidCursor:
            cursor = None
        page = NEWEST.page(templates, cursor, PAGE_SIZE)
        rates = {rate.pk: rate for rate in TaxRate.objects.for_org(self.org)}
        rows = []
        for template in page.rows:
            amount = amount_of(template, rates)
            rows.append(
                Row(
                    template=template,
                    schedule=describe(Schedule.of(template)),
                    amount=money_format(amount, template.currency, self.org.locale)
                    if amount is not None
                    else "",
                )
            )
        by_customer = {"customer": str(customer.pk)} if customer else {}
        kept = {**by_customer, **({"status": status} if status else {})}
        tabs = [
            {
                "label": label,
                "url": "?" + urlencode({**by_customer, **({"status": value} if value else {})}),
                "current": value == status,
            }
            for value, label in STATUS_TABS
        ]
        return render(
            request,
            "invoicing/recurring_list.html",
            {
                "rows": rows,
                "tabs": tabs,
                "status": status,
                "customer": customer,
                "next_url": "?" + urlencode({**kept, "after": NEWEST.cursor(page.rows[-1])})
                if page.has_next
                else None,
                "first_url": "?" + urlencode(kept) if cursor is not None else None,
                "nothing_yet": not rows and not status and customer is None and cursor is None,
            },
        )


# --------------------------------------------------------------------------------------------
# Creating and editing


class _EditorView(OrgViewMixin, View):
    required_perm = Perm.OPERATE

    def render_editor(
        self,
        request: HttpRequest,
        editor: RecurringEditor,
        template: RecurringInvoice | None = None,
    ) -> HttpResponse:
        return render(
            request,
            "invoicing/recurring_form.html",
            {
                "editor": editor,
                "form": editor.form,
                "lines": editor.lines,
                "line_rows": editor.line_rows(),
                "template": template,
                "errors": editor.error_summary(),
                "today": org_today(self.org),
            },
        )

    def submit(
        self, request: HttpRequest, template: RecurringInvoice | None = None
    ) -> HttpResponse:
        post = request.POST.copy()
        new_line = add_blank_line(post) if "add_line" in post else None
        editor = recurring_editor(org=self.org, data=post, template=template)
        if "find" in post or "add_line" in post:
            # What was typed, shown again: not validated, nothing saved.
            editor.silence()
            editor.focus_line(new_line)
            return self.render_editor(request, editor, template)
        if editor.is_valid():
            data, sources = editor.to_data()
            try:
                if template is None:
                    saved = recurring_create(org=self.org, actor=self.membership.user, data=data)
                else:
                    saved = recurring_update(
                        org=self.org, actor=self.membership.user, template=template, data=data
                    )
            except NotInOrganization as exc:
                # Choices are this organization's, so only a rate or terms deleted meanwhile
                # lands here; say so where it belongs rather than answer 404 to a form.
                editor.add_service_errors(ValidationError({exc.field: exc.message}), sources)
            except ValidationError as exc:
                editor.add_service_errors(exc, sources)
            else:
                verb = "Saved" if template else "Added"
                messages.success(request, f"{verb} {saved.name}.")
                return redirect("recurring_detail", pk=saved.pk)
        return self.render_editor(request, editor, template)


class RecurringCreateView(_EditorView):
    def get(self, request: HttpRequest) -> HttpResponse:
        customer = None
        raw = request.GET.get("customer")
        if raw is not None:
            # Another organization's id is a 404, as if it did not exist (as the invoice
            # editor answers).
            if not raw.isdigit():
                raise Http404("No such customer.")
            customer = customer_get(org=self.org, customer_id=int(raw))
        return self.render_editor(request, recurring_editor(org=self.org, customer=customer))

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.submit(request)


class RecurringEditView(_EditorView):
    def _editable(self, request: HttpRequest, pk: int) -> RecurringInvoice | HttpResponse:
        template = recurring_get(org=self.org, template_id=pk)
        if template.status == RecurringStatus.FINISHED:
            messages.error(request, "This recurring invoice has finished; it can no longer change.")
            return redirect("recurring_detail", pk=pk)
        return template

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self._editable(request, pk)
        if isinstance(template, HttpResponse):
            return template
        editor = recurring_editor(org=self.org, template=template)
        return self.render_editor(request, editor, template)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self._editable(request, pk)
        if isinstance(template, HttpResponse):
            return template
        return self.submit(request, template)


# --------------------------------------------------------------------------------------------
# One template


@dataclass
class IssuedRow:
    invoice: Invoice
    url: str | None
    total: str
    balance: str


class RecurringDetailView(OrgViewMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = recurring_get(org=self.org, template_id=pk)
        schedule = Schedule.of(template)
        lines, problems = recurring_lines_checked(org=self.org, template=template)
        totals = recurring_totals(lines, template.currency) if lines else None
        issued = list(recurring_invoices(org=self.org, template=template)[: ISSUED_SHOWN + 1])
        context: dict[str, Any] = {
            "template": template,
            "schedule": describe(schedule),
            "ends": schedule_end_text(template),
            "upcoming": upcoming(schedule, template.next_date, issued=template.issued_count)
            if template.status == RecurringStatus.ACTIVE
            else [],
            "lines": [
                {
                    "line": line,
                    "kind": LineKind(line.kind).label if line.kind != LineKind.ITEM else "",
                    "quantity": plain(line.quantity),
                    "discount": plain(line.discount_percent) if line.discount_percent else "",
                    "amount": money_format(figures.amount, template.currency, self.org.locale),
                    "unit_price": price_format(line.unit_price, template.currency, self.org.locale),
                }
                for line, figures in zip(lines, totals.lines if totals else [], strict=False)
            ],
            "totals": {
                "subtotal": money_format(totals.subtotal, template.currency, self.org.locale),
                "taxes": [
                    (
                        t.name,
                        plain(t.percent),
                        money_format(t.amount, template.currency, self.org.locale),
                    )
                    for t in totals.taxes
                ],
                "total": money_format(totals.total, template.currency, self.org.locale),
            }
            if totals
            else None,
            "problems": problems,
            "overdue": template.status == RecurringStatus.ACTIVE
            and template.next_date is not None
            and template.next_date < org_today(self.org),
            "issued": [
                IssuedRow(
                    invoice=invoice,
                    url=reverse("invoice_detail", args=[invoice.pk]),
                    total=money_format(invoice.total, invoice.currency, self.org.locale),
                    balance=money_format(invoice.balance_due, invoice.currency, self.org.locale),
                )
                for invoice in issued[:ISSUED_SHOWN]
            ],
            "more_issued": len(issued) > ISSUED_SHOWN,
            "can_delete": template.issued_count == 0 and not issued,
        }
        return render(request, "invoicing/recurring_detail.html", context)


class _ActionView(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    done = ""

    def act(self, template: RecurringInvoice) -> RecurringInvoice | None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = recurring_get(org=self.org, template_id=pk)
        try:
            result = self.act(template)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("recurring_detail", pk=pk)
        if result is None:
            messages.success(request, self.done.format(name=template.name))
            return redirect("recurring_list")
        messages.success(request, self.done.format(name=result.name, status=result.status))
        return redirect("recurring_detail", pk=pk)


class RecurringPauseView(_ActionView):
    done = "Paused {name}. Nothing is issued until you resume it."

    def act(self, template: RecurringInvoice) -> RecurringInvoice:
        return recurring_pause(org=self.org, actor=self.membership.user, template=template)


class RecurringResumeView(_ActionView):
    done = "Resumed {name}."

    def act(self, template: RecurringInvoice) -> RecurringInvoice:
        resumed = recurring_resume(org=self.org, actor=self.membership.user, template=template)
        if resumed.status == RecurringStatus.FINISHED:
            self.done = "{name} has no dates left, so it is now finished."
        return resumed


class RecurringFinishView(_ActionView):
    done = "Finished {name}. Nothing more will be issued from it."

    def act(self, template: RecurringInvoice) -> RecurringInvoice:
        return recurring_finish(org=self.org, actor=self.membership.user, template=template)


class RecurringDeleteView(_ActionView):
    done = "Deleted {name}."

    def act(self, template: RecurringInvoice) -> None:
        recurring_delete(org=self.org, actor=self.membership.user, template=template)
        return None

"""Recording a payment from the dashboard (``/payments/new/``).

It works without JavaScript, in two steps on one page: the customer is found by a search that
re-renders the form with the matches to pick from (as the invoice editor does; an organization
may have 50,000 customers), and once they are chosen the page lists their open invoices in the
payment's currency, each with an amount input. "Find", "Change customer" and "Update the list"
save nothing; only "Record payment" does, through ``payments.services.payment_record``, whose
errors come back on the field or invoice row they name, with a summary at the top.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views import View

from arhub.clock import org_today
from arhub.form_errors import form_add_service_errors
from arhub.locales import currency_minor_units, is_currency
from arhub.money import money_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_selectors import invoice_get
from invoicing.line_editor import ErrorLink
from invoicing.line_forms import PlainDecimalField
from invoicing.models import Customer, Invoice
from invoicing.selectors import customer_get, customer_list
from payments.allocation_rows import AllocationTable, allocation_table, amount_text
from payments.forms import AUTO, CHOOSE, PaymentForm
from payments.models import Payment
from payments.services import payment_record

# Search matches offered to pick from; more means "type more of the name".
MATCH_LIMIT = 20
# Service field names shown under another name on the form.
FORM_FIELDS = {"customer": "customer_search"}


def _id(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


class PaymentCreateView(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    template_name = "payments/payment_form.html"

    # ---- GET: a fresh form, perhaps for a customer or an invoice

    def get(self, request: HttpRequest) -> HttpResponse:
        today = org_today(self.org)
        customer: Customer | None = None
        initial: dict[str, Any] = {}
        prefill: dict[int, Decimal] = {}
        settled: Invoice | None = None  # asked for from an invoice that owes nothing
        invoice_raw = request.GET.get("invoice", "").strip()
        customer_raw = request.GET.get("customer", "").strip()
        if invoice_raw:
            invoice_id = _id(invoice_raw)
            if invoice_id is None:
                raise Http404("No such invoice.")
            invoice = invoice_get(org=self.org, invoice_id=invoice_id)
            customer = invoice.customer
            initial["currency"] = invoice.currency
            if invoice.is_outstanding and invoice.balance_due > 0:
                prefill[invoice.pk] = invoice.balance_due
                initial["allocation"] = CHOOSE
                initial["amount"] = amount_text(invoice.balance_due, invoice.currency)
            else:
                settled = invoice
        elif customer_raw:
            customer_id = _id(customer_raw)
            if customer_id is None:
                raise Http404("No such customer.")
            customer = customer_get(org=self.org, customer_id=customer_id)
        if customer is not None:
            initial.setdefault("currency", customer.currency)
            initial["customer"] = customer.pk
        else:
            initial["currency"] = self.org.default_currency
        form = PaymentForm(initial=initial, customer=customer, today=today)
        table = None
        if customer is not None:
            table = allocation_table(
                org=self.org,
                customer=customer,
                currency=initial["currency"],
                prefill=prefill,
            )
        return self.render_form(request, form, customer=customer, table=table, settled=settled)

    # ---- POST: find, change, update, or record

    def post(self, request: HttpRequest) -> HttpResponse:
        today = org_today(self.org)
        data = request.POST.copy()
        action = data.get("_action", "refresh")
        if action == "change_customer":
            data["customer"] = ""
        customer = self._customer(data)
        currency = self._currency(data, customer)
        form = PaymentForm(data, customer=customer, today=today)
        table = None
        if customer is not None:
            typed_amount = _lenient_amount(data.get("amount"))
            table = allocation_table(
                org=self.org,
                customer=customer,
                currency=currency,
                data=data,
                payment_amount=typed_amount,
            )
        if action != "save":
            form._errors = ErrorDict()  # type: ignore[attr-defined]  # shown again, not judged
            if table is not None:
                for row in table.rows:
                    row.errors.clear()
            return self.render_form(request, form, customer=customer, table=table)
        form.is_valid()  # every error shows on the first submit, the table's too
        mode = data.get("allocation")
        if table is not None:
            if mode == AUTO and table.typed:
                form.add_error(
                    "allocation",
                    "You entered amounts for some invoices. Choose “Choose the invoices” to "
                    "apply them, or clear them to apply the payment automatically.",
                )
            elif mode == CHOOSE and not table.typed:
                table.errors.append(
                    "Enter an amount for at least one invoice, or apply the payment automatically."
                )
        if form.is_valid() and table is not None and table.valid and not table.errors:
            payment = self._record(form, table)
            if payment is not None:
                messages.success(request, self._recorded_message(payment, customer))
                return redirect("payment_detail", pk=payment.pk)
        return self.render_form(request, form, customer=customer, table=table, judged=True)

    def _customer(self, data: QueryDict) -> Customer | None:
        raw = str(data.get("customer") or "").strip()
        if not raw:
            return None
        customer_id = _id(raw)
        found = (
            Customer.objects.for_org(self.org).filter(pk=customer_id).first()
            if customer_id is not None
            else None
        )
        if found is None:
            # Another organization's customer (or none): as if it did not exist.
            raise Http404("No such customer.")
        return found

    def _currency(self, data: QueryDict, customer: Customer | None) -> str:
        """The currency the form shows: the customer's when they were just chosen (the form
        remembers whose currency it showed), else what was picked, when it is a currency."""
        if customer is not None and data.get("currency_customer") != str(customer.pk):
            data["currency"] = customer.currency
        chosen = str(data.get("currency") or "").strip().upper()
        if is_currency(chosen):
            return chosen
        return customer.currency if customer is not None else self.org.default_currency

    def _record(self, form: PaymentForm, table: AllocationTable) -> Payment | None:
        data = form.cleaned_data
        allocations = table.allocations() if data["allocation"] == CHOOSE else None
        try:
            return payment_record(
                org=self.org,
                actor=self.membership.user,
                customer_id=data["customer"],
                amount=data["amount"],
                currency=data["currency"],
                method=data["method"],
                received_on=data["received_on"],
                reference=data["reference"],
                allocations=allocations,
            )
        except NotInOrganization as exc:
            # An invoice of another organization in a hand-made request: as if it did not exist.
            raise Http404(exc.message) from None
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                form_add_service_errors(form, exc)
                return None
            rest = table.take_errors(exc.message_dict)
            if rest:
                shown = {FORM_FIELDS.get(key, key): value for key, value in rest.items()}
                form_add_service_errors(form, ValidationError(shown))
            return None

    def _recorded_message(self, payment: Payment, customer: Customer | None) -> str:
        locale = self.org.locale
        who = customer.display_name if customer is not None else "the customer"
        amount = money_format(payment.amount, payment.currency, locale)
        applied = payment.amount - payment.unapplied_amount
        count = payment.allocations.count()
        parts = [f"Recorded {amount} from {who}."]
        if count:
            invoices = f"{count} invoice{'' if count == 1 else 's'}"
            parts.append(
                f"{money_format(applied, payment.currency, locale)} applied to {invoices}."
            )
        if payment.unapplied_amount > 0:
            left = money_format(payment.unapplied_amount, payment.currency, locale)
            parts.append(f"{left} is kept as their credit.")
        return " ".join(parts)

    # ---- the page

    def render_form(
        self,
        request: HttpRequest,
        form: PaymentForm,
        *,
        customer: Customer | None,
        table: AllocationTable | None,
        judged: bool = False,
        settled: Invoice | None = None,
    ) -> HttpResponse:
        search = ""
        matches: list[Customer] = []
        found: list[Customer] = []
        if form.is_bound:
            search = str(form["customer_search"].value() or "").strip()
        if customer is None and search:
            found = list(customer_list(org=self.org, search=search)[: MATCH_LIMIT + 1])
            matches = found[:MATCH_LIMIT]
        summary: list[ErrorLink] = []
        if judged:
            summary = [ErrorLink(str(m), "#payment-form") for m in form.non_field_errors()]
            for name in form.fields:
                bound = form[name]
                target = "id_allocation_0" if name == "allocation" else bound.id_for_label
                for message in bound.errors:
                    summary.append(ErrorLink(f"{bound.label}: {message}", f"#{target}"))
            if table is not None:
                summary += table.error_links()
        currency = table.currency if table is not None else ""
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "customer": customer,
                "search": search,
                "matches": matches,
                "more_matches": len(found) > MATCH_LIMIT,
                "match_limit": MATCH_LIMIT,
                "table": table,
                "currency": currency,
                "decimals": currency_minor_units(currency) if currency else 2,
                "choose": (form["allocation"].value() or AUTO) == CHOOSE,
                "error_summary": summary,
                "settled": settled,
            },
            status=200,
        )


def _lenient_amount(raw: Any) -> Decimal | None:
    try:
        return PlainDecimalField(required=False).clean(raw)
    except ValidationError:
        return None

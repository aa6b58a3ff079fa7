"""Settings -> Invoices, Payment terms and Tax rates. Every member may read them; changing them
needs MANAGE_SETTINGS (owners and admins), as the organization's other settings do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.clock import org_today
from arhub.form_errors import form_add_service_errors
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.models import InvoiceSettings, PaymentTerms, TaxRate
from invoicing.settings_forms import (
    InvoiceSettingsForm,
    PaymentTermsForm,
    TaxRateForm,
    disable_all,
)
from invoicing.settings_selectors import (
    payment_terms_get,
    payment_terms_list,
    tax_rate_get,
    tax_rate_list,
    terms_example,
)
from invoicing.settings_services import (
    NextNumbers,
    invoice_numbers_next,
    invoice_settings_update,
    invoice_settings_validate,
    tax_rate_create,
    tax_rate_delete,
    tax_rate_label,
    tax_rate_set_active,
    tax_rate_update,
)
from invoicing.settings_terms_services import (
    payment_terms_create,
    payment_terms_delete,
    payment_terms_make_default,
    payment_terms_update,
    payment_terms_validate,
)
from invoicing.terms import BUILT_IN_DEFAULT, Terms


class _SettingsView(OrgViewMixin, View):
    required_perms = {"POST": Perm.MANAGE_SETTINGS}

    @property
    def may_edit(self) -> bool:
        return membership_allows(self.membership, Perm.MANAGE_SETTINGS)

    def page(self, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        form = context.get("form")
        if form is not None and not self.may_edit:
            disable_all(form)
        return render(request, template, {"may_edit": self.may_edit, **context})


def _message_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- numbering, paper and payment details


class InvoiceSettingsView(_SettingsView):
    template = "invoicing/settings_invoices.html"

    def _saved(self) -> InvoiceSettings:
        # Read without creating: a page view writes nothing.
        return InvoiceSettings.objects.for_org(self.org).first() or InvoiceSettings(
            organization=self.org
        )

    def _render(
        self, request: HttpRequest, form: InvoiceSettingsForm, preview: NextNumbers | None = None
    ) -> HttpResponse:
        today = org_today(self.org)
        return self.page(
            request,
            self.template,
            {
                "form": form,
                "next": invoice_numbers_next(org=self.org, settings=self._saved(), on=today),
                "preview": preview,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(
            request, InvoiceSettingsForm(initial=InvoiceSettingsForm.initial_for(self._saved()))
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InvoiceSettingsForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        if request.POST.get("action") == "preview":
            # The numbers this format would give, without saving or taking any.
            try:
                values = invoice_settings_validate(form.to_input())
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                return self._render(request, form)
            draft = InvoiceSettings(organization=self.org, **values)
            preview = invoice_numbers_next(org=self.org, settings=draft, on=org_today(self.org))
            return self._render(request, form, preview)
        try:
            invoice_settings_update(org=self.org, actor=self.membership.user, data=form.to_input())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form)
        messages.success(request, "Invoice settings saved. Invoices issued from now on use them.")
        return redirect("invoice_settings")


# ---- payment terms


class PaymentTermsListView(_SettingsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = org_today(self.org)
        rows = [
            (
                terms,
                terms_example(org=self.org, terms=Terms.from_model(terms), issue_date=today),
            )
            for terms in payment_terms_list(org=self.org)
        ]
        default = next((terms for terms, _ in rows if terms.is_default), None)
        return self.page(
            request,
            "invoicing/settings_terms.html",
            {
                "rows": rows,
                "default": default,
                "built_in": terms_example(org=self.org, terms=BUILT_IN_DEFAULT, issue_date=today),
                "today": today,
            },
        )


class _PaymentTermsFormView(_SettingsView):
    template = "invoicing/settings_terms_form.html"

    def _render(
        self,
        request: HttpRequest,
        form: PaymentTermsForm,
        terms: PaymentTerms | None = None,
        example: str = "",
    ) -> HttpResponse:
        today = org_today(self.org)
        if not example and terms is not None and not form.is_bound:
            example = terms_example(org=self.org, terms=Terms.from_model(terms), issue_date=today)
        return self.page(
            request,
            self.template,
            {"form": form, "terms": terms, "example": example, "today": today},
        )

    def _submit(self, request: HttpRequest, terms: PaymentTerms | None) -> HttpResponse:
        form = PaymentTermsForm(request.POST, is_default=bool(terms and terms.is_default))
        if not form.is_valid():
            return self._render(request, form, terms)
        data = form.to_input()
        if request.POST.get("action") == "preview":
            try:
                values = payment_terms_validate(self.org, data, terms)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                return self._render(request, form, terms)
            example = terms_example(
                org=self.org,
                terms=Terms.from_model(PaymentTerms(**values)),
                issue_date=org_today(self.org),
            )
            return self._render(request, form, terms, example)
        try:
            if terms is None:
                saved = payment_terms_create(org=self.org, actor=self.membership.user, data=data)
                messages.success(request, f"Added {saved.name}.")
            else:
                saved = payment_terms_update(
                    org=self.org, actor=self.membership.user, terms=terms, data=data
                )
                messages.success(
                    request,
                    f"Saved {saved.name}. Invoices issued from now on use the new terms; "
                    "issued invoices keep theirs.",
                )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form, terms)
        return redirect("payment_terms")


class PaymentTermsCreateView(_PaymentTermsFormView):
    # Nothing to read on an empty form: those who may not add terms get a 403.
    required_perm = Perm.MANAGE_SETTINGS

    def get(self, request: HttpRequest) -> HttpResponse:
        has_default = PaymentTerms.objects.for_org(self.org).filter(is_default=True).exists()
        form = PaymentTermsForm(
            initial={
                "kind": "net",
                "days": 30,
                "late_fee_kind": "none",
                # The first terms usually are the business's terms.
                "is_default": not has_default,
            }
        )
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._submit(request, None)


class PaymentTermsEditView(_PaymentTermsFormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        terms = payment_terms_get(org=self.org, terms_id=pk)
        form = PaymentTermsForm(
            initial=PaymentTermsForm.initial_for(terms), is_default=terms.is_default
        )
        return self._render(request, form, terms)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._submit(request, payment_terms_get(org=self.org, terms_id=pk))


class PaymentTermsDefaultView(_SettingsView):
    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        terms = payment_terms_get(org=self.org, terms_id=pk)
        try:
            payment_terms_make_default(org=self.org, actor=self.membership.user, terms=terms)
        except ValidationError as exc:
            messages.error(request, _message_of(exc))
        else:
            messages.success(
                request, f"{terms.name} are now the terms of every customer without their own."
            )
        return redirect("payment_terms")


class PaymentTermsDeleteView(_SettingsView):
    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        terms = payment_terms_get(org=self.org, terms_id=pk)
        try:
            payment_terms_delete(org=self.org, actor=self.membership.user, terms=terms)
        except ValidationError as exc:
            messages.error(request, _message_of(exc))
        else:
            note = (
                " New invoices use the built-in Net 30 until you choose another default."
                if terms.is_default
                else ""
            )
            messages.success(request, f"Deleted {terms.name}.{note}")
        return redirect("payment_terms")


# ---- tax rates


class TaxRateListView(_SettingsView):
    """The rates, and the form that adds one."""

    def _render(self, request: HttpRequest, form: TaxRateForm) -> HttpResponse:
        rates = tax_rate_list(org=self.org)
        return self.page(
            request,
            "invoicing/settings_tax_rates.html",
            {
                "form": form,
                "active": [rate for rate in rates if rate.is_active],
                "retired": [rate for rate in rates if not rate.is_active],
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TaxRateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TaxRateForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        try:
            rate = tax_rate_create(org=self.org, actor=self.membership.user, data=form.to_input())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form)
        messages.success(request, f"Added {tax_rate_label(rate)}.")
        return redirect("tax_rates")


class TaxRateEditView(_SettingsView):
    def _render(self, request: HttpRequest, form: TaxRateForm, rate: TaxRate) -> HttpResponse:
        return self.page(
            request, "invoicing/settings_tax_rate_form.html", {"form": form, "rate": rate}
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rate = tax_rate_get(org=self.org, rate_id=pk)
        return self._render(request, TaxRateForm(initial=TaxRateForm.initial_for(rate)), rate)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rate = tax_rate_get(org=self.org, rate_id=pk)
        form = TaxRateForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, rate)
        try:
            saved = tax_rate_update(
                org=self.org, actor=self.membership.user, rate=rate, data=form.to_input()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form, rate)
        messages.success(request, f"Saved {tax_rate_label(saved)}.")
        return redirect("tax_rates")


class TaxRateActiveView(_SettingsView):
    """Retire a rate (``active=False``) or bring it back."""

    required_perm = Perm.MANAGE_SETTINGS
    active = False

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rate = tax_rate_get(org=self.org, rate_id=pk)
        tax_rate_set_active(org=self.org, actor=self.membership.user, rate=rate, active=self.active)
        if self.active:
            messages.success(request, f"{tax_rate_label(rate)} is offered on new invoices again.")
        else:
            messages.success(
                request,
                f"Retired {tax_rate_label(rate)}. It is no longer offered on new invoices; "
                "invoices that have it keep it.",
            )
        return redirect("tax_rates")


class TaxRateDeleteView(_SettingsView):
    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rate = tax_rate_get(org=self.org, rate_id=pk)
        try:
            tax_rate_delete(org=self.org, actor=self.membership.user, rate=rate)
        except ValidationError as exc:
            messages.error(request, _message_of(exc))
        else:
            messages.success(request, f"Deleted {tax_rate_label(rate)}.")
        return redirect("tax_rates")

"""Settings -> Payments: connect Stripe, and choose what customers can do on the pay page,
receipts and late fees. Owners and admins only (the settings right): the page shows the state
of the organization's Stripe account, which the other roles have no use for.

Four posts, each redirecting back to the page when it worked: the settings form, the Stripe
form (connect, or replace one secret), "Test connection" and "Disconnect". A form that fails
comes back with its errors at their fields and a focused summary; the secrets are never
rendered back, and Django's error reports mask them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from arhub.form_errors import form_add_service_errors
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.models import InvoiceSettings
from invoicing.models import PaymentMethod as InvoicePaymentMethod
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from payments.settings_forms import PaymentSettingsForm, StripeConnectForm
from payments.settings_selectors import (
    cheque_address_lines,
    cheque_payable_to,
    stripe_webhook_url,
)
from payments.settings_services import (
    payment_settings_update,
    stripe_connect,
    stripe_disconnect,
    stripe_test_connection,
)
from payments.stripe_client import StripeNotConnected, StripeUnavailable
from payments.stripe_events import HANDLERS

TEMPLATE = "payments/settings_payments.html"
SECRET_FIELDS = ("stripe_secret_key", "stripe_webhook_secret")


def _page_url() -> str:
    # No #fragment: the notices are at the top of the page, and Stripe's section is first.
    return reverse("payment_settings")


class _PaymentSettingsPage(OrgViewMixin, View):
    required_perm = Perm.MANAGE_SETTINGS

    def _saved(self) -> PaymentSettings:
        # Read without creating: a page view writes nothing.
        return payment_settings_get(org=self.org)

    def settings_form(self, saved: PaymentSettings) -> PaymentSettingsForm:
        return PaymentSettingsForm(
            initial=PaymentSettingsForm.initial_for(saved), currency=self.org.default_currency
        )

    def page(
        self,
        request: HttpRequest,
        *,
        settings_form: PaymentSettingsForm | None = None,
        connect_form: StripeConnectForm | None = None,
    ) -> HttpResponse:
        saved = self._saved()
        invoice_settings = InvoiceSettings.objects.for_org(self.org).first()
        methods = invoice_settings.accepted_methods if invoice_settings else []
        context: dict[str, Any] = {
            "saved": saved,
            "settings_form": settings_form or self.settings_form(saved),
            "connect_form": connect_form or StripeConnectForm(connected=saved.stripe_connected),
            "webhook_url": stripe_webhook_url(org=self.org),
            "payable_to": cheque_payable_to(org=self.org, payment_settings=saved),
            "cheque_address": cheque_address_lines(org=self.org, payment_settings=saved),
            "org_cheque_address": cheque_address_lines(
                org=self.org, payment_settings=PaymentSettings(organization=self.org)
            ),
            "bank_transfer_listed": InvoicePaymentMethod.BANK_TRANSFER in methods,
            "has_instructions": bool(invoice_settings and invoice_settings.payment_instructions),
            "webhook_events": sorted(HANDLERS),
            "currency": self.org.default_currency,
            "default_name": self.org.legal_name or self.org.name,
        }
        return render(request, TEMPLATE, context)


class PaymentSettingsView(_PaymentSettingsPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PaymentSettingsForm(request.POST, currency=self.org.default_currency)
        if not form.is_valid():
            return self.page(request, settings_form=form)
        try:
            payment_settings_update(org=self.org, actor=self.membership.user, data=form.to_input())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.page(request, settings_form=form)
        messages.success(request, "Payment settings saved. Pay pages show them from now on.")
        return redirect(_page_url())


@method_decorator(sensitive_post_parameters(*SECRET_FIELDS), name="dispatch")
class StripeConnectView(_PaymentSettingsPage):
    def post(self, request: HttpRequest) -> HttpResponse:
        saved = self._saved()
        form = StripeConnectForm(request.POST, connected=saved.stripe_connected)
        if not form.is_valid():
            return self.page(request, connect_form=form)
        first = not saved.stripe_connected
        try:
            done = stripe_connect(
                org=self.org,
                actor=self.membership.user,
                secret_key=form.cleaned_data["stripe_secret_key"],
                webhook_secret=form.cleaned_data["stripe_webhook_secret"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.page(request, connect_form=form)
        except StripeUnavailable as exc:
            form.add_error(None, str(exc))
            return self.page(request, connect_form=form)
        if first:
            messages.success(
                request,
                f"{done.stripe_check_message} Customers can now pay online from their pay page.",
            )
        else:
            messages.success(request, f"Saved and checked. {done.stripe_check_message}")
        return redirect(_page_url())


class StripeTestView(_PaymentSettingsPage):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            done = stripe_test_connection(org=self.org)
        except StripeNotConnected as exc:
            messages.error(request, str(exc))
            return redirect(_page_url())
        if done.stripe_check_ok:
            messages.success(request, f"The connection works. {done.stripe_check_message}")
        else:
            messages.error(request, f"The connection does not work. {done.stripe_check_message}")
        return redirect(_page_url())


class StripeDisconnectView(_PaymentSettingsPage):
    def post(self, request: HttpRequest) -> HttpResponse:
        before = self._saved()
        stripe_disconnect(org=self.org, actor=self.membership.user)
        if before.stripe_connected:
            messages.success(
                request,
                "Stripe is disconnected and the keys are deleted. Pay pages show your other "
                "ways to pay.",
            )
        else:
            messages.success(request, "Stripe was not connected.")
        return redirect(_page_url())

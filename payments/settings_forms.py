"""Forms of Settings -> Payments. They check shapes (a number is a number) and hand the services
their input; the services decide what is allowed and name the field.

The Stripe secrets are password inputs that never render a value: what was typed is not sent
back to the browser, even when the form comes back with an error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from payments.checkout import BANK_DEBITS
from payments.models import PaymentSettings
from payments.settings_services import SETTINGS_FIELDS, PaymentSettingsInput

# What each bank debit Stripe Checkout offers is called where it is used.
DEBIT_NAMES = {
    "us_bank_account": "ACH",
    "sepa_debit": "SEPA",
    "bacs_debit": "Bacs",
    "au_becs_debit": "BECS",
}


def _debits() -> str:
    """ "USD (ACH), EUR (SEPA), GBP (Bacs) and AUD (BECS)", from what checkout offers."""
    named = [
        f"{currency} ({DEBIT_NAMES.get(method, method)})"
        for currency, method in BANK_DEBITS.items()
    ]
    return ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else "".join(named)


def _switch(label: str, help_text: str = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


class PaymentSettingsForm(forms.Form):
    card_enabled = _switch(
        "Cards and wallets",
        "Visa, Mastercard, American Express and more, with Apple Pay, Google Pay and Link, "
        "on Stripe's secure page.",
    )
    bank_debit_enabled = _switch(
        "Bank debit",
        f"Offered on invoices in {_debits()}; invoices in other currencies offer cards only. "
        "Turn the same methods on in your Stripe dashboard (Settings → Payment methods).",
    )
    allow_partial = _switch(
        "Let customers pay part of an invoice",
        "They choose how much to pay now; the rest stays owed.",
    )
    partial_minimum = forms.DecimalField(
        label="Smallest part payment",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # The page explains below them what an empty box means (the organization's own details).
    cheque_payable_to = forms.CharField(
        label="Make cheques payable to",
        required=False,
        widget=forms.TextInput(attrs={"aria-describedby": "cheque-default"}),
    )
    cheque_address = forms.CharField(
        label="Mail cheques to",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "aria-describedby": "cheque-default"}),
    )
    send_receipts = _switch(
        "Thank the customer with a receipt",
        "A short thank-you email with the receipt as a PDF, for every payment: online, "
        "by transfer, cheque or cash.",
    )
    late_fees_enabled = forms.BooleanField(
        label="Charge late fees on overdue invoices",
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "late-fee-rules"}),
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other = "USD" if currency == "EUR" else "EUR"
        self.fields["partial_minimum"].help_text = (
            f"In each invoice's own currency: 5 means {currency} 5 on a {currency} invoice and "
            f"{other} 5 on a {other} invoice. 0 for no minimum. A balance smaller than this "
            "is paid in full."
        )

    @classmethod
    def initial_for(cls, settings: PaymentSettings) -> dict[str, Any]:
        initial = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
        initial["partial_minimum"] = f"{settings.partial_minimum.normalize():f}"
        return initial

    def to_input(self) -> PaymentSettingsInput:
        data = {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}
        if data["partial_minimum"] is None:
            data["partial_minimum"] = Decimal(0)
        return PaymentSettingsInput(**data)


def _secret(label: str, placeholder: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "placeholder": placeholder,
            },
        ),
    )


class StripeConnectForm(forms.Form):
    stripe_secret_key = _secret("Secret key", "sk_live_… or sk_test_…")
    stripe_webhook_secret = _secret("Webhook signing secret", "whsec_…")

    def __init__(self, *args: Any, connected: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = " Leave it empty to keep the saved one." if connected else ""
        self.fields["stripe_secret_key"].help_text = (
            "In Stripe: Developers → API keys → Secret key (Reveal, then copy). A restricted "
            "key (rk_…) works too." + keep
        )
        self.fields["stripe_webhook_secret"].help_text = (
            "In Stripe: Developers → Webhooks → your AR Hub endpoint → Signing secret." + keep
        )

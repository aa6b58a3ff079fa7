"""Dashboard forms for payments: recording one (its allocation table is in
``payments.allocation_rows``), reversing one, and applying a customer's credit.

The forms check shape (a number is a number, a date a date; amounts are typed text turned into
Decimal, never float); ``payments.services`` decides what is allowed, and its errors, keyed like
``allocations[1].amount``, are put back on the field or row they name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from arhub.locales import currency_choices
from invoicing.line_forms import PlainDecimalField
from invoicing.models import Customer
from payments.models import PaymentMethod

AUTO, CHOOSE = "auto", "choose"
ALLOCATION_CHOICES = [
    (
        AUTO,
        "Apply automatically (oldest due first, or the invoice whose balance equals the amount)",
    ),
    (CHOOSE, "Choose the invoices"),
]

# What the owner records by hand; Stripe payments only ever come from Stripe.
MANUAL_METHODS = [(value, label) for value, label in PaymentMethod.choices if value != "stripe"]


class PaymentForm(forms.Form):
    # Set by a radio among the search matches, or carried as a hidden input once chosen: an
    # organization may have 50,000 customers, too many for a <select>.
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer_search = forms.CharField(
        label="Find the customer",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Part of a name, company, email or phone number.",
    )
    amount = PlainDecimalField(
        label="Amount received",
        error_messages={"required": "Enter the amount received, e.g. 1250.00."},
    )
    currency = forms.ChoiceField(label="Currency")
    method = forms.ChoiceField(
        label="Method",
        choices=MANUAL_METHODS,
        initial=PaymentMethod.CHEQUE,
        error_messages={"invalid_choice": "Choose one of the methods in the list."},
    )
    received_on = forms.DateField(
        label="Date received",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date the money arrived."},
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Optional: the cheque number or the bank's reference.",
    )
    allocation = forms.ChoiceField(
        label="Apply it to",
        choices=ALLOCATION_CHOICES,
        initial=AUTO,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, customer: Customer | None = None, today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["currency"].choices = currency_choices()  # type: ignore[attr-defined]
        if customer is not None:
            self.fields["currency"].initial = customer.currency
        self.fields["received_on"].initial = today
        self.fields["received_on"].widget.attrs["max"] = today.isoformat()

    def clean_received_on(self) -> date:
        received: date = self.cleaned_data["received_on"]
        if received > self.today:
            raise forms.ValidationError(
                f"This is after today ({self.today:%-d %b %Y}); record money once it has arrived."
            )
        return received

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("customer") and "customer_search" not in self.errors:
            self.add_error(
                "customer_search",
                "Choose who paid: type part of their name, press Find, then pick them.",
            )
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the payment, e.g. “Cheque bounced: insufficient funds”.",
        error_messages={"required": "Say why the payment is reversed, so your team knows later."},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(
                "Say why the payment is reversed, so your team knows later."
            )
        return reason


class CreditApplyForm(forms.Form):
    """The customer page's "Apply" beside a currency's unapplied cash."""

    currency = forms.CharField(max_length=3, widget=forms.HiddenInput)

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

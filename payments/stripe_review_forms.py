"""The owner's two answers to a Stripe event set aside for review."""

from __future__ import annotations

from django import forms


class CreditForm(forms.Form):
    # Only asked when the event names no checkout of ours; then picked from search matches.
    customer = forms.IntegerField(required=False, min_value=1)


class DismissForm(forms.Form):
    note = forms.CharField(
        label="Why dismiss it?",
        max_length=300,
        help_text="For your records, e.g. “refunded in Stripe” or “test payment”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Say why, e.g. “refunded in Stripe”."},
    )


class FindCustomerForm(forms.Form):
    find = forms.CharField(
        label="Who paid?",
        required=False,
        max_length=100,
        help_text="Type part of the customer's name, then press Find.",
    )

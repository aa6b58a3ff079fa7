"""Dashboard forms for invoices: the invoice (with its lines, from ``line_forms``, put together
in ``invoice_editor``), the credit note form and the reason asked for on void and write-off.

The forms check shape (a number is a number, a date a date) and build the services' dataclasses;
``invoice_input`` decides what is allowed, and its errors, keyed like ``lines[2].unit_price``, are
put back on the line and field they name (``line_editor.LinesEditor.add_service_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from arhub.locales import currency_choices
from arhub.models import Organization
from arhub.money import plain
from invoicing.line_forms import PlainDecimalField
from invoicing.models import Customer, DiscountKind, Invoice, PaymentTerms

# --------------------------------------------------------------------------------------------
# The invoice


class InvoiceForm(forms.Form):
    # Set by a radio among the search matches, or carried as a hidden input once chosen: an
    # organization may have 50,000 customers, too many for a <select>.
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    customer_search = forms.CharField(
        label="Find a customer",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Part of a name, company, email or phone number.",
    )
    issue_date = forms.DateField(
        label="Issue date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave blank to date it the day you issue it.",
    )
    payment_terms = forms.TypedChoiceField(
        label="Payment terms", required=False, coerce=int, empty_value=None
    )
    due_date = forms.DateField(
        label="Fixed due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. Leave blank to work it out from the payment terms.",
    )
    currency = forms.ChoiceField(label="Currency", required=False)
    po_number = forms.CharField(
        label="PO number",
        max_length=100,
        required=False,
        help_text="The customer's purchase order number, if they gave you one.",
    )
    discount_kind = forms.ChoiceField(
        label="Invoice discount", choices=DiscountKind.choices, initial=DiscountKind.NONE
    )
    discount_value = PlainDecimalField(
        label="Discount",
        required=False,
        help_text="A percentage (10 for 10%) or an amount, as chosen. Shipping and fees are "
        "not discounted.",
    )
    notes = forms.CharField(
        label="Notes to the customer",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the invoice.",
    )
    memo = forms.CharField(
        label="Internal memo",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only your team sees this; it is never shown to the customer.",
    )

    def __init__(
        self,
        *args: Any,
        org: Organization,
        customer: Customer | None = None,
        customer_terms: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        own = (
            f"The customer's currency ({customer.currency})"
            if customer
            else ("The customer's currency")
        )
        self.fields["currency"].choices = [("", own), *currency_choices()]  # type: ignore[attr-defined]
        terms = PaymentTerms.objects.for_org(org).order_by("name")
        blank = (
            f"The customer's terms ({customer_terms})"
            if customer_terms
            else "The customer's terms, or your default"
        )
        self.fields["payment_terms"].choices = [  # type: ignore[attr-defined]
            ("", blank),
            *((t.pk, t.name) for t in terms),
        ]

    @classmethod
    def initial_for(cls, invoice: Invoice) -> dict[str, Any]:
        return {
            "customer": invoice.customer_id,
            "currency": invoice.currency,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "payment_terms": _terms_id(invoice),
            "po_number": invoice.po_number,
            "notes": invoice.notes,
            "memo": invoice.memo,
            "discount_kind": invoice.discount_kind,
            "discount_value": plain(invoice.discount_value)
            if invoice.discount_kind != DiscountKind.NONE
            else None,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("customer") and "customer_search" not in self.errors:
            self.add_error(
                "customer_search",
                "Choose the customer: type part of their name, press Find, then pick them.",
            )
        kind, value = data.get("discount_kind"), data.get("discount_value")
        if (
            kind
            and kind != DiscountKind.NONE
            and value is None
            and "discount_value" not in (self.errors)
        ):
            self.add_error("discount_value", "Enter the discount, or choose no discount.")
        return data


def _terms_id(invoice: Invoice) -> int | None:
    """The named terms a draft was saved with. A draft keeps a copy of the terms, not their id,
    so find the organization's terms of that name (renamed or deleted ones fall back to the
    customer's)."""
    name = (invoice.terms or {}).get("name")
    if not name:
        return None
    found = (
        PaymentTerms.objects.for_org(invoice.organization)
        .filter(name=name)
        .values_list("pk", flat=True)
        .first()
    )
    return found


# --------------------------------------------------------------------------------------------
# Credit notes, void and write-off


class CreditNoteForm(forms.Form):
    amount = PlainDecimalField(
        label="Amount to credit",
        required=False,
        help_text="Tax included. Leave blank to credit all that remains.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the credit note, e.g. “Two hours billed twice”.",
        error_messages={"required": "Say why the credit is given; it is printed on it."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the invoice's record for your team.",
    )
    then_copy = forms.BooleanField(
        label="Then make a corrected copy as a new draft",
        required=False,
    )

    def __init__(self, *args: Any, reason_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        self.fields["reason"].error_messages["required"] = "Say why, so your team knows later."

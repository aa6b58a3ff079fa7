"""Dashboard forms for recurring invoices: the template, and the editor that puts it together
with its lines (``line_forms``; what it does alike with the invoice editor is ``line_editor``'s).

The forms check shape (a number is a number, a date a date) and build ``RecurringData``;
``recurring_input`` decides what is allowed, and its errors, keyed like ``lines[2].unit_price``,
are put back on the line and field they name. Works without JavaScript: "Find" (the customer
search, for directories too long for a list) and "Add another line" show the form again with
what was typed, unvalidated and unsaved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms

from arhub.locales import currency_choices
from arhub.models import Organization
from invoicing.line_editor import LinesEditor
from invoicing.line_forms import LineForm
from invoicing.models import Frequency, PaymentTerms, RecurringInvoice
from invoicing.recurring_input import RecurringData

# Up to this many customers are offered as a list; beyond it, a search picks among matches.
LIST_LIMIT = 300
MATCH_LIMIT = 20
DATE_WIDGET = {"type": "date"}
DAY_MESSAGE = "Choose a day from 1 to 31."


class RecurringForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="For your team, e.g. “Monthly maintenance”. Not shown to the customer.",
    )
    customer = forms.TypedChoiceField(
        label="Customer", coerce=int, empty_value=None, required=False
    )
    customer_search = forms.CharField(
        label="Find a customer",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Part of a name, company, email or phone number, then press Find.",
    )
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    start_date = forms.DateField(
        label="Start date",
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="The first invoice is dated on or after this day.",
    )
    day_of_month = forms.IntegerField(
        label="Day of the month",
        required=False,
        min_value=1,
        max_value=31,
        error_messages={"min_value": DAY_MESSAGE, "max_value": DAY_MESSAGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Monthly, quarterly and yearly. 29, 30 or 31 fall on the last day of "
        "shorter months. Blank: the start date's day.",
    )
    end_date = forms.DateField(
        label="End date",
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="Optional. No invoice is dated after it.",
    )
    max_count = forms.IntegerField(
        label="Stop after",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Optional: a number of invoices, e.g. 12.",
    )
    currency = forms.ChoiceField(label="Currency", required=False)
    payment_terms = forms.TypedChoiceField(
        label="Payment terms", coerce=int, empty_value=None, required=False
    )
    po_number = forms.CharField(label="PO number", max_length=100, required=False)
    notes = forms.CharField(
        label="Notes to the customer",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on every invoice.",
    )
    auto_send = forms.BooleanField(
        label="Email each invoice to the customer as soon as it is issued",
        required=False,
        initial=True,
    )

    def __init__(
        self,
        *args: Any,
        org: Organization,
        customer_choices: list[tuple[int, str]],
        searching: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.searching = searching
        customer = cast(forms.TypedChoiceField, self.fields["customer"])
        customer.choices = [("", "Choose a customer"), *customer_choices]
        if searching:
            customer.choices = customer_choices
            customer.widget = forms.RadioSelect(choices=customer_choices)
        else:
            del self.fields["customer_search"]
        cast(forms.ChoiceField, self.fields["currency"]).choices = [
            ("", "The customer's currency"),
            *currency_choices(),
        ]
        terms = PaymentTerms.objects.for_org(org).order_by("name")
        cast(forms.TypedChoiceField, self.fields["payment_terms"]).choices = [
            ("", "The customer's terms when each invoice is issued"),
            *((t.pk, t.name) for t in terms),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("customer") is None and "customer" not in self.errors:
            if self.searching:
                self.add_error(
                    "customer_search",
                    "Choose the customer: type part of their name, press Find, then pick them.",
                )
            else:
                self.add_error("customer", "Choose the customer.")
        return data

    @classmethod
    def initial_for(cls, template: RecurringInvoice) -> dict[str, Any]:
        return {
            "name": template.name,
            "customer": template.customer_id,
            "frequency": template.frequency,
            "start_date": template.start_date,
            "day_of_month": template.day_of_month,
            "end_date": template.end_date,
            "max_count": template.max_count,
            "currency": template.currency,
            "payment_terms": template.payment_terms_id,
            "po_number": template.po_number,
            "notes": template.notes,
            "auto_send": template.auto_send,
        }


@dataclass
class RecurringEditor(LinesEditor[RecurringForm]):
    """The template's form and its lines, submitted and shown together."""

    form_anchor: ClassVar[str] = "recurring-form"

    def to_data(self) -> tuple[RecurringData, list[LineForm]]:
        data = self.form.cleaned_data
        sources = self.lines.kept()
        return (
            RecurringData(
                customer_id=data["customer"],
                name=data["name"],
                lines=[row.to_line() for row in sources],
                frequency=data["frequency"],
                start_date=data["start_date"],
                currency=data["currency"],
                day_of_month=data["day_of_month"],
                end_date=data["end_date"],
                max_count=data["max_count"],
                payment_terms_id=data["payment_terms"],
                notes=data["notes"],
                po_number=data["po_number"],
                auto_send=data["auto_send"],
            ),
            sources,
        )

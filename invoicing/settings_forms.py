"""Forms of the invoice settings pages. They check shapes (numbers are numbers) and hand the
services their input dataclasses; the services decide what is allowed and name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from invoicing.models import (
    InvoiceSettings,
    LateFeeKind,
    PaperSize,
    PaymentMethod,
    PaymentTerms,
    TaxRate,
)
from invoicing.settings_services import InvoiceSettingsInput, TaxRateInput
from invoicing.settings_terms_services import NAMED_KINDS, PaymentTermsInput


def _decimal(label: str, help_text: str = "", **attrs: str) -> forms.DecimalField:
    # No digit limits here: the service says what is allowed, in its own words.
    return forms.DecimalField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs}),
    )


def _days(label: str, help_text: str = "", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": 365, "inputmode": "numeric"}),
    )


def plain(value: Decimal | None) -> str | None:
    """A stored decimal as a person writes it: 20.0000 as "20", 1.500 as "1.5"."""
    return None if value is None else f"{value.normalize():f}"


def disable_all(form: forms.Form) -> None:
    """For a role that may read the settings but not change them."""
    for field in form.fields.values():
        field.disabled = True


# ---- numbering, paper and payment details


class InvoiceSettingsForm(forms.Form):
    invoice_prefix = forms.CharField(
        label="Invoice prefix",
        max_length=40,
        required=False,
        help_text="Letters, digits, - _ or . e.g. INV-",
    )
    credit_note_prefix = forms.CharField(
        label="Credit note prefix",
        max_length=40,
        required=False,
        help_text="Different from the invoice prefix, e.g. CN-",
    )
    number_include_year = forms.BooleanField(
        label="Include the year",
        required=False,
        help_text="As in INV-2027-0042. The count starts again at 1 each year.",
    )
    number_padding = forms.IntegerField(
        label="Digits in the count",
        min_value=1,
        max_value=10,
        help_text="4 gives 0042. Longer numbers are never cut.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 10, "inputmode": "numeric"}),
    )
    paper_size = forms.ChoiceField(
        label="Paper size of the PDF", choices=PaperSize.choices, widget=forms.RadioSelect
    )
    accepted_methods = forms.MultipleChoiceField(
        label="Ways your customers can pay",
        choices=PaymentMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Listed on every invoice.",
    )
    payment_instructions = forms.CharField(
        label="Payment instructions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Bank name, account holder, IBAN or account and sort code, and where to "
        "send cheques. Printed on every invoice.",
    )
    default_notes = forms.CharField(
        label="Notes on new invoices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Filled in on each new invoice, where you can change it. "
        "E.g. “Thank you for your business.”",
    )
    footer = forms.CharField(
        label="Footer",
        max_length=300,
        required=False,
        help_text="A short line at the bottom of every page, e.g. your company number.",
    )

    @classmethod
    def initial_for(cls, settings: InvoiceSettings) -> dict[str, Any]:
        return {name: getattr(settings, name) for name in cls.base_fields}

    def to_input(self) -> InvoiceSettingsInput:
        return InvoiceSettingsInput(**{name: self.cleaned_data[name] for name in self.fields})


# ---- payment terms


class PaymentTermsForm(forms.Form):
    name = forms.CharField(
        max_length=60, help_text="What you and your customers call them, e.g. 2/10 Net 30."
    )
    kind = forms.ChoiceField(
        label="When payment is due",
        choices=[(k.value, k.label) for k in NAMED_KINDS],
        widget=forms.RadioSelect,
    )
    days = _days(
        "Days",
        "Net: days after the invoice date. End of month: days after the month the invoice is "
        "dated in ends (0 is the last day of that month). Not used for due on receipt.",
    )
    discount_percent = _decimal(
        "Early-payment discount (%)", "Optional, e.g. 2 for 2% off.", placeholder="e.g. 2"
    )
    discount_days = _days(
        "Discount applies for (days)",
        "Days after the invoice date, fewer than the days until it is due.",
    )
    late_fee_kind = forms.ChoiceField(
        label="Charge", choices=LateFeeKind.choices, widget=forms.RadioSelect
    )
    late_fee_amount = _decimal(
        "Flat fee amount", "For a flat fee, in the invoice's currency.", placeholder="e.g. 25"
    )
    late_fee_percent = _decimal(
        "Monthly percentage (%)",
        "For a monthly percentage, of the unpaid balance.",
        placeholder="e.g. 1.5",
    )
    late_fee_grace_days = _days(
        "Grace days", "Days after the due date before a fee is charged. Blank is 0."
    )
    late_fee_cap_percent = _decimal(
        "Cap (% of the invoice)",
        "Optional: fees never add up to more than this share of the invoice total.",
        placeholder="e.g. 10",
    )
    late_fee_compound = forms.BooleanField(
        label="Compound the monthly percentage",
        required=False,
        help_text="Off (the usual): simple interest, charged on the unpaid invoice only. "
        "On: also charged on earlier fees. Check that your local law allows it.",
    )
    is_default = forms.BooleanField(
        label="Make these the default",
        required=False,
        help_text="Used for every customer who has no terms of their own.",
    )

    def __init__(self, *args: Any, is_default: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_default:
            # Already the default: the page says so; there is nothing to tick.
            del self.fields["is_default"]

    @classmethod
    def initial_for(cls, terms: PaymentTerms) -> dict[str, Any]:
        initial = {name: getattr(terms, name) for name in cls.base_fields if name != "is_default"}
        return {
            name: plain(value) if isinstance(value, Decimal) else value
            for name, value in initial.items()
        }

    def to_input(self) -> PaymentTermsInput:
        data = self.cleaned_data
        return PaymentTermsInput(
            name=data["name"],
            kind=data["kind"],
            days=data["days"],
            discount_percent=data["discount_percent"],
            discount_days=data["discount_days"],
            late_fee_kind=data["late_fee_kind"],
            late_fee_amount=data["late_fee_amount"],
            late_fee_percent=data["late_fee_percent"],
            late_fee_grace_days=data["late_fee_grace_days"],
            late_fee_cap_percent=data["late_fee_cap_percent"],
            late_fee_compound=data["late_fee_compound"],
            is_default=bool(data.get("is_default")),
        )


class TaxRateForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="As it prints on invoices, e.g. VAT.")
    percent = forms.DecimalField(
        label="Rate (%)",
        help_text="E.g. 20 for 20%, or 8.875.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    registration_number = forms.CharField(
        label="Registration number",
        max_length=60,
        required=False,
        help_text="Optional: your VAT, GST or sales tax number for this tax, printed with it.",
    )

    @classmethod
    def initial_for(cls, rate: TaxRate) -> dict[str, Any]:
        return {
            "name": rate.name,
            "percent": plain(rate.percent),
            "registration_number": rate.registration_number,
        }

    def to_input(self) -> TaxRateInput:
        data = self.cleaned_data
        return TaxRateInput(
            name=data["name"],
            percent=data["percent"],
            registration_number=data["registration_number"],
        )

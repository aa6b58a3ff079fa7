"""Dashboard forms for customers: the directory's filter, the customer with its contacts, notes
and SMS consent. Forms check shape and turn input into the services' dataclasses; the services
decide what is allowed, and their errors are put back next to the field they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from arhub.form_errors import form_add_service_errors
from arhub.locales import (
    country_choices,
    currency_choices,
    currency_minor_units,
    is_currency,
    timezone_choices,
)
from arhub.models import Organization
from invoicing.models import Customer, Language, PaymentTerms, PreferredChannel
from invoicing.services import (
    BILLING_FIELDS,
    MAX_TAGS,
    ContactInput,
    CustomerInput,
    phone_to_e164,
)

SORT_CHOICES = [
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
]


class CustomerFilterForm(forms.Form):
    """The directory's search box, tag filter and sort order (a GET form: never invalid in a
    way that hides the list; a bad value falls back to its default)."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Name, company, email, phone, city, postal code or external id.",
    )
    tag = forms.ChoiceField(label="Tag", required=False)
    has_overdue = forms.ChoiceField(
        label="Overdue",
        required=False,
        choices=[
            ("", "Any"),
            ("true", "Has overdue"),
            ("false", "Nothing overdue"),
        ],
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "All tags"), *((t, t) for t in tags)]  # type: ignore[attr-defined]

    def value(self, name: str) -> str:
        if not self.is_bound:
            return ""
        # Invalid fields are left out of cleaned_data, valid ones kept: a stale tag or an unknown
        # sort falls back to its default without blanking the search.
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")

    def overdue_filter(self) -> bool | None:
        """True, False, or None for "any" (and for a value that is neither)."""
        return {"true": True, "false": False}.get(self.value("has_overdue"))


def tags_from_text(text: str) -> list[str]:
    return [tag.strip() for tag in text.split(",") if tag.strip()]


class CustomerForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=200,
        help_text="How you address them on invoices and reminders.",
    )
    company = forms.CharField(max_length=200, required=False)
    timezone = forms.ChoiceField(label="Time zone", required=False)
    language = forms.ChoiceField(
        choices=Language.choices, help_text="Invoices and reminders are written in it."
    )
    currency = forms.ChoiceField(choices=currency_choices)
    payment_terms = forms.TypedChoiceField(
        label="Payment terms",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Your named terms, set in Settings → Payment terms.",
    )
    payment_terms_days = forms.IntegerField(
        label="Or net days",
        required=False,
        min_value=0,
        max_value=365,
        help_text="Instead of named terms: payment due this many days after the invoice date "
        "(0 is on receipt), with your default terms' discount and late fee.",
    )
    preferred_channel = forms.ChoiceField(
        label="Preferred channel",
        choices=PreferredChannel.choices,
        help_text="SMS is sent only to numbers with recorded consent.",
    )
    credit_limit = forms.DecimalField(
        label="Credit limit",
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=3,
        help_text="Optional, in the customer's currency.",
    )
    tags = forms.CharField(
        max_length=MAX_TAGS * 42,
        required=False,
        help_text="Separate with commas, e.g. wholesale, north.",
    )
    external_id = forms.CharField(
        label="External id",
        max_length=100,
        required=False,
        help_text="Their id in your accounting system, for imports and sync.",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible to your team only.",
    )
    # The customer's address, not the person typing it: no browser autofill.
    billing_address_line1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Printed under their name on invoices and credit notes.",
    )
    billing_address_line2 = forms.CharField(
        label="Address line 2",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    billing_city = forms.CharField(
        label="City or town",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    billing_region = forms.CharField(
        label="State, province or region",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    billing_postal_code = forms.CharField(
        label="Postal or ZIP code",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    billing_country = forms.ChoiceField(label="Country", required=False)
    tax_id = forms.CharField(
        label="Tax or VAT number",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Printed on their invoices. Business customers in the EU and the UK need "
        "their VAT number on every invoice.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank keeps the customer on the organization's zone, following it if it changes.
        self.fields["timezone"].choices = [  # type: ignore[attr-defined]
            ("", f"Same as your business ({org.timezone})"),
            *timezone_choices(),
        ]
        self.fields["timezone"].help_text = "Reminders go out during their working hours."
        self.fields["billing_country"].choices = [  # type: ignore[attr-defined]
            ("", "Not given"),
            *country_choices(),
        ]
        if not self.is_bound and "currency" not in self.initial:
            self.initial["currency"] = org.default_currency
        named = list(
            PaymentTerms.objects.for_org(org)
            .order_by("-is_default", "name")
            .values_list("pk", "name", "is_default")
        )
        default = next((name for _, name, is_default in named if is_default), "Net 30")
        self.fields["payment_terms"].choices = [  # type: ignore[attr-defined]
            ("", f"Your default ({default})"),
            *((str(pk), name) for pk, name, _ in named),
        ]

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        return {
            "display_name": customer.display_name,
            "company": customer.company,
            "timezone": customer.timezone,
            "language": customer.language,
            "currency": customer.currency,
            "payment_terms": customer.payment_terms_id,
            "payment_terms_days": customer.payment_terms_days,
            "preferred_channel": customer.preferred_channel,
            "credit_limit": customer.credit_limit,
            "tags": ", ".join(customer.tags),
            "external_id": customer.external_id,
            "notes": customer.notes,
            **{name: getattr(customer, name) for name in BILLING_FIELDS},
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit, currency = data.get("credit_limit"), data.get("currency")
        if limit is not None and currency and is_currency(currency):
            places = currency_minor_units(currency)
            if limit != limit.quantize(Decimal(1).scaleb(-places)):
                self.add_error(
                    "credit_limit",
                    f"{currency} amounts have at most {places} decimal places."
                    if places
                    else f"{currency} amounts have no decimal places.",
                )
        if data.get("payment_terms") is not None and data.get("payment_terms_days") is not None:
            self.add_error(
                "payment_terms_days",
                "Choose named payment terms or net days, not both: leave net days empty to "
                "use the named terms.",
            )
        return data

    def to_input(self) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            display_name=data["display_name"],
            currency=data["currency"],
            company=data["company"],
            timezone=data["timezone"],
            language=data["language"],
            payment_terms_days=data["payment_terms_days"],
            payment_terms_id=data["payment_terms"],
            preferred_channel=data["preferred_channel"],
            credit_limit=data["credit_limit"],
            tags=tags_from_text(data["tags"]),
            external_id=data["external_id"],
            notes=data["notes"],
            **{name: data[name] for name in BILLING_FIELDS},
        )


class ContactForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, required=False)
    role = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Accounts payable"}),
    )
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    receives_invoices = forms.BooleanField(label="Gets invoices", required=False, initial=True)
    receives_reminders = forms.BooleanField(label="Gets reminders", required=False, initial=True)

    def __init__(self, *args: Any, region: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        country = dict(country_choices()).get(region, region)
        self.fields["phone"].help_text = (
            f"Numbers without + and a country code are read as {country} numbers."
            if region
            else "Start with + and the country code, e.g. +1 415 555 0132."
        )

    def clean_phone(self) -> str:
        # The same check the service makes, here too so a bad number is reported together
        # with the form's other errors rather than on a second submit.
        phone: str = self.cleaned_data["phone"].strip()
        if phone:
            phone_to_e164(phone, region=self.region or None)
        return phone

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name") or data.get("email") or data.get("phone"))


class BaseContactFormSet(forms.BaseFormSet[ContactForm]):
    """The customer's contacts. Which one is primary is one radio group across the rows
    (``<prefix>-primary`` holding a row index), so no more than one can be chosen."""

    def __init__(self, *args: Any, primary: int | None = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial_primary = primary

    def add_fields(self, form: ContactForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this contact"

    @property
    def primary_field_name(self) -> str:
        return f"{self.prefix}-primary"

    def primary_index(self) -> int | None:
        """The row chosen as primary: the submitted one, else the one shown as checked."""
        if self.is_bound:
            raw = self.data.get(self.primary_field_name, "")
            return int(raw) if str(raw).isdigit() else None
        return self.initial_primary

    def rows(self) -> list[tuple[int, ContactForm]]:
        """Filled rows the person kept, with their index among all rows."""
        kept: list[tuple[int, ContactForm]] = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            if form.is_blank():
                continue
            kept.append((index, form))
        return kept

    def to_inputs(self) -> tuple[list[ContactInput], list[ContactForm]]:
        """Contacts for the service, and the form each came from, in the same order: the
        service names a bad contact by its position ("contacts[1].phone")."""
        primary = self.primary_index()
        inputs: list[ContactInput] = []
        sources: list[ContactForm] = []
        for index, form in self.rows():
            data = form.cleaned_data
            inputs.append(
                ContactInput(
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    role=data["role"],
                    is_primary=index == primary,
                    receives_invoices=data["receives_invoices"],
                    receives_reminders=data["receives_reminders"],
                    id=data["id"],
                )
            )
            sources.append(form)
        return inputs, sources


ContactFormSet = cast(
    type[BaseContactFormSet],
    forms.formset_factory(
        ContactForm,
        formset=BaseContactFormSet,
        # Two blank rows always, so a second and third contact can be added without JavaScript.
        extra=2,
        can_delete=True,
        max_num=50,
        absolute_max=50,
        validate_max=True,
    ),
)

_CONTACT_KEY = re.compile(r"^contacts\[(\d+)\]\.(\w+)$")


@dataclass
class CustomerForms:
    """The customer form and its contacts formset, submitted and shown together."""

    form: CustomerForm
    contacts: BaseContactFormSet

    def is_valid(self) -> bool:
        # Both are validated, so every error shows on the first submit.
        form_ok = self.form.is_valid()
        contacts_ok = self.contacts.is_valid()
        return form_ok and contacts_ok

    def has_errors(self) -> bool:
        if not self.form.is_bound:
            return False
        return bool(
            self.form.errors
            or self.contacts.non_form_errors()
            or any(form.errors for form in self.contacts.forms)
        )

    def add_service_errors(self, exc: ValidationError, sources: list[ContactForm]) -> None:
        """Each of the service's messages next to the field it names: "contacts[1].phone" on
        the phone of the row that became the second contact, "contacts" above the contacts,
        anything else on the customer form."""
        if not hasattr(exc, "error_dict"):
            form_add_service_errors(self.form, exc)
            return
        rest: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            match = _CONTACT_KEY.match(key)
            if match and int(match[1]) < len(sources):
                row, field = sources[int(match[1])], match[2]
                row.add_error(field if field in row.fields else None, messages)
            elif key == "contacts" or key.startswith("contacts["):
                self.contacts.non_form_errors().extend(messages)
            else:
                rest[key] = messages
        if rest:
            form_add_service_errors(self.form, ValidationError(rest))


def customer_forms(
    *,
    org: Organization,
    data: Any = None,
    customer: Customer | None = None,
    contacts: list[dict[str, Any]] | None = None,
    primary: int | None = 0,
) -> CustomerForms:
    initial = CustomerForm.initial_for(customer) if customer is not None else None
    return CustomerForms(
        form=CustomerForm(data, org=org, initial=initial),
        contacts=ContactFormSet(
            data,
            prefix="contacts",
            initial=contacts or [],
            primary=primary,
            form_kwargs={"region": org.country},
        ),
    )


class CustomerNoteForm(forms.Form):
    body = forms.CharField(
        label="Add a note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only your team sees notes. They appear on the timeline.",
    )


class SmsConsentForm(forms.Form):
    note = forms.CharField(
        label="How did they agree?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Who agreed, when and how, e.g. “Said yes on the phone to Sam, 3 March”.",
    )

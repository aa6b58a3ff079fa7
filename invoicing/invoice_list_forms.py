"""Forms of the invoice list: its filters (a GET form), and the bulk actions on selected rows.

The filter form never hides the list: a bad value is reported next to its field and left out,
and the rest of the filters still apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from arhub.locales import is_currency
from invoicing.invoice_selectors import OUTSTANDING, OVERDUE
from invoicing.models import InvoiceStatus

STATUS_CHOICES = [
    ("", "All invoices"),
    (InvoiceStatus.DRAFT, "Drafts"),
    (OUTSTANDING, "Outstanding"),
    (OVERDUE, "Overdue"),
    (InvoiceStatus.PAID, "Paid"),
    (InvoiceStatus.VOID, "Void"),
    (InvoiceStatus.UNCOLLECTIBLE, "Written off"),
]

SORT_CHOICES = [
    ("newest", "Newest first"),
    ("due", "Due date, soonest first"),
    ("total", "Total, largest first"),
    ("number", "Number, highest first"),
]
DEFAULT_SORT = "newest"

# The query-string keys the list reads; links and redirects keep only these.
FILTER_KEYS = ("status", "customer", "currency", "q", "issued_from", "issued_to", "sort")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""
    customer_id: int | None = None
    currency: str = ""
    search: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    sort: str = DEFAULT_SORT

    @property
    def filtering(self) -> bool:
        return bool(
            self.status
            or self.customer_id is not None
            or self.currency
            or self.search
            or self.issued_from
            or self.issued_to
        )

    def query(self) -> dict[str, str]:
        """The filters as query-string values, defaults left out, for links and redirects."""
        values = {
            "status": self.status,
            "customer": str(self.customer_id) if self.customer_id is not None else "",
            "currency": self.currency,
            "q": self.search,
            "issued_from": self.issued_from.isoformat() if self.issued_from else "",
            "issued_to": self.issued_to.isoformat() if self.issued_to else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {key: value for key, value in values.items() if value}


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Invoice or PO number, or customer name.",
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    currency = forms.ChoiceField(label="Currency", required=False)
    issued_from = forms.DateField(label="Issued from", required=False, widget=DateInput())
    issued_to = forms.DateField(label="Issued to", required=False, widget=DateInput())
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)
    # Set by links (the customer's page); shown as a removable chip rather than a control.
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("currency"):
            # Links may spell the code in lower case ("?currency=eur").
            data = cast(QueryDict, self.data).copy()
            data["currency"] = code = str(data["currency"]).upper()
            self.data = data
            # The list of currencies can lag behind a new one; a real code still filters.
            if code not in currencies and is_currency(code):
                currencies = sorted([*currencies, code])
        field = self.fields["currency"]
        field.choices = [("", "All currencies"), *((c, c) for c in currencies)]  # type: ignore[attr-defined]
        self.show_currency = len(currencies) > 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", "This date is before “Issued from”.")
        return cleaned

    def filters(self) -> InvoiceFilters:
        """The valid filters; an invalid one is dropped (its error shows beside its field)."""
        if not self.is_bound:
            return InvoiceFilters()
        self.is_valid()
        data = self.cleaned_data
        if self.has_error("issued_to"):  # a reversed range: neither end is trusted
            data = {**data, "issued_from": None}
        return InvoiceFilters(
            status=data.get("status") or "",
            customer_id=data.get("customer"),
            currency=data.get("currency") or "",
            search=(data.get("q") or "").strip(),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


# --------------------------------------------------------------------------------------------
# Bulk actions

SEND, VOID, ZIP = "send", "void", "zip"
ACTION_CHOICES = [
    ("", "Choose an action"),
    (SEND, "Send"),
    (VOID, "Void…"),
    (ZIP, "Download PDFs (zip)"),
]
READ_ONLY_ACTIONS = frozenset({ZIP})
# More than a page can hold, so a hand-made request cannot ask for thousands at once.
MAX_SELECTED = 500


def parse_ids(values: list[str]) -> list[int]:
    ids: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError("The selection could not be read; reload the page.") from None
        if number > 0 and number not in ids:
            ids.append(number)
    return ids


class BulkActionForm(forms.Form):
    """The form around the table. ``ids`` are the ticked rows; "select all on this page" sends
    the page's ids as ``page_ids`` and ticks ``all_on_page``, which works without JavaScript."""

    action = forms.ChoiceField(
        label="With the selected invoices",
        choices=ACTION_CHOICES,
        error_messages={
            "required": "Choose what to do with the selected invoices.",
            "invalid_choice": "Choose one of the actions in the list.",
        },
    )
    all_on_page = forms.BooleanField(label="Select all on this page", required=False)
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, operate: bool = True, export: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in ACTION_CHOICES
            if not value
            or (operate and value not in READ_ONLY_ACTIONS)
            or (export and value == ZIP)
        ]

    @property
    def has_actions(self) -> bool:
        return len(self.fields["action"].choices) > 1  # type: ignore[attr-defined]

    def clean_action(self) -> str:
        action = self.cleaned_data["action"]
        if not action:
            raise ValidationError("Choose what to do with the selected invoices.")
        return str(action)

    def selected_ids(self) -> list[int]:
        """The invoice ids the action is for, in the order of the page. Raises ValidationError
        when there are none or too many."""
        data = cast(QueryDict, self.data)
        if self.cleaned_data.get("all_on_page"):
            ids = parse_ids(data.getlist("page_ids"))
        else:
            ids = parse_ids(data.getlist("ids"))
        if not ids:
            raise ValidationError("Select at least one invoice first.")
        if len(ids) > MAX_SELECTED:
            raise ValidationError(f"Select at most {MAX_SELECTED} invoices at a time.")
        return ids


class BulkVoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Kept with each invoice, e.g. “Issued to the wrong customer”.",
        error_messages={"required": "Say why these invoices are being voided."},
    )
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why these invoices are being voided.")
        return str(reason)

"""The filters of the payments list (a GET form).

Like the invoice list's, the form never hides the list: a bad value is reported next to its
field and left out, and the other filters still apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms

from invoicing.invoice_list_forms import DateInput
from payments.models import PaymentMethod

# "Status" as the owner thinks of it: the stored status, plus what happened to the money since.
UNAPPLIED, REFUNDED, CHARGEBACK = "unapplied", "refunded", "chargeback"
STATUS_CHOICES = [
    ("", "All payments"),
    ("completed", "Received (not reversed)"),
    (UNAPPLIED, "With unapplied credit"),
    ("reversed", "Reversed"),
    (REFUNDED, "Refunded"),
    (CHARGEBACK, "Chargeback"),
]

METHOD_CHOICES = [("", "Any method"), *PaymentMethod.choices]

# The query-string keys the list reads; links keep only these.
FILTER_KEYS = ("q", "method", "status", "received_from", "received_to", "customer")


@dataclass(frozen=True)
class PaymentFilters:
    search: str = ""
    method: str = ""
    status: str = ""
    received_from: date | None = None
    received_to: date | None = None
    customer_id: int | None = None

    @property
    def filtering(self) -> bool:
        return bool(
            self.search
            or self.method
            or self.status
            or self.received_from
            or self.received_to
            or self.customer_id is not None
        )

    def query(self) -> dict[str, str]:
        """The filters as query-string values, empty ones left out."""
        values = {
            "q": self.search,
            "method": self.method,
            "status": self.status,
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
            "customer": str(self.customer_id) if self.customer_id is not None else "",
        }
        return {key: value for key, value in values.items() if value}


class PaymentFilterForm(forms.Form):
    q = forms.CharField(
        label="Reference",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Cheque number, bank reference, or part of one.",
    )
    method = forms.ChoiceField(label="Method", choices=METHOD_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    received_from = forms.DateField(label="Received from", required=False, widget=DateInput())
    received_to = forms.DateField(label="Received to", required=False, widget=DateInput())
    # Set by links (the customer's page); shown as a removable chip rather than a control.
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", "This date is before “Received from”.")
        return cleaned

    def filters(self) -> PaymentFilters:
        """The valid filters; an invalid one is dropped (its error shows beside its field)."""
        if not self.is_bound:
            return PaymentFilters()
        self.is_valid()
        data = self.cleaned_data
        if self.has_error("received_to"):  # a reversed range: neither end is trusted
            data = {**data, "received_from": None}
        return PaymentFilters(
            search=(data.get("q") or "").strip(),
            method=data.get("method") or "",
            status=data.get("status") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            customer_id=data.get("customer"),
        )

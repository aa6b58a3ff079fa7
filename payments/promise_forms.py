"""The dashboard's promise forms: recording one on the customer's word (the invoice page),
cancelling one with a reason, and the list's status filter. They check shapes; the services
check meaning and have the last word."""

from __future__ import annotations

from django import forms

from invoicing.invoice_list_forms import DateInput
from payments.models import PromiseStatus
from payments.promise_services import NOTE_LIMIT, REASON_LIMIT

STATUS_CHOICES = [("", "Every promise"), *PromiseStatus.choices]


class PromiseRecordForm(forms.Form):
    promised_date = forms.DateField(
        label="Will pay by",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the customer will pay by.",
            "invalid": "Enter the date as YYYY-MM-DD.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.TextInput(attrs={"placeholder": "e.g. “said so on the phone on Monday”"}),
    )


class PromiseCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why cancel it?",
        max_length=REASON_LIMIT,
        error_messages={"required": "Say why the promise is cancelled."},
    )


class PromiseFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)

    def status_value(self) -> str:
        """The chosen status; a value we do not know shows every promise."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data.get("status") or "")
        return ""

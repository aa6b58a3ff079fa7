"""Dashboard forms for disputes. They check shape; ``disputes.services`` decides what is
allowed and its errors land back on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE
from disputes.models import DisputeOutcome, DisputeStatus
from invoicing.line_forms import PlainDecimalField

FILES_HELP = (
    f"PDF, PNG or JPEG, at most {MAX_BYTES // (1024 * 1024)} MB each and "
    f"{MAX_PER_DISPUTE} in the whole dispute."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; empty is fine."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("active", "Open or under review"), *DisputeStatus.choices],
    )


VISIBILITY = [
    ("public", "Reply to the customer (they get an email or text with a link)"),
    ("internal", "Internal note (only your team sees this)"),
]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Write a message."},
    )
    visibility = forms.ChoiceField(
        label="Who sees it", choices=VISIBILITY, initial="public", widget=forms.RadioSelect
    )
    # Named as the services name their errors; Django takes it out of the class, so it never
    # shadows the form's own ``files``.
    files = MultipleFileField(label="Attach files", help_text=FILES_HELP)  # type: ignore[assignment]

    @property
    def internal(self) -> bool:
        return self.cleaned_data.get("visibility") == "internal"


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (DisputeOutcome.CREDIT, "Give a credit (a credit note reduces what is owed)"),
            (
                DisputeOutcome.CORRECTED,
                "Correct the invoice (a credit note for the difference)",
            ),
            (DisputeOutcome.NO_CHANGE, "No change (explain why)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome."},
    )
    credit_amount = PlainDecimalField(
        label="Credit amount",
        required=False,
        help_text="For a credit or a correction: at most what is left to pay.",
    )
    message = forms.CharField(
        label="Message to the customer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Sent with the outcome. Required when nothing changes.",
    )


class DisputeSettingsForm(forms.Form):
    response_target_days = forms.IntegerField(
        label="Answer disputes within (business days)",
        min_value=1,
        max_value=30,
        help_text="Disputes waiting longer for your answer are flagged in the list. "
        "Monday to Friday count.",
        error_messages={"required": "Enter a number of business days from 1 to 30."},
    )

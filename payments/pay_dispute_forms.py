"""The customer's dispute forms on the pay page: raising one, adding a message, withdrawing.

They check what they can in the customer's own words (a reason, a message, lines of this
invoice only, files that are PDF, PNG or JPEG within the limits) before anything is saved;
``disputes.services`` checks everything again and has the last word, its errors landing on the
same fields (``form_add_service_errors``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from arhub.form_errors import form_add_service_errors
from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE, attachment_check
from disputes.models import DisputeReason
from invoicing.models import InvoiceLine

MESSAGE_MAX = 5000

# The service's error keys that are not this form's field names.
SERVICE_FIELDS = {"line_ids": "lines", "body": "message", "files": "attachments"}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class UploadsField(forms.Field):
    """Every file sent under one name (``<input type="file" multiple>``); checked by the form."""

    widget = MultipleFileInput

    def clean(self, value: Any) -> list[UploadedFile]:
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


def _file_errors(files: Sequence[UploadedFile], *, left: int, words: dict[str, str]) -> list[str]:
    if len(files) > left:
        return [words["too_many_files"].format(max=MAX_PER_DISPUTE, left=left)]
    errors = []
    for file in files:
        name = file.name or "file"
        if (file.size or 0) > MAX_BYTES:
            errors.append(words["file_too_big"].format(name=name))
        elif not file.size:
            errors.append(words["file_empty"].format(name=name))
        else:
            try:
                attachment_check(file)
            except ValidationError:
                errors.append(words["file_type"].format(name=name))
    return errors


class _MessageAndFiles(forms.Form):
    message = forms.CharField(max_length=MESSAGE_MAX)
    # Not "files": a form keeps the uploaded files under that name.
    attachments = UploadsField(required=False)

    def __init__(self, *args: Any, words: dict[str, str], files_left: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.words, self.files_left = words, files_left
        self.fields["message"].error_messages = {
            "required": words["enter_message"],
            "max_length": words["message_too_long"].format(max=MESSAGE_MAX),
        }

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        errors = _file_errors(files, left=self.files_left, words=self.words)
        if errors:
            raise ValidationError(errors)
        return files

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            exc = ValidationError(
                {SERVICE_FIELDS.get(key, key): value for key, value in exc.error_dict.items()}
            )
        form_add_service_errors(self, exc)


class DisputeOpenForm(_MessageAndFiles):
    """Reason, which lines (optional), a message, attachments (optional)."""

    reason = forms.ChoiceField(widget=forms.RadioSelect)
    lines = forms.TypedMultipleChoiceField(coerce=int, required=False)
    field_order = ["reason", "lines", "message", "attachments"]

    def __init__(
        self,
        *args: Any,
        reasons: dict[str, str],
        lines: Sequence[tuple[InvoiceLine, str]],
        words: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, words=words, files_left=MAX_PER_DISPUTE, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [(value, reasons[value]) for value in DisputeReason.values]
        reason.error_messages = {"required": words["choose_reason"]}
        reason.error_messages["invalid_choice"] = words["choose_reason"]
        # Only this invoice's lines are choices: any other id (another invoice's, another
        # organization's) is refused here, before anything is made.
        chosen = self.fields["lines"]
        assert isinstance(chosen, forms.TypedMultipleChoiceField)
        chosen.choices = [(line.pk, f"{line.description} — {amount}") for line, amount in lines]
        chosen.error_messages = {
            "invalid_choice": words["line_not_here"],
            "invalid_pk_value": words["line_not_here"],
            "invalid_list": words["line_not_here"],
        }


class DisputeReplyForm(_MessageAndFiles):
    """A message, and files up to what the dispute can still hold."""


class DisputeWithdrawForm(forms.Form):
    message = forms.CharField(max_length=MESSAGE_MAX, required=False)

    def __init__(self, *args: Any, words: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].error_messages = {
            "max_length": words["message_too_long"].format(max=MESSAGE_MAX)
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        form_add_service_errors(self, exc)

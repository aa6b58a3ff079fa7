"""The message wording editor's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from arhub.messaging.placeholders import AVAILABLE, PLACEHOLDERS, template_problems
from arhub.messaging.selectors import message_customer_choices
from arhub.models import Channel, Organization

SMS_MAX_CHARACTERS = 1600  # Twilio's limit for one message body


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
        help_text="Plain text. Placeholders go in braces, e.g. {contact_name}; write {{ or }} "
        "for a brace itself. A blank line starts a new paragraph.",
    )
    # Any id is accepted here and resolved inside the organization by the view: another
    # tenant's id answers 404 there, never a form error that would confirm it exists.
    customer = forms.IntegerField(
        label="Preview on",
        required=False,
        min_value=1,
        widget=forms.Select,
        help_text="A real customer of yours; invoice amounts, dates and links are samples.",
    )

    def __init__(self, *args: Any, org: Organization, kind: str, channel: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind, self.channel = kind, channel
        if channel == Channel.EMAIL:
            self.fields["subject"].required = True
        else:
            del self.fields["subject"]
            self.fields["body"].widget.attrs["rows"] = 5
            self.fields["body"].help_text = (
                "Plain text, one SMS is 160 characters. Start with your business name so the "
                "customer knows who is texting. Placeholders go in braces, e.g. {contact_name}."
            )
        select = self.fields["customer"].widget
        assert isinstance(select, forms.Select)
        select.choices = [
            ("", "A sample customer"),
            *((c.pk, c.display_name) for c in message_customer_choices(org=org)),
        ]

    def _check(self, text: str) -> str:
        problems = template_problems(text, self.kind)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_subject(self) -> str:
        return self._check(" ".join(self.cleaned_data["subject"].split()))

    def clean_body(self) -> str:
        body = self._check(self.cleaned_data["body"].replace("\r\n", "\n"))
        if self.channel == Channel.SMS and len(body) > SMS_MAX_CHARACTERS:
            raise ValidationError(
                f"A text message can be at most {SMS_MAX_CHARACTERS} characters; "
                f"this one is {len(body)}."
            )
        return body

    def available_placeholders(self) -> list[tuple[str, str, str]]:
        """(name, meaning, example) of what this kind of message may use."""
        return [
            (name, PLACEHOLDERS[name].meaning, PLACEHOLDERS[name].example)
            for name in AVAILABLE[self.kind]
        ]

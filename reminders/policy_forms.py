"""The Reminders editor's forms: the policy's own fields, one form per step, the formset of
steps and the non-JavaScript "Add a step".

The forms check shape (a number is a number, a time is a time); ``reminders.policy_input``
decides what is allowed, and ``reminders.policy_editor`` puts its errors on the row and field
they name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict

from arhub.messaging.placeholders import AVAILABLE, PLACEHOLDERS
from arhub.models import MessageKind
from reminders.models import ReminderPolicy, ReminderStep, StepChannel, Tone
from reminders.policy_input import MAX_STEPS, PolicyInput, StepInput
from reminders.policy_words import WEEKDAY_NAMES

STEPS_PREFIX = "steps"
TIME_FORMAT = "%H:%M"


def _time_field(label: str, help_text: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=[TIME_FORMAT, "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time", "step": 60}, format=TIME_FORMAT),
        help_text=help_text,
        error_messages={"invalid": "Write the time as HH:MM, e.g. 09:00."},
    )


def _count_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Write a whole number.", "required": "Write a number."},
    )


class PolicyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="What your team calls it, e.g. “Key accounts”.",
    )
    window_start = _time_field("From", "Not before 08:00.")
    window_end = _time_field("Until", "Not after 21:00.")
    weekdays = forms.TypedMultipleChoiceField(
        label="On these days",
        coerce=int,
        choices=list(enumerate(WEEKDAY_NAMES)),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skip_holidays = forms.BooleanField(
        label="Not on public holidays",
        required=False,
        help_text="The public holidays of your organization's country.",
    )
    min_gap_hours = _count_field(
        "Hours between two messages",
        "At least this long between two messages to the same customer.",
    )
    daily_cap = _count_field("Reminders a day, at most", "To one customer, on one day.")

    @staticmethod
    def initial_for(policy: ReminderPolicy | PolicyInput) -> dict[str, Any]:
        return {
            "name": policy.name,
            "window_start": policy.window_start,
            "window_end": policy.window_end,
            "weekdays": list(policy.weekdays),
            "skip_holidays": policy.skip_holidays,
            "min_gap_hours": policy.min_gap_hours,
            "daily_cap": policy.daily_cap,
        }


class StepForm(forms.Form):
    step_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    offset_days = forms.IntegerField(
        label="Day",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Write the day: days from the due date, e.g. -3 or 7.",
            "invalid": "Write a whole number of days, e.g. -3 or 7.",
        },
    )
    channel = forms.ChoiceField(label="Send by", choices=StepChannel.choices)
    tone = forms.ChoiceField(label="Tone", choices=Tone.choices)
    attach_pdf = forms.BooleanField(label="Attach PDF", required=False)
    subject = forms.CharField(label="Email subject", required=False, max_length=300)
    body = forms.CharField(
        label="Email text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
    )
    sms_body = forms.CharField(
        label="SMS text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new row starts as a friendly email, which is what "has it changed?" compares to.
        self.fields["channel"].initial = StepChannel.EMAIL
        self.fields["tone"].initial = Tone.FRIENDLY

    def to_step(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            offset_days=data["offset_days"],
            channel=data["channel"],
            tone=data["tone"],
            attach_pdf=data["attach_pdf"],
            subject=data["subject"],
            body=data["body"],
            sms_body=data["sms_body"],
            step_id=data.get("step_id"),
        )

    @property
    def own_wording(self) -> bool:
        """Show "Use your own wording" open: the step has some, or an error is in it."""
        if any(self[name].errors for name in ("subject", "body", "sms_body")):
            return True
        values = [self[name].value() for name in ("subject", "body", "sms_body")]
        return any(str(value or "").strip() for value in values)


class StepPreviewForm(StepForm):
    """One step as typed, and the customer to fill it in for (the live preview)."""

    # Any id is accepted here and resolved inside the organization by the view: another
    # tenant's id answers 404 there, never a form error that would confirm it exists.
    customer = forms.IntegerField(required=False, min_value=1)


class BaseStepFormSet(forms.BaseFormSet[StepForm]):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # A row left as it started (no day typed) is skipped: spare rows cost nothing.
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def add_fields(self, form: StepForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"

    def kept(self) -> list[StepForm]:
        """Filled rows not marked for removal, in order."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (form.cleaned_data or {}).get("DELETE")
        ]


StepFormSet = cast(
    type[BaseStepFormSet],
    forms.formset_factory(
        StepForm,
        formset=BaseStepFormSet,
        extra=0,
        can_delete=True,
        max_num=MAX_STEPS,
        absolute_max=MAX_STEPS + 5,
        validate_max=True,
    ),
)


def step_initial(step: ReminderStep | StepInput) -> dict[str, Any]:
    return {
        "step_id": step.pk if isinstance(step, ReminderStep) else step.step_id,
        "offset_days": step.offset_days,
        "channel": step.channel,
        "tone": step.tone,
        "attach_pdf": step.attach_pdf,
        "subject": step.subject,
        "body": step.body,
        "sms_body": step.sms_body,
    }


def steps_formset(data: QueryDict | None, *, rows: list[dict[str, Any]]) -> BaseStepFormSet:
    """Bound to ``data``, or showing ``rows``. Bound rows are compared with a blank row, not
    with the saved step, so an unchanged saved step still counts as filled in."""
    if data is not None:
        return StepFormSet(data, prefix=STEPS_PREFIX)
    return StepFormSet(prefix=STEPS_PREFIX, initial=rows)


def add_blank_step(data: QueryDict) -> int | None:
    """One more row in submitted data (the non-JavaScript "Add a step"); its index, or None
    when no more fit."""
    key = f"{STEPS_PREFIX}-TOTAL_FORMS"
    try:
        count = int(data.get(key, "0"))
    except ValueError:
        return None
    if not 0 <= count < MAX_STEPS:
        return None
    data[key] = str(count + 1)
    data[f"{STEPS_PREFIX}-{count}-channel"] = StepChannel.EMAIL
    data[f"{STEPS_PREFIX}-{count}-tone"] = Tone.FRIENDLY
    return count


def reminder_placeholders() -> list[tuple[str, str, str]]:
    """(name, meaning, example) of what a reminder's own wording may use."""
    return [
        (name, PLACEHOLDERS[name].meaning, PLACEHOLDERS[name].example)
        for name in AVAILABLE[MessageKind.REMINDER]
    ]

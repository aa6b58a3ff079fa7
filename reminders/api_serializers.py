"""Shapes of the reminder-policy API (``reminders.api``).

Times are ``"HH:MM"`` (24-hour, in the customer's time zone when reminders go out). Weekdays
are numbers 0 to 6, Monday being 0 (``date.weekday()``), or English day names (``"monday"``,
``"mon"``, any case); the output always gives numbers. The serializers check shapes; the
services (``reminders.policy_input``) check meaning, so the dashboard and the API refuse the
same things in the same words.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.serializers import StrictInput
from reminders.models import ReminderPolicy, ReminderStep, StepChannel, Tone
from reminders.policy_input import PolicyInput, StepInput
from reminders.policy_words import WEEKDAY_NAMES, clock, step_sentence

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
CLOCK_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d$",
    "example": "09:00",
    "description": "A time of day, HH:MM (24-hour).",
}
WEEKDAY_SCHEMA = {
    "oneOf": [
        {"type": "integer", "minimum": 0, "maximum": 6},
        {"type": "string", "example": "monday"},
    ],
    "description": "0 to 6, Monday being 0; or a day's English name (monday, mon), any case.",
}
_DAY_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(WEEKDAY_NAMES)},
    **{name[:3].lower(): number for number, name in enumerate(WEEKDAY_NAMES)},
}
STEP_OUTPUT_ONLY = frozenset({"summary"})
POLICY_OUTPUT_ONLY = frozenset({"id", "is_default", "customer_count", "created_at", "updated_at"})


@extend_schema_field(CLOCK_SCHEMA)
class ClockField(serializers.Field):
    default_error_messages = {"invalid": "Write the time as HH:MM, e.g. 09:00 or 17:30."}

    def to_internal_value(self, data: Any) -> time:
        match = _CLOCK.match(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        return time(int(match[1]), int(match[2]))

    def to_representation(self, value: time) -> str:
        return clock(value)


@extend_schema_field(WEEKDAY_SCHEMA)
class WeekdayField(serializers.Field):
    default_error_messages = {
        "invalid": "A day of the week is 0 to 6 (Monday 0) or its name, e.g. monday.",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) and 0 <= data <= 6:
            return data
        if isinstance(data, str) and data.strip().lower() in _DAY_NUMBERS:
            return _DAY_NUMBERS[data.strip().lower()]
        self.fail("invalid")
        raise AssertionError  # fail() raises

    def to_representation(self, value: int) -> int:
        return value


# ---- output


class ReminderStepOutput(serializers.Serializer):
    id = serializers.IntegerField()
    offset_days = serializers.IntegerField(
        help_text="Days from the due date: negative before it, 0 on the day, positive after."
    )
    channel = serializers.ChoiceField(choices=StepChannel.choices)
    tone = serializers.ChoiceField(choices=Tone.choices)
    attach_pdf = serializers.BooleanField()
    subject = serializers.CharField()
    body = serializers.CharField()
    sms_body = serializers.CharField()
    summary = serializers.SerializerMethodField(help_text="The step in plain words.")

    def get_summary(self, step: ReminderStep) -> str:
        return step_sentence(
            offset_days=step.offset_days,
            channel=step.channel,
            tone=step.tone,
            attach_pdf=step.attach_pdf,
            own_wording=bool(step.body.strip() or step.sms_body.strip()),
        )


class ReminderPolicyOutput(serializers.Serializer):
    """Context: ``counts``, customers per policy id."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    is_default = serializers.BooleanField()
    window_start = ClockField()
    window_end = ClockField()
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6))
    skip_holidays = serializers.BooleanField()
    min_gap_hours = serializers.IntegerField()
    daily_cap = serializers.IntegerField()
    customer_count = serializers.SerializerMethodField(
        help_text="Customers this policy applies to (for the default: everyone without a "
        "policy of their own)."
    )
    steps = ReminderStepOutput(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_customer_count(self, policy: ReminderPolicy) -> int:
        counts: dict[int, int] = self.context.get("counts", {})
        return counts.get(policy.pk, 0)


# ---- input


class ReminderStepInputSerializer(StrictInput):
    output_only = STEP_OUTPUT_ONLY

    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The saved step this edits. Left out: the saved step on the same day, if "
        "any, else a new step.",
    )
    offset_days = serializers.IntegerField(
        help_text="Days from the due date, -60 to 365: negative before it, 0 on the day."
    )
    channel = serializers.ChoiceField(
        choices=StepChannel.choices,
        default=StepChannel.EMAIL,
        error_messages={"invalid_choice": "Choose email, sms, both or preferred."},
        help_text="`preferred`: the customer's own choice. `sms` and `both` need an SMS "
        "sender (Settings → SMS sender number, or the deployment's).",
    )
    tone = serializers.ChoiceField(
        choices=Tone.choices,
        default=Tone.FRIENDLY,
        error_messages={"invalid_choice": "Choose friendly, firm or final."},
    )
    attach_pdf = serializers.BooleanField(default=False)
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Your own email subject; empty: the built-in wording for the tone.",
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Your own email text, with placeholders such as {contact_name}, "
        "{invoice_number}, {amount_due}, {due_date}, {days_overdue}, {pay_link}.",
    )
    sms_body = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False,
        help_text="Your own SMS text, same placeholders; at most 1600 characters.",
    )  # fmt: skip


@extend_schema_field(ReminderStepInputSerializer(many=True))
class StepsField(serializers.Field):
    """Every step, each checked whole: the list replaces the policy's steps."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            raise serializers.ValidationError("Send the steps as a list.")
        steps = ReminderStepInputSerializer(data=data, many=True)
        if not steps.is_valid():
            raise serializers.ValidationError(steps.errors)
        return list(steps.validated_data)

    def to_representation(self, value: Any) -> Any:
        return value


class ReminderPolicyInputSerializer(StrictInput):
    output_only = POLICY_OUTPUT_ONLY

    name = serializers.CharField(max_length=200, trim_whitespace=True, allow_blank=True)
    window_start = ClockField(help_text="Earliest time of day to send, 08:00 or later.")
    window_end = ClockField(help_text="Latest time of day to send, 21:00 or earlier.")
    weekdays = serializers.ListField(
        child=WeekdayField(),
        allow_empty=True,
        help_text='Days to send on: `[0, 1, 2, 3, 4]` or `["mon", "tue"]`.',
    )
    skip_holidays = serializers.BooleanField(
        help_text="No reminders on public holidays of the organization's country."
    )
    min_gap_hours = serializers.IntegerField(
        help_text="Hours between two messages to the same customer, 0 to 168."
    )
    daily_cap = serializers.IntegerField(help_text="Reminders one customer may get a day, 1 to 10.")
    steps = StepsField(help_text="Every step, in any order; replaces the saved ones.")


class ReminderPolicyCreateInputSerializer(ReminderPolicyInputSerializer):
    """A new policy: a name is enough; what is left out is the built-in default (09:00 to
    17:00, Monday to Friday, holidays skipped, 20 hours apart, 1 a day, the built-in steps)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "name"


def steps_from(attrs: list[dict[str, Any]]) -> tuple[StepInput, ...]:
    return tuple(
        StepInput(
            offset_days=step["offset_days"],
            channel=step["channel"],
            tone=step["tone"],
            attach_pdf=step["attach_pdf"],
            subject=step["subject"],
            body=step["body"],
            sms_body=step["sms_body"],
            step_id=step.get("id"),
        )
        for step in attrs
    )


def input_from(attrs: dict[str, Any], base: PolicyInput) -> PolicyInput:
    """``base`` with what was sent put over it."""
    values: dict[str, Any] = {
        name: attrs[name]
        for name in (
            "name",
            "window_start",
            "window_end",
            "skip_holidays",
            "min_gap_hours",
            "daily_cap",
        )
        if name in attrs
    }
    if "weekdays" in attrs:
        values["weekdays"] = tuple(attrs["weekdays"])
    if "steps" in attrs:
        values["steps"] = steps_from(attrs["steps"])
    return PolicyInput(**{**base.__dict__, **values})

"""A reminder policy as the dashboard and the API submit it, and what is allowed.

Both hand the services a whole ``PolicyInput`` (the API's PATCH fills in what was left out from
the saved policy), and ``policy_validate`` refuses, in one ValidationError keyed by field
(``window_end``, ``steps[2].offset_days``), everything wrong at once, so the two surfaces
refuse the same things in the same words and nothing is half-saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import time

from django.core.exceptions import ValidationError

from arhub.messaging.forms import SMS_MAX_CHARACTERS
from arhub.messaging.placeholders import template_problems
from arhub.messaging.sms_availability import NO_SMS_PROVIDER, sms_available
from arhub.models import MessageKind, Organization
from reminders.models import (
    EARLIEST,
    LATEST,
    ReminderPolicy,
    ReminderStep,
    StepChannel,
    Tone,
    default_weekdays,
)
from reminders.policies import DEFAULT_STEPS
from reminders.policy_words import clock, step_when

NAME_MAX = ReminderPolicy._meta.get_field("name").max_length or 60
SUBJECT_MAX = ReminderStep._meta.get_field("subject").max_length or 300
OFFSET_MIN, OFFSET_MAX = -60, 365  # as the step_offset_range constraint has it
MAX_STEPS = 20
MAX_GAP_HOURS = 168  # a week
MAX_DAILY_CAP = 10
SMS_CHANNELS = frozenset({StepChannel.SMS, StepChannel.BOTH})
DECENT_HOURS = (
    f"Nothing is sent before {clock(EARLIEST)} or after {clock(LATEST)} in the customer's time"
)


@dataclass(frozen=True)
class StepInput:
    offset_days: int
    channel: str = StepChannel.EMAIL
    tone: str = Tone.FRIENDLY
    attach_pdf: bool = False
    subject: str = ""
    body: str = ""
    sms_body: str = ""
    # The saved step this row edits; None for a new one (or one matched by its day).
    step_id: int | None = None

    @property
    def own_wording(self) -> bool:
        return bool(self.body.strip() or self.sms_body.strip())


@dataclass(frozen=True)
class PolicyInput:
    name: str
    window_start: time = time(9, 0)
    window_end: time = time(17, 0)
    weekdays: tuple[int, ...] = field(default_factory=lambda: tuple(default_weekdays()))
    skip_holidays: bool = True
    min_gap_hours: int = 20
    daily_cap: int = 1
    steps: tuple[StepInput, ...] = field(
        default_factory=lambda: tuple(
            StepInput(
                offset_days=s.offset_days, channel=s.channel, tone=s.tone, attach_pdf=s.attach_pdf
            )
            for s in DEFAULT_STEPS
        )
    )


def step_input(step: ReminderStep) -> StepInput:
    return StepInput(
        offset_days=step.offset_days,
        channel=step.channel,
        tone=step.tone,
        attach_pdf=step.attach_pdf,
        subject=step.subject,
        body=step.body,
        sms_body=step.sms_body,
        step_id=step.pk,
    )


def policy_input(policy: ReminderPolicy) -> PolicyInput:
    """The saved policy as input: what an edit starts from."""
    steps = ReminderStep.objects.filter(policy=policy).order_by("offset_days", "pk")
    return PolicyInput(
        name=policy.name,
        window_start=policy.window_start,
        window_end=policy.window_end,
        weekdays=tuple(policy.weekdays),
        skip_holidays=policy.skip_holidays,
        min_gap_hours=policy.min_gap_hours,
        daily_cap=policy.daily_cap,
        steps=tuple(step_input(step) for step in steps),
    )


def normalized(data: PolicyInput) -> PolicyInput:
    """Whitespace tidied: the name on one line, weekdays once each in order, text with Unix
    line ends. Steps keep their order, so an error's ``steps[2]`` is the third one sent."""
    steps = tuple(
        StepInput(
            offset_days=s.offset_days,
            channel=s.channel,
            tone=s.tone,
            attach_pdf=s.attach_pdf,
            subject=" ".join(s.subject.split()),
            body=s.body.replace("\r\n", "\n").strip(),
            sms_body=s.sms_body.replace("\r\n", "\n").strip(),
            step_id=s.step_id,
        )
        for s in data.steps
    )
    return PolicyInput(
        name=" ".join(data.name.split()),
        window_start=data.window_start.replace(second=0, microsecond=0),
        window_end=data.window_end.replace(second=0, microsecond=0),
        weekdays=tuple(sorted(set(data.weekdays))),
        skip_holidays=data.skip_holidays,
        min_gap_hours=data.min_gap_hours,
        daily_cap=data.daily_cap,
        steps=steps,
    )


# ---- validation


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.by_field.setdefault(key, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _check_name(
    errors: _Errors, org: Organization, name: str, policy: ReminderPolicy | None
) -> None:
    if not name:
        errors.add("name", "Give the policy a name, e.g. “Key accounts”.")
        return
    if len(name) > NAME_MAX:
        errors.add("name", f"Keep the name to {NAME_MAX} characters; this one has {len(name)}.")
        return
    taken = ReminderPolicy.objects.for_org(org).filter(name__iexact=name)
    if policy is not None:
        taken = taken.exclude(pk=policy.pk)
    if taken.exists():
        errors.add("name", f"You already have a policy called “{name}”; choose another name.")


def _check_window(errors: _Errors, data: PolicyInput) -> None:
    start, end = data.window_start, data.window_end
    if start < EARLIEST:
        errors.add("window_start", f"{DECENT_HOURS}: start at {clock(EARLIEST)} or later.")
    if end > LATEST:
        errors.add("window_end", f"{DECENT_HOURS}: end at {clock(LATEST)} or earlier.")
    if end <= start:
        errors.add(
            "window_end",
            f"The window ends at {clock(end)}, "
            + ("when" if end == start else "before")
            + f" it starts at {clock(start)}: the end must be later than the start.",
        )
    if not data.weekdays:
        errors.add("weekdays", "Choose at least one day of the week to send on.")
    elif any(not 0 <= day <= 6 for day in data.weekdays):
        errors.add("weekdays", "Days of the week are 0 to 6, Monday being 0.")


def _check_limits(errors: _Errors, data: PolicyInput) -> None:
    if not 0 <= data.min_gap_hours <= MAX_GAP_HOURS:
        errors.add(
            "min_gap_hours",
            f"The gap between two messages is 0 to {MAX_GAP_HOURS} hours (a week).",
        )
    if data.daily_cap < 1:
        errors.add(
            "daily_cap",
            "A customer must be able to get at least 1 reminder a day; "
            "pause their reminders instead to send none.",
        )
    elif data.daily_cap > MAX_DAILY_CAP:
        errors.add("daily_cap", f"At most {MAX_DAILY_CAP} reminders a day to one customer.")


def _check_text(errors: _Errors, key: str, text: str) -> None:
    for problem in template_problems(text, MessageKind.REMINDER):
        errors.add(key, problem)


def _check_step(errors: _Errors, index: int, step: StepInput, can_text: bool) -> None:
    key = f"steps[{index}]"
    if not OFFSET_MIN <= step.offset_days <= OFFSET_MAX:
        errors.add(
            f"{key}.offset_days",
            f"A step is from {-OFFSET_MIN} days before the due date to {OFFSET_MAX} days after "
            f"it ({OFFSET_MIN} to {OFFSET_MAX}); {step.offset_days} is outside that.",
        )
    if step.channel not in StepChannel.values:
        errors.add(f"{key}.channel", "Choose email, sms, both or preferred.")
    elif step.channel in SMS_CHANNELS and not can_text:
        errors.add(f"{key}.channel", NO_SMS_PROVIDER)
    if step.tone not in Tone.values:
        errors.add(f"{key}.tone", "Choose friendly, firm or final.")
    if len(step.subject) > SUBJECT_MAX:
        errors.add(f"{key}.subject", f"Keep the subject to {SUBJECT_MAX} characters.")
    if len(step.sms_body) > SMS_MAX_CHARACTERS:
        errors.add(
            f"{key}.sms_body",
            f"A text message can be at most {SMS_MAX_CHARACTERS} characters; "
            f"this one is {len(step.sms_body)}.",
        )
    for name in ("subject", "body", "sms_body"):
        _check_text(errors, f"{key}.{name}", getattr(step, name))
    # The engine uses a step's own email only whole (reminders.wording): a subject without a
    # text would be dropped silently, a text without a subject would go with none.
    if step.subject and not step.body:
        errors.add(f"{key}.body", "Write the email's text too, or clear the subject.")
    if step.body and not step.subject:
        errors.add(f"{key}.subject", "Give your email a subject.")


def _check_steps(
    errors: _Errors, org: Organization, steps: tuple[StepInput, ...], policy: ReminderPolicy | None
) -> None:
    if not steps:
        errors.add(
            "steps",
            "A policy needs at least one step. To send a customer nothing, pause their "
            "reminders instead.",
        )
        return
    if len(steps) > MAX_STEPS:
        errors.add("steps", f"A policy has at most {MAX_STEPS} steps; this one has {len(steps)}.")
    can_text = sms_available(org)
    first_on: dict[int, int] = {}
    for index, step in enumerate(steps):
        _check_step(errors, index, step, can_text)
        earlier = first_on.setdefault(step.offset_days, index)
        if earlier != index:
            errors.add(
                f"steps[{index}].offset_days",
                f"Step {earlier + 1} is already {step_when(step.offset_days).lower()}; "
                "a policy has one step a day.",
            )
    saved = (
        set(ReminderStep.objects.filter(policy=policy).values_list("pk", flat=True))
        if policy is not None
        else set()
    )
    seen = Counter(s.step_id for s in steps if s.step_id is not None)
    for index, step in enumerate(steps):
        if step.step_id is None:
            continue
        if step.step_id not in saved:
            errors.add(f"steps[{index}].id", f"Step {step.step_id} is not a step of this policy.")
        elif seen[step.step_id] > 1:
            errors.add(f"steps[{index}].id", f"Step {step.step_id} is given more than once.")


def policy_validate(
    *, org: Organization, data: PolicyInput, policy: ReminderPolicy | None = None
) -> None:
    """Raise one ValidationError naming every problem, keyed by field; ``policy`` is the one
    being edited (its own name is no clash; its steps' ids may be given)."""
    errors = _Errors()
    _check_name(errors, org, data.name, policy)
    _check_window(errors, data)
    _check_limits(errors, data)
    _check_steps(errors, org, data.steps, policy)
    errors.raise_any()

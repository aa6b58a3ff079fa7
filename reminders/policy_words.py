"""A policy in plain words, as the Reminders pages say it: "3 days before the due date:
friendly email", "Monday to Friday, 09:00 to 17:00 in the customer's time"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from reminders.models import StepChannel, Tone

# date.weekday() order: Monday is 0.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# "friendly email", and "final notice by email": a notice is sent by a channel.
_CHANNEL_NOUNS: dict[str, str] = {
    StepChannel.EMAIL: "email",
    StepChannel.SMS: "SMS",
    StepChannel.BOTH: "email and SMS",
    StepChannel.PREFERRED: "message by the customer's preferred channel",
}
_CHANNEL_MEANS: dict[str, str] = {
    StepChannel.EMAIL: "email",
    StepChannel.SMS: "SMS",
    StepChannel.BOTH: "email and SMS",
    StepChannel.PREFERRED: "the customer's preferred channel",
}
_TONE_WORDS: dict[str, str] = {
    Tone.FRIENDLY: "friendly",
    Tone.FIRM: "firm",
    Tone.FINAL: "final notice",
}


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def step_when(offset_days: int) -> str:
    if offset_days < 0:
        return f"{days(-offset_days)} before the due date"
    if offset_days == 0:
        return "On the due date"
    return f"{days(offset_days)} after the due date"


def step_sentence(
    *, offset_days: int, channel: str, tone: str, attach_pdf: bool, own_wording: bool = False
) -> str:
    """ "3 days before the due date: friendly email"; "30 days after the due date: final
    notice by email, with the invoice PDF"."""
    if tone == Tone.FINAL:
        what = f"final notice by {_CHANNEL_MEANS.get(channel, channel)}"
    else:
        what = f"{_TONE_WORDS.get(tone, tone)} {_CHANNEL_NOUNS.get(channel, channel)}"
    extras = []
    if attach_pdf:
        extras.append("with the invoice PDF")
    if own_wording:
        extras.append("in your own words")
    tail = (", " + " and ".join(extras)) if extras else ""
    return f"{step_when(offset_days)}: {what}{tail}"


def weekdays_sentence(weekdays: Iterable[int]) -> str:
    """ "Monday to Friday", "Every day", "Monday, Wednesday and Friday"."""
    chosen = sorted(set(weekdays))
    if chosen == list(range(7)):
        return "Every day"
    if len(chosen) > 2 and chosen == list(range(chosen[0], chosen[-1] + 1)):
        return f"{WEEKDAY_NAMES[chosen[0]]} to {WEEKDAY_NAMES[chosen[-1]]}"
    names = [WEEKDAY_NAMES[day] for day in chosen]
    if len(names) <= 1:
        return "".join(names) or "No day"
    return ", ".join(names[:-1]) + " and " + names[-1]


def clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def window_sentence(*, start: time, end: time, weekdays: Iterable[int]) -> str:
    return f"{weekdays_sentence(weekdays)}, {clock(start)} to {clock(end)} in the customer's time"

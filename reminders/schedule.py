"""Which step of a policy an invoice is at on a given day: pure arithmetic over the steps, the due
date, the customer's "today" and the steps already done.

A step's day is the due date plus its offset, in the customer's calendar. On any day only the
most recent step whose day has come is sent: the earlier ones not done by then are superseded,
so after an outage the customer gets one catch-up, never a burst. A step whose day came before
the invoice was issued is never sent (a reminder "three days before" an invoice issued the day
before its due date would read oddly).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reminders.models import StepChannel


@dataclass(frozen=True)
class Step:
    offset_days: int
    channel: str
    tone: str
    attach_pdf: bool = False
    step_id: int | None = None


@dataclass(frozen=True)
class DueStep:
    step: Step
    day: date
    # Earlier steps not done, superseded by this one.
    superseded: tuple[Step, ...]


def step_day(due_date: date, step: Step) -> date:
    return due_date + timedelta(days=step.offset_days)


def due_step(
    steps: Sequence[Step],
    *,
    due_date: date,
    today: date,
    done: Iterable[int],
    issued_on: date | None = None,
) -> DueStep | None:
    """The step to send ``today``, if any: the latest whose day has come and which is not done
    (``done``: the offsets already sent or skipped)."""
    finished = set(done)
    came = [
        step
        for step in sorted(steps, key=lambda s: s.offset_days)
        if step_day(due_date, step) <= today and step.offset_days not in finished
    ]
    if issued_on is not None:
        came = [step for step in came if step_day(due_date, step) >= issued_on]
    if not came:
        return None
    latest = came[-1]
    return DueStep(step=latest, day=step_day(due_date, latest), superseded=tuple(came[:-1]))


def next_step(
    steps: Sequence[Step], *, due_date: date, today: date, done: Iterable[int]
) -> tuple[Step, date] | None:
    """The next step that has yet to happen after ``today``, and its day."""
    finished = set(done)
    for step in sorted(steps, key=lambda s: s.offset_days):
        day = step_day(due_date, step)
        if day > today and step.offset_days not in finished:
            return step, day
    return None


def channels_for(step_channel: str, preferred: str) -> list[str]:
    """The channels a step goes out on for a customer who prefers ``preferred`` (``email``,
    ``sms`` or ``both``). An email or SMS step is that channel, whatever the preference (the
    message log then says why it was not sent, if the customer does not take it); "both" and
    "the customer's preference" are the channels the customer takes."""
    if step_channel == StepChannel.EMAIL:
        return ["email"]
    if step_channel == StepChannel.SMS:
        return ["sms"]
    if preferred == "sms":
        return ["sms"]
    if preferred == "both":
        return ["email", "sms"]
    return ["email"]

"""When the next reminder of an invoice may go, and how a moment reads on two clocks: pure
functions over the policy's steps, its send window and the clock, used by the invoice's
reminder timeline (``reminders.timeline``).

The moment is the earliest the sweep may send it: the step's day at the window's opening where
the customer is, moved on past closed weekdays and holidays; if by then a later step's day has
come, that later one is what goes (only the latest is sent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reminders.models import Tone
from reminders.schedule import Step, due_step, next_step
from reminders.windows import SendWindow, local_at, next_opening

# The dashboard is in English whatever the server's locale; strftime's names follow the locale.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# ---- Words for moments and steps (pure)


def zone_place(zone_name: str) -> str:
    """ "Pacific/Auckland" → "Auckland", "America/Los_Angeles" → "Los Angeles"."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def clock_words(at: datetime, zone_name: str, *, now: datetime) -> str:
    """ "Thu 14 Mar, 09:00" where ``zone_name`` is; the year only when it is not this one."""
    zone = ZoneInfo(zone_name)
    local = at.astimezone(zone)
    words = f"{DAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"
    if local.year != now.astimezone(zone).year:
        words += f" {local.year}"
    return f"{words}, {local:%H:%M}"


def day_words(day: date, *, today: date) -> str:
    """ "3 Dec"; the year only when it is not this one ("3 Dec 2026")."""
    words = f"{day.day} {MONTH_NAMES[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def step_words(offset_days: int) -> str:
    if offset_days == 0:
        return "On the due date"
    days = abs(offset_days)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {'before' if offset_days < 0 else 'after'} the due date"


def tone_words(tone: str) -> str:
    return Tone(tone).label if tone in Tone.values else tone


@dataclass(frozen=True)
class Moment:
    """One instant, as the customer reads their clock and as the owner reads theirs."""

    at: datetime  # UTC
    customer_zone: str
    org_zone: str
    customer_time: str  # "Thu 14 Mar, 09:00"
    org_time: str  # "Wed 13 Mar, 20:00"

    @property
    def customer_local(self) -> str:
        return f"{self.customer_time} in {zone_place(self.customer_zone)}"

    @property
    def org_local(self) -> str:
        return f"{self.org_time} in {zone_place(self.org_zone)}"

    @property
    def same_clock(self) -> bool:
        return self.customer_time == self.org_time

    @property
    def words(self) -> str:
        """ "Thu 14 Mar, 09:00 in Auckland (Wed 13 Mar, 20:00 your time)"."""
        if self.same_clock:
            return f"{self.customer_local} (the same time for you)"
        return f"{self.customer_local} ({self.org_time} your time)"


def moment(at: datetime, *, customer_zone: str, org_zone: str, now: datetime) -> Moment:
    return Moment(
        at=at.astimezone(ZoneInfo("UTC")),
        customer_zone=customer_zone,
        org_zone=org_zone,
        customer_time=clock_words(at, customer_zone, now=now),
        org_time=clock_words(at, org_zone, now=now),
    )


# ---- What comes next (pure)


@dataclass(frozen=True)
class NextPlan:
    step: Step
    day: date  # the step's day in the customer's calendar
    at: datetime | None  # None: the window does not open in the coming month
    # Its day has come already (a catch-up or today's step not sent yet).
    overdue: bool


def plan_next(
    steps: Sequence[Step],
    *,
    due_date: date,
    issued_on: date | None,
    done: Iterable[int],
    window: SendWindow,
    now: datetime,
) -> NextPlan | None:
    """The step the sweep will send next and the earliest moment it may: the step whose day
    has come and is not done goes at the window's next opening; else the next step's day at
    the window's opening, moved on to the next sending day. If by then a later step's day has
    come too (a long weekend, holidays), that later one is what goes: only the latest is sent.
    """
    done = set(done)
    today = now.astimezone(window.zone).date()
    due = due_step(steps, due_date=due_date, today=today, done=done, issued_on=issued_on)
    if due is not None:
        step, day, start = due.step, due.day, now
    else:
        upcoming = next_step(steps, due_date=due_date, today=today, done=done)
        if upcoming is None:
            return None
        step, day = upcoming
        start = max(now, local_at(window, day, window.opens))
    at = next_opening(window, start)
    if at is not None:
        then = due_step(
            steps,
            due_date=due_date,
            today=at.astimezone(window.zone).date(),
            done=done,
            issued_on=issued_on,
        )
        if then is not None:
            step, day = then.step, then.day
    return NextPlan(step=step, day=day, at=at, overdue=day <= today)


# ---- The plan's and the promise's own messages: the days each may go (pure)

# A plan's instalment is recalled this many days before its due date.
INSTALMENT_NOTICE_DAYS = 3


@dataclass(frozen=True)
class Span:
    """The days, in the customer's calendar, a message may go on (both ends included): its
    day, and the days after it while it still makes sense when the window was shut on its day
    (a weekend) or the sweep was down."""

    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def promise_span(promised_date: date, *, grace_days: int) -> Span:
    """The "as agreed" reminder: on the promised day, else while the promise is still open."""
    return Span(promised_date, promised_date + timedelta(days=grace_days))


def instalment_reminder_span(due_date: date, *, started_on: date | None) -> Span | None:
    """A few days before the instalment, up to its day. None when the plan started on or after
    the reminder's day: the customer has just agreed to that date."""
    first = due_date - timedelta(days=INSTALMENT_NOTICE_DAYS)
    if started_on is not None and started_on >= first:
        return None
    return Span(first, due_date)


def missed_notice_span(due_date: date, *, grace_days: int) -> Span | None:
    """The day after a missed instalment, while the grace lasts; None without grace (the plan
    breaks at once, and the owner is told instead)."""
    if grace_days < 1:
        return None
    return Span(due_date + timedelta(days=1), due_date + timedelta(days=grace_days))


def span_opening(window: SendWindow, span: Span, now: datetime) -> datetime | None:
    """The earliest moment from ``now`` the message may go: the window's first opening on or
    after the span's first day; None when the window does not open before the span ends."""
    at = next_opening(window, max(now, local_at(window, span.first, window.opens)))
    if at is None or at.astimezone(window.zone).date() > span.last:
        return None
    return at

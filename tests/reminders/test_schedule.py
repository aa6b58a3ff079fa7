"""Which step is due: the latest whose day has come and is not done; earlier ones superseded;
none before the invoice was issued; and the next one after today."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reminders.policies import DEFAULT_STEPS
from reminders.schedule import channels_for, due_step, next_step

DUE = date(2027, 6, 10)


def test_the_latest_step_due_is_sent_and_earlier_ones_superseded() -> None:
    found = due_step(DEFAULT_STEPS, due_date=DUE, today=DUE + timedelta(days=8), done={-3, 0})
    assert found is not None
    assert found.step.offset_days == 7 and found.day == DUE + timedelta(days=7)
    assert [s.offset_days for s in found.superseded] == [3]


def test_nothing_before_the_first_step_or_when_all_are_done() -> None:
    assert due_step(DEFAULT_STEPS, due_date=DUE, today=DUE - timedelta(days=4), done=()) is None
    done = {s.offset_days for s in DEFAULT_STEPS}
    assert due_step(DEFAULT_STEPS, due_date=DUE, today=DUE + timedelta(days=60), done=done) is None


def test_no_step_whose_day_came_before_the_invoice_was_issued() -> None:
    issued = DUE - timedelta(days=1)
    found = due_step(DEFAULT_STEPS, due_date=DUE, today=issued, done=(), issued_on=issued)
    assert found is None
    found = due_step(DEFAULT_STEPS, due_date=DUE, today=DUE, done=(), issued_on=issued)
    assert found is not None and found.step.offset_days == 0 and found.superseded == ()


@given(st.integers(min_value=-10, max_value=40), st.sets(st.sampled_from([-3, 0, 3, 7, 14, 30])))
def test_a_step_is_never_sent_twice_nor_before_its_day(days: int, done: set[int]) -> None:
    today = DUE + timedelta(days=days)
    found = due_step(DEFAULT_STEPS, due_date=DUE, today=today, done=done)
    if found is not None:
        assert found.step.offset_days not in done
        assert found.day <= today
        later = [s for s in DEFAULT_STEPS if s.offset_days > found.step.offset_days]
        assert all(
            DUE + timedelta(days=s.offset_days) > today or s.offset_days in done for s in later
        )
    upcoming = next_step(DEFAULT_STEPS, due_date=DUE, today=today, done=done)
    if upcoming is not None:
        assert upcoming[1] > today and upcoming[0].offset_days not in done


def test_channels_follow_the_step_and_the_customers_preference() -> None:
    assert channels_for("email", "sms") == ["email"]
    assert channels_for("sms", "email") == ["sms"]
    assert channels_for("both", "email") == ["email"]
    assert channels_for("both", "both") == ["email", "sms"]
    assert channels_for("preferred", "sms") == ["sms"]

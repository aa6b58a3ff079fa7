"""Reminder policy services: create, update (steps edited in place), delete, make default, and
every bad input refused by field with nothing saved."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from arhub.messaging.sms_availability import sms_available
from arhub.models import AuditAction, AuditEvent, Organization
from reminders import policy_services
from reminders.models import (
    CustomerReminders,
    Reminder,
    ReminderPolicy,
    ReminderStep,
    StepChannel,
    Tone,
)
from reminders.policies import DEFAULT_POLICY_NAME, policy_default
from reminders.policy_input import PolicyInput, StepInput, policy_input
from reminders.policy_services import (
    policy_create,
    policy_delete,
    policy_make_default,
    policy_update,
)
from reminders.selectors import policy_customer_counts
from tests.conftest import Tenant, make_tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return (
        ReminderPolicy.objects.count(),
        ReminderStep.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.SETTINGS_CHANGED).count(),
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def key_accounts(**changes: Any) -> PolicyInput:
    data = PolicyInput(
        name="Key accounts",
        steps=(
            StepInput(offset_days=-5, channel=StepChannel.EMAIL, tone=Tone.FRIENDLY),
            StepInput(offset_days=10, channel=StepChannel.EMAIL, tone=Tone.FIRM),
        ),
    )
    return replace(data, **changes)


def step_rows(policy: ReminderPolicy) -> list[tuple[int, int, str, str]]:
    return list(
        ReminderStep.objects.filter(policy=policy)
        .order_by("offset_days")
        .values_list("pk", "offset_days", "channel", "tone")
    )


# ---- create


def test_create_makes_a_non_default_policy_with_its_steps_and_an_audit_row(tenant: Tenant) -> None:
    policy = policy_create(org=tenant.org, actor=tenant.owner.user, data=key_accounts())

    assert not policy.is_default
    assert [(o, c, t) for _, o, c, t in step_rows(policy)] == [
        (-5, "email", "friendly"),
        (10, "email", "firm"),
    ]
    # The default exists first, so no policy of the owner's can take its name.
    assert ReminderPolicy.objects.for_org(tenant.org).filter(is_default=True).count() == 1
    event = AuditEvent.objects.for_org(tenant.org).get(summary__contains="Key accounts")
    assert event.action == AuditAction.SETTINGS_CHANGED
    assert event.actor == tenant.owner.user


def test_create_with_only_a_name_copies_the_built_in_steps(tenant: Tenant) -> None:
    policy = policy_create(org=tenant.org, actor=None, data=PolicyInput(name="  Strict   one "))

    assert policy.name == "Strict one"
    assert [o for _, o, _, _ in step_rows(policy)] == [-3, 0, 3, 7, 14, 30]
    assert (policy.window_start, policy.window_end, policy.weekdays) == (
        time(9),
        time(17),
        [0, 1, 2, 3, 4],
    )


# ---- every bad input, by field, nothing saved

BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "duplicate offsets",
        {
            "steps": (
                StepInput(offset_days=7),
                StepInput(offset_days=3),
                StepInput(offset_days=7, tone=Tone.FIRM),
            )
        },
        "steps[2].offset_days",
        "Step 1 is already 7 days after the due date",
    ),
    (
        "offset too early",
        {"steps": (StepInput(offset_days=-61),)},
        "steps[0].offset_days",
        "-61 is outside",
    ),
    (
        "offset too late",
        {"steps": (StepInput(offset_days=0), StepInput(offset_days=366))},
        "steps[1].offset_days",
        "366 is outside",
    ),
    (
        "window ends before it starts",
        {"window_start": time(16), "window_end": time(10)},
        "window_end",
        "ends at 10:00, before it starts at 16:00",
    ),
    (
        "window ends when it starts",
        {"window_start": time(10), "window_end": time(10)},
        "window_end",
        "ends at 10:00, when it starts",
    ),
    (
        "window starts before 08:00",
        {"window_start": time(7, 59)},
        "window_start",
        "Nothing is sent before 08:00 or after 21:00 in the customer's time",
    ),
    (
        "window ends after 21:00",
        {"window_end": time(21, 1)},
        "window_end",
        "Nothing is sent before 08:00 or after 21:00 in the customer's time",
    ),
    ("no weekdays", {"weekdays": ()}, "weekdays", "at least one day"),
    ("a weekday out of range", {"weekdays": (0, 7)}, "weekdays", "0 to 6"),
    ("daily cap below one", {"daily_cap": 0}, "daily_cap", "at least 1 reminder a day"),
    ("gap out of range", {"min_gap_hours": 169}, "min_gap_hours", "0 to 168 hours"),
    (
        "unknown placeholder in the body",
        {
            "steps": (
                StepInput(offset_days=3, subject="Invoice {invoice_number}", body="Hi {amout_due}"),
            )
        },
        "steps[0].body",
        "Unknown placeholder {amout_due}. Did you mean {amount_due}?",
    ),
    (
        "unknown placeholder in the subject",
        {"steps": (StepInput(offset_days=3, subject="Re {invoice_no}", body="Hi"),)},
        "steps[0].subject",
        "Unknown placeholder {invoice_no}",
    ),
    (
        "unknown placeholder in the SMS text",
        {"steps": (StepInput(offset_days=3, sms_body="Pay {paylink}"),)},
        "steps[0].sms_body",
        "Unknown placeholder {paylink}. Did you mean {pay_link}?",
    ),
    (
        "a placeholder reminders do not offer",
        {"steps": (StepInput(offset_days=3, sms_body="Pay {statement_link}"),)},
        "steps[0].sms_body",
        "cannot be used in reminder messages",
    ),
    (
        "a subject without a text",
        {"steps": (StepInput(offset_days=3, subject="Hello"),)},
        "steps[0].body",
        "Write the email's text too",
    ),
    ("no steps", {"steps": ()}, "steps", "at least one step"),
    ("no name", {"name": "   "}, "name", "Give the policy a name"),
    ("the default's name", {"name": DEFAULT_POLICY_NAME.upper()}, "name", "already have a policy"),
    (
        "an unknown channel",
        {"steps": (StepInput(offset_days=3, channel="fax"),)},
        "steps[0].channel",
        "Choose email, sms, both or preferred",
    ),
    (
        "an unknown tone",
        {"steps": (StepInput(offset_days=3, tone="angry"),)},
        "steps[0].tone",
        "Choose friendly, firm or final",
    ),
]


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_create_refuses_bad_input_by_field_and_saves_nothing(
    tenant: Tenant, data: dict[str, Any], key: str, words: str
) -> None:
    policy_default(org=tenant.org)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        policy_create(org=tenant.org, actor=None, data=key_accounts(**data))
    assert any(words in message for message in errors_of(exc)[key]), errors_of(exc)
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [case[1:] for case in BAD_INPUTS if case[0] != "the default's name"],
    ids=[case[0] for case in BAD_INPUTS if case[0] != "the default's name"],
)
def test_update_refuses_bad_input_by_field_and_changes_nothing(
    tenant: Tenant, data: dict[str, Any], key: str, words: str
) -> None:
    policy = policy_default(org=tenant.org)
    rows, fields = step_rows(policy), policy_input(policy)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        policy_update(org=tenant.org, actor=None, policy_id=policy.pk, data=replace(fields, **data))
    assert any(words in message for message in errors_of(exc)[key]), errors_of(exc)
    assert counts() == before
    policy.refresh_from_db()
    assert policy_input(policy) == fields
    assert step_rows(policy) == rows


def test_every_problem_is_reported_at_once(tenant: Tenant) -> None:
    bad = key_accounts(
        window_start=time(7),
        weekdays=(),
        daily_cap=0,
        steps=(StepInput(offset_days=3), StepInput(offset_days=3, body="{nope}")),
    )
    with pytest.raises(ValidationError) as exc:
        policy_create(org=tenant.org, actor=None, data=bad)
    assert set(errors_of(exc)) >= {
        "window_start",
        "weekdays",
        "daily_cap",
        "steps[1].offset_days",
        "steps[1].body",
        "steps[1].subject",
    }


def test_a_name_taken_in_another_case_is_refused_but_the_same_name_in_another_org_is_not(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    policy_create(org=tenant.org, actor=None, data=key_accounts())
    with pytest.raises(ValidationError) as exc:
        policy_create(org=tenant.org, actor=None, data=key_accounts(name="KEY ACCOUNTS"))
    assert "already have a policy called “KEY ACCOUNTS”" in errors_of(exc)["name"][0]

    policy_create(org=other_tenant.org, actor=None, data=key_accounts())


def test_a_policy_keeps_its_own_name_when_edited(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    data = replace(policy_input(policy), name=policy.name.lower(), daily_cap=2)
    policy_update(org=tenant.org, actor=None, policy_id=policy.pk, data=data)
    policy.refresh_from_db()
    assert (policy.name, policy.daily_cap) == ("standard", 2)


# ---- SMS steps need an SMS provider


@pytest.mark.parametrize("channel", [StepChannel.SMS, StepChannel.BOTH])
def test_an_sms_step_is_refused_without_an_sms_provider(
    tenant: Tenant, settings: Any, channel: str
) -> None:
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_FROM_NUMBER = ""
    tenant.org.sms_from_number = ""
    tenant.org.save()
    policy_default(org=tenant.org)
    before = counts()
    data = key_accounts(
        steps=(StepInput(offset_days=-3), StepInput(offset_days=0, channel=channel))
    )
    with pytest.raises(ValidationError) as exc:
        policy_create(org=tenant.org, actor=None, data=data)
    assert "cannot send text messages" in errors_of(exc)["steps[1].channel"][0]
    assert counts() == before

    # The customer's preference and email stay allowed: they fall back to email.
    ok = key_accounts(
        steps=(StepInput(offset_days=-3), StepInput(offset_days=0, channel="preferred"))
    )
    policy_create(org=tenant.org, actor=None, data=ok)


def test_an_sms_step_is_accepted_with_the_orgs_own_sender_number(
    tenant: Tenant, settings: Any
) -> None:
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_FROM_NUMBER = ""
    tenant.org.sms_from_number = "+15005550006"
    tenant.org.save()
    data = key_accounts(steps=(StepInput(offset_days=0, channel=StepChannel.BOTH),))
    policy = policy_create(org=tenant.org, actor=None, data=data)
    assert step_rows(policy)[0][2] == "both"


@pytest.mark.parametrize(
    ("backend", "org_number", "shared_number", "available"),
    [
        ("locmem", "", "", True),
        ("console", "", "", True),
        ("twilio", "", "", False),
        ("twilio", "+15005550006", "", True),
        ("twilio", "", "+15005550007", True),
        ("arhub.messaging.sms.LocmemBackend", "", "", True),
    ],
)
def test_sms_available(
    settings: Any, backend: str, org_number: str, shared_number: str, available: bool
) -> None:
    settings.SMS_BACKEND = backend
    settings.TWILIO_FROM_NUMBER = shared_number
    org = Organization(name="Acme", sms_from_number=org_number)
    assert sms_available(org) is available


# ---- update: steps in place


def test_editing_the_defaults_steps_keeps_the_ids_of_kept_days(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    before = {offset: pk for pk, offset, _, _ in step_rows(policy)}
    current = policy_input(policy)
    # The 7-day step becomes final, the 14-day one goes, a 45-day one is new, and the rows
    # are sent in another order, the 3-day one without its id (matched by its day).
    kept = {s.offset_days: s for s in current.steps}
    steps = (
        replace(kept[30]),
        replace(kept[7], tone=Tone.FINAL),
        replace(kept[3], step_id=None),
        StepInput(offset_days=45, tone=Tone.FINAL, attach_pdf=True),
        kept[-3],
        kept[0],
    )
    policy_update(
        org=tenant.org,
        actor=tenant.owner.user,
        policy_id=policy.pk,
        data=replace(current, window_start=time(10), window_end=time(16), steps=steps),
    )

    after = {offset: (pk, tone) for pk, offset, _, tone in step_rows(policy)}
    assert sorted(after) == [-3, 0, 3, 7, 30, 45]
    for offset in (-3, 0, 3, 7, 30):
        assert after[offset][0] == before[offset], f"the {offset}-day step got a new row"
    assert after[7][1] == Tone.FINAL
    assert after[45][0] not in before.values()
    assert not ReminderStep.objects.filter(pk=before[14]).exists()
    policy.refresh_from_db()
    assert (policy.window_start, policy.window_end) == (time(10), time(16))
    event = AuditEvent.objects.for_org(tenant.org).latest("pk")
    assert event.data["steps"] == {"added": [45], "changed": [7], "removed": [14]}
    assert event.data["fields"] == ["window_start", "window_end"]


def test_steps_may_swap_days(tenant: Tenant) -> None:
    """3 and 7 trade places: the unique day per policy must not trip in the middle."""
    policy = policy_default(org=tenant.org)
    current = policy_input(policy)
    by_day = {s.offset_days: s for s in current.steps}
    swapped = tuple(
        replace(s, offset_days={3: 7, 7: 3}.get(s.offset_days, s.offset_days))
        for s in current.steps
    )
    policy_update(
        org=tenant.org, actor=None, policy_id=policy.pk, data=replace(current, steps=swapped)
    )
    rows = {pk: (offset, tone) for pk, offset, _, tone in step_rows(policy)}
    assert rows[by_day[3].step_id] == (7, Tone.FRIENDLY)
    assert rows[by_day[7].step_id] == (3, Tone.FIRM)


def test_a_removed_step_keeps_its_history(tenant: Tenant) -> None:
    """Reminders sent for a step that is deleted stay, without their step."""
    policy = policy_default(org=tenant.org)
    invoice = invoice_make(tenant.org)
    step = ReminderStep.objects.get(policy=policy, offset_days=14)
    sent = Reminder.objects.create(
        organization=tenant.org,
        invoice=invoice,
        customer=invoice.customer,
        step=step,
        offset_days=14,
        tone=step.tone,
        channel="email",
        due_on=invoice.due_date,
    )
    current = policy_input(policy)
    data = replace(current, steps=tuple(s for s in current.steps if s.offset_days != 14))
    policy_update(org=tenant.org, actor=None, policy_id=policy.pk, data=data)
    sent.refresh_from_db()
    assert sent.step_id is None and sent.offset_days == 14


def test_a_step_id_of_another_policy_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    other = policy_create(org=tenant.org, actor=None, data=key_accounts())
    theirs = policy_default(org=other_tenant.org)
    foreign = [
        ReminderStep.objects.filter(policy=other).first(),
        ReminderStep.objects.filter(policy=theirs).first(),
    ]
    current = policy_input(policy)
    for row in foreign:
        assert row is not None
        steps = (replace(current.steps[0], step_id=row.pk), *current.steps[1:])
        with pytest.raises(ValidationError) as exc:
            policy_update(
                org=tenant.org, actor=None, policy_id=policy.pk, data=replace(current, steps=steps)
            )
        assert "is not a step of this policy" in errors_of(exc)["steps[0].id"][0]
    assert ReminderStep.objects.get(pk=foreign[1].pk).policy_id == theirs.pk  # type: ignore[union-attr]


def test_the_same_step_id_twice_is_refused(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    current = policy_input(policy)
    steps = (current.steps[0], replace(current.steps[1], step_id=current.steps[0].step_id))
    with pytest.raises(ValidationError) as exc:
        policy_update(
            org=tenant.org, actor=None, policy_id=policy.pk, data=replace(current, steps=steps)
        )
    assert "more than once" in errors_of(exc)["steps[1].id"][0]


def test_another_orgs_policy_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = policy_default(org=other_tenant.org)
    data = replace(policy_input(theirs), daily_cap=3)
    with pytest.raises(Http404):
        policy_update(org=tenant.org, actor=None, policy_id=theirs.pk, data=data)
    with pytest.raises(Http404):
        policy_delete(org=tenant.org, actor=None, policy_id=theirs.pk)
    with pytest.raises(Http404):
        policy_make_default(org=tenant.org, actor=None, policy_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.daily_cap == 1 and theirs.is_default


# ---- delete


def test_delete_moves_its_customers_back_to_the_default(tenant: Tenant) -> None:
    default = policy_default(org=tenant.org)
    strict = policy_create(org=tenant.org, actor=None, data=key_accounts())
    on_it = [CustomerFactory(organization=tenant.org) for _ in range(2)]
    for customer in on_it:
        CustomerReminders.objects.create(organization=tenant.org, customer=customer, policy=strict)
    CustomerFactory(organization=tenant.org)
    assert policy_customer_counts(org=tenant.org) == {default.pk: 1, strict.pk: 2}

    moved = policy_delete(org=tenant.org, actor=tenant.owner.user, policy_id=strict.pk)

    assert moved == 2
    assert not ReminderPolicy.objects.filter(pk=strict.pk).exists()
    assert not ReminderStep.objects.filter(policy_id=strict.pk).exists()
    assert set(CustomerReminders.objects.values_list("policy", flat=True)) == {None}
    assert policy_customer_counts(org=tenant.org) == {default.pk: 3}
    assert AuditEvent.objects.for_org(tenant.org).latest("pk").data["customers_moved"] == 2


def test_the_default_cannot_be_deleted(tenant: Tenant) -> None:
    default = policy_default(org=tenant.org)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        policy_delete(org=tenant.org, actor=None, policy_id=default.pk)
    assert "make another policy the default first" in errors_of(exc)["is_default"][0]
    assert counts() == before


# ---- make default


def test_make_default_swaps_the_default(tenant: Tenant) -> None:
    old = policy_default(org=tenant.org)
    new = policy_create(org=tenant.org, actor=None, data=key_accounts())
    CustomerFactory(organization=tenant.org)

    made = policy_make_default(org=tenant.org, actor=tenant.owner.user, policy_id=new.pk)

    assert made.is_default
    old.refresh_from_db()
    assert not old.is_default
    assert policy_default(org=tenant.org).pk == new.pk
    assert policy_customer_counts(org=tenant.org) == {new.pk: 1, old.pk: 0}
    event = AuditEvent.objects.for_org(tenant.org).latest("pk")
    assert event.data == {"policy_id": new.pk, "previous_default_id": old.pk}
    # Once more changes nothing and writes no audit row.
    policy_make_default(org=tenant.org, actor=None, policy_id=new.pk)
    assert AuditEvent.objects.for_org(tenant.org).latest("pk").pk == event.pk


def test_make_default_is_all_or_nothing(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the old default was cleared leaves it the default."""
    old = policy_default(org=tenant.org)
    new = policy_create(org=tenant.org, actor=None, data=key_accounts())

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(policy_services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        policy_make_default(org=tenant.org, actor=None, policy_id=new.pk)
    assert list(
        ReminderPolicy.objects.for_org(tenant.org)
        .filter(is_default=True)
        .values_list("pk", flat=True)
    ) == [old.pk]


@pytest.mark.django_db(transaction=True)
def test_two_make_defaults_at_once_leave_exactly_one_default() -> None:
    """Each swap locks the organization's policies first, so two at once queue up instead of
    both clearing the old default and colliding on the one-default constraint."""
    org = make_tenant("Acme Plumbing").org
    policy_default(org=org)
    candidates = [
        policy_create(org=org, actor=None, data=key_accounts(name=f"Policy {n}")) for n in range(2)
    ]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def swap(policy: ReminderPolicy) -> None:
        try:
            barrier.wait(timeout=10)
            policy_make_default(org=org, actor=None, policy_id=policy.pk)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=swap, args=(p,)) for p in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    defaults = ReminderPolicy.objects.for_org(org).filter(is_default=True)
    assert defaults.count() == 1
    assert defaults.get().pk in {p.pk for p in candidates}

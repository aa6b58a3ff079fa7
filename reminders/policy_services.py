"""Writing reminder policies: create, update (the whole policy and its ordered steps in one
call), delete, and make one the default. Each checks everything first (``policy_validate``),
writes in one transaction and leaves an audit row.

Steps are updated in place: a step kept (by its id, or, when no id is given, by its day) keeps
its row, so the reminders already sent for it still point at it, and the engine, which reads a
policy's steps when it sends, applies the edit to every open invoice at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404

from arhub.models import AuditAction, Organization, User
from arhub.services.audit import audit_record
from reminders.models import CustomerReminders, ReminderPolicy, ReminderStep
from reminders.policies import policy_default
from reminders.policy_input import (
    OFFSET_MAX,
    OFFSET_MIN,
    PolicyInput,
    StepInput,
    normalized,
    policy_input,
    policy_validate,
)
from reminders.selectors import policy_get

POLICY_FIELDS = (
    "name",
    "window_start",
    "window_end",
    "weekdays",
    "skip_holidays",
    "min_gap_hours",
    "daily_cap",
)
STEP_FIELDS = ("offset_days", "channel", "tone", "attach_pdf", "subject", "body", "sms_body")


@dataclass(frozen=True)
class StepChanges:
    added: list[int]
    changed: list[int]
    removed: list[int]

    def as_data(self) -> dict[str, list[int]]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


def _field_values(data: PolicyInput) -> dict[str, object]:
    values = {name: getattr(data, name) for name in POLICY_FIELDS}
    values["weekdays"] = list(data.weekdays)
    return values


def _step_values(step: StepInput) -> dict[str, object]:
    return {name: getattr(step, name) for name in STEP_FIELDS}


def _matched(steps: tuple[StepInput, ...], saved: list[ReminderStep]) -> dict[int, ReminderStep]:
    """Which saved row each input step edits: the row its id names, else the unclaimed row on
    the same day, else none (a new step)."""
    by_id = {row.pk: row for row in saved}
    claimed: dict[int, ReminderStep] = {
        index: by_id[step.step_id]
        for index, step in enumerate(steps)
        if step.step_id is not None and step.step_id in by_id
    }
    used = {row.pk for row in claimed.values()}
    by_day = {row.offset_days: row for row in saved}
    for index, step in enumerate(steps):
        if index in claimed or step.step_id is not None:
            continue
        row = by_day.get(step.offset_days)
        if row is not None and row.pk not in used:
            claimed[index] = row
            used.add(row.pk)
    return claimed


def _steps_save(
    org: Organization, policy: ReminderPolicy, steps: tuple[StepInput, ...]
) -> StepChanges:
    saved = list(ReminderStep.objects.filter(policy=policy).select_for_update().order_by("pk"))
    claimed = _matched(steps, saved)
    kept = {row.pk for row in claimed.values()}
    removed = [row for row in saved if row.pk not in kept]
    ReminderStep.objects.filter(pk__in=[row.pk for row in removed]).delete()

    # A step's day is unique in its policy and the constraint is checked per statement, so
    # days that move (3 ↔ 7, say) first go to days no step has, then to their own.
    moving = [
        (index, row)
        for index, row in claimed.items()
        if row.offset_days != steps[index].offset_days
    ]
    if moving:
        busy = {row.offset_days for row in claimed.values()} | {s.offset_days for s in steps}
        free = (day for day in range(OFFSET_MAX, OFFSET_MIN - 1, -1) if day not in busy)
        for _, row in moving:
            row.offset_days = next(free)
        ReminderStep.objects.bulk_update([row for _, row in moving], ["offset_days"])

    changed: list[int] = []
    for index, row in claimed.items():
        wanted = _step_values(steps[index])
        before = {name: getattr(row, name) for name in STEP_FIELDS}
        if before != wanted:
            for name, value in wanted.items():
                setattr(row, name, value)
            row.save(update_fields=list(STEP_FIELDS))
            changed.append(steps[index].offset_days)
    ReminderStep.objects.bulk_create(
        ReminderStep(organization=org, policy=policy, **_step_values(step))
        for index, step in enumerate(steps)
        if index not in claimed
    )
    return StepChanges(
        added=sorted(steps[i].offset_days for i in range(len(steps)) if i not in claimed),
        changed=sorted(changed),
        removed=sorted(row.offset_days for row in removed),
    )


def _locked(org: Organization, policy_id: int) -> ReminderPolicy:
    """The policy, row-locked for the rest of the transaction, or 404."""
    return get_object_or_404(ReminderPolicy.objects.for_org(org).select_for_update(), pk=policy_id)


def _name_taken(exc: IntegrityError) -> bool:
    return "policy_name_unique" in str(exc)


def _name_clash(name: str) -> ValidationError:
    return ValidationError(
        {"name": [f"You already have a policy called “{name}”; choose another name."]}
    )


def policy_create(*, org: Organization, actor: User | None, data: PolicyInput) -> ReminderPolicy:
    """A new, non-default policy with its steps."""
    # The default exists before any other, so no policy of the owner's can take its name first.
    policy_default(org=org)
    data = normalized(data)
    policy_validate(org=org, data=data)
    try:
        with transaction.atomic():
            policy = ReminderPolicy.objects.create(
                organization=org, is_default=False, **_field_values(data)
            )
            _steps_save(org, policy, data.steps)
            audit_record(
                org=org,
                actor=actor,
                action=AuditAction.SETTINGS_CHANGED,
                summary=f"Reminder policy “{policy.name}” created",
                data={"policy_id": policy.pk, "steps": [s.offset_days for s in data.steps]},
            )
    except IntegrityError as exc:
        # Another request took the name between the check and the insert.
        if _name_taken(exc):
            raise _name_clash(data.name) from exc
        raise
    return policy


def policy_update(
    *, org: Organization, actor: User | None, policy_id: int, data: PolicyInput
) -> ReminderPolicy:
    """Replace the policy's settings and its whole list of steps with ``data``."""
    data = normalized(data)
    try:
        with transaction.atomic():
            policy = _locked(org, policy_id)
            policy_validate(org=org, data=data, policy=policy)
            before = policy_input(policy)
            for name, value in _field_values(data).items():
                setattr(policy, name, value)
            policy.save()
            steps = _steps_save(org, policy, data.steps)
            changed = [n for n in POLICY_FIELDS if getattr(before, n) != getattr(data, n)]
            audit_record(
                org=org,
                actor=actor,
                action=AuditAction.SETTINGS_CHANGED,
                summary=f"Reminder policy “{policy.name}” changed",
                data={"policy_id": policy.pk, "fields": changed, "steps": steps.as_data()},
            )
    except IntegrityError as exc:
        if _name_taken(exc):
            raise _name_clash(data.name) from exc
        raise
    return policy_get(org=org, policy_id=policy.pk)


def policy_delete(*, org: Organization, actor: User | None, policy_id: int) -> int:
    """Delete a policy that is not the default; its customers go back to the default. Returns
    how many customers moved."""
    with transaction.atomic():
        policy = _locked(org, policy_id)
        if policy.is_default:
            raise ValidationError(
                {
                    "is_default": [
                        f"“{policy.name}” is your default policy: make another policy the "
                        "default first, then delete this one."
                    ]
                }
            )
        moved = CustomerReminders.objects.for_org(org).filter(policy=policy).update(policy=None)
        name, pk = policy.name, policy.pk
        policy.delete()
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Reminder policy “{name}” deleted; {moved} customer(s) moved to the default",
            data={"policy_id": pk, "customers_moved": moved},
        )
    return moved


def policy_make_default(*, org: Organization, actor: User | None, policy_id: int) -> ReminderPolicy:
    """Make the policy the organization's default: customers without a policy of their own
    follow it from now on. One default per organization, swapped in one transaction."""
    with transaction.atomic():
        # Every policy of the organization locked, in one order: two swaps at once queue up
        # instead of both clearing the old default and colliding on the new one.
        locked = list(ReminderPolicy.objects.for_org(org).select_for_update().order_by("pk"))
        target = next((p for p in locked if p.pk == policy_id), None)
        if target is None:
            target = policy_get(org=org, policy_id=policy_id)  # 404
        if target.is_default:
            return target
        previous = next((p for p in locked if p.is_default), None)
        ReminderPolicy.objects.for_org(org).filter(is_default=True).update(is_default=False)
        ReminderPolicy.objects.filter(pk=target.pk).update(is_default=True)
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"“{target.name}” is now the default reminder policy",
            data={"policy_id": target.pk, "previous_default_id": previous.pk if previous else None},
        )
    return policy_get(org=org, policy_id=target.pk)

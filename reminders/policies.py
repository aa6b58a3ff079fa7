"""The policy that applies: the organization's default (made with the built-in steps the first
time it is needed), or the customer's own; its steps as values; its send window for a
customer."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from arhub.models import Organization
from invoicing.models import Customer
from reminders.models import (
    CustomerReminders,
    ReminderPolicy,
    ReminderStep,
    StepChannel,
    Tone,
)
from reminders.schedule import Step
from reminders.windows import SendWindow, send_window

DEFAULT_POLICY_NAME = "Standard"

# A few days before, on the day (by text too where the customer agreed to texts), then
# follow-ups that stay courteous, firmer only late, and a final notice at 30 days.
DEFAULT_STEPS: tuple[Step, ...] = (
    Step(offset_days=-3, channel=StepChannel.EMAIL, tone=Tone.FRIENDLY),
    Step(offset_days=0, channel=StepChannel.BOTH, tone=Tone.FRIENDLY),
    Step(offset_days=3, channel=StepChannel.EMAIL, tone=Tone.FRIENDLY),
    Step(offset_days=7, channel=StepChannel.EMAIL, tone=Tone.FIRM),
    Step(offset_days=14, channel=StepChannel.EMAIL, tone=Tone.FIRM),
    Step(offset_days=30, channel=StepChannel.EMAIL, tone=Tone.FINAL, attach_pdf=True),
)


def policy_default(*, org: Organization) -> ReminderPolicy:
    """The organization's default policy, made with the built-in steps on first use."""
    found = ReminderPolicy.objects.for_org(org).filter(is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            policy = ReminderPolicy.objects.create(
                organization=org, name=DEFAULT_POLICY_NAME, is_default=True
            )
            ReminderStep.objects.bulk_create(
                ReminderStep(
                    organization=org,
                    policy=policy,
                    offset_days=step.offset_days,
                    channel=step.channel,
                    tone=step.tone,
                    attach_pdf=step.attach_pdf,
                )
                for step in DEFAULT_STEPS
            )
            return policy
    except IntegrityError:
        # Made meanwhile by another request, or a policy of that name already exists.
        found = ReminderPolicy.objects.for_org(org).filter(is_default=True).first()
        if found is None:
            raise
        return found


def customer_reminders(*, org: Organization, customer: Customer) -> CustomerReminders | None:
    return CustomerReminders.objects.for_org(org).filter(customer=customer).first()


def policy_for_customer(*, org: Organization, customer: Customer) -> ReminderPolicy:
    own = customer_reminders(org=org, customer=customer)
    if own is not None and own.policy_id is not None:
        policy = ReminderPolicy.objects.for_org(org).filter(pk=own.policy_id).first()
        if policy is not None:
            return policy
    return policy_default(org=org)


def policy_steps(policy: ReminderPolicy) -> list[Step]:
    return [
        Step(
            offset_days=row.offset_days,
            channel=row.channel,
            tone=row.tone,
            attach_pdf=row.attach_pdf,
            step_id=row.pk,
        )
        for row in ReminderStep.objects.filter(policy=policy).order_by("offset_days")
    ]


def customer_zone(*, org: Organization, customer: Customer) -> str:
    return customer.timezone or org.timezone or "UTC"


def policy_window(policy: ReminderPolicy, *, org: Organization, customer: Customer) -> SendWindow:
    return send_window(
        start=policy.window_start,
        end=policy.window_end,
        weekdays=policy.weekdays,
        zone_name=customer_zone(org=org, customer=customer),
        holiday_country=org.country if policy.skip_holidays else "",
    )

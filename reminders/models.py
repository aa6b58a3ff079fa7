"""Reminder policies and the reminders they produce.

A policy is an ordered list of steps (days from the due date, channels, tone) and a send
window in the customer's time zone. The sweep (``reminders.sweep``) writes one ``Reminder`` per
(invoice, step, channel) when that step comes due, unique, so a step is never sent twice; the
reminders due for one customer on one local day and channel are gathered into one
``ReminderBatch``, which is the unit that is sent (one invoice: a reminder; several: a digest).
"""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet

# Whatever an owner sets, nothing goes out before or after these local times.
EARLIEST = time(8, 0)
LATEST = time(21, 0)
WEEKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday, as date.weekday() counts


def default_weekdays() -> list[int]:
    return list(WEEKDAYS)


class Tone(models.TextChoices):
    FRIENDLY = "friendly", "Friendly"
    FIRM = "firm", "Firm"
    FINAL = "final", "Final notice"


class StepChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    BOTH = "both", "Email and SMS"
    PREFERRED = "preferred", "The customer's preference"


class ReminderPolicy(OrgOwned):
    name = models.CharField(max_length=60)
    is_default = models.BooleanField(default=False)
    # The send window, in the customer's time zone (the organization's when they have none).
    window_start = models.TimeField(default=time(9, 0))
    window_end = models.TimeField(default=time(17, 0))
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=default_weekdays)
    skip_holidays = models.BooleanField(
        default=True, help_text="No reminders on public holidays of your organization's country"
    )
    # Hours between two messages to the same customer, and messages a customer gets a day.
    min_gap_hours = models.PositiveSmallIntegerField(default=20)
    daily_cap = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[ReminderPolicy]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="policy_name_unique"),
            models.UniqueConstraint(
                "organization", condition=models.Q(is_default=True), name="policy_one_default"
            ),
            models.CheckConstraint(
                condition=models.Q(window_start__lt=models.F("window_end")),
                name="policy_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(window_start__gte=EARLIEST, window_end__lte=LATEST),
                name="policy_window_decent_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_cap__gte=1), name="policy_cap_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReminderStep(OrgOwned):
    policy = models.ForeignKey(ReminderPolicy, on_delete=models.CASCADE, related_name="steps")
    # Days from the due date: negative before it, 0 on the day, positive after.
    offset_days = models.SmallIntegerField()
    channel = models.CharField(
        max_length=10, choices=StepChannel.choices, default=StepChannel.EMAIL
    )
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.FRIENDLY)
    attach_pdf = models.BooleanField(default=False)
    # The owner's own wording for this step; blank: the built-in wording for its tone.
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    sms_body = models.TextField(blank=True)

    objects: ClassVar[OrgQuerySet[ReminderStep]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["offset_days", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "offset_days"], name="step_offset_unique"),
            models.CheckConstraint(
                condition=models.Q(offset_days__gte=-60, offset_days__lte=365),
                name="step_offset_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offset_days:+d} days ({self.tone})"


class CustomerReminders(OrgOwned):
    """A customer's own reminder arrangements: another policy than the default, or a pause."""

    customer = models.OneToOneField(
        "invoicing.Customer", on_delete=models.CASCADE, related_name="reminder_settings"
    )
    # Null: the organization's default policy.
    policy = models.ForeignKey(
        ReminderPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[OrgQuerySet[CustomerReminders]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"reminders of customer {self.customer_id}"


class InvoiceReminderPause(OrgOwned):
    """An invoice whose reminders the owner paused; deleting the row resumes them."""

    invoice = models.OneToOneField(
        "invoicing.Invoice", on_delete=models.CASCADE, related_name="reminder_pause"
    )
    reason = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(default=dj_timezone.now)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[OrgQuerySet[InvoiceReminderPause]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"reminders of invoice {self.invoice_id} paused"


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    # Not sent, for the reason given (paid meanwhile, superseded by a later step, ...).
    SKIPPED = "skipped", "Not sent"


class ReminderBatch(OrgOwned):
    """What one customer gets on one local day on one channel: the unit that is sent."""

    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="reminder_batches"
    )
    channel = models.CharField(max_length=8)
    local_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED
    )
    status_reason = models.CharField(max_length=300, blank=True)
    # Not before this moment (the send window opens, the gap since the last message passes).
    send_after = models.DateTimeField(default=dj_timezone.now)
    message = models.ForeignKey(
        "arhub.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[ReminderBatch]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "reminder batches"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer", "local_date", "channel"],
                name="batch_one_per_customer_day_channel",
            ),
        ]
        indexes = [
            # The sweep's pick-up of batches waiting to go, and of claims whose worker died.
            models.Index(
                fields=["send_after"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="batch_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminders for customer {self.customer_id} on {self.local_date}"


class Reminder(OrgOwned):
    """One step of one invoice's policy on one channel. Unique by the step's day (not its row),
    so editing a policy, or moving the customer to another, never repeats a day already done."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="reminders"
    )
    customer = models.ForeignKey("invoicing.Customer", on_delete=models.PROTECT, related_name="+")
    # Kept if the step is later deleted from its policy: the history still reads.
    step = models.ForeignKey(
        ReminderStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    offset_days = models.SmallIntegerField()
    tone = models.CharField(max_length=10, choices=Tone.choices)
    channel = models.CharField(max_length=8)
    batch = models.ForeignKey(
        ReminderBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # The step's day in the customer's calendar.
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED
    )
    status_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[Reminder]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "invoice", "offset_days", "channel"],
                name="reminder_once_per_step_channel",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "invoice", "-created_at"], name="reminder_invoice_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminder ({self.offset_days:+d}) for invoice {self.invoice_id}"

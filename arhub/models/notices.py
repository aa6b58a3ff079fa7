from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from arhub.models.tenancy import OrgOwned, OrgQuerySet


class NoticeKind(models.TextChoices):
    DISPUTE_OPENED = "dispute_opened", "Dispute opened"
    DISPUTE_MESSAGE = "dispute_message", "Customer wrote about a dispute"
    CHARGEBACK = "chargeback", "Chargeback"
    PLAN_REQUESTED = "plan_requested", "Payment plan requested"
    PLAN_STARTED = "plan_started", "Payment plan started"
    PLAN_ACCEPTED = "plan_accepted", "Counter-offer accepted"
    PLAN_BROKEN = "plan_broken", "Payment plan broken"
    PROMISE_MADE = "promise_made", "Promise to pay"
    PROMISE_BROKEN = "promise_broken", "Promise broken"


class Notice(OrgOwned):
    """Something the business should know about, shown on the dashboard and emailed to the
    owners and admins. ``path`` is the dashboard page it is about, resolved when the notice
    was written (apps above arhub know their own URLs; arhub never imports them)."""

    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    summary = models.CharField(max_length=300)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[Notice]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.summary

"""Promises to pay: the customer (or the owner, on the customer's word) names the day an
invoice will be paid. Reminders pause until then; on the day, if it is still unpaid, one gentle
"as agreed" reminder goes out; a promise still unpaid ``promise_grace_days`` after its date is
broken, the owner is told, and the normal reminder policy takes over again."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet


class PromiseStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class PromiseToPay(OrgOwned):
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="promises"
    )
    customer = models.ForeignKey("invoicing.Customer", on_delete=models.PROTECT, related_name="+")
    promised_date = models.DateField()
    # The balance due when the promise was made: what "kept" means.
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    note = models.TextField(blank=True)
    # Blank when the customer made it on the pay page.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[PromiseToPay]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status", "promised_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status="open"),
                name="promise_one_open_per_invoice",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promise_positive"),
        ]

    def __str__(self) -> str:
        return f"promise on invoice {self.invoice_id} for {self.promised_date}"

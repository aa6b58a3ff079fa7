"""Payment plans: an agreed schedule for paying one or several open invoices of a customer.

A plan is built on what is still owed when it starts (the invoices' balances then, recorded on
``PaymentPlanInvoice``), never on the original totals. Its instalments add up exactly to that
amount, the last absorbing the rounding. While a plan is active its invoices get the plan's own
reminders instead of the normal policy; payments to them reduce the instalments in date order.
An invoice is in at most one live (proposed or active) plan: ``released_at`` is set when the
plan ends, and a partial unique index does the rest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet

ZERO = Decimal(0)


class PlanFrequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Declined"


LIVE_PLAN_STATUSES = (PlanStatus.PROPOSED, PlanStatus.ACTIVE)


class PlanOrigin(models.TextChoices):
    CUSTOMER = "customer", "Asked for by the customer"
    OWNER = "owner", "Offered by the business"


class PaymentPlan(OrgOwned):
    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="payment_plans"
    )
    currency = models.CharField(max_length=3)
    # The outstanding balance the plan covers, when it was set up.
    total = models.DecimalField(max_digits=18, decimal_places=3)
    status = models.CharField(
        max_length=16, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    origin = models.CharField(max_length=16, choices=PlanOrigin.choices)
    # Blank for a schedule edited instalment by instalment.
    frequency = models.CharField(max_length=16, choices=PlanFrequency.choices, blank=True)
    # The customer's words when asking; the owner's when declining or counter-offering.
    customer_note = models.TextField(blank=True)
    owner_message = models.TextField(blank=True)
    auto_approved = models.BooleanField(default=False)
    # A counter-offer replaces the request it answers.
    counter_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counter_offers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    objects: ClassVar[OrgQuerySet[PaymentPlan]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"]),
            models.Index(fields=["organization", "customer", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gt=0), name="plan_total_positive"),
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} of customer {self.customer_id}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLAN_STATUSES


class PaymentPlanInvoice(OrgOwned):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="plan_invoices")
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="plan_links"
    )
    # The invoice's balance when the plan was set up.
    balance_at_start = models.DecimalField(max_digits=18, decimal_places=3)
    released_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[PaymentPlanInvoice]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "invoice"], name="planinvoice_once"),
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(released_at__isnull=True),
                name="planinvoice_one_live_plan",
            ),
        ]


class Instalment(OrgOwned):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    amount_paid = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The plan's own reminders, once each.
    reminded_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    missed_notice_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[Instalment]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["plan", "seq"]
        indexes = [models.Index(fields=["organization", "due_date"])]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="instalment_seq_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0, amount_paid__lte=models.F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.amount_paid


class InstalmentChange(OrgOwned):
    """An instalment moved to another day: who, when and why."""

    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="changes")
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[InstalmentChange]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]

"""A customer's disagreement with an invoice (or a bank's chargeback), its thread and outcome.

A dispute belongs to one invoice. While it is open or under review, reminders for that invoice
pause (reminders asks ``disputes.selectors``); they resume only after a resolution, and only for
what is still owed. The customer writes from the pay page and never sees internal notes.
Attachments live under ``DISPUTE_FILES_ROOT`` (outside the web root) with random names; the
name the customer gave is kept only for display and the download's filename.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet


class DisputeKind(models.TextChoices):
    CUSTOMER = "customer", "Raised by the customer"
    CHARGEBACK = "chargeback", "Chargeback"


class DisputeReason(models.TextChoices):
    WRONG_AMOUNT = "wrong_amount", "The amount is wrong"
    NOT_RECEIVED = "not_received", "Goods or services not received"
    QUALITY = "quality", "A problem with quality"
    DUPLICATE = "duplicate", "Duplicate invoice"
    ALREADY_PAID = "already_paid", "Already paid"
    OTHER = "other", "Something else"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


ACTIVE_DISPUTE_STATUSES = (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW)


class DisputeOutcome(models.TextChoices):
    CREDIT = "credit", "Credit issued"
    CORRECTED = "corrected", "Invoice corrected"
    NO_CHANGE = "no_change", "No change, with an explanation"


class Dispute(OrgOwned):
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="disputes"
    )
    customer = models.ForeignKey("invoicing.Customer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DisputeKind.choices)
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    status = models.CharField(
        max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    outcome = models.CharField(max_length=16, choices=DisputeOutcome.choices, blank=True)
    # What the customer is told with the outcome, in plain words.
    outcome_message = models.TextField(blank=True)
    credit_note = models.ForeignKey(
        "invoicing.CreditNote", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The amount the customer or the bank questions; blank when not said.
    amount = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3)
    # A chargeback: the bank's reason code and the day evidence is due, from Stripe.
    bank_reason = models.CharField(max_length=100, blank=True)
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    stripe_dispute_id = models.CharField(max_length=100, blank=True)
    stripe_charge_id = models.CharField(max_length=100, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=dj_timezone.now)
    review_started_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Set when the customer writes and the owner has not answered since; cleared by a reply.
    awaiting_owner_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[Dispute]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status", "-opened_at"]),
            models.Index(fields=["organization", "invoice", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stripe_dispute_id"],
                condition=~models.Q(stripe_dispute_id=""),
                name="dispute_one_per_stripe_dispute",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="dispute_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status=DisputeStatus.RESOLVED) | models.Q(outcome=""),
                name="dispute_outcome_only_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.pk} on invoice {self.invoice_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_DISPUTE_STATUSES


class DisputeLine(OrgOwned):
    """An invoice line the customer says the dispute is about."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("invoicing.InvoiceLine", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "line"], name="disputeline_once"),
        ]


class Author(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    OWNER = "owner", "Business"
    BANK = "bank", "Bank"
    SYSTEM = "system", "AR Hub"


class DisputeMessage(OrgOwned):
    """One entry in the thread. ``internal`` notes are for the business only."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=16, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[DisputeMessage]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(internal=False) | models.Q(author="owner"),
                name="disputemessage_only_owner_writes_internal",
            ),
        ]


class DisputeAttachment(OrgOwned):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        DisputeMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # Random, under DISPUTE_FILES_ROOT; never derived from what the uploader sent.
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=200)
    # Found from the file's content, not from its name or the browser's claim.
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    author = models.CharField(max_length=16, choices=Author.choices)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[DisputeAttachment]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]


class DisputeSettings(OrgOwned):
    """One per organization."""

    response_target_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="Business days a customer should wait at most for your answer",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[DisputeSettings]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "dispute settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="disputesettings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(response_target_days__gte=1, response_target_days__lte=30),
                name="disputesettings_target_in_range",
            ),
        ]

"""The message log, consent and suppression: one pipe for every word sent to a customer.

Customers live in ``invoicing``; these rows point at them by lazy reference (a string), so the
core never imports an app above it while a customer's timeline stays one query.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from arhub.models.tenancy import OrgOwned, OrgQuerySet


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    REMINDER = "reminder", "Reminder"
    REMINDER_DIGEST = "reminder_digest", "Reminder (several invoices)"
    RECEIPT = "receipt", "Receipt"
    THANK_YOU = "thank_you", "Thank you"
    DISPUTE_UPDATE = "dispute_update", "Dispute update"
    PLAN_UPDATE = "plan_update", "Plan update"
    STATEMENT = "statement", "Statement"
    OTHER = "other", "Other"


class Direction(models.TextChoices):
    OUTBOUND = "out", "Sent"
    INBOUND = "in", "Received"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    BOUNCED = "bounced", "Bounced"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"
    SKIPPED = "skipped", "Skipped"
    RECEIVED = "received", "Received"


class Message(OrgOwned):
    """One message, exactly as it was sent (or received), and what became of it."""

    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "invoicing.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The payment a receipt is for (its PDF is made from it at send time).
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    direction = models.CharField(
        max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    recipient = models.CharField(max_length=254)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    # Why a message was skipped or suppressed, or the provider's reason for a failure.
    status_reason = models.CharField(max_length=300, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[Message]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "customer", "-created_at"], name="message_timeline_idx"
            ),
            models.Index(fields=["organization", "-created_at"], name="message_org_created_idx"),
            models.Index(
                fields=["organization", "invoice", "-created_at"],
                condition=models.Q(invoice__isnull=False),
                name="message_invoice_idx",
            ),
            models.Index(
                fields=["provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="message_provider_id_idx",
            ),
            # The stale-send sweep looks only at rows still waiting to go out.
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="message_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} to {self.recipient} ({self.status})"


class SuppressionScope(models.TextChoices):
    REMINDERS = "reminders", "Reminders"
    RECEIPTS = "receipts", "Receipts"
    ALL = "all", "Everything"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    STOP_KEYWORD = "stop", "Replied STOP"
    HARD_BOUNCE = "bounce", "Hard bounce"
    COMPLAINT = "complaint", "Spam complaint"
    OWNER = "owner", "Stopped by the business"


class Suppression(OrgOwned):
    """An address (email, lower-cased) or number (E.164) that must not get a kind of message
    from this organization."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    scope = models.CharField(max_length=12, choices=SuppressionScope.choices)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[OrgQuerySet[Suppression]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", "channel", Lower("address"), "scope", name="suppression_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.scope}: {self.reason})"


class ConsentMethod(models.TextChoices):
    OWNER_ATTESTED = "owner", "Recorded by the business"
    PAY_PAGE = "pay_page", "Opted in on the pay page"
    KEYWORD = "keyword", "Replied START"


class SmsConsent(OrgOwned):
    """Permission to text a number: who recorded it, when and how. Revoking keeps the row."""

    phone = models.CharField(max_length=20, help_text="E.164")
    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[SmsConsent]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["organization", "phone"], name="consent_org_phone_idx")]

    def __str__(self) -> str:
        return f"{self.phone} ({self.method})"


class MessageTemplate(OrgOwned):
    """The owner's own wording for a kind of message; without one, the built-in text is used."""

    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[MessageTemplate]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "channel", "language"], name="template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}/{self.language}"

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from arhub.models.tenancy import OrgOwned, OrgQuerySet


class AuditAction(models.TextChoices):
    ORG_CREATED = "org.created", "Organization created"
    SETTINGS_CHANGED = "org.settings_changed", "Settings changed"
    SIGNED_IN = "auth.signed_in", "Signed in"
    MEMBER_INVITED = "team.invited", "Member invited"
    INVITATION_REVOKED = "team.invitation_revoked", "Invitation revoked"
    MEMBER_JOINED = "team.joined", "Member joined"
    ROLE_CHANGED = "team.role_changed", "Role changed"
    MEMBER_REMOVED = "team.removed", "Member removed"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    PAYMENT_RECORDED = "payment.recorded", "Payment recorded"
    PAYMENT_CREDIT_APPLIED = "payment.credit_applied", "Credit applied"
    PAYMENT_REVERSED = "payment.reversed", "Payment reversed"
    PAYMENT_REFUNDED = "payment.refunded", "Payment refunded"
    LATE_FEE_WAIVED = "late_fee.waived", "Late fee waived"
    STRIPE_CONNECTED = "stripe.connected", "Stripe connected"
    STRIPE_DISCONNECTED = "stripe.disconnected", "Stripe disconnected"
    STRIPE_EVENT_RESOLVED = "stripe.event_resolved", "Stripe event reviewed"
    PROMISE_MADE = "promise.made", "Promise to pay made"
    PROMISE_KEPT = "promise.kept", "Promise kept"
    PROMISE_BROKEN = "promise.broken", "Promise broken"
    PROMISE_CANCELLED = "promise.cancelled", "Promise cancelled"
    PLAN_PROPOSED = "plan.proposed", "Payment plan proposed"
    PLAN_APPROVED = "plan.approved", "Payment plan approved"
    PLAN_DECLINED = "plan.declined", "Payment plan declined"
    PLAN_COUNTERED = "plan.countered", "Payment plan counter-offered"
    PLAN_ACCEPTED = "plan.accepted", "Payment plan accepted"
    PLAN_COMPLETED = "plan.completed", "Payment plan completed"
    PLAN_BROKEN = "plan.broken", "Payment plan broken"
    PLAN_CANCELLED = "plan.cancelled", "Payment plan cancelled"
    PLAN_INSTALMENT_MOVED = "plan.instalment_moved", "Instalment moved"
    DISPUTE_OPENED = "dispute.opened", "Dispute opened"
    DISPUTE_REVIEW_STARTED = "dispute.review_started", "Dispute under review"
    DISPUTE_REPLIED = "dispute.replied", "Dispute reply"
    DISPUTE_RESOLVED = "dispute.resolved", "Dispute resolved"
    DISPUTE_WITHDRAWN = "dispute.withdrawn", "Dispute withdrawn"


class AuditEvent(OrgOwned):
    """Who did what, when, from where. Rows are only ever added."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The actor's email at the time, so the trail still reads after a user is deleted.
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[OrgQuerySet[AuditEvent]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.summary}"

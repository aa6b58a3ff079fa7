"""The organization's dispute settings: the response target, in business days."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from arhub.models import AuditAction, Organization, User
from arhub.services.audit import audit_record
from disputes.models import DisputeSettings


def dispute_settings_update(
    *, org: Organization, actor: User | None, response_target_days: int
) -> DisputeSettings:
    if not 1 <= response_target_days <= 30:
        raise ValidationError({"response_target_days": "Between 1 and 30 business days."})
    with transaction.atomic():
        found, _ = DisputeSettings.objects.select_for_update().get_or_create(organization=org)
        before = found.response_target_days
        found.response_target_days = response_target_days
        found.save()
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Dispute response target: {before} -> {response_target_days} business days.",
            data={"response_target_days": response_target_days},
        )
    return found

from __future__ import annotations

from typing import Any

from arhub.models import AuditAction, AuditEvent, Organization, User


def audit_record(
    *,
    org: Organization,
    actor: User | None,
    action: AuditAction,
    summary: str,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        organization=org,
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        summary=summary[:300],
        data=data or {},
        ip_address=ip_address,
    )

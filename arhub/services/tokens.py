"""API tokens: create, revoke, and authenticate a bearer secret."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.models import ApiToken, AuditAction, Membership, Organization
from arhub.roles import Perm, role_allows
from arhub.secret_tokens import hash_secret, new_secret
from arhub.services.audit import audit_record

TOKEN_PREFIX = "arh"
# last_used_at is for people ("used 3 minutes ago"), so it need not be written on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_create(
    *, org: Organization, membership: Membership, name: str
) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. “Accounting export”."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    secret = new_secret(TOKEN_PREFIX)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=org,
            membership=membership,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + 9],
            key_hash=hash_secret(secret),
        )
        audit_record(
            org=org,
            actor=membership.user,
            action=AuditAction.TOKEN_CREATED,
            summary=f"Created API token “{name}” ({token.prefix}…)",
            data={"token_id": token.pk, "role": membership.role},
        )
    return token, secret


def api_token_revoke(*, org: Organization, actor: Membership, token: ApiToken) -> None:
    own = token.membership_id == actor.pk
    if not own and not role_allows(actor.role, Perm.MANAGE_TEAM):
        raise PermissionDenied("You can revoke only your own tokens.")
    updated = (
        ApiToken.objects.for_org(org)
        .filter(pk=token.pk, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
    if updated:
        audit_record(
            org=org,
            actor=actor.user,
            action=AuditAction.TOKEN_REVOKED,
            summary=f"Revoked API token “{token.name}” ({token.prefix}…)",
            data={"token_id": token.pk},
        )


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The active token for a bearer secret, with its membership, user and org loaded."""
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organization")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

"""Invitations, roles and removing members."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arhub.emails import invitation_email_send
from arhub.models import AuditAction, Invitation, Membership, Organization, User
from arhub.roles import Perm, Role, role_allows
from arhub.secret_tokens import hash_secret, new_secret
from arhub.services.audit import audit_record


def _may_assign(actor: Membership, role: str) -> bool:
    if role == Role.OWNER:
        return role_allows(actor.role, Perm.MANAGE_OWNERS)
    return role_allows(actor.role, Perm.MANAGE_TEAM)


def assignable_roles(actor: Membership) -> list[tuple[str, str]]:
    """The roles ``actor`` may give someone, as form choices."""
    return [(value, label) for value, label in Role.choices if _may_assign(actor, value)]


def invitation_create(
    *, org: Organization, actor: Membership, email: str, role: str
) -> tuple[Invitation, bool]:
    """Invite ``email`` with ``role`` and email them a link. Returns the invitation and whether
    the email went out. The link's secret exists only in that email; we keep its hash."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    if not _may_assign(actor, role):
        raise PermissionDenied("Only an owner can invite another owner.")
    if Membership.objects.for_org(org).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {org.name}."})
    secret = new_secret("inv")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=org,
                email=email,
                role=role,
                token_hash=hash_secret(secret),
                invited_by=actor.user,
                expires_at=timezone.now() + settings.INVITATION_TTL,
            )
            audit_record(
                org=org,
                actor=actor.user,
                action=AuditAction.MEMBER_INVITED,
                summary=f"Invited {email} as {Role(role).label}",
                data={"email": email, "role": role},
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"email": f"{email} already has a pending invitation. Resend it from the list."}
        ) from exc
    return invitation, invitation_email_send(invitation=invitation, secret=secret)


def invitation_resend(*, org: Organization, actor: Membership, invitation: Invitation) -> bool:
    """A fresh link and a fresh expiry; the old link stops working. True if the email went."""
    if invitation.organization_id != org.pk or invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation can no longer be resent.")
    secret = new_secret("inv")
    invitation.token_hash = hash_secret(secret)
    invitation.expires_at = timezone.now() + settings.INVITATION_TTL
    invitation.save(update_fields=["token_hash", "expires_at"])
    return invitation_email_send(invitation=invitation, secret=secret)


def invitation_revoke(*, org: Organization, actor: Membership, invitation: Invitation) -> None:
    updated = (
        Invitation.objects.for_org(org)
        .filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
    if updated:
        audit_record(
            org=org,
            actor=actor.user,
            action=AuditAction.INVITATION_REVOKED,
            summary=f"Revoked the invitation for {invitation.email}",
        )


def invitation_find(*, secret: str) -> Invitation | None:
    """The pending invitation behind a link, or None. Not org-scoped: the link is the key."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if invitation is None or not invitation.is_pending():
        return None
    return invitation


def invitation_accept(*, secret: str, user: User) -> Membership:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organization")
            .filter(token_hash=hash_secret(secret))
            .first()
        )
        if invitation is None or not invitation.is_pending():
            raise ValidationError("This invitation link is no longer valid. Ask for a new one.")
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(
                f"This invitation was sent to {invitation.email}. Sign in with that address."
            )
        org = invitation.organization
        membership, created = Membership.objects.get_or_create(
            organization=org, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        if created:
            audit_record(
                org=org,
                actor=user,
                action=AuditAction.MEMBER_JOINED,
                summary=f"{user.email} joined as {Role(membership.role).label}",
            )
    return membership


def _owner_count(org: Organization) -> int:
    return Membership.objects.for_org(org).filter(role=Role.OWNER).count()


def membership_change_role(
    *, org: Organization, actor: Membership, membership: Membership, role: str
) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    if membership.role == role:
        return membership
    if not (_may_assign(actor, role) and _may_assign(actor, membership.role)):
        raise PermissionDenied("Only an owner can grant or take away the owner role.")
    with transaction.atomic():
        # Lock the org's owners so two demotions cannot both pass the last-owner check.
        list(Membership.objects.for_org(org).filter(role=Role.OWNER).select_for_update())
        if membership.role == Role.OWNER and _owner_count(org) <= 1:
            raise ValidationError("An organization needs at least one owner.")
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            org=org,
            actor=actor.user,
            action=AuditAction.ROLE_CHANGED,
            summary=f"{membership.user.email}: {Role(old).label} → {Role(role).label}",
            data={"member": membership.user.email, "from": old, "to": role},
        )
    return membership


def membership_remove(*, org: Organization, actor: Membership, membership: Membership) -> None:
    if not _may_assign(actor, membership.role):
        raise PermissionDenied("Only an owner can remove another owner.")
    with transaction.atomic():
        list(Membership.objects.for_org(org).filter(role=Role.OWNER).select_for_update())
        if membership.role == Role.OWNER and _owner_count(org) <= 1:
            raise ValidationError("An organization needs at least one owner.")
        email = membership.user.email
        membership.delete()  # its API tokens go with it
        audit_record(
            org=org,
            actor=actor.user,
            action=AuditAction.MEMBER_REMOVED,
            summary=f"Removed {email}",
            data={"member": email},
        )

"""Reads for the core: memberships, team, tokens, the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from arhub.models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Notice,
    Organization,
    User,
)
from arhub.roles import Perm, role_allows


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )


def membership_for_user(*, user: User, org_id: int | None) -> Membership | None:
    """The user's membership in ``org_id``, or their first one when that is not theirs."""
    memberships = membership_list_for_user(user=user)
    if org_id is not None:
        chosen = memberships.filter(organization_id=org_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def member_list(*, org: Organization) -> QuerySet[Membership]:
    return Membership.objects.for_org(org).select_related("user").order_by("user__full_name")


def member_get(*, org: Organization, membership_id: int) -> Membership:
    return get_object_or_404(member_list(org=org), pk=membership_id)


def invitation_pending_list(*, org: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_org(org)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get(*, org: Organization, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation.objects.for_org(org), pk=invitation_id)


def api_token_list(*, org: Organization, viewer: Membership) -> QuerySet[ApiToken]:
    """Everyone sees their own tokens; those who manage the team see everyone's."""
    tokens = (
        ApiToken.objects.for_org(org)
        .select_related("membership__user")
        .order_by("revoked_at", "-created_at")
    )
    if not role_allows(viewer.role, Perm.MANAGE_TEAM):
        tokens = tokens.filter(membership=viewer)
    return tokens


def api_token_get(*, org: Organization, viewer: Membership, token_id: int) -> ApiToken:
    return get_object_or_404(api_token_list(org=org, viewer=viewer), pk=token_id)


def audit_event_list(*, org: Organization) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_org(org).order_by("-created_at", "-id")


def notice_list_unread(*, org: Organization, limit: int = 10) -> tuple[list[Notice], int]:
    """The newest unread notices and how many are unread in all."""
    unread = Notice.objects.for_org(org).filter(read_at__isnull=True)
    return list(unread.order_by("-created_at", "-pk")[:limit]), unread.count()

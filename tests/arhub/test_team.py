import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from arhub.models import AuditEvent, Invitation, Membership
from arhub.roles import Role
from arhub.services.team import (
    invitation_accept,
    invitation_create,
    membership_change_role,
    membership_remove,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def invite_link() -> str:
    return re.search(r"http://localhost:8000(/invite/\S+/)", mail.outbox[-1].body).group(1)


def test_owner_invites_by_email_and_newcomer_joins_with_the_role(tenant):
    owner = tenant.client()
    response = owner.post(
        "/settings/team/", {"email": "New.Person@example.test", "role": "accountant"}
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.test"]
    assert tenant.org.name in message.subject
    invitation = Invitation.objects.get(organization=tenant.org)
    assert invitation.token_hash not in message.body  # only the secret travels; the hash stays

    visitor = Client()
    link = invite_link()
    page = visitor.get(link)
    assert "Join Acme Plumbing" in page.content.decode()
    response = visitor.post(link, {"full_name": "New Person", "password": "quiet-river-stone-3"})
    assert response["Location"] == "/dashboard/"
    membership = Membership.objects.get(
        organization=tenant.org, user__email="new.person@example.test"
    )
    assert membership.role == Role.ACCOUNTANT
    assert visitor.get(link).status_code == 404  # used once
    assert AuditEvent.objects.filter(organization=tenant.org, action="team.joined").exists()


def test_existing_user_accepts_after_logging_in(tenant, other_tenant):
    someone = other_tenant.user(Role.BILLING)
    invitation_create(org=tenant.org, actor=tenant.owner, email=someone.email, role=Role.VIEWER)
    link = invite_link()
    anonymous = Client()
    assert "/login/?next=" in anonymous.post(link)["Location"]
    client = Client()
    client.force_login(someone)
    client.post(link)
    assert Membership.objects.get(organization=tenant.org, user=someone).role == Role.VIEWER
    # They now belong to both organizations and keep their role in the first.
    assert Membership.objects.get(organization=other_tenant.org, user=someone).role == Role.BILLING


def test_invitation_for_another_address_cannot_be_taken(tenant):
    invitation_create(org=tenant.org, actor=tenant.owner, email="right@example.test", role="admin")
    intruder = UserFactory(email="wrong@example.test")
    secret = invite_link().split("/")[2]
    with pytest.raises(ValidationError, match=r"right@example\.test"):
        invitation_accept(secret=secret, user=intruder)
    assert not Membership.objects.filter(organization=tenant.org, user=intruder).exists()


def test_duplicate_pending_invitation_and_existing_member_are_refused(tenant):
    invitation_create(org=tenant.org, actor=tenant.owner, email="a@example.test", role="billing")
    with pytest.raises(ValidationError, match="pending invitation"):
        invitation_create(org=tenant.org, actor=tenant.owner, email="A@example.test", role="viewer")
    with pytest.raises(ValidationError, match="already a member"):
        invitation_create(
            org=tenant.org, actor=tenant.owner, email=tenant.user(Role.VIEWER).email, role="viewer"
        )


def test_revoked_and_expired_invitations_do_not_work(tenant):
    import time_machine
    from django.utils import timezone

    invitation_create(org=tenant.org, actor=tenant.owner, email="late@example.test", role="viewer")
    link = invite_link()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert Client().get(link).status_code == 404
    invitation = Invitation.objects.get(email="late@example.test")
    tenant.client().post(f"/settings/team/invitations/{invitation.pk}/revoke/")
    assert Client().get(link).status_code == 404


def test_admin_cannot_grant_or_remove_owner(tenant):
    admin = tenant.members[Role.ADMIN]
    viewer = tenant.members[Role.VIEWER]
    with pytest.raises(PermissionDenied):
        membership_change_role(org=tenant.org, actor=admin, membership=viewer, role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        membership_remove(org=tenant.org, actor=admin, membership=tenant.owner)
    membership_change_role(org=tenant.org, actor=admin, membership=viewer, role=Role.BILLING)
    viewer.refresh_from_db()
    assert viewer.role == Role.BILLING
    event = AuditEvent.objects.get(organization=tenant.org, action="team.role_changed")
    assert event.data == {"member": viewer.user.email, "from": "viewer", "to": "billing"}


def test_last_owner_cannot_be_demoted_or_removed(tenant):
    with pytest.raises(ValidationError, match="at least one owner"):
        membership_change_role(
            org=tenant.org, actor=tenant.owner, membership=tenant.owner, role=Role.ADMIN
        )
    with pytest.raises(ValidationError, match="at least one owner"):
        membership_remove(org=tenant.org, actor=tenant.owner, membership=tenant.owner)
    response = tenant.client().post(
        f"/settings/team/members/{tenant.owner.pk}/role/", {"role": "viewer"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    tenant.owner.refresh_from_db()
    assert tenant.owner.role == Role.OWNER


def test_removing_a_member_ends_their_tokens(tenant):
    billing = tenant.members[Role.BILLING]
    api = tenant.api(Role.BILLING)
    assert api.get("/api/v1/organization/").status_code == 200
    tenant.client().post(f"/settings/team/members/{billing.pk}/remove/")
    assert not Membership.objects.filter(pk=billing.pk).exists()
    assert api.get("/api/v1/organization/").status_code == 401


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_roles_without_team_rights_cannot_invite_or_change_roles(tenant, role):
    client = tenant.client(role)
    assert client.get("/settings/team/").status_code == 200
    assert (
        client.post("/settings/team/", {"email": "x@example.test", "role": "owner"}).status_code
        == 403
    )
    target = tenant.members[Role.VIEWER if role != Role.VIEWER else Role.BILLING]
    assert (
        client.post(f"/settings/team/members/{target.pk}/role/", {"role": "owner"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_login_page_is_reachable_from_invitation_for_existing_account(tenant):
    user = tenant.user(Role.VIEWER)
    Membership.objects.filter(user=user).delete()
    invitation_create(org=tenant.org, actor=tenant.owner, email=user.email, role="billing")
    link = invite_link()
    client = Client()
    response = client.post(
        "/login/?next=" + link, {"username": user.email, "password": PASSWORD, "next": link}
    )
    assert response["Location"] == link


def test_signed_in_member_of_another_org_sees_the_invitation(tenant, other_tenant):
    someone = other_tenant.user(Role.BILLING)
    invitation_create(org=tenant.org, actor=tenant.owner, email=someone.email, role=Role.VIEWER)
    page = other_tenant.client(Role.BILLING).get(invite_link()).content.decode()
    assert "Join Acme Plumbing" in page
    assert "Accept and join" in page

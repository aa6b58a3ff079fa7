"""Isolation sweep entries for the core: accounts, organizations, team, tokens, API."""

from __future__ import annotations

import itertools

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from arhub.middleware import SESSION_ORG_KEY
from arhub.models import ApiToken, Invitation, Membership
from arhub.roles import Role
from arhub.secret_tokens import hash_secret, new_secret
from tests.conftest import Tenant
from tests.factories import (
    ApiTokenFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    b_snapshot,
    check_b_untouched,
    check_hidden,
    discover_routes,
    request_as_a,
    send,
)

# ---- builders and re-reads for object routes


def new_viewer(tenant: Tenant) -> Membership:
    # Not an owner: an owner might be refused as the last owner, and a refusal hides a leak.
    # Named after its org, like every marker, so a match can only mean B's data showed.
    user = UserFactory(full_name=f"{tenant.org.name} extra viewer")
    return MembershipFactory(organization=tenant.org, role=Role.VIEWER, user=user)


def membership_unchanged(built: Membership) -> None:
    current = Membership.objects.filter(pk=built.pk).first()
    assert current is not None, f"org B's membership {built.pk} was deleted"
    assert current.role == built.role, f"org B's membership role became {current.role}"


def pending_invitation(tenant: Tenant) -> Invitation:
    return InvitationFactory(organization=tenant.org, invited_by=tenant.owner.user)


def invitation_unchanged(built: Invitation) -> None:
    current = Invitation.objects.get(pk=built.pk)
    assert current.revoked_at is None, "org B's invitation was revoked"
    assert current.accepted_at is None, "org B's invitation was accepted"
    assert current.token_hash == built.token_hash, "org B's invitation link was replaced"
    assert current.expires_at == built.expires_at, "org B's invitation expiry moved"


def active_token(tenant: Tenant) -> ApiToken:
    return ApiTokenFactory(
        membership=tenant.members[Role.VIEWER], name=f"{tenant.org.name} viewer export"
    )


def token_unchanged(built: ApiToken) -> None:
    current = ApiToken.objects.get(pk=built.pk)
    assert current.revoked_at is None, "org B's API token was revoked"


def password_reset_kwargs(membership: Membership) -> dict[str, str]:
    uid = urlsafe_base64_encode(force_bytes(membership.user_id))
    return {"uidb64": uid, "token": "not-a-real-token"}


# ---- custom checks


def sweep_organization_switch(world: World, found: FoundRoute, route: Route) -> None:
    url = route.url(found, None)
    client = world.a.client()
    response = request_as_a(
        world, client, "POST", url, {"organization": world.b.org.pk}, "A's owner"
    )
    check_hidden(response, f"POST {url} with org B's id")
    assert client.session[SESSION_ORG_KEY] == world.a.org.pk, "A's session switched to org B"
    dashboard = request_as_a(world, client, "GET", reverse("dashboard"), None, "A's owner")
    assert world.a.org.name in dashboard.content.decode()

    # Control: a second org of A's owner is switchable, so the 404 above is the membership check.
    second = MembershipFactory(organization=OrganizationFactory(), user=world.a.owner.user)
    response = send(client, "POST", url, {"organization": second.organization_id})
    assert response.status_code == 302, f"control: switching to A's own org gave {response}"
    assert client.session[SESSION_ORG_KEY] == second.organization_id


def sweep_invitation_accept(world: World, found: FoundRoute, route: Route) -> None:
    # A made-up link is public: it shows nothing and changes nothing.
    bogus = reverse(found.name or "", kwargs={"secret": new_secret("inv")})
    for who, make_client in [("anonymous", Client), ("A's owner", world.a.client)]:
        for method in route.methods_for(found):
            response = request_as_a(world, make_client(), method, bogus, {}, who)
            assert response.status_code == 404, f"{method} {bogus} as {who}: {response}"

    # B's real link opened by A's owner: the page may name B (the link is the key), but a
    # signed-in user with another address must not join B through it.
    url = reverse(found.name or "", kwargs={"secret": world.b_invitation_secret})
    invitation = Invitation.objects.get(token_hash=hash_secret(world.b_invitation_secret))
    a_user = world.a.owner.user
    client = world.a.client()
    for method in route.methods_for(found):
        before, outbox_from = b_snapshot(world), len(mail.outbox)
        response = send(client, method, url, {"full_name": "Mallory", "password": "x" * 12})
        assert response.status_code == 200, f"{method} {url} as A's owner: {response}"
        assert not Membership.objects.filter(organization=world.b.org, user=a_user).exists(), (
            f"{method} {url}: A's owner joined org B with an invitation sent to {invitation.email}"
        )
        invitation_unchanged(invitation)
        check_b_untouched(world, before, outbox_from, f"{method} {url} as A's owner")
        assert client.session[SESSION_ORG_KEY] == world.a.org.pk, "A's session switched to B"


# ---- the registry itself

SERIAL = itertools.count(1)
ORG_BASICS = {"currency": "GBP", "timezone": "Europe/London"}
SETTINGS_FORM = {
    "name": "Acme Plumbing Co",
    "brand_color": "#123456",
    "default_currency": "GBP",
    "timezone": "Europe/London",
    "locale": "en-GB",
}

ROUTES: dict[str, Route] = {
    # Public: no tenant data.
    "signup": Route("public"),
    "login": Route("public"),
    "logout": Route("public"),
    "password_reset": Route("public"),
    "password_reset_done": Route("public"),
    "password_reset_confirm": Route(
        "public", build=lambda t: t.owner, kwargs=password_reset_kwargs
    ),
    "password_reset_complete": Route("public"),
    "api_schema": Route("public"),
    "api_docs": Route("public"),
    "healthz": Route("public"),
    "invitation_accept": Route("custom", custom=sweep_invitation_accept),
    # The current organization's pages.
    "home": Route("org_page", expect={"GET": {302}}),
    "dashboard": Route("org_page"),
    # Marks A's own notices read; B's are untouched (the snapshot says so).
    "notices_read": Route("org_page", data={"POST": {}}, expect={"POST": (302,)}),
    "organization_switch": Route("custom", custom=sweep_organization_switch),
    "organization_create": Route(
        "org_page",
        data={"POST": lambda: {"org_name": f"Acme {next(SERIAL)}", **ORG_BASICS}},
        expect={"POST": {302}},
    ),
    "settings": Route("org_page", data={"POST": SETTINGS_FORM}, expect={"POST": {302}}),
    "organization_logo": Route("org_page"),
    "team": Route(
        "org_page",
        data={"POST": lambda: {"email": f"new.hire{next(SERIAL)}@acme.test", "role": "billing"}},
        expect={"POST": {302}},
    ),
    "tokens": Route("org_page", data={"POST": {"name": "Acme export"}}, expect={"POST": {302}}),
    "audit_log": Route("org_page"),
    "customers": Route("org_page"),
    "disputes": Route("org_page"),
    "reminders": Route("org_page"),
    "reports": Route("org_page"),
    "api_organization": Route(
        "org_page", data={"PATCH": {"name": "Acme Plumbing Co"}}, expect={"PATCH": {200}}
    ),
    "api_members": Route("org_page"),
    "api_audit_events": Route("org_page"),
    # Routes that take an object id.
    "member_role": Route(
        "object",
        build=new_viewer,
        unchanged=membership_unchanged,
        data={"POST": {"role": Role.ADMIN}},
        expect={"POST": {302}},
    ),
    "member_remove": Route(
        "object", build=new_viewer, unchanged=membership_unchanged, expect={"POST": {302}}
    ),
    "invitation_revoke": Route(
        "object", build=pending_invitation, unchanged=invitation_unchanged, expect={"POST": {302}}
    ),
    "invitation_resend": Route(
        "object", build=pending_invitation, unchanged=invitation_unchanged, expect={"POST": {302}}
    ),
    "token_revoke": Route(
        "object", build=active_token, unchanged=token_unchanged, expect={"POST": {302}}
    ),
}

ALL_ROUTES = discover_routes()

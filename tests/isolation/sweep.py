"""The tenant isolation sweep: every URL pattern, called as a member of org A against org B.

DESIGN.md, "Tenancy": a member of one organization never sees or changes anything of another,
and another tenant's id answers 404 — never 403 (that would confirm the object exists) and never
200. Every URL pattern needs an entry in ``ROUTES``; a route without one fails the sweep, so a new
view cannot ship unswept.

Adding a route: give it a ``Route`` under its URL name in the ``ROUTES`` of a module
``tests/isolation/routes_<feature>.py``; every such module is merged into the registry.

* ``public``: holds no tenant data. Requested anonymously and as A's owner.
* ``org_page``: shows or changes the current organization, no object id. Requested as A's owner
  (and with a bearer token for /api/ routes); must reach the view and show nothing of B's.
* ``object``: takes the id of a tenant's object. ``build`` makes one (for B, and for A as a
  control), ``kwargs`` turns it into URL kwargs, ``unchanged`` re-reads it and asserts it is as
  built. B's id must answer 404; A's own id must not, or the 404 proves nothing.
* ``custom``: anything else; ``custom`` runs the whole check.

After every request the sweep also compares a snapshot of every row of B's (every ``OrgOwned``
table, B's organization and B's users) and checks no email went out about B.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from django.apps import apps
from django.contrib.staticfiles import views as staticfiles_views
from django.core import mail
from django.core.files.base import ContentFile
from django.db.models import Model
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from arhub.middleware import SESSION_ORG_KEY
from arhub.models import ApiToken, AuditEvent, Invitation, Membership, Organization, OrgOwned, User
from arhub.secret_tokens import hash_secret, new_secret
from tests.conftest import Tenant
from tests.factories import (
    ApiTokenFactory,
    AuditEventFactory,
    InvitationFactory,
)

# --------------------------------------------------------------------------------------------
# Finding every route


@dataclass(frozen=True)
class FoundRoute:
    name: str | None  # namespaced ("ns:name") when included under a namespace
    pattern: str  # the full route, e.g. "settings/team/members/<int:pk>/role/"
    callback: Callable[..., Any]

    @property
    def key(self) -> str:
        """How ROUTES refers to it: its name, or its pattern when it has none."""
        return self.name or self.pattern


def discover_routes(
    patterns: Iterable[URLPattern | URLResolver] | None = None,
    prefix: str = "",
    namespace: str | None = None,
) -> list[FoundRoute]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    found: list[FoundRoute] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += discover_routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            found.append(FoundRoute(name, prefix + str(entry.pattern), entry.callback))
    return found


def is_static_files_route(found: FoundRoute) -> bool:
    # Static assets hold no tenant data. Only staticfiles' view is exempt: a
    # django.views.static.serve route could serve uploads (logos) and must be registered.
    return found.callback is staticfiles_views.serve


def uncovered_routes(found: Iterable[FoundRoute], registry: Mapping[str, Route]) -> list[str]:
    return [
        uncovered_message(route)
        for route in found
        if route.key not in registry and not is_static_files_route(route)
    ]


def uncovered_message(found: FoundRoute) -> str:
    return (
        f"route {found.name or '(unnamed)'} (pattern {found.pattern!r}) is not covered by the "
        "isolation sweep; add it to ROUTES in a tests/isolation/routes_*.py module"
    )


def view_methods(callback: Callable[..., Any]) -> tuple[str, ...]:
    """The HTTP methods a view implements (HEAD and OPTIONS carry no data of their own)."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ("GET",)  # a function view; declare `methods` in its Route if it takes more
    return tuple(
        method.upper()
        for method in view_class.http_method_names
        if method not in {"head", "options"} and hasattr(view_class, method)
    )


# --------------------------------------------------------------------------------------------
# The two organizations

B_LOGO_MARKER = "ZENITH-LOGO-BYTES-7f3a"


@dataclass
class World:
    a: Tenant
    b: Tenant
    # The link secret of B's pending invitation; only its hash is stored, so keep it here.
    b_invitation_secret: str

    def b_markers(self) -> list[str]:
        """Strings only B's data contains, read fresh so objects a test adds are included."""
        org = Organization.objects.get(pk=self.b.org.pk)
        markers = [org.name, org.slug, org.legal_name, org.tax_id, B_LOGO_MARKER]
        markers += Membership.objects.for_org(org).values_list("user__email", flat=True)
        markers += Membership.objects.for_org(org).values_list("user__full_name", flat=True)
        markers += Invitation.objects.for_org(org).values_list("email", flat=True)
        markers += ApiToken.objects.for_org(org).values_list("name", flat=True)
        markers += AuditEvent.objects.for_org(org).values_list("summary", flat=True)
        return [marker for marker in markers if marker]


def tenant_models() -> list[type[Model]]:
    return [model for model in apps.get_models() if issubclass(model, OrgOwned)]


def b_snapshot(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every row B owns. Any table a later issue adds is included through OrgOwned."""
    org_id = world.b.org.pk
    snapshot = {
        "arhub.Organization": list(Organization.objects.filter(pk=org_id).values()),
        # Users are not org-owned, but A must not change a password or email of B's people.
        "arhub.User (B's members)": list(
            User.objects.filter(memberships__organization_id=org_id)
            .order_by("pk")
            .values("pk", "email", "full_name", "password", "is_active")
        ),
    }
    for model in tenant_models():
        rows = model._default_manager.filter(organization_id=org_id).order_by("pk").values()
        snapshot[model._meta.label] = list(rows)
    return snapshot


@pytest.fixture
def world(tenant: Tenant, other_tenant: Tenant, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    a, b = tenant, other_tenant
    a.org.logo.save("acme.png", ContentFile(b"ACME-LOGO-BYTES"))

    # Give B one of everything, each with a string no page of A's could contain by chance.
    b.org.slug = "zenith-bakery-private"
    b.org.legal_name = "Zenith Bakery Holdings Ltd"
    b.org.tax_id = "GB-ZEN-0451"
    b.org.logo.save("zenith.png", ContentFile(B_LOGO_MARKER.encode()))
    b.org.save()
    for role, membership in b.members.items():
        User.objects.filter(pk=membership.user_id).update(email=f"zenith.{role}@bakery.test")
    secret = new_secret("inv")
    InvitationFactory(
        organization=b.org,
        email="new.baker@bakery.test",
        token_hash=hash_secret(secret),
        invited_by=b.owner.user,
    )
    ApiTokenFactory(membership=b.owner, name="Zenith ledger sync")
    AuditEventFactory(organization=b.org, summary="Zenith changed the payout bank account")

    built = World(a=a, b=b, b_invitation_secret=secret)
    a_text = " ".join(
        [a.org.name, a.org.slug, *(m.user.email for m in a.members.values())]
        + [m.user.full_name for m in a.members.values()]
    )
    clashes = [marker for marker in built.b_markers() if marker in a_text]
    assert not clashes, f"B's markers also occur in A's data, the sweep would misfire: {clashes}"
    return built


# --------------------------------------------------------------------------------------------
# Checks. Plain functions so the tests at the bottom can prove each one fails when it should.


def response_text(response: HttpResponseBase) -> str:
    body = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content  # type: ignore[attr-defined]
    )
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    return headers + "\n\n" + body.decode("utf-8", "replace")


def leaked_markers(response: HttpResponseBase, markers: Iterable[str]) -> list[str]:
    text = response_text(response)
    return [marker for marker in markers if marker in text]


def check_no_leak(response: HttpResponseBase, markers: Iterable[str], where: str) -> None:
    leaked = leaked_markers(response, markers)
    assert not leaked, f"{where}: the response shows org B's data: {leaked}"


def check_hidden(response: HttpResponseBase, where: str) -> None:
    assert response.status_code == 404, (
        f"{where}: org B's object answered {response.status_code}, expected 404 "
        "(403 tells A the object exists; 2xx/3xx means A reached it)"
    )


def check_b_untouched(
    world: World, before: Mapping[str, list[dict[str, Any]]], outbox_from: int, where: str
) -> None:
    after = b_snapshot(world)
    changed = [table for table in before if before[table] != after.get(table)]
    assert not changed, (
        f"{where}: changed org B's data in {changed}\nbefore: "
        + repr({t: before[t] for t in changed})
        + "\nafter: "
        + repr({t: after.get(t) for t in changed})
    )
    markers = world.b_markers()
    for message in mail.outbox[outbox_from:]:
        text = " ".join([message.subject, message.body, *message.to])
        leaked = [marker for marker in markers if marker in text]
        assert not leaked, f"{where}: sent an email about org B to {message.to}: {leaked}"


def send(client: Client, method: str, url: str, data: Mapping[str, Any] | None) -> Any:
    if method == "GET":
        return client.get(url)
    # The API parses JSON only, so /api/ gets JSON bodies; the dashboard's forms get form data
    # on POST and ignore any other method's body, which is what a browser gets too.
    if method == "POST" and not url.startswith("/api/"):
        return client.post(url, data or {})
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def request_as_a(
    world: World, client: Client, method: str, url: str, data: Mapping[str, Any] | None, who: str
) -> Any:
    """One request, followed by the checks every request gets: nothing of B's shown, changed or
    mailed."""
    where = f"{method} {url} as {who}"
    before, outbox_from = b_snapshot(world), len(mail.outbox)
    response = send(client, method, url, data)
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    check_no_leak(response, world.b_markers(), where)
    check_b_untouched(world, before, outbox_from, where)
    return response


# --------------------------------------------------------------------------------------------
# The registry

Kind = Literal["public", "org_page", "object", "custom"]
Body = Mapping[str, Any]
DEFAULT_EXPECT: Mapping[str, Collection[int]] = {"GET": {200}}
WRITE_EXPECT: Collection[int] = {200, 302}


@dataclass(frozen=True)
class Route:
    kind: Kind
    # Makes the tenant's object the route is called with (B's for the attack, A's for the
    # control). Public routes may use it too, e.g. a password-reset link for B's owner.
    build: Callable[[Tenant], Any] | None = None
    # URL kwargs for the built object (None when nothing was built).
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    # Re-reads the built object and asserts it is as it was built.
    unchanged: Callable[[Any], None] | None = None
    # Request body per method, e.g. a valid settings form, so the write really happens. A
    # callable makes a fresh body per request, for writes that refuse a repeat (same invitee).
    data: Mapping[str, Body | Callable[[], Body]] = field(default_factory=dict)
    # Statuses A's own request must get per method: proof the sweep reached the view.
    expect: Mapping[str, Collection[int]] = field(default_factory=dict)
    # Defaults to the methods the view implements.
    methods: tuple[str, ...] | None = None
    custom: Callable[[World, FoundRoute, Route], None] | None = None

    def url(self, found: FoundRoute, target: Any) -> str:
        if self.kwargs is not None:
            kwargs = self.kwargs(target)
        elif target is not None:
            kwargs = {"pk": target.pk}
        else:
            kwargs = {}
        assert found.name, f"pattern {found.pattern!r} needs a name for the sweep to reverse it"
        return reverse(found.name, kwargs=kwargs)

    def body(self, method: str) -> Body | None:
        data = self.data.get(method)
        return data() if callable(data) else data

    def methods_for(self, found: FoundRoute) -> tuple[str, ...]:
        return self.methods or view_methods(found.callback)

    def expected(self, method: str) -> Collection[int]:
        return self.expect.get(method) or DEFAULT_EXPECT.get(method, WRITE_EXPECT)


def forged_session_client(world: World) -> Client:
    """A's owner with B's id written into the session: the middleware must ignore it."""
    client = world.a.client()
    session = client.session
    session[SESSION_ORG_KEY] = world.b.org.pk
    session.save()
    return client


def a_clients(world: World, found: FoundRoute) -> list[tuple[str, Callable[[], Client]]]:
    clients: list[tuple[str, Callable[[], Client]]] = [
        ("A's owner (session)", world.a.client),
        ("A's owner (session forged to org B)", lambda: forged_session_client(world)),
    ]
    if found.pattern.startswith("api/"):
        clients.append(("A's owner (bearer token)", world.a.api))
    return clients


def sweep_public(world: World, found: FoundRoute, route: Route) -> None:
    target = route.build(world.b) if route.build else None
    url = route.url(found, target)
    for who, make_client in [("anonymous", Client), ("A's owner", world.a.client)]:
        for method in route.methods_for(found):
            request_as_a(world, make_client(), method, url, route.body(method), who)


def sweep_org_page(world: World, found: FoundRoute, route: Route) -> None:
    url = route.url(found, None)
    for method in route.methods_for(found):
        for who, make_client in a_clients(world, found):
            response = request_as_a(world, make_client(), method, url, route.body(method), who)
            assert response.status_code in route.expected(method), (
                f"{method} {url} as {who} answered {response.status_code}, expected one of "
                f"{sorted(route.expected(method))}: the sweep must reach the view to mean anything"
            )


def attack_object(world: World, found: FoundRoute, route: Route) -> None:
    assert route.build is not None, f"object route {found.key} needs `build`"
    target = route.build(world.b)
    url = route.url(found, target)
    for method in route.methods_for(found):
        for who, make_client in a_clients(world, found):
            response = request_as_a(world, make_client(), method, url, route.body(method), who)
            check_hidden(response, f"{method} {url} (org B's object) as {who}")
            if route.unchanged:
                route.unchanged(target)


def control_object(world: World, found: FoundRoute, route: Route) -> None:
    """The same route on A's own object must get past the lookup, else the 404 above proves
    nothing (a typo'd kwarg or a broken view would 404 as well)."""
    assert route.build is not None
    for method in route.methods_for(found):
        for who, make_client in a_clients(world, found):
            # A fresh object each time: the first write may have used up the last one.
            url = route.url(found, route.build(world.a))
            response = send(make_client(), method, url, route.body(method))
            assert response.status_code in route.expected(method), (
                f"control: {method} {url} on A's own object as {who} answered "
                f"{response.status_code}, expected one of {sorted(route.expected(method))}"
            )


def sweep_object(world: World, found: FoundRoute, route: Route) -> None:
    attack_object(world, found, route)
    control_object(world, found, route)


def sweep_custom(world: World, found: FoundRoute, route: Route) -> None:
    assert route.custom is not None, f"custom route {found.key} needs `custom`"
    route.custom(world, found, route)


SWEEPS: dict[Kind, Callable[[World, FoundRoute, Route], None]] = {
    "public": sweep_public,
    "org_page": sweep_org_page,
    "object": sweep_object,
    "custom": sweep_custom,
}

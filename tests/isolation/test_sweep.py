"""Runs the tenant isolation sweep (see sweep.py) over every route."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from django.contrib.staticfiles import views as staticfiles_views
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import get_resolver, include, path, re_path

from arhub.models import Membership
from arhub.roles import Role
from tests.isolation.registry import ROUTES
from tests.isolation.routes_core import membership_unchanged, new_viewer
from tests.isolation.sweep import (
    SWEEPS,
    FoundRoute,
    Route,
    World,
    attack_object,
    check_hidden,
    check_no_leak,
    discover_routes,
    is_static_files_route,
    send,
    uncovered_message,
    uncovered_routes,
)

ALL_ROUTES = discover_routes()

# --------------------------------------------------------------------------------------------
# The sweep


def test_every_route_is_in_the_registry() -> None:
    missing = uncovered_routes(ALL_ROUTES, ROUTES)
    assert not missing, "\n".join(missing)


def test_registry_names_only_existing_routes() -> None:
    # A renamed route would otherwise leave a stale entry behind and its new name unswept.
    stale = sorted(set(ROUTES) - {found.key for found in ALL_ROUTES})
    assert not stale, f"ROUTES has entries for routes that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("found", ALL_ROUTES, ids=lambda found: found.key)
def test_route_keeps_org_b_private(found: FoundRoute, world: World) -> None:
    if is_static_files_route(found):
        pytest.skip("static files hold no tenant data")
    route = ROUTES.get(found.key)
    if route is None:
        pytest.fail(uncovered_message(found))
    SWEEPS[route.kind](world, found, route)


# --------------------------------------------------------------------------------------------
# The sweep's own checks must be able to fail.


def _leaky_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    # The bug the sweep exists for: fetched by id alone, without the organization.
    return HttpResponse(Membership.objects.select_related("user").get(pk=pk).user.email)


def _reachable_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Shows nothing of B's, but a 200 still tells A the id exists.
    return HttpResponse("ok")


def _forbidding_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Fetch-then-compare: a 403 tells A that B's object exists.
    return HttpResponse("Not yours.", status=403)


def _sneaky_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Answers 404 as it should, but changed B's row first.
    Membership.objects.filter(pk=pk).update(role=Role.ADMIN)
    raise Http404


def _fake_urlconf(view: Callable[..., HttpResponse]) -> ModuleType:
    urlconf = ModuleType("fake_urls")  # a module, since Django caches resolvers by urlconf
    urlconf.urlpatterns = [path("fake/<int:pk>/", view, name="fake_member")]  # type: ignore[attr-defined]
    return urlconf


FAKE_MEMBER_ROUTE = Route("object", build=new_viewer, unchanged=membership_unchanged)


def test_coverage_check_reports_a_route_missing_from_the_registry() -> None:
    extra = [
        path("secret-report/<int:pk>/", _leaky_member_view, name="secret_report"),
        re_path(r"^unnamed/$", _leaky_member_view),
        path("nested/", include(([path("x/", _leaky_member_view, name="x")], "ns"))),
        re_path(r"^static/(?P<path>.*)$", staticfiles_views.serve),
    ]
    missing = uncovered_routes(discover_routes([*get_resolver().url_patterns, *extra]), ROUTES)
    assert missing == [
        "route secret_report (pattern 'secret-report/<int:pk>/') is not covered by the "
        "isolation sweep; add it to ROUTES in a tests/isolation/routes_*.py module",
        "route (unnamed) (pattern '^unnamed/$') is not covered by the "
        "isolation sweep; add it to ROUTES in a tests/isolation/routes_*.py module",
        "route ns:x (pattern 'nested/x/') is not covered by the "
        "isolation sweep; add it to ROUTES in a tests/isolation/routes_*.py module",
    ]


def test_leak_check_flags_org_b_marker() -> None:
    with pytest.raises(AssertionError, match="shows org B's data"):
        check_no_leak(HttpResponse("<h1>Zenith Bakery</h1>"), ["Zenith Bakery"], "fake")
    check_no_leak(HttpResponse("<h1>Acme Plumbing</h1>"), ["Zenith Bakery"], "fake")


@pytest.mark.parametrize("status", [200, 302, 403])
def test_hidden_check_flags_anything_but_404(status: int) -> None:
    with pytest.raises(AssertionError, match="expected 404"):
        check_hidden(HttpResponse(status=status), "fake")
    check_hidden(HttpResponse(status=404), "fake")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "complaint"),
    [
        (_leaky_member_view, "shows org B's data"),
        (_reachable_member_view, "answered 200, expected 404"),
        (_forbidding_member_view, "answered 403, expected 404"),
        (_sneaky_member_view, "changed org B's data"),
    ],
)
def test_object_sweep_fails_on_a_leaky_view(
    world: World, view: Callable[..., HttpResponse], complaint: str
) -> None:
    found = FoundRoute("fake_member", "fake/<int:pk>/", view)
    with (
        override_settings(ROOT_URLCONF=_fake_urlconf(view)),
        pytest.raises(AssertionError, match=complaint),
    ):
        attack_object(world, found, FAKE_MEMBER_ROUTE)


def _echo_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"{request.content_type} {request.body.decode()}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "method", "expected"),
    [
        # The API parses JSON only: a form body would be refused before any view code ran.
        ("/api/echo/", "POST", 'application/json {"name": "Acme"}'),
        ("/api/echo/", "PATCH", 'application/json {"name": "Acme"}'),
        ("/echo/", "POST", "multipart/form-data"),
    ],
)
def test_send_posts_json_to_the_api_and_forms_elsewhere(
    url: str, method: str, expected: str
) -> None:
    urlconf = ModuleType("echo_urls")
    urlconf.urlpatterns = [path("api/echo/", _echo_view), path("echo/", _echo_view)]  # type: ignore[attr-defined]
    client = Client(enforce_csrf_checks=False)
    with override_settings(ROOT_URLCONF=urlconf):
        response = send(client, method, url, {"name": "Acme"})
    assert response.content.decode().startswith(expected)

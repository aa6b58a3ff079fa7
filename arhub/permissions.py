"""Role checks for dashboard views and API views, from the one table in :mod:`arhub.roles`.

A view states the permission it needs per HTTP method (``required_perms``) or for everything
(``required_perm``); without either, reads need VIEW and writes need OPERATE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from arhub.models import ApiToken, Membership
from arhub.roles import Perm, role_allows

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def perm_needed(view: Any, method: str) -> Perm:
    per_method: dict[str, Perm] = getattr(view, "required_perms", {})
    if method in per_method:
        return per_method[method]
    declared: Perm | None = getattr(view, "required_perm", None)
    if declared is not None:
        return declared
    return Perm.VIEW if method in SAFE_METHODS else Perm.OPERATE


def membership_allows(membership: Membership | None, perm: Perm) -> bool:
    return membership is not None and role_allows(membership.role, perm)


class OrgPermission(BasePermission):
    """API: resolve the caller's membership (from the token, or the session) and check it."""

    message = "Your role in this organization does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        membership: Membership | None
        if isinstance(request.auth, ApiToken):
            membership = request.auth.membership
        else:
            membership = getattr(request._request, "membership", None)
        if membership is None:
            return False
        request.membership = membership  # type: ignore[attr-defined]
        request.org = membership.organization  # type: ignore[attr-defined]
        return membership_allows(membership, perm_needed(view, request.method or "GET"))


class OrgViewMixin(LoginRequiredMixin):
    """Dashboard: signed in, a member of some organization, and allowed by role."""

    required_perm: Perm | None = None
    required_perms: dict[str, Perm] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = getattr(request, "membership", None)
        if membership is None:
            return redirect("organization_create")
        if not membership_allows(membership, perm_needed(self, request.method or "GET")):
            raise PermissionDenied("Your role in this organization does not allow this.")
        self.org = membership.organization
        self.membership = membership
        return super().dispatch(request, *args, **kwargs)

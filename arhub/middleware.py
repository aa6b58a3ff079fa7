from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from arhub.selectors import membership_for_user

SESSION_ORG_KEY = "arhub_org_id"


class OrganizationMiddleware:
    """Puts the signed-in user's current membership on the request.

    The choice of organization lives in the session and is checked against the user's
    memberships on every request, so a stale or forged id falls back to one of theirs. Views pass
    ``request.org`` on explicitly; nothing reads a thread-local.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.org = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = membership_for_user(user=user, org_id=request.session.get(SESSION_ORG_KEY))
            if membership is not None:
                request.membership = membership  # type: ignore[attr-defined]
                request.org = membership.organization  # type: ignore[attr-defined]
                # Written only when it changes: a write marks the session dirty and costs a
                # database UPDATE on every request.
                if request.session.get(SESSION_ORG_KEY) != membership.organization_id:
                    request.session[SESSION_ORG_KEY] = membership.organization_id
        return self.get_response(request)

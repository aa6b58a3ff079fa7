from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from arhub.colours import text_colour_on
from arhub.permissions import membership_allows
from arhub.roles import Perm
from arhub.selectors import membership_list_for_user


def organization(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}

    def can(perm: Perm) -> bool:
        return membership_allows(membership, perm)

    return {
        "current_org": membership.organization,
        "brand_text_colour": text_colour_on(membership.organization.brand_color),
        "current_membership": membership,
        "user_memberships": lambda: list(membership_list_for_user(user=request.user)),  # type: ignore[arg-type]
        "can": {perm.value: can(perm) for perm in Perm},
    }

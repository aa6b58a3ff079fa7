"""How django-axes names the account a sign-in attempt is for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The attempted email, lower-cased and trimmed: emails are matched case-insensitively at
    sign-in, so ``Ada@x`` and ``ada@x`` must count against the same limit or an attacker gets a
    fresh set of tries per spelling."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    if not raw:
        return None
    return str(raw).strip().lower()

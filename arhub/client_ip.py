"""The client's IP address for audit rows, honouring one trusted proxy hop when configured."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # Only trust X-Forwarded-For when the deployment says a proxy sets it; otherwise anyone
    # could write any address into the audit trail.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None

"""Tokens for links that open a page without a login (an invoice's pay page, a customer's
statement).

The token is HMAC-SHA256(SECRET_KEY, "<purpose>:<nonce>") cut to 128 bits and written in 22
URL-safe characters after a one-letter prefix (short enough for a text message); the nonce is
256 random bits. The database keeps the nonce and the token's SHA-256 only: a copy of the
database alone cannot make a working link (it lacks the key), a lookup is one indexed equality on
the hash, and the same link can be printed again on each PDF and email without being stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

# Longer than any token we make; anything longer is refused before it is hashed.
MAX_TOKEN_LENGTH = 100


def link_nonce() -> str:
    return secrets.token_urlsafe(32)


def link_token(*, purpose: str, prefix: str, nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{nonce}".encode(), hashlib.sha256
    ).digest()[:16]
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link_token_plausible(token: str, *, prefix: str) -> bool:
    """Cheap shape check before any database lookup."""
    return token.startswith(prefix) and len(token) <= MAX_TOKEN_LENGTH

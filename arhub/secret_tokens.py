"""Random secrets that travel in links and headers, and the hashes we keep instead of them."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str) -> str:
    """A URL-safe secret with 256 bits of entropy and a readable prefix (``arh_…``) so a leaked
    one is easy to recognise in logs and by secret scanners."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

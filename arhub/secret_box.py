"""Secrets an organization gives us to keep (its Stripe keys), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under keys from the environment
(``ENCRYPTION_KEYS``), never from the database: a copy of the database alone reveals nothing.
The first key encrypts and every key decrypts, so keys can be rotated by putting a new one first
and re-saving. Plain text never goes to a log or an exception message from here.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """The stored value was encrypted under a key we no longer have, or was tampered with."""


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS is empty; stored secrets cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from None


def secret_encrypt(plain: str) -> str:
    return _box(tuple(settings.ENCRYPTION_KEYS)).encrypt(plain.encode()).decode()


def secret_decrypt(stored: str) -> str:
    try:
        return _box(tuple(settings.ENCRYPTION_KEYS)).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The stored secret cannot be decrypted with ENCRYPTION_KEYS."
        ) from None


def secret_hint(plain: str) -> str:
    """What the owner sees of a stored secret: its last four characters."""
    return plain[-4:] if len(plain) >= 12 else ""

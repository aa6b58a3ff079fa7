"""Tests: real PostgreSQL and Redis, fast password hashing, mail kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
# A fixed Fernet key (32 bytes of "t", base64): tests only.
os.environ.setdefault("ENCRYPTION_KEYS", "dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHQ=")

from arhub.settings.base import *  # noqa: F403
from arhub.settings.base import VAR_DIR

# Argon2 is deliberately slow; tests hash hundreds of passwords. tests/arhub/test_settings.py
# checks that every real settings module keeps Argon2 first.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "locmem"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
DISPUTE_FILES_ROOT = VAR_DIR / "test-dispute-files"
EXPORT_FILES_ROOT = VAR_DIR / "test-export-files"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Static files come straight from the apps' folders (no collectstatic in tests).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The cache (and so the pay-link rate limit's counters) lives for the whole test run; tests of
# the limit set their own budget.
PAY_LINK_RATE_PER_MINUTE = 100_000

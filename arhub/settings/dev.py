"""Development: the same settings as production, with conveniences for a laptop.

DEBUG still defaults to off; ``make run`` asks for it by setting DEBUG=1.
"""

import os
import secrets
from pathlib import Path

_var = Path(__file__).resolve().parent.parent.parent / "var"


def _dev_secret_key() -> str:
    # A key per checkout, kept across restarts so sessions survive a reload.
    path = _var / "secret_key"
    if not path.exists():
        _var.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _dev_encryption_key() -> str:
    # Fernet's format (32 random bytes, URL-safe base64), kept beside the secret key.
    import base64

    path = _var / "encryption_key"
    if not path.exists():
        _var.mkdir(exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


if "SECRET_KEY" not in os.environ and "SECRET_KEY_FILE" not in os.environ:
    os.environ["SECRET_KEY"] = _dev_secret_key()
if "ENCRYPTION_KEYS" not in os.environ and "ENCRYPTION_KEYS_FILE" not in os.environ:
    os.environ["ENCRYPTION_KEYS"] = _dev_encryption_key()

from arhub.settings.base import *  # noqa: E402,F403

# Development never runs collectstatic: serve static files straight from the apps' folders,
# picking up edits, whether or not DEBUG is on (the manifest storage would fail without it).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

"""Production: every deployment-specific value must be given; nothing falls back to a default
that only makes sense on a laptop. A missing variable stops the process and is named."""

from arhub.env import env_bool, env_int, env_list, env_str

# Read the required variables before the shared settings apply their development defaults.
_required = {
    name: env_str(name)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "DEFAULT_FROM_EMAIL")
}
_encryption_keys = env_list("ENCRYPTION_KEYS")
_allowed_hosts = env_list("ALLOWED_HOSTS")

from arhub.settings.base import *  # noqa: E402,F403

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = _allowed_hosts
ENCRYPTION_KEYS = _encryption_keys
EMAIL_BACKEND = env_str("EMAIL_BACKEND")
# Webhooks that change what we send must be authenticated: an ESP's delivery reports need the
# shared secret, and Twilio's signatures need the auth token.
if EMAIL_BACKEND.startswith("anymail."):
    ANYMAIL["WEBHOOK_SECRET"] = env_str("ANYMAIL_WEBHOOK_SECRET")  # noqa: F405
if SMS_BACKEND == "twilio":  # noqa: F405
    for _name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
        globals()[_name] = env_str(_name)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

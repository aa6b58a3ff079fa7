"""Settings shared by every environment. Values that differ per deployment come from the
environment through :mod:`arhub.env`; see the README for the full table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from csp.constants import NONCE, NONE, SELF

from arhub.env import env_bool, env_database, env_int, env_list, env_str

# Lets Django's generic classes be subscripted at run time, as the type stubs write them. (DRF's
# are not patched here: importing DRF from settings would freeze its defaults before
# REST_FRAMEWORK below is read.)
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# The public base URL, used in links that leave the site (emails, SMS, PDFs).
SITE_URL = env_str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "anymail",
    "arhub",
    "invoicing",
    "disputes",
    "payments",
    "reminders",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "arhub.middleware.OrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arhub.urls"
FORM_RENDERER = "arhub.form_rendering.FormRenderer"
WSGI_APPLICATION = "arhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "arhub.context_processors.organization",
            ],
        },
    },
]

_DATABASE = env_database("DATABASE_URL", default="postgresql://postgres@127.0.0.1:5432/arhub")
# No JIT compiling: the reports' replay queries are estimated dear and PostgreSQL then spends
# 0.1-0.7 s compiling what runs in less (bench metrics_aging); nothing here runs long enough to
# win it back.
_OPTIONS = dict(_DATABASE.get("OPTIONS", {}))
_OPTIONS["options"] = f"{_OPTIONS.get('options', '')} -c jit=off".strip()
DATABASES = {
    "default": {
        **_DATABASE,
        "OPTIONS": _OPTIONS,
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", default=60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "arhub",
    }
}

AUTH_USER_MODEL = "arhub.User"
AUTHENTICATION_BACKENDS = [
    # axes first, so a locked-out username is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Lockout is keyed on the username alone: an attacker rotating IPs is still stopped, and the
# cool-off is finite so a real user is never locked out for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "arhub.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# axes warns when the IP is not part of the key. Keying on the username alone is the point: an
# attacker rotating addresses, user agents or cookies still hits the same per-account limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Flash messages live in the server-side session, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The nonce admits the one <style> block that carries the organization's brand colour.
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served from a public URL; views stream them to members.
MEDIA_URL = "/media-not-served/"
# Dispute attachments (disputes.attachments): outside the static and media roots, streamed only
# to the organization's members as downloads.
DISPUTE_FILES_ROOT = Path(env_str("DISPUTE_FILES_ROOT", default=str(VAR_DIR / "dispute_files")))
# Finished background exports (metrics.models.ExportJob), likewise outside the web roots and
# streamed only to the organization's members; removed after EXPORT_KEEP_DAYS.
EXPORT_FILES_ROOT = Path(env_str("EXPORT_FILES_ROOT", default=str(VAR_DIR / "export_files")))
EXPORT_KEEP_DAYS = 7
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="AR Hub <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
# Credentials of the chosen anymail ESP, e.g. {"MAILGUN_API_KEY": ...}, come in as
# ANYMAIL_<NAME> variables; anymail reads them from the environment itself. The webhook secret
# ("user:password") is the basic auth the ESP must send to /webhooks/email/.
ANYMAIL: dict[str, str] = {}
_anymail_webhook_secret = env_str("ANYMAIL_WEBHOOK_SECRET", default="")
if _anymail_webhook_secret:
    ANYMAIL["WEBHOOK_SECRET"] = _anymail_webhook_secret

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "arhub.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["arhub.permissions.OrgPermission"],
    "DEFAULT_PAGINATION_CLASS": "arhub.api_pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AR Hub API",
    "DESCRIPTION": (
        "Accounts receivable for small businesses. Authenticate with "
        "`Authorization: Bearer <token>`; a token acts as one member of one organization."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several resources have a "status"; each gets its own named enum instead of a hashed name.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoicing.models.invoices.InvoiceStatus",
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        # A plan's "frequency", beside recurring invoices' own.
        "PlanFrequencyEnum": "payments.models.PlanFrequency",
        # A dispute's "status" and "kind", beside invoices', payments' and messages' own.
        "DisputeStatusEnum": "disputes.models.DisputeStatus",
        "DisputeKindEnum": "disputes.models.DisputeKind",
    },
}

# SMS: "twilio" in production; "console" prints, "locmem" keeps messages for tests.
SMS_BACKEND = env_str("SMS_BACKEND", default="console")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", default="")
# Off when Twilio's Advanced Opt-Out answers STOP/START/HELP itself (else two replies).
SMS_KEYWORD_REPLIES = env_bool("SMS_KEYWORD_REPLIES", default=True)
# Tests point the official client at a local HTTP server; production leaves this empty.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", default="")
# Keys that encrypt secrets stored for an organization (its Stripe keys): comma-separated
# Fernet keys, the first encrypts, all decrypt, so a key can be rotated (arhub.secret_box).
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", default=[])
# Tests point the official Stripe client at a local HTTP server; production leaves this empty.
STRIPE_API_BASE_URL = env_str("STRIPE_API_BASE_URL", default="")
# Seconds a Stripe call may take before the pay page offers the other ways to pay.
STRIPE_TIMEOUT = env_int("STRIPE_TIMEOUT", default=10, minimum=1)
# How long the pay page and statement portal stay open after the link was followed.
PAY_SESSION_MINUTES = env_int("PAY_SESSION_MINUTES", default=60, minimum=5)
# Pay and statement links opened per client IP per minute before it must wait.
PAY_LINK_RATE_PER_MINUTE = env_int("PAY_LINK_RATE_PER_MINUTE", default=30, minimum=1)

# Sender of customer email when the organization sets no name of its own.
CUSTOMER_EMAIL_FROM = env_str("CUSTOMER_EMAIL_FROM", default="billing@localhost")

INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", default=7, minimum=1))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each of its steps at INFO for every document (and a few at import).
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

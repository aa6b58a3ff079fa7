"""The real settings modules, loaded in fresh interpreters as a deployment would load them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "arhub.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-" + "q7" * 20,
    "DATABASE_URL": "postgresql://arhub@db:5432/arhub",
    "REDIS_URL": "redis://redis:6379/0",
    "SITE_URL": "https://ar.example.com",
    "DEFAULT_FROM_EMAIL": "AR Hub <billing@example.com>",
    "ALLOWED_HOSTS": "ar.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    # A Fernet key (32 bytes of "p", base64); production has its own.
    "ENCRYPTION_KEYS": "cHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHA=",
}


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL", "ENCRYPTION_KEYS"]
)
def test_production_refuses_to_start_and_names_the_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert f"Required environment variable {missing} is not set" in result.stderr


def test_production_refuses_a_bad_value():
    result = run_manage({**PRODUCTION_ENV, "DEBUG": "perhaps"}, "check")
    assert result.returncode != 0
    assert "DEBUG: expected one of" in result.stderr


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG)"
    env = {k: v for k, v in PRODUCTION_ENV.items()}
    clean = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    for module in ("arhub.settings.production", "arhub.settings.dev"):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            env={**clean, **env, "DJANGO_SETTINGS_MODULE": module},
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert result.stdout.strip() == "False", (module, result.stderr)


def test_argon2_hashes_passwords_outside_tests():
    from arhub.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_csp_allows_no_inline_script_or_style(client):
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ({"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}, "ANYMAIL_WEBHOOK_SECRET"),
        ({"SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID"),
    ],
)
def test_production_requires_webhook_secrets_for_real_providers(extra, missing):
    result = run_manage({**PRODUCTION_ENV, **extra}, "check")
    assert result.returncode != 0
    assert f"Required environment variable {missing} is not set" in result.stderr


@pytest.mark.django_db
def test_connections_never_jit_compile():
    """The reports' replay queries look dear to the planner, and with JIT on, PostgreSQL spent
    longer compiling them than running them (bench metrics_aging)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_jit_off_keeps_the_url_own_options():
    env = {"DATABASE_URL": "postgresql://u@db:5432/x?options=-c%20statement_timeout%3D5000"}
    result = run_manage(
        {**env, "DJANGO_SETTINGS_MODULE": "arhub.settings.dev"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
    )
    assert result.returncode == 0, result.stderr
    assert "-c statement_timeout=5000 -c jit=off" in result.stdout

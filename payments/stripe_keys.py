"""The shapes of the Stripe secrets an owner enters: a secret or restricted key
(``sk_live_``, ``sk_test_``, ``rk_…``) and a webhook signing secret (``whsec_``), checked before
anything is sent to Stripe or saved. The common slips (the publishable key, a secret pasted into
the other box, a key of the other mode than the saved signing secret) are named in words the
owner can act on. No message ever contains the value entered.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from payments.models import PaymentSettings
from payments.stripe_client import key_livemode

# Stripe's secret and restricted keys; test keys of our own stand-ins carry underscores too.
KEY_RE = re.compile(r"^(sk|rk)_(live|test)_[A-Za-z0-9_]{8,250}$")
WEBHOOK_SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9_+/=-]{8,250}$")

KEY_FIELD = "stripe_secret_key"
WEBHOOK_FIELD = "stripe_webhook_secret"


def _key_problem(key: str) -> str:
    if KEY_RE.match(key):
        return ""
    if key.startswith("pk_"):
        return (
            "This is your publishable key (pk_…). Enter the secret key (sk_live_… or "
            "sk_test_…) or a restricted key (rk_…) instead."
        )
    if key.startswith("whsec_"):
        return "This is a webhook signing secret; it goes in the webhook signing secret box."
    return (
        "A Stripe secret key starts with sk_live_ or sk_test_ (a restricted key with rk_live_ "
        "or rk_test_). Copy the whole key from Developers → API keys."
    )


def _webhook_problem(secret: str) -> str:
    if WEBHOOK_SECRET_RE.match(secret):
        return ""
    if key_livemode(secret) is not None or secret.startswith("pk_"):
        return "This is an API key; the webhook signing secret starts with whsec_."
    return (
        "A webhook signing secret starts with whsec_. Find it in Developers → Webhooks, on "
        "your AR Hub endpoint, under Signing secret."
    )


def mode_words(live: bool) -> str:
    return "live mode" if live else "test mode"


@sensitive_variables("secret_key", "webhook_secret")
def stripe_secrets_check(*, current: PaymentSettings, secret_key: str, webhook_secret: str) -> None:
    """The shapes of what was entered, against what is saved: empty means "keep the saved
    one". Raises one ValidationError naming each bad field; nothing is sent anywhere."""
    errors: dict[str, str] = {}
    has_key = bool(current.stripe_secret_key)
    has_webhook = bool(current.stripe_webhook_secret)
    if secret_key:
        problem = _key_problem(secret_key)
        if problem:
            errors[KEY_FIELD] = problem
    elif not has_key:
        errors[KEY_FIELD] = "Enter your Stripe secret key."
    if webhook_secret:
        problem = _webhook_problem(webhook_secret)
        if problem:
            errors[WEBHOOK_FIELD] = problem
    elif not has_webhook:
        errors[WEBHOOK_FIELD] = "Enter the webhook signing secret, so payments reach AR Hub."
    if has_key and has_webhook and not secret_key and not webhook_secret:
        errors[KEY_FIELD] = "Enter a new secret key or a new webhook signing secret (or both)."
    new_mode = key_livemode(secret_key) if secret_key and KEY_FIELD not in errors else None
    if (
        new_mode is not None
        and has_key
        and has_webhook
        and not webhook_secret
        and new_mode != current.stripe_livemode
    ):
        # Each mode has its own webhook endpoints, so the old secret would refuse every event.
        errors[WEBHOOK_FIELD] = (
            f"This key is for {mode_words(new_mode)} and the saved signing secret is for "
            f"{mode_words(current.stripe_livemode)}: enter the signing secret of your "
            f"{mode_words(new_mode)} webhook endpoint too."
        )
    if errors:
        raise ValidationError(errors)

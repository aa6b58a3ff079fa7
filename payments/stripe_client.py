"""The organization's Stripe account, through the official ``stripe`` package.

One ``StripeClient`` per call, made from the organization's own secret key (decrypted only here,
never logged), so nothing about one organization's account is kept in module state where
another request could pick it up. ``STRIPE_API_BASE_URL`` points the client at a local server in
tests. Every failure the customer or owner can do nothing about is one exception,
``StripeUnavailable``; a key Stripe refuses is ``StripeKeyRefused``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe
from django.conf import settings

from arhub.secret_box import SecretUnreadable, secret_decrypt
from payments.models import PaymentSettings

logger = logging.getLogger(__name__)


class StripeNotConnected(Exception):
    """The organization has not entered a Stripe key."""


class StripeUnavailable(Exception):
    """Stripe could not be reached or answered with an error of its own; try again later."""


class StripeKeyRefused(Exception):
    """Stripe does not accept the key (wrong, revoked or lacking a permission)."""


@dataclass(frozen=True)
class StripeAccount:
    id: str
    name: str
    livemode: bool


def key_livemode(secret_key: str) -> bool | None:
    """Live or test from the key's prefix (``sk_live_``, ``rk_test_``…); None when it is not a
    Stripe secret or restricted key at all."""
    for prefix, live in (("sk_live_", True), ("rk_live_", True), ("sk_test_", False)):
        if secret_key.startswith(prefix):
            return live
    if secret_key.startswith("rk_test_"):
        return False
    return None


def stripe_client(secret_key: str) -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE_URL
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": base} if base else None,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
        # One quick retry on a dropped connection; a customer is waiting on the pay page.
        max_network_retries=1,
    )


def stripe_client_for(payment_settings: PaymentSettings) -> stripe.StripeClient:
    if not payment_settings.stripe_secret_key:
        raise StripeNotConnected("Stripe is not connected.")
    try:
        key = secret_decrypt(payment_settings.stripe_secret_key)
    except SecretUnreadable:
        logger.error("Stripe key of organization %s cannot be decrypted", payment_settings.pk)
        raise StripeNotConnected("The stored Stripe key cannot be read; enter it again.") from None
    return stripe_client(key)


def stripe_errors_translated(exc: stripe.StripeError) -> Exception:
    """Our exception for a Stripe one; the message is safe to show (no key, no payload)."""
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return StripeKeyRefused("Stripe refused the key. Check that you copied the whole key.")
    return StripeUnavailable(f"Stripe could not be reached ({type(exc).__name__}).")


def stripe_account_check(secret_key: str) -> StripeAccount:
    """The account a key belongs to (``GET /v1/account``): the "test connection" button."""
    try:
        account = stripe_client(secret_key).v1.accounts.retrieve_current().to_dict()
    except stripe.StripeError as exc:
        raise stripe_errors_translated(exc) from None
    profile = account.get("business_profile") or {}
    dashboard = (account.get("settings") or {}).get("dashboard") or {}
    name = dashboard.get("display_name") or profile.get("name") or account.get("email") or ""
    return StripeAccount(
        id=account.get("id", ""),
        name=str(name),
        livemode=bool(key_livemode(secret_key)),
    )

"""Writes for Settings -> Payments: what the pay page offers, receipts, late fees, and the
organization's Stripe account.

The Stripe secrets are checked before anything is saved: their shape first (so a publishable
key or a key pasted into the wrong box is named at once), then the key against Stripe itself
(``GET /v1/account``). A key Stripe refuses, or Stripe being unreachable, saves nothing. What
is saved is encrypted (``arhub.secret_box``); the owner sees the account's name, the mode and
the key's last four characters, never the key again. No secret reaches a log, an audit row or
an exception message from here: messages name the field and what is wrong, never the value,
and the functions that hold a secret are marked for Django's error reports.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from arhub.locales import currency_minor_units
from arhub.models import AuditAction, Organization, User
from arhub.money import is_quantized, quantize
from arhub.secret_box import SecretUnreadable, secret_decrypt, secret_encrypt, secret_hint
from arhub.services.audit import audit_record
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get
from payments.stripe_client import (
    StripeAccount,
    StripeKeyRefused,
    StripeNotConnected,
    StripeUnavailable,
    stripe_account_check,
)
from payments.stripe_keys import KEY_FIELD, mode_words, stripe_secrets_check

# The column holds 18 digits with 3 decimals.
MAX_MINIMUM = Decimal("1e15")
MAX_PAYABLE_TO = 200
MAX_ADDRESS = 1000

UNREADABLE = "The saved key can no longer be read here. Enter your secret key again."
CHANGED_MEANWHILE = (
    "Someone changed the Stripe connection while this was being checked, so nothing was "
    "saved. Please look at the page again and retry."
)
UNREACHABLE = "Stripe could not be reached, so nothing was saved. Please try again in a minute."


# ---- what the pay page offers, receipts, late fees


@dataclass(frozen=True)
class PaymentSettingsInput:
    allow_partial: bool = True
    partial_minimum: Decimal = Decimal(1)
    send_receipts: bool = True
    late_fees_enabled: bool = True
    cheque_payable_to: str = ""
    cheque_address: str = ""
    card_enabled: bool = True
    bank_debit_enabled: bool = False


SETTINGS_FIELDS = tuple(f.name for f in fields(PaymentSettingsInput))


def payment_settings_input(current: PaymentSettings) -> PaymentSettingsInput:
    """The saved settings as an input, for a change of some fields only (PATCH)."""
    return PaymentSettingsInput(**{name: getattr(current, name) for name in SETTINGS_FIELDS})


def payment_settings_validate(
    *, org: Organization, data: PaymentSettingsInput
) -> dict[str, object]:
    """The values to save, or one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    currency = org.default_currency
    minimum = data.partial_minimum
    if not minimum.is_finite():
        errors["partial_minimum"] = "Enter a number, e.g. 5."
    elif minimum < 0:
        errors["partial_minimum"] = "Enter zero (no minimum) or more."
    elif minimum >= MAX_MINIMUM:
        errors["partial_minimum"] = "Enter a smaller amount."
    elif not is_quantized(minimum, currency):
        places = currency_minor_units(currency)
        errors["partial_minimum"] = (
            f"Use at most {places} decimal place{'' if places == 1 else 's'}, as {currency} has."
            if places
            else f"Enter a whole number: {currency} has no decimal places."
        )
    payable_to = data.cheque_payable_to.strip()
    if len(payable_to) > MAX_PAYABLE_TO:
        errors["cheque_payable_to"] = f"At most {MAX_PAYABLE_TO} characters."
    address = data.cheque_address.strip()
    if len(address) > MAX_ADDRESS:
        errors["cheque_address"] = f"At most {MAX_ADDRESS:,} characters."
    if errors:
        raise ValidationError(errors)
    return {
        "allow_partial": data.allow_partial,
        "partial_minimum": quantize(minimum, currency),
        "send_receipts": data.send_receipts,
        "late_fees_enabled": data.late_fees_enabled,
        "cheque_payable_to": payable_to,
        "cheque_address": address,
        "card_enabled": data.card_enabled,
        "bank_debit_enabled": data.bank_debit_enabled,
    }


def _locked(org: Organization) -> PaymentSettings:
    """The organization's row, created when it has none yet, locked until the transaction
    ends. Call inside ``transaction.atomic``."""
    PaymentSettings.objects.get_or_create(organization=org)
    return PaymentSettings.objects.for_org(org).select_for_update().get()


def payment_settings_update(
    *, org: Organization, actor: User | None, data: PaymentSettingsInput
) -> PaymentSettings:
    """Save what the pay page offers, receipts and late fees. Changes apply from now on: a
    checkout already started keeps the amounts it was started with."""
    values = payment_settings_validate(org=org, data=data)
    with transaction.atomic():
        settings = _locked(org)
        changed = [name for name, value in values.items() if getattr(settings, name) != value]
        if not changed:
            return settings
        for name in changed:
            setattr(settings, name, values[name])
        settings.save()
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary="Changed payment settings: " + ", ".join(changed),
            data={"fields": changed},
        )
    return settings


# ---- Stripe


@sensitive_variables("secret_key", "key")
def _account_of(current: PaymentSettings, secret_key: str) -> StripeAccount:
    """The Stripe account of the new key, or of the saved one when only the signing secret
    changes: either way the connection is checked before anything is saved."""
    if secret_key:
        key = secret_key
    else:
        try:
            key = secret_decrypt(current.stripe_secret_key)
        except SecretUnreadable:
            raise ValidationError({KEY_FIELD: UNREADABLE}) from None
    try:
        return stripe_account_check(key)
    except StripeKeyRefused:
        field = "secret key" if secret_key else "saved secret key"
        raise ValidationError(
            {
                KEY_FIELD: f"Stripe refused this {field}, so nothing was saved. Check that you "
                "copied the whole key, that it has not been rolled or deleted and, for a "
                "restricted key, that it may read the account's details."
            }
        ) from None
    except StripeUnavailable:
        raise StripeUnavailable(UNREACHABLE) from None


def _connected_words(account_name: str, live: bool) -> str:
    return f"Connected to {account_name} ({mode_words(live)})."


@sensitive_variables("secret_key", "webhook_secret")
def stripe_connect(
    *, org: Organization, actor: User | None, secret_key: str = "", webhook_secret: str = ""
) -> PaymentSettings:
    """Connect Stripe, or replace the secret key or the webhook signing secret (an empty one
    keeps what is saved). Raises ValidationError (bad shape, key refused: nothing saved) or
    StripeUnavailable (nothing saved; try again)."""
    secret_key, webhook_secret = secret_key.strip(), webhook_secret.strip()
    current = payment_settings_get(org=org)
    stripe_secrets_check(current=current, secret_key=secret_key, webhook_secret=webhook_secret)
    # Stripe is called before the row is locked: no lock waits on the network.
    account = _account_of(current, secret_key)
    now = timezone.now()
    name = account.name or account.id
    replaced = [
        label
        for label, value in (("secret_key", secret_key), ("webhook_secret", webhook_secret))
        if value
    ]
    with transaction.atomic():
        settings = _locked(org)
        if not secret_key and settings.stripe_secret_key != current.stripe_secret_key:
            # Replaced or disconnected by someone else while we asked Stripe about the old key.
            raise ValidationError({KEY_FIELD: CHANGED_MEANWHILE})
        first = not settings.stripe_connected
        if secret_key:
            settings.stripe_secret_key = secret_encrypt(secret_key)
            settings.stripe_key_hint = secret_hint(secret_key)
            settings.stripe_livemode = account.livemode
            settings.stripe_connected_at = now
        if webhook_secret:
            settings.stripe_webhook_secret = secret_encrypt(webhook_secret)
        settings.stripe_account_name = name[:200]
        settings.stripe_checked_at = now
        settings.stripe_check_ok = True
        settings.stripe_check_message = _connected_words(name, settings.stripe_livemode)[:300]
        settings.save()
        if first:
            summary = f"Connected Stripe account {name} ({mode_words(settings.stripe_livemode)})"
        else:
            words = {"secret_key": "secret key", "webhook_secret": "webhook signing secret"}
            summary = "Replaced the Stripe " + " and ".join(words[r] for r in replaced)
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.STRIPE_CONNECTED,
            summary=summary,
            data={
                "account": account.id,
                "account_name": name,
                "livemode": settings.stripe_livemode,
                "key_hint": settings.stripe_key_hint,
                "replaced": replaced,
            },
        )
    return settings


@sensitive_variables("key")
def stripe_test_connection(*, org: Organization) -> PaymentSettings:
    """Check the saved key against Stripe again and record the outcome (``stripe_check_ok``,
    ``stripe_check_message``, ``stripe_checked_at``). Raises StripeNotConnected when there is
    no key to check."""
    current = payment_settings_get(org=org)
    if not current.stripe_connected:
        raise StripeNotConnected("Stripe is not connected. Enter your secret key first.")
    account: StripeAccount | None = None
    try:
        key = secret_decrypt(current.stripe_secret_key)
        account = stripe_account_check(key)
        message = _connected_words(account.name or account.id, current.stripe_livemode)
    except SecretUnreadable:
        message = UNREADABLE
    except StripeKeyRefused:
        message = (
            "Stripe refused the saved key: it may have been rolled or deleted. "
            "Enter your current secret key."
        )
    except StripeUnavailable:
        message = "Stripe could not be reached. Please try again in a minute."
    with transaction.atomic():
        settings = _locked(org)
        if settings.stripe_secret_key != current.stripe_secret_key:
            # Replaced or disconnected while we were asking Stripe: this result is stale.
            return settings
        settings.stripe_checked_at = timezone.now()
        settings.stripe_check_ok = account is not None
        settings.stripe_check_message = message[:300]
        if account is not None:
            settings.stripe_account_name = (account.name or account.id)[:200]
        settings.save()
    return settings


def stripe_disconnect(*, org: Organization, actor: User | None) -> PaymentSettings:
    """Forget the Stripe secrets: the pay page stops offering online payment at once."""
    with transaction.atomic():
        settings = _locked(org)
        if not (settings.stripe_secret_key or settings.stripe_webhook_secret):
            return settings
        name, live = settings.stripe_account_name, settings.stripe_livemode
        settings.stripe_secret_key = ""
        settings.stripe_webhook_secret = ""
        settings.stripe_key_hint = ""
        settings.stripe_livemode = False
        settings.stripe_account_name = ""
        settings.stripe_connected_at = None
        settings.stripe_checked_at = None
        settings.stripe_check_ok = False
        settings.stripe_check_message = ""
        settings.save()
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.STRIPE_DISCONNECTED,
            summary=f"Disconnected Stripe account {name or '(unnamed)'} ({mode_words(live)})",
            data={"account_name": name, "livemode": live},
        )
    return settings

"""Amounts as Stripe counts them: whole minor units (cents, yen), as integers.

Stripe's exponent is the ISO 4217 one (JPY 0, USD 2, KWD 3) except where its API documents
another; ISK is the one such currency it takes with two decimals.
"""

from __future__ import annotations

from decimal import Decimal

from arhub.locales import currency_minor_units

_STRIPE_EXPONENT = {"ISK": 2}


def _exponent(currency: str) -> int:
    code = currency.upper()
    return _STRIPE_EXPONENT.get(code, currency_minor_units(code))


def to_stripe_amount(amount: Decimal, currency: str) -> int:
    """``Decimal("12.50"), "USD"`` → ``1250``. Refuses an amount with more decimals than the
    currency has rather than round money silently."""
    scaled = amount.scaleb(_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.upper()} allows.")
    return int(scaled)


def from_stripe_amount(units: int, currency: str) -> Decimal:
    """``1250, "usd"`` → ``Decimal("12.50")``; exact, never rounded."""
    return Decimal(units).scaleb(-_exponent(currency))

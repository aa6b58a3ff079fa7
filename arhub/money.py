"""Money rules in one place: amounts are Decimal, quantized to their currency's minor unit with
half-up rounding, and splits always add up to the whole without any part going negative.

Floats are refused at the edges: ``decimal_from_input`` accepts a JSON number only when it
converts to exactly the decimal it looks like, so ``0.1`` (which is not 0.1 in binary) is an
error, while ``12`` or ``12.5`` pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

from arhub.locales import currency_minor_units

ZERO = Decimal(0)


class MoneyInputError(ValueError):
    """An amount that cannot be taken as given; the message says why, for the user."""


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for USD, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-currency_minor_units(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded half-up to the currency's minor unit."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def is_quantized(amount: Decimal, currency: str) -> bool:
    return amount == quantize(amount, currency)


def split(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` shared in proportion to ``weights`` in whole minor units, adding up to
    ``total`` exactly. Each part is its exact share rounded down, and the units left over go one
    each to the parts that lost the most to rounding (the later part on a tie), so no part is
    ever negative or more than a unit away from its exact share. (Giving the whole remainder to
    the last part, the simpler rule, can push a small last part below zero.) Zero weights get
    zero; all-zero weights put everything on the last part."""
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole == 0:
        return [ZERO] * (len(weights) - 1) + [total]
    if total < 0:
        return [-part for part in split(-total, weights, currency)]
    unit = minor_unit(currency)
    exact = [total * weight / whole for weight in weights]
    parts = [(share / unit).to_integral_value(rounding=ROUND_FLOOR) * unit for share in exact]
    left = int((total - sum(parts, ZERO)) / unit)
    by_loss = sorted(
        (i for i, weight in enumerate(weights) if weight != 0),
        key=lambda i: (exact[i] - parts[i], i),
        reverse=True,
    )
    for i in by_loss[:left]:
        parts[i] += unit
    return parts


def split_evenly(total: Decimal, count: int, currency: str) -> list[Decimal]:
    """``total`` in ``count`` equal parts, the last absorbing the rounding."""
    if count < 1:
        raise ValueError("count must be at least 1")
    return split(total, [Decimal(1)] * count, currency)


def decimal_from_input(value: object, *, field: str = "amount") -> Decimal:
    """A Decimal from a form or JSON value: a string like ``"12.50"``, an int, or a float only
    when it is exactly the decimal it prints as. Raises MoneyInputError naming ``field``."""
    if isinstance(value, bool):
        raise MoneyInputError(f"{field}: expected a number, got true/false.")
    if isinstance(value, float):
        exact = Decimal(value)
        printed = Decimal(repr(value))
        if exact != printed:
            raise MoneyInputError(
                f"{field}: {value!r} is not exact as a floating-point number; "
                f'send it as a string, e.g. "{printed}".'
            )
        return printed
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        # No thousands separators: "1,250" means 1250 in one country and 1.25 in another.
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            hint = " Write it without thousands separators." if "," in value else ""
            raise MoneyInputError(f"{field}: “{value}” is not a number.{hint}") from None
    else:
        raise MoneyInputError(f"{field}: expected a number.")
    if not result.is_finite():
        raise MoneyInputError(f"{field}: “{value}” is not a number.")
    return result


def money_format(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """The amount as people read it in ``locale`` (``$1,250.00``, ``¥1,250``, ``1.250,00 €``)."""
    return _spaced(format_currency(amount, currency, locale=locale.replace("-", "_")))


def price_format(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """A unit price: like ``money_format``, but keeping digits below the minor unit that the
    price was entered with ("$0.0125" per kWh)."""
    if is_quantized(amount, currency):
        return money_format(amount, currency, locale)
    text = format_currency(
        amount.normalize(), currency, locale=locale.replace("-", "_"), decimal_quantization=False
    )
    return _spaced(text)


def _spaced(text: str) -> str:
    # CLDR's currency spacing, which Babel skips: a code used as the symbol ("KWD1.500") gets a
    # no-break space before the digits, as "KWD 1.500".
    return re.sub(r"^([A-Z]{3})(?=[\d-])", "\\1\xa0", text)


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 20.0000 → "20", 2.2500 → "2.25"."""
    return format(value.normalize(), "f")

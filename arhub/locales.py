"""Choices for currencies, countries, time zones and locales, from Babel's CLDR data and the
IANA database, so we never keep our own lists."""

from __future__ import annotations

import zoneinfo
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_currency_precision, list_currencies

SUPPORTED_LOCALES = [
    "en-US", "en-GB", "en-CA", "en-AU", "en-IE", "en-NZ", "en-IN", "en-ZA",
    "fr-FR", "fr-CA", "de-DE", "es-ES", "es-MX", "it-IT", "nl-NL", "pt-BR", "pt-PT",
]  # fmt: skip


@cache
def currency_choices() -> list[tuple[str, str]]:
    codes = sorted(c for c in list_currencies() if len(c) == 3 and c.isalpha())
    return [(code, f"{code} — {get_currency_name(code, locale='en')}") for code in codes]


@cache
def _currency_codes() -> frozenset[str]:
    return frozenset(code for code, _ in currency_choices())


def is_currency(code: str) -> bool:
    # Asked for every amount an API page formats, so a set rather than a scan of ~300 codes.
    return code in _currency_codes()


def currency_minor_units(code: str) -> int:
    """Digits after the decimal point for the currency (JPY 0, USD 2, KWD 3)."""
    return get_currency_precision(code)


@cache
def country_choices() -> list[tuple[str, str]]:
    territories = Locale("en").territories
    pairs = [
        (code, name) for code, name in territories.items() if len(code) == 2 and code.isalpha()
    ]
    return sorted(pairs, key=lambda pair: pair[1])


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


@cache
def _zone_names() -> frozenset[str]:
    # available_timezones() walks the whole zone database on every call (~18 ms); imports and
    # APIs ask once per row.
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    return name in _zone_names()


def locale_choices() -> list[tuple[str, str]]:
    return [
        (tag, Locale.parse(tag, sep="-").get_display_name("en") or tag) for tag in SUPPORTED_LOCALES
    ]

"""Choices for currencies, countries, time zones and locales, from Babel's CLDR data and the
IANA database, so we never keep our own lists."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import cache

from babel import Locale
from babel.core import get_global
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


# Two-letter CLDR regions that are no country: groupings, pseudo-locales, "Unknown Region".
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


@cache
def country_choices() -> list[tuple[str, str]]:
    territories = Locale("en").territories
    pairs = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(pairs, key=lambda pair: pair[1])


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in country_choices())


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code of ``country_choices`` (upper case)."""
    return code in _country_codes()


# What people write that CLDR's English and Spanish names do not say ("United Kingdom",
# "Czechia", "Côte d'Ivoire").
_COUNTRY_ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united states of america": "US",
    "czech republic": "CZ", "holland": "NL", "ivory coast": "CI", "uae": "AE",
    "russian federation": "RU", "viet nam": "VN", "republic of korea": "KR", "hong kong": "HK",
    "macau": "MO", "macao": "MO", "burma": "MM", "swaziland": "SZ", "macedonia": "MK",
    "cape verde": "CV", "turkey": "TR", "vatican": "VA",
}  # fmt: skip


def _country_key(text: str) -> str:
    """``"St. Kitts & Nevis"`` and ``"saint kitts and nevis"`` alike: no case, accents,
    punctuation, leading "the"; "&" is "and" and "saint" is "st"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub("[.'\u2019]", "", plain.replace("&", " and "))
    words = ["st" if word == "saint" else word for word in re.split(r"[\W_]+", plain) if word]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@cache
def _country_index() -> dict[str, tuple[str, ...]]:
    codes = _country_codes()
    found: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        if code in codes:
            found.setdefault(_country_key(name), set()).add(code)

    for code in codes:
        add(code, code)
    # ISO alpha-3 codes (GBR, USA) are among CLDR's territory aliases.
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1:
            add(alias, targets[0])
    shorter: list[tuple[str, str]] = []
    for language in ("en", "es"):
        for code, name in Locale(language).territories.items():
            add(name, code)
            # "Myanmar (Burma)", "Hong Kong SAR China": the parts alone too, unless a part is
            # another country's own name ("China").
            base, _, inner = name.partition(" (")
            shorter += [(base, code), (inner.rstrip(")"), code), (name.split(" SAR ")[0], code)]
    for alias, code in _COUNTRY_ALIASES.items():
        add(alias, code)
    named = set(found)
    for name, code in shorter:
        if name and _country_key(name) not in named:
            add(name, code)
    return {key: tuple(sorted(codes_)) for key, codes_ in found.items() if key}


def country_codes_for(text: str) -> tuple[str, ...]:
    """The countries ``text`` may name, as alpha-2 codes: an alpha-2 or alpha-3 code, or an
    English or Spanish name ("United States", "UK", "España"). Empty when it names none; more
    than one when the name is ambiguous."""
    return _country_index().get(_country_key(text), ())


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

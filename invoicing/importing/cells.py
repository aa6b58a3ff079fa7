"""What every layout reads through: header names, the cells of one row, the Layout type, and
the values spreadsheets write differently from us (amounts, languages, channels, net-days terms)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from invoicing.models import Language, PreferredChannel


def normalise_header(label: str) -> str:
    """``*ContactName`` → ``contactname``, ``Phone  Numbers`` → ``phone numbers``."""
    text = label.replace("\ufeff", "").strip().lstrip("*").strip().lower()
    return " ".join(text.split())


Cell = tuple[str, str]  # (value, the layout key it came from)


class RowCells:
    """One data row, read through the layout's keys."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def get(self, *keys: str) -> Cell:
        """The first non-empty value among ``keys``, with the key it came from."""
        for key in keys:
            value = self.values.get(key, "").strip()
            if value:
                return value, key
        return "", keys[0]


@dataclass(frozen=True)
class Layout:
    source_format: str
    # Layout key → header names (normalised) that carry it; the first one present is read.
    columns: Mapping[str, tuple[str, ...]]
    # Whether a header row (normalised names) is this layout's.
    recognise: Callable[[set[str]], bool]
    # Layout keys → our fields, each with the key it was read from (for error messages).
    adapt: Callable[[RowCells], dict[str, Cell]]
    # For the preview: which of their columns feed which of our fields.
    notes: tuple[tuple[str, str], ...] = ()
    # Lines to drop silently (report titles and footers).
    skip: Callable[[list[str]], bool] = lambda cells: False


_NET_DAYS = re.compile(r"(?i)\bnet\s*(\d{1,4})\b")
_DUE_ON_RECEIPT = re.compile(r"(?i)^\s*due\s+(on|upon)\s+receipt\s*$")


def terms_days_from(text: str) -> str:
    """QuickBooks term names: "Net 30" → 30, "Due on receipt" → 0; other names are left to the
    organization's default terms (they carry no net-days number we could trust)."""
    if _DUE_ON_RECEIPT.match(text):
        return "0"
    match = _NET_DAYS.search(text)
    return match.group(1) if match else ""


def full_name(row: RowCells, first: str, last: str) -> Cell:
    given, given_key = row.get(first)
    family, _ = row.get(last)
    name = " ".join(part for part in (given, family) if part)
    return name, given_key if given else last


_PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
_THOUSANDS_COMMAS = re.compile(r"-?\d{1,3}(,\d{3})+")
# Digits grouped by thousands (1,234,567) or the Indian way (12,34,567).
_GROUPED = re.compile(r"-?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})")


def parse_amount(text: str) -> Decimal:
    """A money amount as written in a spreadsheet, as a Decimal (never through float).

    Takes "5000", "5000.50", "5,000.50", "5.000,50", "5 000,50", "12,34,567.00" and a leading
    currency sign.
    A lone comma is a thousands separator when it groups by three ("5,000"), otherwise a decimal
    comma ("5000,5"). Exponents, NaN and infinity are refused.
    """
    value = text.strip().lstrip("$€£¥").replace("\u00a0", "").replace(" ", "").replace("'", "")
    if "," in value and "." in value:
        # The later mark is the decimal one; the other must group the digits properly.
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = value.rpartition(decimal_mark)
        if not _GROUPED.fullmatch(whole.replace(group_mark, ",")):
            raise ValueError(text)
        value = whole.replace(group_mark, "") + "." + fraction
    elif "," in value:
        value = value.replace(",", "" if _THOUSANDS_COMMAS.fullmatch(value) else ".")
    if not _PLAIN_AMOUNT.fullmatch(value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only plain numbers
        raise ValueError(text) from exc


def language_from(text: str) -> str:
    value = text.strip().lower()
    names = {"english": Language.ENGLISH, "spanish": Language.SPANISH, "español": Language.SPANISH}
    if value in names:
        return names[value]
    return re.split(r"[-_]", value)[0] if value else Language.ENGLISH


def channel_from(text: str) -> str:
    value = " ".join(text.strip().lower().split())
    synonyms = {
        "e-mail": PreferredChannel.EMAIL,
        "text": PreferredChannel.SMS,
        "email and sms": PreferredChannel.BOTH,
        "email & sms": PreferredChannel.BOTH,
        "email+sms": PreferredChannel.BOTH,
    }
    return synonyms.get(value, value) if value else PreferredChannel.EMAIL

"""How the customer pages show money, phones and links: shared by the directory and the
customer page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers
from django.urls import NoReverseMatch, reverse

from arhub.locales import currency_minor_units
from invoicing.invoice_selectors import CurrencyAmount

# --------------------------------------------------------------------------------------------
# Small presentation helpers


def amount_display(amount: Decimal, currency: str) -> str:
    """An amount with its currency's number of decimals (JPY 0, USD 2, KWD 3)."""
    try:
        places = currency_minor_units(currency)
    except Exception:  # an unknown code in old data still renders
        places = 2
    return f"{amount:,.{places}f}"


def zero_balance(currency: str) -> str:
    """Nothing owed, in the customer's currency."""
    return amount_display(Decimal(0), currency)


@dataclass(frozen=True)
class Figure:
    amount: str
    currency: str


def figures(amounts: Sequence[CurrencyAmount]) -> list[Figure]:
    return [Figure(amount_display(a.amount, a.currency), a.currency) for a in amounts]


def phone_display(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(str(e164), None)
    except phonenumbers.NumberParseException:
        return str(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def import_url() -> str | None:
    """The CSV import page, once it exists (it is built separately)."""
    try:
        return reverse("customer_import")
    except NoReverseMatch:
        return None

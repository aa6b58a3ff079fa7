"""arhub.money: rounding to the minor unit, exact splits, and refusing inexact input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arhub.money import (
    MoneyInputError,
    decimal_from_input,
    is_quantized,
    minor_unit,
    money_format,
    quantize,
    split,
    split_evenly,
)


@pytest.mark.parametrize(
    ("currency", "unit"), [("USD", "0.01"), ("JPY", "1"), ("KWD", "0.001"), ("EUR", "0.01")]
)
def test_minor_units(currency, unit):
    assert minor_unit(currency) == Decimal(unit)


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.345", "USD", "2.35"),  # half-up, not banker's rounding
        ("2.355", "USD", "2.36"),
        ("-2.345", "USD", "-2.35"),
        ("1234.5", "JPY", "1235"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_quantize_rounds_half_up(amount, currency, rounded):
    assert quantize(Decimal(amount), currency) == Decimal(rounded)
    assert is_quantized(quantize(Decimal(amount), currency), currency)


def test_split_gives_leftover_units_to_the_parts_that_lost_most():
    assert split(Decimal("10.00"), [Decimal(1)] * 3, "USD") == [
        Decimal("3.33"),
        Decimal("3.33"),
        Decimal("3.34"),
    ]
    # Found by hypothesis in the invoice discount: giving the whole remainder to the last part
    # made this one -0.01.
    weights = [Decimal(w) for w in ("0.15", "1.18", "0.91", "2.82", "0.01")]
    parts = split(Decimal("0.93"), weights, "USD")
    assert parts == [Decimal(p) for p in ("0.03", "0.21", "0.17", "0.52", "0.00")]
    assert split(Decimal("5"), [Decimal(1), Decimal(0)], "JPY") == [Decimal(5), Decimal(0)]
    assert split_evenly(Decimal("100"), 3, "JPY") == [Decimal(33), Decimal(33), Decimal(34)]


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=30),
)
def test_split_always_adds_up(total, weights):
    parts = split(total, weights, "USD")
    assert sum(parts) == total
    assert all(is_quantized(p, "USD") for p in parts)
    assert len(parts) == len(weights)
    assert all(p >= 0 for p in parts)
    whole = sum(weights)
    if whole:
        # No part is more than one cent from its exact share.
        assert all(
            abs(p - total * w / whole) < Decimal("0.01")
            for p, w in zip(parts, weights, strict=True)
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.50", "12.50"), (12, "12"), (12.5, "12.5"), (" 7 ", "7"), (Decimal("1.1"), "1.1")],
)
def test_decimal_from_input_accepts_exact_values(value, expected):
    assert decimal_from_input(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (0.1, "not exact"),
        (19.99 * 3, "not exact"),
        ("abc", "is not a number"),
        ("1,250.00", "without thousands separators"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        (True, "true/false"),
        (None, "expected a number"),
    ],
)
def test_decimal_from_input_refuses_what_it_cannot_take_exactly(value, fragment):
    with pytest.raises(MoneyInputError, match=fragment) as caught:
        decimal_from_input(value, field="unit_price")
    assert str(caught.value).startswith("unit_price")


def test_money_format_follows_the_currency_and_locale():
    assert money_format(Decimal("1250"), "USD", "en-US") == "$1,250.00"
    assert money_format(Decimal("1250"), "JPY", "en-US") == "¥1,250"
    assert money_format(Decimal("1.5"), "KWD", "en-US") == "KWD\xa01.500"
    assert money_format(Decimal("1250"), "EUR", "de-DE") == "1.250,00\xa0€"


def test_plain():
    from arhub.money import plain

    assert [plain(Decimal(v)) for v in ("20.0000", "2.2500", "0.0", "100")] == [
        "20",
        "2.25",
        "0",
        "100",
    ]


def test_price_format_keeps_sub_cent_digits():
    from arhub.money import price_format

    assert price_format(Decimal("0.0125"), "USD", "en-US") == "$0.0125"
    assert price_format(Decimal("45.0000"), "USD", "en-US") == "$45.00"
    assert price_format(Decimal("1.2345"), "KWD", "en-US") == "KWD\xa01.2345"

"""invoicing.totals: the arithmetic of an invoice, by example and by property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arhub.money import is_quantized
from invoicing.totals import (
    LineInput,
    TaxInput,
    TotalsError,
    balance_due,
    invoice_totals,
)

D = Decimal
VAT = TaxInput(key=1, name="VAT", percent=D("20"))
STATE = TaxInput(key=2, name="State", percent=D("6"))
CITY = TaxInput(key=3, name="City", percent=D("2.25"))


def test_a_worked_example():
    totals = invoice_totals(
        [
            LineInput(quantity=D("3.5"), unit_price=D("65"), taxes=[STATE, CITY]),
            LineInput(quantity=D("12"), unit_price=D("4.20"), discount_percent=D("10")),
            LineInput(quantity=D("1"), unit_price=D("15"), taxes=[STATE], discountable=False),
        ],
        currency="USD",
        discount_kind="amount",
        discount_value=D("10"),
    )
    # 227.50 and 45.36 (50.40 less 10%) share the 10.00 discount: 8.34 and 1.66.
    assert [line.amount for line in totals.lines] == [D("227.50"), D("45.36"), D("15.00")]
    assert [line.invoice_discount for line in totals.lines] == [D("8.34"), D("1.66"), D("0")]
    # Tax on 219.16: state 13.1496 -> 13.15, city 4.9311 -> 4.93; shipping state 0.90.
    assert totals.lines[0].tax_amounts == (D("13.15"), D("4.93"))
    assert [(t.name, t.amount) for t in totals.taxes] == [
        ("State", D("14.05")),
        ("City", D("4.93")),
    ]
    assert totals.subtotal == D("287.86")
    assert totals.discount_total == D("10.00")
    assert totals.tax_total == D("18.98")
    assert totals.total == D("296.84")


def test_yen_has_no_minor_unit_and_dinar_has_three():
    yen = invoice_totals(
        [LineInput(quantity=D("3"), unit_price=D("333.5"), taxes=[VAT])], currency="JPY"
    )
    assert yen.subtotal == D("1001") and yen.tax_total == D("200") and yen.total == D("1201")
    dinar = invoice_totals([LineInput(quantity=D("1"), unit_price=D("1.2345"))], currency="KWD")
    assert dinar.total == D("1.235")


def test_percentage_discount_and_its_cap():
    totals = invoice_totals(
        [LineInput(quantity=D("1"), unit_price=D("99.99"))],
        currency="USD",
        discount_kind="percent",
        discount_value=D("15"),
    )
    assert totals.discount_total == D("15.00")
    capped = invoice_totals(
        [LineInput(quantity=D("1"), unit_price=D("20"))],
        currency="USD",
        discount_kind="amount",
        discount_value=D("50"),
    )
    assert capped.discount_total == D("20.00") and capped.total == D("0.00")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (LineInput(quantity=D("-1"), unit_price=D("1")), "lines[0].quantity"),
        (LineInput(quantity=D("1"), unit_price=D("-1")), "lines[0].unit_price"),
        (
            LineInput(quantity=D("1"), unit_price=D("1"), discount_percent=D("101")),
            "lines[0].discount_percent",
        ),
    ],
)
def test_refuses_negative_figures(line, field):
    with pytest.raises(TotalsError) as caught:
        invoice_totals([line], currency="USD")
    assert caught.value.field == field


taxes = st.lists(
    st.builds(
        TaxInput,
        key=st.integers(min_value=1, max_value=6),
        name=st.just("tax"),
        percent=st.decimals(min_value=0, max_value=30, places=4),
    ),
    max_size=3,
    unique_by=lambda t: t.key,
)
lines = st.lists(
    st.builds(
        LineInput,
        quantity=st.decimals(min_value=0, max_value=10_000, places=4),
        unit_price=st.decimals(min_value=0, max_value=100_000, places=4),
        discount_percent=st.decimals(min_value=0, max_value=100, places=2),
        taxes=taxes,
        discountable=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)
currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])
discounts = st.one_of(
    st.tuples(st.just("none"), st.just(D(0))),
    st.tuples(st.just("percent"), st.decimals(min_value=0, max_value=100, places=2)),
    st.tuples(st.just("amount"), st.decimals(min_value=0, max_value=10**6, places=2)),
)


@settings(max_examples=300)
@given(lines=lines, currency=currencies, discount=discounts)
def test_totals_are_sums_of_rounded_lines(lines, currency, discount):
    kind, value = discount
    totals = invoice_totals(lines, currency=currency, discount_kind=kind, discount_value=value)
    amounts = [t.amount for t in totals.lines]
    assert all(is_quantized(a, currency) for a in amounts)
    assert totals.subtotal == sum(amounts)
    # The discount's shares add up to it exactly and fall only on discountable lines.
    assert sum(t.invoice_discount for t in totals.lines) == totals.discount_total
    for line, figures in zip(lines, totals.lines, strict=True):
        if not line.discountable:
            assert figures.invoice_discount == 0
        assert 0 <= figures.invoice_discount <= figures.amount
        assert all(is_quantized(t, currency) for t in figures.tax_amounts)
    # Tax by rate is the sum of the rounded line taxes, and the tax total is both.
    assert (
        totals.tax_total
        == sum(t.tax_amount for t in totals.lines)
        == sum(t.amount for t in totals.taxes)
    )
    assert totals.total == totals.subtotal - totals.discount_total + totals.tax_total
    assert totals.total >= 0


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    paid=st.decimals(min_value=0, max_value=10**9, places=2),
    credited=st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_balance_is_never_negative(total, paid, credited):
    balance = balance_due(total=total, paid=paid, credited=credited)
    assert balance >= 0
    assert balance == max(total - paid - credited, 0)

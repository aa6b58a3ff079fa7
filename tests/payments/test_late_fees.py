"""The late-fee rules as pure arithmetic (``payments.late_fee_rules``): when a fee falls due,
for which period, how much, in which words; the cap and the sums as hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arhub.money import quantize
from invoicing.models import LateFeeKind
from invoicing.terms import Terms
from payments.late_fee_rules import (
    ChargedFee,
    FeeDue,
    add_months,
    fee_periods,
    late_fees_due,
    period_label,
)

D = Decimal
DUE = date(2027, 3, 31)

PERCENT = Terms(late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D("1.5"))
FLAT = Terms(late_fee_kind=LateFeeKind.FLAT, late_fee_amount=D("25.00"), late_fee_grace_days=5)


def due(terms: Terms, day: date, *, balance="1200.00", total=None, charged=(), currency="USD",
        language="en", locale="en_US") -> list[FeeDue]:  # fmt: skip
    return late_fees_due(
        terms=terms,
        due_date=DUE,
        total=D(total or balance),
        balance=D(balance),
        charged=list(charged),
        day=day,
        currency=currency,
        language=language,
        locale=locale,
    )


def summary(fees: list[FeeDue]) -> list[tuple[date, Decimal]]:
    return [(fee.period_start, fee.amount) for fee in fees]


# ---- when


def test_nothing_is_due_on_the_due_date_or_within_grace():
    assert due(PERCENT, DUE) == []
    assert due(FLAT, DUE + timedelta(days=5)) == []  # the last day of grace
    assert due(Terms(), date(2030, 1, 1)) == []  # terms without a late fee


def test_a_flat_fee_is_charged_once_the_day_after_grace():
    (fee,) = due(FLAT, DUE + timedelta(days=6))
    assert (fee.period_start, fee.period_end, fee.amount, fee.basis) == (
        date(2027, 4, 6),
        None,
        D("25.00"),
        D(0),
    )
    assert fee.rule == "Late fee of $25.00, unpaid after April 5, 2027"
    # A year later it is still the one fee.
    later = due(FLAT, date(2028, 4, 1), charged=[ChargedFee(fee.period_start, fee.amount)])
    assert later == []


def test_a_percentage_is_charged_for_each_month_or_part_overdue():
    assert summary(due(PERCENT, date(2027, 4, 1))) == [(date(2027, 4, 1), D("18.00"))]
    # Three months and a day on: four periods begun, each dated its own first day.
    assert summary(due(PERCENT, date(2027, 7, 1))) == [
        (date(2027, 4, 1), D("18.00")),
        (date(2027, 5, 1), D("18.00")),
        (date(2027, 6, 1), D("18.00")),
        (date(2027, 7, 1), D("18.00")),
    ]


def test_periods_already_charged_are_not_charged_again_even_when_waived():
    charged = [ChargedFee(date(2027, 4, 1), D("18.00"), waived=True)]
    assert summary(due(PERCENT, date(2027, 5, 3), balance="1200.00", charged=charged)) == [
        (date(2027, 5, 1), D("18.00"))
    ]


def test_periods_keep_the_day_of_the_month_or_the_last_day_of_a_shorter_one():
    terms = Terms(late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D(1))
    periods = fee_periods(terms, date(2027, 1, 30), date(2027, 4, 30))
    assert periods == [
        (date(2027, 1, 31), date(2027, 2, 27)),
        (date(2027, 2, 28), date(2027, 3, 30)),
        (date(2027, 3, 31), date(2027, 4, 29)),
        (date(2027, 4, 30), date(2027, 5, 30)),
    ]
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


# ---- how much


def test_simple_fees_are_on_what_is_unpaid_of_the_invoice_itself():
    charged = [ChargedFee(date(2027, 4, 1), D("18.00"))]
    # The balance includes the April fee; May's is on the 1,200.00 still unpaid of the invoice.
    (fee,) = due(PERCENT, date(2027, 5, 1), balance="1218.00", charged=charged)
    assert (fee.basis, fee.amount) == (D("1200.00"), D("18.00"))


def test_compound_fees_are_on_the_balance_with_earlier_fees():
    terms = Terms(
        late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D("1.5"), late_fee_compound=True
    )
    fees = due(terms, date(2027, 6, 1))
    assert [(fee.basis, fee.amount) for fee in fees] == [
        (D("1200.00"), D("18.00")),
        (D("1218.00"), D("18.27")),
        (D("1236.27"), D("18.54")),  # 18.544 rounds down
    ]
    assert fees[1].rule == ("1.5% of $1,218.00 unpaid (earlier fees included), for May 2027")


def test_fees_round_half_up_to_the_currency_and_a_fee_of_nothing_is_not_charged():
    assert summary(due(PERCENT, date(2027, 4, 1), balance="1.00")) == [
        (date(2027, 4, 1), D("0.02"))  # 0.015
    ]
    assert due(PERCENT, date(2027, 4, 1), balance="0.30") == []  # 0.0045
    assert summary(due(PERCENT, date(2027, 4, 1), balance="1000", currency="JPY")) == [
        (date(2027, 4, 1), D(15))
    ]
    assert summary(due(PERCENT, date(2027, 4, 1), balance="10.100", currency="KWD")) == [
        (date(2027, 4, 1), D("0.152"))  # 0.1515
    ]


def test_nothing_is_due_on_a_settled_invoice():
    assert due(PERCENT, date(2027, 9, 1), balance="0.00", total="1200.00") == []


def test_the_cap_bounds_every_fee_waived_ones_included():
    terms = Terms(
        late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D("1.5"), late_fee_cap_percent=D(4)
    )
    fees = due(terms, date(2027, 9, 1))
    assert summary(fees) == [
        (date(2027, 4, 1), D("18.00")),
        (date(2027, 5, 1), D("18.00")),
        (date(2027, 6, 1), D("12.00")),  # 48.00 is 4% of 1,200.00
    ]
    assert fees[2].rule == "1.5% of $1,200.00 unpaid, for June 2027 (capped at 4% of the invoice)"
    waived = [ChargedFee(date(2027, 4, 1), D("18.00"), waived=True)]
    assert summary(due(terms, date(2027, 5, 1), charged=waived)) == [(date(2027, 5, 1), D("18.00"))]
    full = [ChargedFee(date(2027, 4, 1), D("48.00"), waived=True)]
    assert due(terms, date(2027, 9, 1), charged=full) == []


# ---- words


def test_the_rule_says_the_period_in_the_customers_language():
    grace = Terms(
        late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D("1.5"), late_fee_grace_days=15
    )
    (fee,) = due(grace, date(2027, 4, 16))
    assert fee.rule == "1.5% of $1,200.00 unpaid, for Apr 16\u2009\u2013\u2009May 15, 2027"
    (april,) = due(PERCENT, date(2027, 4, 1), currency="EUR", language="es", locale="es_ES")
    assert april.rule == "1,5% de 1.200,00\xa0€ pendientes, por abril de 2027"
    (flat,) = due(FLAT, date(2027, 4, 6), language="es", locale="es")
    assert flat.rule == "Recargo de 25,00\xa0US$, pendiente después del 5 de abril de 2027"


def test_period_labels():
    assert period_label(date(2027, 2, 1), date(2027, 2, 28), "en_GB") == "February 2027"
    assert period_label(date(2027, 12, 16), date(2028, 1, 15), "en_GB") == (
        "16 Dec 2027\u2009\u2013\u200915 Jan 2028"
    )


# ---- properties

currencies = st.sampled_from(["USD", "JPY", "KWD"])
percents = st.decimals(min_value=D("0.1"), max_value=D(5), places=2)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Terms, str, Decimal, Decimal, date]:
    currency = draw(currencies)
    total = quantize(draw(st.decimals(min_value=D(1), max_value=D(100000), places=3)), currency)
    paid = quantize(draw(st.decimals(min_value=D(0), max_value=total, places=3)), currency)
    terms = Terms(
        late_fee_kind=LateFeeKind.PERCENT,
        late_fee_percent=draw(percents),
        late_fee_grace_days=draw(st.integers(min_value=0, max_value=30)),
        late_fee_cap_percent=draw(
            st.none() | st.decimals(min_value=D(1), max_value=D(25), places=1)
        ),
        late_fee_compound=draw(st.booleans()),
    )
    day = DUE + timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
    return terms, currency, total, total - paid, day


def _run(terms, currency, total, balance, day, charged) -> list[FeeDue]:
    return late_fees_due(
        terms=terms, due_date=DUE, total=total, balance=balance, charged=charged, day=day,
        currency=currency,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(cases())
def test_property_fees_never_pass_the_cap_and_each_is_in_minor_units(case):
    terms, currency, total, balance, day = case
    fees = _run(terms, currency, total, balance, day, [])
    assert all(fee.amount > 0 and fee.amount == quantize(fee.amount, currency) for fee in fees)
    assert len({fee.period_start for fee in fees}) == len(fees)
    assert all(fee.period_start <= day for fee in fees)
    if terms.late_fee_cap_percent is not None:
        cap = quantize(total * terms.late_fee_cap_percent / 100, currency)
        assert sum(fee.amount for fee in fees) <= cap


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=1500))
def test_property_charging_day_by_day_adds_up_to_charging_at_once(case, split):
    """A sweep that ran on an earlier day and another today charge what one run today would:
    the same periods, the same sum."""
    terms, currency, total, balance, day = case
    earlier = min(day, DUE + timedelta(days=split))
    first = _run(terms, currency, total, balance, earlier, [])
    charged = [ChargedFee(fee.period_start, fee.amount) for fee in first]
    balance_after = balance + sum((fee.amount for fee in first), D(0))
    second = _run(terms, currency, total, balance_after, day, charged)
    at_once = _run(terms, currency, total, balance, day, [])
    assert [f.period_start for f in first + second] == [f.period_start for f in at_once]
    assert sum(f.amount for f in first + second) == sum(f.amount for f in at_once)
    # And running again the same day charges nothing more.
    again = charged + [ChargedFee(fee.period_start, fee.amount) for fee in second]
    assert _run(terms, currency, total, balance_after, day, again) == []


@settings(max_examples=200, deadline=None)
@given(cases())
def test_property_simple_fees_are_the_same_each_period_until_the_cap(case):
    terms, currency, total, balance, day = case
    if terms.late_fee_compound or terms.late_fee_percent is None:
        return
    fees = _run(terms, currency, total, balance, day, [])
    each = quantize(balance * terms.late_fee_percent / 100, currency)
    uncapped = [fee for fee in fees if "capped" not in fee.rule]
    assert all(fee.amount == each for fee in uncapped)
    assert len([fee for fee in fees if "capped" in fee.rule]) <= 1

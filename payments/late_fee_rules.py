"""Which late fees an overdue invoice owes on a day, under the terms it was issued with: pure
arithmetic, no database.

* Nothing is charged up to and including the last day of grace (``Terms.late_fee_from``);
  overdue time is counted from the day after.
* A flat fee is charged once, on that first overdue day.
* A percentage is charged for each month, or part of one, overdue: the periods start on the
  first overdue day and on the same day of each later month (the last day of a shorter month),
  and each period's fee is due on its first day. Simple by default, on what is unpaid of the
  invoice itself; compounding, on the whole balance with the earlier fees.
* The cap bounds every fee ever charged on the invoice, waived ones included (a waiver forgives
  a fee, it does not make room for new ones), as a share of the invoice total.
* Each fee is rounded half-up to the currency's minor unit; one that rounds to nothing is not
  charged. Periods already charged (waived or not) are never charged again, and a period missed
  (the sweep did not run for a while) is charged with its own date.

The sentence that explains each fee is written in the customer's language, since the customer
reads it on the invoice, the PDF and the pay page.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_percent

from arhub.money import ZERO, money_format, quantize
from invoicing.models import LateFeeKind
from invoicing.terms import Terms


@dataclass(frozen=True)
class ChargedFee:
    """A fee already on the invoice."""

    period_start: date
    amount: Decimal
    waived: bool = False


@dataclass(frozen=True)
class FeeDue:
    period_start: date  # also the day it is charged on
    period_end: date | None  # None for a flat fee
    amount: Decimal
    basis: Decimal  # the unpaid amount it was worked out on; zero for a flat fee
    rule: str


@dataclass(frozen=True)
class _Words:
    percent: str
    compound: str
    flat: str
    capped: str


_WORDS = {
    "en": _Words(
        percent="{percent} of {basis} unpaid, for {period}",
        compound="{percent} of {basis} unpaid (earlier fees included), for {period}",
        flat="Late fee of {amount}, unpaid after {date}",
        capped=" (capped at {percent} of the invoice)",
    ),
    "es": _Words(
        percent="{percent} de {basis} pendientes, por {period}",
        compound="{percent} de {basis} pendientes (con recargos anteriores), por {period}",
        flat="Recargo de {amount}, pendiente después del {date}",
        capped=" (con el límite del {percent} de la factura)",
    ),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_overdue_day(terms: Terms, due_date: date) -> date | None:
    """The first day a late fee can be charged for, or None when the terms have none."""
    last_free = terms.late_fee_from(due_date)
    return None if last_free is None else last_free + timedelta(days=1)


def fee_periods(terms: Terms, due_date: date, day: date) -> list[tuple[date, date | None]]:
    """``(start, end)`` of every period begun by ``day``, oldest first."""
    first = first_overdue_day(terms, due_date)
    if first is None or day < first:
        return []
    if terms.late_fee_kind == LateFeeKind.FLAT:
        return [(first, None)]
    periods: list[tuple[date, date | None]] = []
    months = 0
    while (start := add_months(first, months)) <= day:
        periods.append((start, add_months(first, months + 1) - timedelta(days=1)))
        months += 1
    return periods


def _percent(value: Decimal, locale: str) -> str:
    return format_percent(value / 100, format="#,##0.###%", locale=locale)


def period_label(start: date, end: date, locale: str) -> str:
    """``April 2027`` for a calendar month, else ``Apr 16 - May 15, 2027``."""
    whole_month = start.day == 1 and end == add_months(start, 1) - timedelta(days=1)
    if whole_month:
        return format_skeleton("yMMMM", start, locale=locale)
    return str(format_interval(start, end, "yMMMd", locale=locale))


def fee_rule(
    *,
    terms: Terms,
    start: date,
    end: date | None,
    basis: Decimal,
    amount: Decimal,
    capped: bool,
    currency: str,
    language: str,
    locale: str,
) -> str:
    words = _WORDS.get(language, _WORDS["en"])
    if end is None:
        text = words.flat.format(
            amount=money_format(amount, currency, locale),
            date=format_date(start - timedelta(days=1), format="long", locale=locale),
        )
    else:
        template = words.compound if terms.late_fee_compound else words.percent
        text = template.format(
            percent=_percent(terms.late_fee_percent or ZERO, locale),
            basis=money_format(basis, currency, locale),
            period=period_label(start, end, locale),
        )
    if capped and terms.late_fee_cap_percent is not None:
        text += words.capped.format(percent=_percent(terms.late_fee_cap_percent, locale))
    return text


def late_fees_due(
    *,
    terms: Terms,
    due_date: date,
    total: Decimal,
    balance: Decimal,
    charged: Sequence[ChargedFee],
    day: date,
    currency: str,
    language: str = "en",
    locale: str = "en_US",
) -> list[FeeDue]:
    """The fees to charge on ``day`` for periods not charged yet, oldest first.

    ``balance`` is what the invoice owes now, the live fees in ``charged`` included; ``total``
    is the invoice total the cap is a share of."""
    if not terms.has_late_fee or balance <= 0:
        return []
    done = {fee.period_start for fee in charged}
    live = sum((fee.amount for fee in charged if not fee.waived), ZERO)
    room: Decimal | None = None
    if terms.late_fee_cap_percent is not None:
        cap = quantize(total * terms.late_fee_cap_percent / 100, currency)
        room = max(cap - sum((fee.amount for fee in charged), ZERO), ZERO)
    due: list[FeeDue] = []
    added = ZERO
    for start, end in fee_periods(terms, due_date, day):
        if start in done:
            continue
        if end is None:
            basis = ZERO
            full = quantize(terms.late_fee_amount or ZERO, currency)
        else:
            # Simple: what is unpaid of the invoice itself (payments go to it before the fees).
            basis = balance + added if terms.late_fee_compound else max(balance - live, ZERO)
            full = quantize(basis * (terms.late_fee_percent or ZERO) / 100, currency)
        amount = full if room is None else min(full, room)
        if amount <= 0:
            continue
        if room is not None:
            room -= amount
        added += amount
        rule = fee_rule(
            terms=terms,
            start=start,
            end=end,
            basis=basis,
            amount=amount,
            capped=amount < full,
            currency=currency,
            language=language,
            locale=locale,
        )
        due.append(FeeDue(start, end, amount, basis, rule))
    return due

"""Filters for the metrics pages: an amount in its currency, a one-decimal figure in days or
percent. The figures arrive as Decimal and are only formatted here, never computed."""

from __future__ import annotations

from decimal import Decimal

from django import template

from arhub.money import money_format

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """ "$1,250.00"; an empty string for no amount."""
    return "" if amount is None else money_format(amount, currency)


@register.filter
def percent(value: Decimal | None) -> str:
    """ "87.5%"; an em dash when there is no figure (nothing was collectable)."""
    return "\u2014" if value is None else f"{value}%"


@register.filter
def days(value: Decimal | None) -> str:
    """ "42.5 days"; "1 day"."""
    if value is None:
        return "\u2014"
    return f"{value} day" if value == 1 else f"{value} days"


@register.filter
def at(items: list[object], index: int) -> object:
    """``labels|at:forloop.counter0``: the item in the same position as this one."""
    return items[index]

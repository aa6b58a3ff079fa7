"""Dates and small shared pieces of the QuickBooks Online and Xero files
(``metrics.accounting_exports``, ``metrics.accounting_payments``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from arhub.models import Organization
from metrics.tables import Column, period_words

DateStyle = Literal["iso", "dmy", "mdy"]


def date_style_for(org: Organization) -> DateStyle:
    """Month first where the organization is in the United States (as QuickBooks and Xero
    set up there read dates), day first everywhere else."""
    return "mdy" if org.locale.replace("_", "-").upper().endswith("-US") else "dmy"


def date_text(day: date | None, style: DateStyle) -> str:
    if day is None:
        return ""
    if style == "dmy":
        return day.strftime("%d/%m/%Y")
    if style == "mdy":
        return day.strftime("%m/%d/%Y")
    return day.isoformat()


def import_columns(spec: list[tuple[str, str]]) -> list[Column]:
    return [Column(name, name, kind) for name, kind in spec]  # type: ignore[arg-type]


def import_filters(start: date, end: date, style: DateStyle) -> dict[str, str]:
    words = {"iso": "YYYY-MM-DD", "dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}
    return {"Period": period_words(start, end), "Dates": words[style]}

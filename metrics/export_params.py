"""The filters an export is drawn with, checked once when it is asked for and stored as strings on
the job, so the worker runs exactly what was asked (``as_of`` defaults to the day it was asked,
not the day the worker gets to it).

Keys: ``as_of``, ``start``, ``end`` (ISO dates), ``currency`` (ISO 4217), ``edges`` (aging
bucket edges, "30,60,90") and ``customer`` (a customer id). Each report reads only the keys it
needs (``metrics.export_registry``); a wrong value is a ValidationError under its key. The
one-field readers are shared with the reports API, so a bad ``as_of`` reads the same in a form,
a job and the API.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.core.exceptions import ValidationError

from arhub.clock import org_today
from arhub.locales import is_currency
from arhub.models import Organization
from invoicing.models import Customer
from metrics.aging_edges import DEFAULT_EDGES, aging_edges_parse, aging_edges_text
from metrics.periods import as_of_check, period_check

FIELDS = ("as_of", "start", "end", "currency", "edges", "customer")
T = TypeVar("T")


@dataclass(frozen=True)
class ExportParams:
    currency: str
    as_of: date | None = None
    start: date | None = None
    end: date | None = None
    edges: tuple[int, ...] = DEFAULT_EDGES
    customer_id: int | None = None

    @property
    def day(self) -> date:
        """``as_of``, for the reports that read it (they always have one once checked)."""
        if self.as_of is None:
            raise ValueError("as_of: this report needs a day.")
        return self.as_of

    @property
    def period(self) -> tuple[date, date]:
        if self.start is None or self.end is None:
            raise ValueError("start: this report needs a period.")
        return self.start, self.end

    def stored(self) -> dict[str, str]:
        """As the job keeps them: strings, only those that are set."""
        out = {"currency": self.currency}
        for key in ("as_of", "start", "end"):
            value: date | None = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat()
        if self.edges != DEFAULT_EDGES:
            out["edges"] = aging_edges_text(self.edges)
        if self.customer_id is not None:
            out["customer"] = str(self.customer_id)
        return out

    @classmethod
    def from_stored(cls, data: Mapping[str, str]) -> ExportParams:
        """Back from the job (already checked when it was made)."""

        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            currency=data["currency"],
            as_of=day("as_of"),
            start=day("start"),
            end=day("end"),
            edges=aging_edges_parse(data["edges"]) if data.get("edges") else DEFAULT_EDGES,
            customer_id=int(data["customer"]) if data.get("customer") else None,
        )


def _unprefixed(message: str, key: str) -> str:
    # The metrics checks say "as_of: …"; the error is filed under its key already.
    return message.removeprefix(f"{key}: ")


def date_read(text: object) -> date:
    """``text`` as an ISO date, or ValueError in words."""
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"“{text}” is not a date; write it as YYYY-MM-DD.") from None


def as_of_read(*, org: Organization, text: object) -> date:
    """A day that has happened in the organization's calendar (today included)."""
    day = date_read(text)
    try:
        return as_of_check(org=org, as_of=day)
    except ValueError as exc:
        raise ValueError(_unprefixed(str(exc), "as_of")) from None


def currency_read(text: object) -> str:
    code = str(text).strip().upper()
    if not is_currency(code):
        raise ValueError(f"“{text}” is not an ISO 4217 currency code.")
    return code


def edges_read(text: object) -> tuple[int, ...]:
    return aging_edges_parse(str(text))


def customer_read(*, org: Organization, text: object) -> int:
    """A customer id of this organization; another organization's is as if it did not
    exist."""
    try:
        pk = int(str(text).strip())
    except ValueError:
        raise ValueError(f"“{text}” is not a customer id.") from None
    if not Customer.objects.for_org(org).filter(pk=pk).exists():
        raise ValueError(f"Customer {pk} does not exist.")
    return pk


def params_read(
    *, org: Organization, params: Mapping[str, object], fields: Collection[str]
) -> ExportParams:
    """The ``fields`` a report reads, from ``params`` (missing or blank ones take their
    defaults: today, this month so far, the default currency, 30/60/90); every bad one is a
    ValidationError under its key, all at once. Keys the report does not read are ignored."""
    errors: dict[str, list[str]] = {}
    today = org_today(org)

    def attempt(key: str, read: Callable[[object], T], default: T) -> T:
        raw = params.get(key)
        if raw is None or str(raw).strip() == "":
            return default
        try:
            return read(raw)
        except ValueError as exc:
            errors.setdefault(key, []).append(_unprefixed(str(exc), key))
            return default

    currency = attempt("currency", currency_read, org.default_currency)
    as_of = None
    if "as_of" in fields:
        as_of = attempt("as_of", lambda raw: as_of_read(org=org, text=raw), today)
    start = end = None
    if "start" in fields:
        start = attempt("start", date_read, today.replace(day=1))
        end = attempt("end", lambda raw: as_of_read(org=org, text=raw), today)
        if not errors.keys() & {"start", "end"}:
            try:
                period_check(start=start, end=end)
            except ValueError as exc:
                errors.setdefault("end", []).append(_unprefixed(str(exc), "end"))
    edges = attempt("edges", edges_read, DEFAULT_EDGES) if "edges" in fields else DEFAULT_EDGES
    customer: int | None = None
    if "customer" in fields:
        customer = attempt("customer", lambda raw: customer_read(org=org, text=raw), None)
    if errors:
        raise ValidationError(errors)
    return ExportParams(
        currency=currency, as_of=as_of, start=start, end=end, edges=edges, customer_id=customer
    )

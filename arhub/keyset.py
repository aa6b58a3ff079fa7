"""Keyset ("seek") pagination, shared by every list that pages by a cursor.

A page is "the next N rows after this one" in the sort order: the cursor holds the last row's
(sort value, id) and the next page is the rows beyond that pair. One query, no OFFSET that grows
with the page number, no COUNT(*), and no row skipped or repeated when rows are added between
requests. The id breaks ties on the sort value, so equal values (two "J Smith"s, one creation
time) are neither skipped nor repeated.

Nothing here knows about views or DRF: the dashboard's directory and the API's pagination each
turn a ``Page`` into their own links and their own answer to an unreadable cursor.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

T = TypeVar("T", bound=Model)


class InvalidCursor(ValueError):
    """A cursor that cannot be read, or was made for another ordering or direction."""


# --------------------------------------------------------------------------------------------
# Turning a cursor's JSON value back into the sort key's type. Each raises ValueError or
# TypeError on a value of the wrong shape, which makes the cursor invalid.


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("cursor value is not text")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("cursor value is not a boolean")
    return value


def aware_datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(text(value))
    if parsed.tzinfo is None:
        raise ValueError("cursor datetime without a zone")
    return parsed


# --------------------------------------------------------------------------------------------
# The cursor


@dataclass(frozen=True)
class Cursor:
    ordering: str  # the name of the ordering it was made under; never read under another
    value: Any  # the sort value of the row it points at
    pk: int  # that row's id
    backward: bool = False  # True: the page is the rows before it (a "previous" link)


def encode_cursor(cursor: Cursor) -> str:
    value = cursor.value
    plain = value.isoformat() if isinstance(value, date | datetime) else value
    payload = json.dumps([cursor.ordering, plain, cursor.pk, cursor.backward], default=str)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(
    token: str | None, *, ordering: str, parse: Callable[[Any], Any] = text
) -> Cursor | None:
    """The cursor in ``token``; None when there is none. Raises InvalidCursor when it cannot be
    read, holds values of the wrong types, or was made under another ordering."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        made_under, value, pk, backward = json.loads(raw)
        if made_under != ordering or type(pk) is not int or type(backward) is not bool:
            raise ValueError("cursor for another ordering, or of the wrong shape")
        return Cursor(ordering, parse(value), pk, backward)
    except (ValueError, TypeError) as error:
        raise InvalidCursor(str(error)) from None


# --------------------------------------------------------------------------------------------
# Reading a page


def seek_filter(key: str, value: Any, pk: int, *, descending: bool, pk_descending: bool) -> Q:
    """The rows after (value, pk) in the order ``key`` (then ``pk``), each either way.

    The first condition alone is an index range; the second settles the rows that share the
    sort value, by id."""
    key_op = "lt" if descending else "gt"
    pk_op = "lt" if pk_descending else "gt"
    return Q(**{f"{key}__{key_op}e": value}) & (
        Q(**{f"{key}__{key_op}": value}) | Q(**{f"pk__{pk_op}": pk})
    )


@dataclass
class Page(Generic[T]):
    rows: list[T]
    has_next: bool
    has_previous: bool
    # True when a backward cursor found nothing before it (those rows went away): the caller
    # should start over rather than link somewhere that skips rows.
    ran_out_backward: bool = False


@dataclass(frozen=True)
class Keyset:
    """One ordering of a list: by ``key`` (a field or an annotation on the queryset), ties by id.

    ``name`` travels in every cursor, so a cursor is only read under the ordering that made it.
    ``ties_descending`` None: ids run the same way as the key; else ids run that way on the way
    forward whichever way the key runs."""

    name: str
    key: str
    descending: bool = False
    ties_descending: bool | None = None
    parse: Callable[[Any], Any] = text

    def decode(self, token: str | None) -> Cursor | None:
        return decode_cursor(token, ordering=self.name, parse=self.parse)

    def cursor(self, row: Model, *, backward: bool = False) -> str:
        return encode_cursor(Cursor(self.name, getattr(row, self.key), row.pk, backward))

    def page(self, rows: QuerySet[T], cursor: Cursor | None, size: int) -> Page[T]:
        """One page of ``rows`` after (or, for a backward cursor, before) ``cursor``: one query
        of ``size + 1`` rows, the extra one telling whether there is more."""
        backward = cursor is not None and cursor.backward
        pk_descending = self.descending if self.ties_descending is None else self.ties_descending
        # Paging back reads the rows before the cursor in reverse order, then turns them round.
        key_down = self.descending != backward
        pk_down = pk_descending != backward
        ordered = rows.order_by(
            f"{'-' if key_down else ''}{self.key}", f"{'-' if pk_down else ''}pk"
        )
        if cursor is not None:
            ordered = ordered.filter(
                seek_filter(
                    self.key, cursor.value, cursor.pk, descending=key_down, pk_descending=pk_down
                )
            )
        fetched = list(ordered[: size + 1])
        more = len(fetched) > size
        fetched = fetched[:size]
        if backward:
            fetched.reverse()
        # An empty page offers no links: its rows were deleted since the link was made.
        return Page(
            rows=fetched,
            has_next=bool(fetched) and (backward or more),
            has_previous=bool(fetched) and (more if backward else cursor is not None),
            ran_out_backward=backward and not fetched,
        )

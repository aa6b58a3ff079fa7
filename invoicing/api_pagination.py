"""Keyset cursors for lists the client may sort.

DRF's CursorPagination keeps its place by the first ordering field alone and counts an offset
past rows that share it. Customer names repeat ("J Smith"), so that offset grows with the
duplicates (and DRF caps it at 1,000). Here the cursor holds the pair (sort key, id) and the
next page is the rows after that pair: one query with no OFFSET, as cheap at page 1,000 as at
page 1, and no row is skipped or repeated when rows are added between requests.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db.models import Expression, Model, Q, QuerySet
from django.db.models.functions import Lower
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor
from rest_framework.request import Request
from rest_framework.views import APIView

from arhub.api_pagination import Pagination


class KeysetPagination(Pagination):
    """``?ordering=`` picks one of ``orderings``; ``{"results", "next", "previous"}`` as ever."""

    # None: the list has one fixed order (the single entry of ``orderings``).
    ordering_param: str | None = "ordering"
    # ?ordering= value -> (sort key, descending). A key is a model field or, when listed in
    # ``key_expressions``, an annotation this class adds.
    orderings: dict[str, tuple[str, bool]] = {}
    key_expressions: dict[str, Expression] = {}
    default_ordering = ""

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.request = request
        self.page_size = self.get_page_size(request) or self.page_size
        self.base_url = request.build_absolute_uri()
        self.ordering_name = self._ordering_name(request)
        self.key, descending = self.orderings[self.ordering_name]
        cursor = self.decode_cursor(request)
        reverse = bool(cursor and cursor.reverse)
        # DRF's stubs type a cursor's position as int; ours is the JSON text _position made.
        position = (
            self._decode_position(str(cursor.position)) if cursor and cursor.position else None
        )

        if self.key in self.key_expressions:
            queryset = queryset.annotate(**{self.key: self.key_expressions[self.key]})
        # Ids break ties, always ascending on the way forward; a reverse cursor (the "previous"
        # link) reads both backwards from its position.
        key_down = descending != reverse
        pk_down = reverse
        queryset = queryset.order_by(
            f"{'-' if key_down else ''}{self.key}", f"{'-' if pk_down else ''}pk"
        )
        if position is not None:
            value, pk = position
            key_op = "lt" if key_down else "gt"
            pk_op = "lt" if pk_down else "gt"
            # (key, id) beyond (value, pk): the first condition alone is an index range, the
            # second settles the rows that share the key.
            queryset = queryset.filter(**{f"{self.key}__{key_op}e": value}).filter(
                Q(**{f"{self.key}__{key_op}": value}) | Q(**{f"pk__{pk_op}": pk})
            )
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        page = rows[: self.page_size]
        if reverse:
            page.reverse()
        # An empty page (its rows deleted since the link was made) offers no links: the client
        # starts over rather than be sent somewhere that skips rows.
        self.has_next = bool(page) and (position is not None if reverse else more)
        self.has_previous = bool(page) and (more if reverse else position is not None)
        self.page = self.rows = page
        return page

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers an unreadable cursor with 404; a bad query parameter is a 400 here.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        position: Any = self._position(self.rows[-1])
        return self.encode_cursor(Cursor(0, False, position))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        position: Any = self._position(self.rows[0])
        return self.encode_cursor(Cursor(0, True, position))

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        if self.ordering_param is None:
            return parameters
        return [
            *parameters,
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default `{self.default_ordering}`).",
                "schema": {"type": "string", "enum": list(self.orderings)},
            },
        ]

    def _ordering_name(self, request: Request) -> str:
        if self.ordering_param is None:
            return self.default_ordering
        name = request.query_params.get(self.ordering_param) or self.default_ordering
        if name not in self.orderings:
            choices = ", ".join(self.orderings)
            raise ValidationError({self.ordering_param: [f"“{name}” is not one of: {choices}."]})
        return name

    def _position(self, row: Model) -> str:
        value = getattr(row, self.key)
        text = value.isoformat() if isinstance(value, datetime) else str(value)
        # The ordering travels with the position, so a cursor is never read under another sort.
        return json.dumps([self.ordering_name, text, row.pk])

    def _decode_position(self, encoded: str) -> tuple[str, int]:
        try:
            ordering, value, pk = json.loads(encoded)
        except (ValueError, TypeError):
            ordering, value, pk = None, None, None
        if ordering != self.ordering_name or not isinstance(value, str) or type(pk) is not int:
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        return value, pk


class CustomerPagination(KeysetPagination):
    orderings = {
        "name": ("name_key", False),
        "-name": ("name_key", True),
        "created": ("created_at", False),
        "-created": ("created_at", True),
    }
    # The same expression as the customer_org_name_idx index, so sorting by name reads it.
    key_expressions = {"name_key": Lower("display_name")}
    default_ordering = "name"


class ContactPagination(KeysetPagination):
    """The primary contact first, then the others oldest first: the order of a customer's
    ``contacts``."""

    ordering_param = None
    orderings = {"primary": ("is_primary", True)}
    default_ordering = "primary"

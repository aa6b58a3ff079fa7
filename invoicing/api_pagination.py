"""Keyset cursors for lists the client may sort.

DRF's CursorPagination keeps its place by the first ordering field alone and counts an offset
past rows that share it. Customer names repeat ("J Smith"), so that offset grows with the
duplicates (and DRF caps it at 1,000). Here the cursor holds the pair (sort key, id) and the
next page is the rows after that pair: one query with no OFFSET, as cheap at page 1,000 as at
page 1, and no row is skipped or repeated when rows are added between requests. The cursor
itself, and the page query, are arhub.keyset's, shared with the dashboard's directory.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Expression, QuerySet
from django.db.models.functions import Lower
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from arhub import keyset
from arhub.api_pagination import Pagination
from arhub.keyset import InvalidCursor, Keyset


def _ordering(name: str, key: str, *, descending: bool, parse: Any = keyset.text) -> Keyset:
    # Ids break ties, always ascending on the way forward; a "previous" link reads both
    # backwards from its position.
    return Keyset(name, key, descending=descending, ties_descending=False, parse=parse)


class KeysetPagination(Pagination):
    """``?ordering=`` picks one of ``orderings``; ``{"results", "next", "previous"}`` as ever."""

    # None: the list has one fixed order (the single entry of ``orderings``).
    ordering_param: str | None = "ordering"
    # ?ordering= value -> its keyset. A key is a model field or, when listed in
    # ``key_expressions``, an annotation this class adds.
    orderings: dict[str, Keyset] = {}
    key_expressions: dict[str, Expression] = {}
    default_ordering = ""

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.request = request
        self.page_size = self.get_page_size(request) or self.page_size
        self.base_url = request.build_absolute_uri()
        self.keyset = self.orderings[self._ordering_name(request)]
        try:
            cursor = self.keyset.decode(request.query_params.get(self.cursor_query_param))
        except InvalidCursor:
            # The ordering travels in the cursor, so one is never read under another sort.
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

        key = self.keyset.key
        if key in self.key_expressions:
            queryset = queryset.annotate(**{key: self.key_expressions[key]})
        # An empty page (its rows deleted since the link was made) offers no links: the client
        # starts over rather than be sent somewhere that skips rows.
        page = self.keyset.page(queryset, cursor, self.page_size)
        self.has_next, self.has_previous = page.has_next, page.has_previous
        self.page = self.rows = page.rows
        return page.rows

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return self._link(self.keyset.cursor(self.rows[-1]))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        return self._link(self.keyset.cursor(self.rows[0], backward=True))

    def _link(self, token: str) -> str:
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, token
        )

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


class CustomerPagination(KeysetPagination):
    orderings = {
        "name": _ordering("name", "name_key", descending=False),
        "-name": _ordering("-name", "name_key", descending=True),
        "created": _ordering(
            "created", "created_at", descending=False, parse=keyset.aware_datetime
        ),
        "-created": _ordering(
            "-created", "created_at", descending=True, parse=keyset.aware_datetime
        ),
    }
    # The same expression as the customer_org_name_idx index, so sorting by name reads it.
    key_expressions = {"name_key": Lower("display_name")}
    default_ordering = "name"


class ContactPagination(KeysetPagination):
    """The primary contact first, then the others oldest first: the order of a customer's
    ``contacts``."""

    ordering_param = None
    orderings = {
        "primary": _ordering("primary", "is_primary", descending=True, parse=keyset.boolean)
    }
    default_ordering = "primary"

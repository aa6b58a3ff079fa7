"""Keyset pagination for the invoices API's lists (see ``invoicing.api_pagination``).

Every ordering is a (key, id) pair read with no OFFSET, so a page costs the same deep in the
list as at its start. A due date is null on drafts; it is sorted as a far-future date (drafts
last when sorting by due date) so the key is never null and the cursor can compare it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import DateField, Value
from django.db.models.functions import Coalesce, Lower

from arhub import keyset
from arhub.keyset import Keyset
from invoicing.api_pagination import KeysetPagination

NO_DUE_DATE = date(9999, 12, 31)


def _date(value: Any) -> date:
    return date.fromisoformat(keyset.text(value))


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(keyset.text(value))
    except InvalidOperation:
        raise ValueError("cursor value is not a decimal") from None


def _both_ways(name: str, key: str, parse: Callable[[Any], Any] = keyset.text) -> dict[str, Keyset]:
    # Ids break ties the same way as the key, so "-created" reads the (-created_at, -id) index.
    return {
        name: Keyset(name, key, descending=False, parse=parse),
        f"-{name}": Keyset(f"-{name}", key, descending=True, parse=parse),
    }


class InvoicePagination(KeysetPagination):
    orderings = {
        **_both_ways("created", "created_at", keyset.aware_datetime),
        **_both_ways("due_date", "due_key", _date),
        **_both_ways("total", "total", _decimal),
        **_both_ways("number", "number"),
    }
    key_expressions = {
        "due_key": Coalesce("due_date", Value(NO_DUE_DATE), output_field=DateField()),
    }
    default_ordering = "-created"


class CreditNotePagination(KeysetPagination):
    """Newest first."""

    ordering_param = None
    orderings = {
        "-created": Keyset(
            "-created",
            "created_at",
            descending=True,
            ties_descending=True,
            parse=keyset.aware_datetime,
        )
    }
    default_ordering = "-created"


class ByNamePagination(KeysetPagination):
    """Tax rates and payment terms: by name, case-insensitively."""

    ordering_param = None
    orderings = {"name": Keyset("name", "name_key", ties_descending=False)}
    key_expressions = {"name_key": Lower("name")}
    default_ordering = "name"

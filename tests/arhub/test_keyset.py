"""arhub.keyset: the cursor, and pages that follow one another without gaps or repeats."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arhub import keyset
from arhub.keyset import Cursor, InvalidCursor, Keyset, decode_cursor, encode_cursor
from arhub.models import Organization
from invoicing.models import Customer
from tests.factories import OrganizationFactory

MOMENT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)

# --------------------------------------------------------------------------------------------
# The cursor


@pytest.mark.parametrize(
    ("cursor", "parse"),
    [
        (Cursor("name", "j smith", 7), keyset.text),
        (Cursor("-created", MOMENT, 12, backward=True), keyset.aware_datetime),
        (Cursor("primary", True, 3), keyset.boolean),
    ],
)
def test_a_cursor_reads_back_as_it_was_made(cursor: Cursor, parse: Any) -> None:
    token = encode_cursor(cursor)
    assert "=" not in token and "/" not in token and "+" not in token  # safe in a URL as is
    assert decode_cursor(token, ordering=cursor.ordering, parse=parse) == cursor


def test_no_cursor_is_the_first_page() -> None:
    assert decode_cursor(None, ordering="name") is None
    assert decode_cursor("", ordering="name") is None


def _token(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "not-base64!",
        "W10",  # []
        _token(["name", "x"]),  # too short
        _token(["name", "x", 1, False, "extra"]),
        _token(["-name", "x", 1, False]),  # made under another ordering
        _token(["name", 5, 1, False]),  # a number where the name was
        _token(["name", "x", "1", False]),  # an id that is not an int
        _token(["name", "x", True, False]),
        _token(["name", "x", 1, "yes"]),
        _token({"ordering": "name"}),
        encode_cursor(Cursor("name", "x", 1))[:-3],  # cut short
    ],
)
def test_a_tampered_cursor_is_invalid(token: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(token, ordering="name", parse=keyset.text)


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00", "yesterday", 1714555800])
def test_a_cursor_datetime_must_be_a_zoned_datetime(value: Any) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(_token(["created", value, 1, False]), ordering="created",
                      parse=keyset.aware_datetime)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Pages


def walk(ks: Keyset, rows: QuerySet[Any], size: int) -> list[list[int]]:
    """Follow the next cursors to the end, then the previous ones back; both must agree."""
    forward: list[list[int]] = []
    page = ks.page(rows, None, size)
    assert not page.has_previous
    while True:
        forward.append([row.pk for row in page.rows])
        if not page.has_next:
            break
        page = ks.page(rows, ks.decode(ks.cursor(page.rows[-1])), size)
        assert len(page.rows) <= size
    backward = [[row.pk for row in page.rows]]
    while page.has_previous:
        page = ks.page(rows, ks.decode(ks.cursor(page.rows[0], backward=True)), size)
        backward.append([row.pk for row in page.rows])
    assert backward == list(reversed(forward))
    return forward


def customers(org: Organization, rows: list[tuple[str, int]]) -> QuerySet[Customer]:
    Customer.objects.bulk_create(
        Customer(
            organization=org,
            display_name=name,
            currency="GBP",
            created_at=MOMENT + timedelta(minutes=minutes),
        )
        for name, minutes in rows
    )
    return Customer.objects.filter(organization=org).annotate(name_key=Lower("display_name"))


NAME = Keyset("name", "name_key")
NAME_DOWN = Keyset("-name", "name_key", descending=True)
CREATED = Keyset("created", "created_at", parse=keyset.aware_datetime)
CREATED_DOWN = Keyset("-created", "created_at", descending=True, parse=keyset.aware_datetime)
ALL_ORDERINGS = [NAME, NAME_DOWN, CREATED, CREATED_DOWN]


def flat(pages: list[list[int]]) -> list[int]:
    return [pk for page in pages for pk in page]


@pytest.mark.django_db
def test_ties_on_the_sort_key_are_settled_by_id() -> None:
    rows = customers(OrganizationFactory(), [("Same", 0)] * 5 + [("alpha", 0), ("zed", 0)])
    ids = sorted(rows.filter(display_name="Same").values_list("pk", flat=True))
    pages = walk(NAME, rows, 2)
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    alpha, zed = (rows.get(display_name=name).pk for name in ("alpha", "zed"))
    assert flat(pages) == [alpha, *ids, zed]
    # Descending: the ids run the key's way too, unless told to run ascending.
    assert flat(walk(NAME_DOWN, rows, 2)) == [zed, *reversed(ids), alpha]
    ties_up = Keyset("-name", "name_key", descending=True, ties_descending=False)
    assert flat(walk(ties_up, rows, 2)) == [zed, *ids, alpha]


@pytest.mark.django_db
def test_descending_order() -> None:
    rows = customers(OrganizationFactory(), [("b", 2), ("a", 1), ("c", 3), ("d", 0)])
    by_name = [rows.get(display_name=name).pk for name in "dcba"]
    assert flat(walk(NAME_DOWN, rows, 3)) == by_name
    by_created = [rows.get(display_name=name).pk for name in "cbad"]
    assert flat(walk(CREATED_DOWN, rows, 1)) == by_created


@pytest.mark.django_db
def test_a_page_fetches_one_row_more_than_it_shows() -> None:
    rows = customers(OrganizationFactory(), [(name, 0) for name in "abcd"])
    assert NAME.page(rows, None, 4).has_next is False
    after_a = NAME.decode(NAME.cursor(rows.get(display_name="a")))
    with CaptureQueriesContext(connection) as queries:
        page = NAME.page(rows, after_a, 2)
    assert [row.display_name for row in page.rows] == ["b", "c"] and page.has_next
    assert len(queries) == 1  # no COUNT, no second look for more
    assert "LIMIT 3" in queries[0]["sql"]


@pytest.mark.django_db
def test_a_backward_cursor_with_nothing_before_it_ran_out() -> None:
    rows = customers(OrganizationFactory(), [("b", 0)])
    before_b = NAME.decode(NAME.cursor(rows.get(), backward=True))
    page = NAME.page(rows, before_b, 10)
    assert page.rows == [] and page.ran_out_backward
    assert not page.has_next and not page.has_previous


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(st.sampled_from(["a", "A", "b", "bb", "B", "c"]), st.integers(0, 2)),
        max_size=25,
    ),
    ordering=st.sampled_from(ALL_ORDERINGS),
    ties_descending=st.sampled_from([None, False, True]),
    size=st.integers(1, 6),
)
def test_walking_all_pages_yields_every_row_once_in_order(
    data: list[tuple[str, int]], ordering: Keyset, ties_descending: bool | None, size: int
) -> None:
    ks = Keyset(
        ordering.name,
        ordering.key,
        descending=ordering.descending,
        ties_descending=ties_descending,
        parse=ordering.parse,
    )
    with transaction.atomic():
        rows = customers(OrganizationFactory(), data)
        pk_down = ks.descending if ties_descending is None else ties_descending
        expected = list(
            rows.order_by(
                f"{'-' if ks.descending else ''}{ks.key}", f"{'-' if pk_down else ''}pk"
            ).values_list("pk", flat=True)
        )
        pages = walk(ks, rows, size)
        assert flat(pages) == expected  # every row, once, in order
        assert len(set(flat(pages))) == len(data)
        assert all(len(page) == size for page in pages[:-1])
        transaction.set_rollback(True)

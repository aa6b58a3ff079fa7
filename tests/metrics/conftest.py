from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.metrics.export_books import Books, books_make
from tests.metrics.ledger import NOW, Ledger, at, ledger_make


@pytest.fixture
def ledger(tenant) -> Iterator[Ledger]:
    """The hand-worked ledger of tests/metrics/ledger.py, with the clock at its "today"."""
    built = ledger_make(tenant.org)
    with at(NOW):
        yield built


@pytest.fixture
def books(tenant, other_tenant) -> Books:
    """The hand-made quarter of tests/metrics/export_books.py, with org B's books beside it."""
    return books_make(tenant.org, other_tenant.org)

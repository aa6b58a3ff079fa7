"""Customer statements for the accountant: one as a PDF, all who owe as a zip, opened with
zipfile and read with pdftotext."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from metrics.statement_zip import (
    customers_owing,
    statement_pdf,
    statement_zip_chunks,
    statement_zip_write,
)
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words
from tests.metrics.export_books import Books
from tests.payments.factories import open_invoices_bulk

pytestmark = [needs_poppler, pytest.mark.django_db]

TODAY = date(2027, 4, 1)


class Unseekable(io.RawIOBase):  # an IO[bytes]
    """A pipe-like file: writes only, no seek or tell (a socket, a response)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def test_one_customers_statement(books: Books) -> None:
    words = pdf_words(statement_pdf(org=books.org, customer=books.riverside, today=TODAY))
    assert "Riverside Bakery" in words
    # INV1: 360.00 - 200.00 paid - 60.00 credited = 100.00 still owed.
    assert books.inv1.number in words and "£100.00" in words


def test_the_zip_holds_a_statement_for_each_customer_who_owes(books: Books) -> None:
    # Riverside owes 100.00 (INV1); Harbour 410.00 (INV6) and EUR 500.00 (INV4). The other
    # organization's customer owes too, and is not in this zip.
    assert [c.display_name for c in customers_owing(org=books.org)] == [
        "Harbour Cafe",
        "Riverside Bakery",
    ]
    out = Unseekable()
    progress: list[tuple[int, int]] = []
    count = statement_zip_write(
        org=books.org, today=TODAY, out=out, on_progress=lambda d, t: progress.append((d, t))
    )
    assert count == 2 and progress == [(1, 2), (2, 2)]
    archive = zipfile.ZipFile(io.BytesIO(bytes(out.data)))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "statement-Harbour-Cafe-2027-04-01.pdf",
        "statement-Riverside-Bakery-2027-04-01.pdf",
    ]
    harbour = pdf_words(archive.read("statement-Harbour-Cafe-2027-04-01.pdf"))
    # 400.00 + the 10.00 late fee not waived.
    assert "£410.00" in harbour and "€500.00" in harbour
    assert "Zenith" not in harbour


def test_customers_of_the_same_name_each_get_their_file(tenant: Tenant) -> None:
    first = CustomerFactory(organization=tenant.org, display_name="Jo Smith")
    second = CustomerFactory(organization=tenant.org, display_name="Jo Smith")
    paid_up = CustomerFactory(organization=tenant.org, display_name="Paid Up")
    for customer in (first, second):
        open_invoices_bulk(tenant.org, customer, 1)
    assert paid_up not in customers_owing(org=tenant.org)
    data = b"".join(statement_zip_chunks(org=tenant.org, today=TODAY))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [
        "statement-Jo-Smith-2027-04-01.pdf",
        f"statement-Jo-Smith-2027-04-01-{second.pk}.pdf",
    ]


def test_nobody_owing_is_an_empty_zip(tenant: Tenant) -> None:
    data = b"".join(statement_zip_chunks(org=tenant.org, today=TODAY))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []

"""Customer statements for the accountant: one customer's as a PDF, or every customer who owes
something as one zip of PDFs.

The statement itself is the payments app's (``payments.statement_pdf``: open invoices with
their aging, the total due per currency, recent payments), so what the accountant files is what
the customer was sent. The zip is written to a file object as it goes, one PDF at a time,
never holding more than one in memory: a background job writes it to a temporary file and
reports progress through ``on_progress``; :func:`statement_zip_chunks` streams it to a
response instead.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from typing import Protocol

from arhub.models import Organization
from arhub.pdf import render_pdf
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice
from payments.statement_pdf import statement_pdf_filename, statement_pdf_html

Progress = Callable[[int, int], None]


class Writable(Protocol):
    """Anything bytes can be written to: a file, a temporary file, a socket's file."""

    def write(self, data: bytes, /) -> int | None: ...


def statement_pdf(*, org: Organization, customer: Customer, today: date) -> bytes:
    """One customer's statement, rendered fresh (not cached: a bulk run of them would fill the
    cache with documents nobody downloads twice)."""
    return render_pdf(statement_pdf_html(org=org, customer=customer, today=today))


def customers_owing(*, org: Organization) -> list[Customer]:
    """Customers with an issued invoice still owing something, by name."""
    owing = Invoice.objects.for_org(org).filter(status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
    return list(
        Customer.objects.for_org(org)
        .filter(pk__in=owing.values("customer_id"))
        .order_by("display_name", "pk")
    )


def _member_name(customer: Customer, today: date, taken: set[str]) -> str:
    name = statement_pdf_filename(customer, today)
    if name in taken:  # two customers of the same name: keep both files
        name = name.removesuffix(".pdf") + f"-{customer.pk}.pdf"
    taken.add(name)
    return name


class _Chunks:
    """A write-only file whose writes are kept until the reader takes them (a zip needs no
    seeking when it is written this way: each member is followed by its sizes)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def statement_zip_chunks(
    *, org: Organization, today: date, on_progress: Progress | None = None
) -> Iterator[bytes]:
    """The zip of every owing customer's statement, yielded a statement at a time."""
    sink = _Chunks()
    customers = customers_owing(org=org)
    taken: set[str] = set()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        for done, customer in enumerate(customers, start=1):
            pdf = statement_pdf(org=org, customer=customer, today=today)
            info = zipfile.ZipInfo(_member_name(customer, today, taken), today.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, mode="w") as member:
                member.write(pdf)
            if on_progress is not None:
                on_progress(done, len(customers))
            yield sink.take()
    yield sink.take()  # the zip's central directory


def statement_zip_write(
    *, org: Organization, today: date, out: Writable, on_progress: Progress | None = None
) -> int:
    """Write that zip to ``out`` (which need not be seekable); returns the statements in it."""
    written = 0

    def progress(done: int, total: int) -> None:
        nonlocal written
        written = done
        if on_progress is not None:
            on_progress(done, total)

    for chunk in statement_zip_chunks(org=org, today=today, on_progress=progress):
        out.write(chunk)
    return written

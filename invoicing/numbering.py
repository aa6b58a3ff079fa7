"""Invoice and credit-note numbers: ``INV-2027-0042``.

One counter row per (organization, kind, year), advanced by a single ``INSERT … ON CONFLICT DO
UPDATE … RETURNING``. The statement takes the row lock, so concurrent issuers queue behind each
other and each gets the next value; the lock is held until the issuing transaction ends, and a
rolled-back issue rolls the counter back with it, so numbers have no gaps.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from arhub.models import Organization
from invoicing.models import CreditNote, Invoice, InvoiceSettings, NumberSequence, SequenceKind


def number_format(*, prefix: str, year: int | None, value: int, padding: int) -> str:
    counter = str(value).zfill(padding)
    return f"{prefix}{year}-{counter}" if year else f"{prefix}{counter}"


def number_next(*, org: Organization, kind: str, on: date, settings: InvoiceSettings) -> str:
    """Take the next number of ``kind`` for a document dated ``on``. Must run inside the
    transaction that saves the document.

    A number can already exist only if the owner changed the format back to an earlier one
    (say, dropped the year and then brought it back); it is skipped, so numbers stay unique
    while the counter still moves one at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the issuing transaction.")
    documents = Invoice if kind == SequenceKind.INVOICE else CreditNote
    while True:
        number = _take(org=org, kind=kind, on=on, settings=settings)
        if not documents.objects.for_org(org).filter(number=number).exists():
            return number


def _take(*, org: Organization, kind: str, on: date, settings: InvoiceSettings) -> str:
    year = on.year if settings.number_include_year else 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {NumberSequence._meta.db_table} (organization_id, kind, year, last_value)
            VALUES (%s, %s, %s, 1)
            ON CONFLICT (organization_id, kind, year)
            DO UPDATE SET last_value = {NumberSequence._meta.db_table}.last_value + 1
            RETURNING last_value
            """,  # noqa: S608 - the table name is ours, the values are parameters
            [org.pk, kind, year],
        )
        value = cursor.fetchone()[0]
    prefix = (
        settings.invoice_prefix if kind == SequenceKind.INVOICE else settings.credit_note_prefix
    )
    return number_format(
        prefix=prefix, year=year or None, value=value, padding=settings.number_padding
    )

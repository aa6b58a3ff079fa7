"""Files and disputes for the dispute tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from arhub.models import Organization
from disputes.models import Dispute, DisputeReason
from disputes.services import dispute_open
from invoicing.models import Invoice
from tests.invoicing.invoice_factories import invoice_make

PDF = b"%PDF-1.7\n% a tiny test document\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(
    content: bytes = PDF, name: str = "receipt.pdf", claimed: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=claimed)


def issued_invoice(org: Organization, **fields: object) -> Invoice:
    return invoice_make(
        org,
        lines=(("Consulting", "2", "150.00"), ("Travel", "1", "40.00")),
        **fields,
    )


def customer_dispute(
    org: Organization, invoice: Invoice | None = None, **kwargs: object
) -> Dispute:
    invoice = invoice or issued_invoice(org)
    values: dict[str, object] = {
        "reason": DisputeReason.WRONG_AMOUNT,
        "message": "The travel was not agreed.",
    }
    values.update(kwargs)
    return dispute_open(org=org, invoice=invoice, **values)  # type: ignore[arg-type]

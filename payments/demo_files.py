"""The files attached to the demo's disputes (``payments.demo_disputes``): a one-page PDF (a
signed delivery note) and a small PNG (a customer's photo), written byte by byte so the demo
needs no renderer, then stored by the disputes service like any upload.
"""

from __future__ import annotations

import struct
import zlib
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from arhub.models import Organization
from invoicing.models import Invoice


def delivery_note_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of text in Helvetica, written by hand."""

    def text(value: str) -> str:
        raw = value.encode("cp1252", "replace").decode("latin-1")
        return raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = "\n".join(f"({text(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 72 770 Td\n{shown}\nET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def damaged_box_png(width: int = 96, height: int = 64) -> bytes:
    """A small RGB picture: a brown box with a crack across it on a pale table."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # no filter
        for x in range(width):
            inside = 16 <= x < width - 16 and 12 <= y < height - 10
            crack = inside and abs((y - 12) - (x - 16) * (height - 22) // (width - 32)) <= 1
            pixel = (40, 30, 25) if crack else (164, 116, 72) if inside else (236, 232, 224)
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", damaged_box_png(), content_type="image/png")


def delivery_note(org: Organization, invoice: Invoice, signed_on: date) -> SimpleUploadedFile:
    content = delivery_note_pdf(
        [
            f"{org.legal_name or org.name}: delivery note",
            f"Invoice {invoice.number}",
            f"Delivered to {invoice.customer.display_name} on {signed_on:%d %B %Y}",
            "Received in good order. Signed: J. Alvarez (front desk)",
        ]
    )
    return SimpleUploadedFile(
        f"delivery-note-{invoice.number}.pdf", content, content_type="application/pdf"
    )

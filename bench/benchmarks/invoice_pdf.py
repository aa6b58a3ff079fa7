"""One 20-line invoice as a PDF: what our rendering costs on top of WeasyPrint itself.

The figure is ``invoice_pdf`` with the cache bypassed: building the document from the database
(lines, taxes, terms, pay link, QR code), the template, and WeasyPrint behind our restricted
URL fetcher. The limit is WeasyPrint turning the very same HTML string into a PDF with nothing
around it, the floor no invoice PDF can beat. A second row shows a repeat download, served from
the cache by the hash of the HTML, against the same floor.

The invoice lives in an organization of its own (slug ``bench-invoice-pdf``), made on the
first run and reused after, so repeated runs measure the same document.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.registry import Context, Row
from bench.scale import timed

ROUNDS = 15
LINES = 20
SLUG = "bench-invoice-pdf"


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    import weasyprint

    from arhub.pdf import render_pdf
    from invoicing.pdf import invoice_pdf, invoice_pdf_html

    org, invoice = _invoice()
    html = invoice_pdf_html(org=org, invoice=invoice)
    invoice_pdf(org=org, invoice=invoice)  # warm: fonts loaded, the cache filled

    ours: list[float] = []
    bare: list[float] = []
    cached: list[float] = []
    for _ in range(ROUNDS):
        # Interleaved, so both sides see the same machine noise.
        ours.append(timed(lambda: render_pdf(invoice_pdf_html(org=org, invoice=invoice))))
        bare.append(timed(lambda: weasyprint.HTML(string=html).write_pdf()))
        cached.append(timed(lambda: invoice_pdf(org=org, invoice=invoice)))

    floor = statistics.median(bare) * 1000
    limit = f"bare WeasyPrint, same HTML ({len(html) // 1024} KiB) p50"
    return [
        Row(
            f"invoice PDF, {LINES} lines, cache bypassed p50",
            statistics.median(ours) * 1000,
            limit,
            floor,
            "ms",
        ),
        Row(
            f"invoice PDF, {LINES} lines, cached p50",
            statistics.median(cached) * 1000,
            limit,
            floor,
            "ms",
        ),
    ]


def _invoice() -> tuple[Any, Any]:
    from decimal import Decimal

    from arhub.models import Organization, User
    from arhub.services.accounts import organization_create
    from invoicing.invoice_input import InvoiceData, LineData
    from invoicing.invoice_services import invoice_create, invoice_issue
    from invoicing.models import Contact, Customer, Invoice, InvoiceSettings, PaymentMethod, TaxRate

    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        user = User.objects.create_user(f"{SLUG}@arhub.test", None)
        org = organization_create(
            owner=user, name="Harbour Plumbing & Heating", currency="GBP", slug=SLUG
        )
        org.address_line1, org.city, org.postal_code, org.country = (
            "12 Harbour Street",
            "Bristol",
            "BS1 4QA",
            "GB",
        )
        org.tax_id = "GB123456789"
        org.save()
    invoice = Invoice.objects.for_org(org).filter(number__gt="").order_by("pk").first()
    if invoice is not None:
        return org, invoice
    InvoiceSettings.objects.update_or_create(
        organization=org,
        defaults={
            "accepted_methods": [PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD],
            "payment_instructions": "Barclays, sort code 20-00-00, account 12345678",
            "footer": "Registered in England 01234567",
        },
    )
    vat = TaxRate.objects.create(organization=org, name="VAT", percent=Decimal(20))
    customer = Customer.objects.create(
        organization=org, display_name="Riverside Bakery", company="Riverside plc", currency="GBP"
    )
    Contact.objects.create(
        organization=org, customer=customer, name="Jo Baker", email="jo@riverside.test"
    )
    data = InvoiceData(
        customer_id=customer.pk,
        po_number="PO-7781",
        notes="Thank you for your business.",
        lines=[
            LineData(
                description=f"Boiler service visit {n + 1}, parts and labour",
                quantity=Decimal("1.5"),
                unit="hours",
                unit_price=Decimal("80.00"),
                tax_rate_ids=[vat.pk],
            )
            for n in range(LINES)
        ],
    )
    draft = invoice_create(org=org, actor=None, data=data)
    return org, invoice_issue(org=org, actor=None, invoice=draft)

"""Hostile text in every field a user can type ends up on the PDF as text, and nothing it names
is fetched: no file is read, no address is connected to, not even a name is looked up."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import (
    Contact,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceSettings,
    PaymentMethod,
)
from invoicing.pay_links import pay_link_url
from invoicing.pdf import credit_note_pdf, credit_note_pdf_html, invoice_pdf, invoice_pdf_html
from tests.conftest import Tenant
from tests.invoicing.pdf_helpers import (
    ConnectionSpy,
    Listener,
    RecordingFetchers,
    needs_poppler,
    pdf_words,
)

pytestmark = needs_poppler


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def payloads(port: int) -> list[str]:
    """From the most thorough to the shortest, so every field gets the longest that fits."""
    file_img = '<img src="file:///etc/passwd">'
    internal_css = '<link rel=stylesheet href="http://10.0.0.1/x.css">'
    local_import = f"<style>@import url(http://127.0.0.1:{port}/i.css);</style>"
    local_bg = f'<p style="background:url(http://127.0.0.1:{port}/b.png)">'
    return [
        file_img + internal_css + local_import + local_bg,
        file_img + internal_css + local_import,
        file_img + local_import,
        local_import,
        '<img src="file:/x">',  # 19 characters, for the 20 of a line's unit
    ]


def fitting(port: int, limit: int) -> str:
    return next(p for p in payloads(port) if len(p) <= limit)


@pytest.fixture
def hostile(
    tenant: Tenant, settings: Any, tmp_path: Any
) -> Iterator[tuple[Organization, Listener]]:
    settings.MEDIA_ROOT = tmp_path
    with Listener() as listener:
        port = listener.port
        org = tenant.org

        def put(obj: Any, **limits: int) -> None:
            for name, limit in limits.items():
                setattr(obj, name, fitting(port, limit))
            obj.save()

        put(org, name=120, legal_name=200, address_line1=200, address_line2=200, city=100)
        put(org, region=100)
        InvoiceSettings.objects.update_or_create(
            organization=org,
            defaults={
                "payment_instructions": fitting(port, 10_000),
                "footer": fitting(port, 300),
                "accepted_methods": [PaymentMethod.CARD],
            },
        )
        customer = Customer.objects.create(organization=org, currency="GBP", display_name="x")
        put(customer, display_name=200, company=200, billing_address_line1=200)
        put(customer, billing_address_line2=200, billing_city=100, billing_region=100)
        put(customer, billing_postal_code=20, tax_id=50)
        customer.billing_country = "GB"
        customer.save()
        Contact.objects.create(
            organization=org,
            customer=customer,
            name=fitting(port, 200),
            email="ap@customer.test",
            is_primary=True,
        )
        data = InvoiceData(
            customer_id=customer.pk,
            po_number=fitting(port, 100),
            notes=fitting(port, 10_000),
            lines=[LineData(fitting(port, 500), quantity=Decimal(1), unit_price=Decimal(100))],
        )
        invoice = invoice_create(org=org, actor=None, data=data)
        InvoiceLine.objects.filter(invoice=invoice).update(unit=fitting(port, 20))
        invoice_issue(org=org, actor=None, invoice=invoice)
        yield org, listener


def test_every_free_text_field_prints_as_text_and_fetches_nothing(
    hostile: tuple[Organization, Listener], monkeypatch: pytest.MonkeyPatch
) -> None:
    org, listener = hostile
    port = listener.port
    invoice = Invoice.objects.for_org(org).get()
    note = credit_note_create(
        org=org, actor=None, invoice=invoice, amount=Decimal("10.00"), reason=fitting(port, 10_000)
    )
    spy = ConnectionSpy(monkeypatch)
    fetchers = RecordingFetchers(monkeypatch)

    html = invoice_pdf_html(org=org, invoice=invoice)
    invoice_text = pdf_words(invoice_pdf(org=org, invoice=invoice))
    note_text = pdf_words(credit_note_pdf(org=org, credit_note=note))

    assert spy.attempts == [], "a connection or name lookup was attempted"
    assert fetchers.refused == [], "the template itself asked for something not allowed"
    # The only things fetched: the QR code (invoice) and nothing else; never a static file.
    assert fetchers.allowed == ["data:image/svg+xml"]
    assert listener.connections == 0, "something connected to the local listener"
    # The hostile markup is on the page to read, as the characters that were typed (wrapped
    # over lines maybe, hence compared without spaces), and /etc/passwd's content is not.
    whole = payloads(port)[0].replace(" ", "")
    for text in (invoice_text, note_text):
        assert "root:" not in text
        assert whole in text.replace(" ", "")
    assert invoice_text.replace(" ", "").count(whole) >= 5  # names, lines, notes, instructions
    # The customer's address and tax number print as typed, on both documents.
    escaped = escape(payloads(port)[0])
    for doc_html in (html, credit_note_pdf_html(org=org, credit_note=note)):
        bill_to = doc_html.split('<div class="buyer">')[1].split("</div>")[0]
        # The name (the company, being the same, is not repeated) and address lines 1 and 2.
        assert bill_to.count(escaped) == 3
        assert escape('<img src="file:/x">') in bill_to  # postal code (20 characters)
    assert 'VAT no.: <img src="file:/x">'.replace(" ", "") in note_text.replace(" ", "")
    # In the HTML every one of them is escaped: no tag from user text survives.
    assert '<img src="file:' not in html and "<style>@import" not in html
    assert '<link rel=stylesheet href="http://10.0.0.1' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_the_pay_page_escapes_them_too(hostile: tuple[Organization, Listener]) -> None:
    org, listener = hostile
    invoice = Invoice.objects.for_org(org).get()
    # The link redirects to the pay session's page; follow it.
    path = urlsplit(pay_link_url(org=org, invoice=invoice)).path
    body = Client().get(path, follow=True).content.decode()
    assert listener.connections == 0
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in body
    assert '<img src="file:' not in body and "<style>@import" not in body

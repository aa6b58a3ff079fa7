"""Invoice and credit-note PDFs, read back with pdftotext the way a customer reads them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import weasyprint
from django.core.cache import cache
from django.core.files.base import ContentFile

from arhub import pdf as arhub_pdf
from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import invoice_create, invoice_issue, invoice_void
from invoicing.models import (
    Invoice,
    InvoiceSettings,
    InvoiceStatus,
    Language,
    LineKind,
    PayLink,
    PaymentMethod,
    PaymentTerms,
)
from invoicing.pay_links import pay_link_url
from invoicing.pdf import (
    credit_note_pdf,
    credit_note_pdf_filename,
    invoice_pdf,
    invoice_pdf_filename,
    invoice_pdf_html,
)
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import TaxRateFactory, invoice_make
from tests.invoicing.pdf_helpers import (
    RecordingFetchers,
    needs_poppler,
    pdf_page_size,
    pdf_pages,
    pdf_text,
    pdf_words,
    sample_invoice,
    styled_org,
)

pytestmark = needs_poppler

MINUS = "\u2212"  # amounts taken off print with a real minus sign
A4 = (595.0, 842.0)
LETTER = (612.0, 792.0)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(tenant: Tenant, settings: Any, tmp_path: Any) -> Organization:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://ar.example.test"
    return styled_org(tenant.org)


def settings_for(org: Organization, **fields: Any) -> None:
    InvoiceSettings.objects.update_or_create(organization=org, defaults=fields)


def words(org: Organization, invoice: Any) -> str:
    return pdf_words(invoice_pdf(org=org, invoice=invoice))


def test_an_issued_invoice_says_everything_the_customer_needs(org: Organization) -> None:
    settings_for(
        org,
        accepted_methods=[PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE],
        payment_instructions="Barclays, sort code 20-00-00, account 12345678",
        footer="Registered in England 01234567",
    )
    vat = TaxRateFactory(organization=org, name="VAT", percent="20")
    customer = CustomerFactory(
        organization=org, display_name="Riverside Bakery", company="Riverside Holdings plc"
    )
    ContactFactory(customer=customer, name="Jo Baker", email="jo@riverside.test")
    data = InvoiceData(
        customer_id=customer.pk,
        issue_date=date(2027, 3, 1),
        po_number="PO-7781",
        notes="Thank you for your business.",
        discount_kind="percent",
        discount_value=Decimal("10"),
        lines=[
            LineData(
                "Boiler service", Decimal("2"), Decimal("80.00"), "hours", Decimal(0), [vat.pk]
            ),
            LineData("Valve", Decimal("1"), Decimal("40.00"), "", Decimal("25"), [vat.pk]),
            LineData("Courier", Decimal("1"), Decimal("9.50"), kind=LineKind.SHIPPING),
        ],
    )
    invoice = invoice_issue(
        org=org, actor=None, invoice=invoice_create(org=org, actor=None, data=data)
    )
    text = words(org, invoice)

    assert invoice.number in text
    for expected in (
        "Acme Plumbing",
        "12 Harbour Street",
        "Tax ID: GB123456789",
        "Riverside Bakery",
        "Riverside Holdings plc",
        "Attn. Jo Baker",
        "jo@riverside.test",
        "PO-7781",
        "1 Mar 2027",  # issue date in the org's locale (en-GB)
        "31 Mar 2027",
        "Boiler service 2 hours £80.00 VAT 20% £160.00",
        "Valve 1 £40.00 25% VAT 20% £30.00",
        "SHIPPING Courier 1 £9.50 £9.50",
        "Subtotal £199.50",
        f"Discount (10%) {MINUS}£19.00",  # 10% of the items (190), never of shipping
        "VAT (20%) £34.20",
        "Total £214.70",
        "Balance due £214.70",
        "Due 31 March 2027 (30 days).",
        "Thank you for your business.",
        "We accept: Bank transfer, Cheque",
        "Barclays, sort code 20-00-00, account 12345678",
        "Registered in England 01234567",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    link = pay_link_url(org=org, invoice=invoice)
    assert link.startswith("https://ar.example.test/pay/")
    assert f"Pay online: {link}" in text
    assert "Draft" not in text


def test_bill_to_prints_the_billing_address_and_vat_number(org: Organization) -> None:
    customer = CustomerFactory(
        organization=org,
        display_name="Riverside Bakery",
        company="Riverside Holdings plc",
        billing_address_line1="14 Quay Street",
        billing_address_line2="Unit 3",
        billing_city="Leeds",
        billing_postal_code="LS1 4AP",
        billing_country="GB",
        tax_id="GB987654321",
    )
    ContactFactory(customer=customer, name="Jo Baker", email="jo@riverside.test")
    invoice = invoice_make(org, customer=customer)
    text = words(org, invoice)
    # Under the name and company, in the order a British address is written, then the VAT
    # number, then who it is for.
    assert "BILL TO" in text and "Riverside Bakery" in text
    assert (
        "Riverside Holdings plc 14 Quay Street Unit 3 Leeds LS1 4AP United Kingdom "
        "VAT no.: GB987654321"
    ) in text
    assert "Attn. Jo Baker jo@riverside.test" in text
    # The organization's own number keeps its label.
    assert "Tax ID: GB123456789" in text


def test_each_country_writes_its_address_its_own_way(org: Organization) -> None:
    us = CustomerFactory(
        organization=org,
        display_name="Alder Creek Nursery",
        billing_address_line1="4581 Finch St.",
        billing_city="Bayshore",
        billing_region="CA",
        billing_postal_code="94326",
        billing_country="US",
        tax_id="12-3456789",
    )
    text = words(org, invoice_make(org, customer=us))
    assert "4581 Finch St. Bayshore, CA 94326 United States Tax ID: 12-3456789" in text
    assert "VAT no." not in text  # no VAT outside the VAT area

    german = CustomerFactory(
        organization=org,
        display_name="Brot & Butter GmbH",
        billing_address_line1="Torstraße 12",
        billing_city="Berlin",
        billing_postal_code="10119",
        billing_country="DE",
        tax_id="DE123456789",
    )
    text = words(org, invoice_make(org, customer=german))
    assert "Torstraße 12 10119 Berlin Germany VAT no.: DE123456789" in text


def test_a_spanish_customer_has_a_nif_and_a_french_one_a_nif_iva(org: Organization) -> None:
    madrid = CustomerFactory(
        organization=org,
        display_name="Casa Verde SL",
        language=Language.SPANISH,
        billing_address_line1="Calle Mayor, 12",
        billing_city="Madrid",
        billing_region="Madrid",
        billing_postal_code="28013",
        billing_country="ES",
        tax_id="B12345678",
    )
    text = words(org, invoice_make(org, customer=madrid))
    # Region and city the same: said once. The country is named in the organization's locale.
    assert "Calle Mayor, 12 28013 Madrid Spain NIF: B12345678" in text
    paris = CustomerFactory(
        organization=org,
        display_name="Maison Lumière",
        language=Language.SPANISH,
        billing_country="FR",
        tax_id="FR40303265045",
    )
    assert "France NIF-IVA: FR40303265045" in words(org, invoice_make(org, customer=paris))


def test_no_address_prints_no_address(org: Organization) -> None:
    text = words(org, sample_invoice(org))
    assert "Riverside Bakery Holdings plc" in text and "Attn. Jo Baker" in text
    assert "VAT no." not in text
    assert text.count("United Kingdom") == 2  # the organization's, read two ways


def test_a_credit_note_is_addressed_like_its_invoice(org: Organization) -> None:
    customer = CustomerFactory(
        organization=org,
        display_name="Harbour Tiles",
        billing_address_line1="2 Dock Road",
        billing_city="Cardiff",
        billing_postal_code="CF10 5AL",
        billing_country="GB",
        tax_id="GB111222333",
    )
    invoice = invoice_make(org, customer=customer, lines=[("Tiles", "1", "100.00")])
    note = credit_note_create(
        org=org, actor=None, invoice=invoice, amount=Decimal("10.00"), reason="Chipped"
    )
    text = pdf_words(credit_note_pdf(org=org, credit_note=note))
    assert "CREDIT TO" in text and "Harbour Tiles" in text
    assert "2 Dock Road Cardiff CF10 5AL United Kingdom VAT no.: GB111222333" in text


def test_the_pay_link_is_a_live_link_and_a_qr_code(org: Organization) -> None:
    invoice = sample_invoice(org)
    html = invoice_pdf_html(org=org, invoice=invoice)
    link = pay_link_url(org=org, invoice=invoice)
    assert f'href="{link}"' in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_a_long_invoice_numbers_its_pages_and_repeats_the_header(org: Organization) -> None:
    invoice = sample_invoice(org, lines=45)
    out = invoice_pdf(org=org, invoice=invoice)
    pages = pdf_pages(out)
    assert pages >= 2
    text = pdf_words(out)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text
    # The column headings repeat on every page the table runs over.
    headings = re.findall(
        r"DESCRIPTION\s+QTY\s+UNIT PRICE\s+TAX\s+AMOUNT", pdf_text(out, layout=True)
    )
    assert len(headings) >= 2
    assert "Boiler service visit 45," in text
    assert "Total £6,480.00" in text


def test_a_draft_is_marked_and_has_no_pay_link(org: Organization) -> None:
    invoice = sample_invoice(org)
    draft = invoice_make(org, customer=invoice.customer, issue=False)
    text = words(org, draft)
    assert "Not yet issued" in text
    assert "Draft for review. Not a request for payment." in text
    assert "/pay/" not in text and "Pay online" not in text
    assert not PayLink.objects.filter(invoice=draft).exists()
    html = invoice_pdf_html(org=org, invoice=draft)
    assert '<div class="watermark" aria-hidden="true">Draft</div>' in html
    assert invoice_pdf_filename(draft) == f"draft-invoice-{draft.pk}.pdf"


def test_a_void_invoice_is_marked_void_and_asks_for_nothing(org: Organization) -> None:
    invoice = invoice_void(org=org, actor=None, invoice=sample_invoice(org))
    text = words(org, invoice)
    # The large rotated mark may come back letter-spaced ("V OID") depending on the fonts.
    assert "VOID" in text.upper().replace(" ", "") and "This invoice has been cancelled" in text
    assert "Pay online" not in text and "Balance due" not in text


def test_a_paid_invoice_thanks_the_customer(org: Organization) -> None:
    invoice = sample_invoice(org)
    credit_note_create(org=org, actor=None, invoice=invoice, amount=None, reason="Goodwill")
    invoice.refresh_from_db()
    text = words(org, invoice)
    assert "Paid in full. Thank you." in text
    assert f"Credited {MINUS}£432.00" in text
    assert "Balance due £0.00" in text
    assert "Pay online" not in text


def test_yen_has_no_decimals_and_dinar_three(org: Organization) -> None:
    org.locale = "en-US"
    org.save()
    yen = CustomerFactory(organization=org, currency="JPY")
    invoice = invoice_make(org, customer=yen, lines=[("Tea set", "3", "1500")])
    text = words(org, invoice)
    assert "Tea set 3 ¥1,500 ¥4,500" in text
    assert "Total ¥4,500" in text and "¥4,500.00" not in text

    dinar = CustomerFactory(organization=org, currency="KWD")
    invoice = invoice_make(org, customer=dinar, lines=[("Survey", "1", "12.345")])
    text = words(org, invoice)
    assert "Total KWD 12.345" in text
    assert "Balance due KWD 12.345" in text


def test_sub_cent_unit_prices_keep_their_digits(org: Organization) -> None:
    invoice = invoice_make(org, lines=[("Kilowatt hours", "1000", "0.1234")])
    assert "1,000 £0.1234 £123.40" in words(org, invoice)


def test_letter_paper_when_the_organization_prints_on_letter(org: Organization) -> None:
    invoice = sample_invoice(org)
    assert pdf_page_size(invoice_pdf(org=org, invoice=invoice)) == pytest.approx(A4, abs=1)
    settings_for(org, paper_size="letter")
    assert pdf_page_size(invoice_pdf(org=org, invoice=invoice)) == pytest.approx(LETTER, abs=1)


def test_a_spanish_customer_reads_spanish(org: Organization) -> None:
    PaymentTerms.objects.create(
        organization=org,
        name="Net 14",
        days=14,
        is_default=True,
        discount_percent=Decimal("2"),
        discount_days=7,
    )
    customer = CustomerFactory(organization=org, language=Language.SPANISH)
    invoice = invoice_make(org, customer=customer, issue_date=date(2027, 3, 1))
    text = words(org, invoice)
    assert "FACTURA" in text and "Saldo pendiente" in text and "Página 1 de 1" in text
    assert "Vence el 15 de marzo de 2027 (14 días)." in text
    assert "2% de descuento si se paga antes del 8 de marzo." in text


def test_the_logo_is_embedded_never_linked(org: Organization) -> None:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0P\x0f\x00\x04\x85\x01\x80"
        b"\x84\xa9\x8c!\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    org.logo.save("logo.png", ContentFile(png))
    html = invoice_pdf_html(org=org, invoice=sample_invoice(org))
    assert 'class="logo" src="data:image/png;base64,' in html
    assert "logos/" not in html


def test_a_credit_note_pdf(org: Organization) -> None:
    vat = TaxRateFactory(organization=org, name="VAT", percent="20")
    invoice = invoice_make(org, lines=[("Consulting", "1", "100.00", [vat])])  # 120 with VAT
    note = credit_note_create(
        org=org, actor=None, invoice=invoice, amount=Decimal("60.00"), reason="Half a day unused"
    )
    invoice.refresh_from_db()
    text = pdf_words(credit_note_pdf(org=org, credit_note=note))
    for expected in (
        "CREDIT NOTE",
        note.number,
        f"For invoice {invoice.number}",
        "Half a day unused",
        "Credit before tax £50.00",
        "VAT (20%) £10.00",
        "Total credit £60.00",
        f"Taken off invoice {invoice.number} £60.00",
    ):
        assert expected in text, expected
    assert "Kept as credit" not in text
    assert credit_note_pdf_filename(note) == f"credit-note-{note.number}.pdf"


def test_credit_on_a_paid_invoice_is_kept_as_customer_credit(org: Organization) -> None:
    invoice = invoice_make(org, lines=[("Consulting", "1", "100.00")])
    # Paid in full (as the payments app will record it): nothing left to take off.
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=Decimal("100.00"), balance_due=0, status=InvoiceStatus.PAID
    )
    invoice.refresh_from_db()
    note = credit_note_create(
        org=org, actor=None, invoice=invoice, amount=Decimal("30.00"), reason="Overcharged"
    )
    text = pdf_words(credit_note_pdf(org=org, credit_note=note))
    assert "Kept as credit on your account £30.00" in text
    assert "Taken off invoice" not in text


def test_filenames_are_safe_whatever_the_prefix(org: Organization) -> None:
    settings_for(org, invoice_prefix="INV/ü #", number_include_year=False)
    invoice = sample_invoice(org)
    assert invoice.number == "INV/ü #0001"
    assert invoice_pdf_filename(invoice) == "invoice-INV-0001.pdf"


# ---- the cache


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = weasyprint.HTML

    def spy(*args: Any, **kwargs: Any) -> Any:
        rendered.append(kwargs["string"])
        return real(*args, **kwargs)

    monkeypatch.setattr(arhub_pdf.weasyprint, "HTML", spy)
    return rendered


def test_downloading_again_does_not_render_again(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = sample_invoice(org)
    rendered = count_renders(monkeypatch)
    first = invoice_pdf(org=org, invoice=invoice)
    second = invoice_pdf(org=org, invoice=invoice)
    assert second == first
    assert len(rendered) == 1


def test_anything_printed_changing_makes_a_new_pdf(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = sample_invoice(org)
    rendered = count_renders(monkeypatch)
    seen = [pdf_words(invoice_pdf(org=org, invoice=invoice))]

    def again() -> str:
        invoice.refresh_from_db()
        org.refresh_from_db()
        text = pdf_words(invoice_pdf(org=org, invoice=invoice))
        assert len(rendered) == len(seen) + 1, "the change did not produce a new PDF"
        seen.append(text)
        return text

    credit_note_create(org=org, actor=None, invoice=invoice, amount=Decimal("32.00"), reason="r")
    assert "Balance due £400.00" in again()  # an amount

    settings_for(org, footer="Now with a footer")
    assert "Now with a footer" in again()  # the settings

    org.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\nnot-really-a-png"))
    again()  # the logo (its bytes are in the HTML)

    org.brand_color = "#b91c1c"
    org.save()
    again()  # the brand colour

    # Unchanged again: served from the cache.
    invoice_pdf(org=org, invoice=invoice)
    assert len(rendered) == len(seen)


def test_a_void_gets_a_new_pdf(org: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    invoice = sample_invoice(org)
    before = invoice_pdf(org=org, invoice=invoice)
    rendered = count_renders(monkeypatch)
    invoice = invoice_void(org=org, actor=None, invoice=invoice)
    after = invoice_pdf(org=org, invoice=invoice)
    assert len(rendered) == 1
    assert after != before
    assert "This invoice has been cancelled" in pdf_words(after)


def test_an_invoice_fetches_only_embedded_images(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetchers = RecordingFetchers(monkeypatch)
    invoice_pdf(org=org, invoice=sample_invoice(org))
    assert fetchers.refused == []
    assert fetchers.allowed == ["data:image/svg+xml"]  # the QR code

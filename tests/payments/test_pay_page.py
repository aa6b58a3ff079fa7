"""The pay page behind the link on an invoice: what the customer sees, the PDF, and every way
a link stops working."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Invoice, InvoiceSettings, Language, PaymentMethod
from invoicing.pay_links import pay_link_revoke, pay_link_url
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words

pytestmark = pytest.mark.django_db

INVALID = "This link is no longer valid"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    org = tenant.org
    org.email_reply_to = "accounts@acme.test"
    org.brand_color = "#0f766e"
    org.save()
    InvoiceSettings.objects.update_or_create(
        organization=org,
        defaults={
            "accepted_methods": [PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE],
            "payment_instructions": "Barclays\nSort code 20-00-00, account 12345678",
        },
    )
    return org


def path_of(org: Organization, invoice: Invoice) -> str:
    return urlsplit(pay_link_url(org=org, invoice=invoice)).path


def text(response: Any) -> str:
    """What the page says, tags left out."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_page_shows_what_is_owed_and_how_to_pay(org: Organization) -> None:
    invoice = invoice_make(
        org, lines=[("Boiler service", "2", "80.00")], issue_date=date(2027, 3, 1)
    )
    response = Client().get(path_of(org, invoice))
    assert response.status_code == 200
    page = text(response)
    for expected in (
        org.name,
        f"Invoice {invoice.number}",
        "Amount due: £160.00",
        "Due date: Mar 31, 2027",  # in the organization's locale (en-US)
        "Due March 31, 2027 (30 days).",
        "We accept: Bank transfer, Cheque",
        "Barclays Sort code 20-00-00, account 12345678",
        "accounts@acme.test",
    ):
        assert expected in page, expected
    html = response.content.decode()
    assert f'href="{path_of(org, invoice)}pdf/"' in html
    assert "--brand: #0f766e" in html


def test_the_token_never_leaks_and_is_never_cached(org: Organization) -> None:
    response = Client().get(path_of(org, invoice_make(org)))
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The brand colour comes in the one style block the CSP nonce admits.
    nonce = re.search(r"style-src[^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in response.content.decode()


@needs_poppler
def test_the_pdf_downloads_from_the_page(org: Organization) -> None:
    invoice = invoice_make(org)
    response = Client().get(path_of(org, invoice) + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert invoice.number in pdf_words(response.content)


def test_a_paid_invoice_says_thank_you(org: Organization) -> None:
    invoice = invoice_make(org)
    credit_note_create(org=org, actor=None, invoice=invoice, amount=None, reason="Settled")
    page = text(Client().get(path_of(org, invoice)))
    assert "Paid in full. Thank you." in page
    assert "Amount due: £0.00" in page
    assert "We accept" not in page


def test_a_spanish_customer_reads_spanish(org: Organization) -> None:
    customer = CustomerFactory(organization=org, language=Language.SPANISH)
    invoice = invoice_make(org, customer=customer, issue_date=date(2027, 3, 1))
    response = Client().get(path_of(org, invoice))
    assert '<html lang="es">' in response.content.decode()
    page = text(response)
    assert "Importe a pagar: £300.00" in page
    assert "Vence el 31 de marzo de 2027 (30 días)." in page


def test_an_unknown_token_names_nobody(org: Organization) -> None:
    for token in ("pNotARealTokenAtAll12", "x", "p" + "A" * 200):
        response = Client().get(reverse("pay_page", args=[token]))
        assert response.status_code == 404
        assert INVALID in text(response)
        assert org.name not in text(response)
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"
        assert Client().get(reverse("pay_page_pdf", args=[token])).status_code == 404


@pytest.mark.parametrize("how", ["void", "written off", "replaced"])
def test_a_dead_link_asks_the_customer_to_contact_the_business(org: Organization, how: str) -> None:
    invoice = invoice_make(org)
    path = path_of(org, invoice)
    if how == "void":
        invoice_void(org=org, actor=None, invoice=invoice)
    elif how == "written off":
        invoice_write_off(org=org, actor=None, invoice=invoice)
    else:
        pay_link_revoke(org=org, invoice=invoice)
    response = Client().get(path)
    assert response.status_code == 404
    page = text(response)
    assert INVALID in page
    assert f"Please contact {org.name} at accounts@acme.test for" in page
    assert invoice.number not in page
    assert Client().get(path + "pdf/").status_code == 404


def test_the_page_only_reads(org: Organization) -> None:
    path = path_of(org, invoice_make(org))
    assert Client().post(path).status_code == 405
    assert Client().head(path).status_code == 200


def test_it_works_signed_in_as_anyone(org: Organization, other_tenant: Tenant) -> None:
    # A member of another business opening the link sees the invoice, not their dashboard.
    invoice = invoice_make(org)
    page = text(other_tenant.client().get(path_of(org, invoice)))
    assert invoice.number in page
    assert other_tenant.org.name not in page


def test_drafts_have_no_page(org: Organization) -> None:
    from invoicing.pay_links import pay_link_active, pay_link_token

    draft = invoice_make(org, issue=False)
    token = pay_link_token(pay_link_active(org=org, invoice=draft))
    assert Client().get(reverse("pay_page", args=[token])).status_code == 404


def test_amounts_follow_the_currency(org: Organization) -> None:
    yen = CustomerFactory(organization=org, currency="JPY")
    invoice = invoice_make(org, customer=yen, lines=[("Tea", "2", "1500")])
    assert "Amount due: ¥3,000" in text(Client().get(path_of(org, invoice)))
    assert Decimal(invoice.balance_due) == 3000

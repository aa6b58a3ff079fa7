"""The statement PDF: the organization's brand, the customer, the as-of date, the open invoices
with their aging and the amount due today, a total per currency and the recent payments, in the
customer's language; downloaded from the statement portal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from arhub import pdf as arhub_pdf
from arhub.models import Organization
from invoicing.models import Customer, Invoice
from payments.statement_pdf import (
    statement_pdf_bytes,
    statement_pdf_filename,
    statement_pdf_html,
)
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_pages, pdf_words
from tests.payments.pay_page_helpers import customer_of, noon, open_statement, pay_part

pytestmark = pytest.mark.django_db

TODAY = date(2027, 4, 12)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    org = tenant.org
    org.address_line1 = "1 Harbour Street"
    org.city = "Bristol"
    org.brand_color = "#0f766e"
    org.save()
    return org


def invoice_for(
    org: Organization, customer: Customer, price: str, issued: date, currency: str = "GBP"
) -> Invoice:
    return invoice_make(
        org,
        customer=customer,
        issue_date=issued,
        currency=currency,
        lines=(("Service visit", "1", price),),
    )


@pytest.fixture
def customer(org: Organization, clock: object) -> Customer:
    customer = customer_of(org, display_name="Harbour Café", billing_address_line1="7 Quay Road")
    first = invoice_for(org, customer, "100.00", date(2027, 3, 1))
    invoice_for(org, customer, "75.50", date(2027, 3, 18))
    invoice_for(org, customer, "60.00", date(2027, 3, 20), currency="EUR")
    pay_part(org, first, "30.00", received_on=date(2027, 4, 2))
    return customer


@needs_poppler
def test_the_statement_pdf_says_what_is_owed(org: Organization, customer: Customer) -> None:
    pdf = statement_pdf_bytes(org=org, customer=customer, today=TODAY)
    words = pdf_words(pdf)
    for expected in (
        org.name,
        "1 Harbour Street",
        "STATEMENT",
        "As of April 12, 2027",
        "Harbour Café",
        "7 Quay Road",
        "Open invoices (GBP)",
        "12 days overdue",
        "£70.00",
        "Due in 5 days",
        "£75.50",
        "Total due in GBP £145.50",
        "Open invoices (EUR)",
        "Total due in EUR €60.00",
        "Recent payments",
        "Apr 2, 2027",
        "£30.00",
    ):
        assert expected in words, expected
    assert pdf_pages(pdf) == 1


def test_the_pdf_fetches_nothing_and_escapes_what_it_prints(
    org: Organization, clock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = customer_of(org, display_name='<img src="file:///etc/passwd">')
    invoice_for(org, hostile, "10.00", date(2027, 4, 1))
    html = statement_pdf_html(org=org, customer=hostile, today=TODAY)
    assert '<img src="file:' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    refused_before = arhub_pdf.fetch_counts["refused"]
    statement_pdf_bytes(org=org, customer=hostile, today=TODAY)
    assert arhub_pdf.fetch_counts["refused"] == refused_before


@needs_poppler
def test_a_spanish_customer_gets_a_spanish_statement(org: Organization, clock: object) -> None:
    customer = customer_of(org, language="es")
    invoice_for(org, customer, "100.00", date(2027, 3, 1))
    words = pdf_words(statement_pdf_bytes(org=org, customer=customer, today=TODAY))
    for expected in ("ESTADO DE CUENTA", "A fecha de 12 de abril de 2027", "vencida hace 12 días"):
        assert expected.lower() in words.lower(), expected


@needs_poppler
def test_it_downloads_from_the_portal(org: Organization, customer: Customer) -> None:
    client = Client()
    target, _ = open_statement(client, org, customer)
    response = client.get(target + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-Harbour-Caf-2027-04-12.pdf"'
    )
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "Harbour Café" in pdf_words(response.content)
    # Without the session, nothing.
    assert Client().get(target + "pdf/").status_code == 404


def test_the_filename_is_safe(org: Organization, clock: object) -> None:
    customer = customer_of(org, display_name='../../etc/"passwd"')
    assert statement_pdf_filename(customer, TODAY) == "statement-etc-passwd-2027-04-12.pdf"

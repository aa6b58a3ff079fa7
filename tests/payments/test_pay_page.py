"""The pay page behind the link on an invoice: what the customer sees (the itemized invoice,
what has been paid, late fees, the early-payment discount, the amount due today, every way to
pay, the receipt once paid), the PDF, and every way a link stops working. Paying online is in
test_pay_checkout_views.py; sessions, headers and rate limits in test_pay_sessions.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Invoice, Language, PaymentMethod
from invoicing.pay_links import pay_link_active, pay_link_revoke, pay_link_token
from invoicing.pdf_context import MINUS
from payments.models import PaymentSettings
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words
from tests.payments.pay_page_helpers import (
    ISSUED,
    accept,
    accept_transfer_and_cheque,
    connect_stripe,
    customer_of,
    discounted_invoice,
    late_fee_invoice,
    noon,
    open_pay_page,
    pay_part,
    pay_path,
    plain_invoice,
    text,
)

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
    org.address_line1 = "1 Harbour Street"
    org.city = "Bristol"
    org.postal_code = "BS1 4ST"
    org.save()
    accept_transfer_and_cheque(org)
    return org


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False) as traveller:
        yield traveller


def page_of(org: Organization, invoice: Invoice, client: Client | None = None) -> str:
    _, response = open_pay_page(client or Client(), org, invoice)
    assert response.status_code == 200
    return text(response)


def test_the_page_shows_what_is_owed_and_how_to_pay(org: Organization, clock: object) -> None:
    invoice = invoice_make(
        org, lines=[("Boiler service", "2", "80.00")], issue_date=date(2027, 3, 1)
    )
    target, response = open_pay_page(Client(), org, invoice)
    assert response.status_code == 200
    page = text(response)
    for expected in (
        org.name,
        f"Invoice {invoice.number} from {org.name}",
        "Amount due today £160.00",
        "Due date: Mar 31, 2027",  # in the organization's locale (en-US)
        "Due in 26 days",
        "Due March 31, 2027 (30 days).",
        # The itemized invoice, as the PDF prints it.
        "Boiler service",
        "£80.00",
        "Total £160.00",
        # Paying without Stripe.
        "Bank transfer",
        "Barclays Sort code 20-00-00, account 12345678",
        f"Please quote {invoice.number} as the payment reference.",
        "Cheque",
        f"Make it payable to {org.name} and post it to: 1 Harbour Street",
        f"Please write {invoice.number} on the back.",
        f"See all your invoices with {org.name}",
        "accounts@acme.test",
    ):
        assert expected in page, expected
    html = response.content.decode()
    assert f'href="{target}pdf/"' in html
    assert f'href="{target}statement/"' in html
    assert "--brand: #0f766e" in html
    # Stripe is not connected: no online payment offered, and no notice about it either.
    assert "Pay online" not in page and "Pay £160.00" not in page
    assert "briefly unavailable" not in page


def test_the_token_never_leaks_and_is_never_cached(org: Organization, clock: object) -> None:
    _, response = open_pay_page(Client(), org, invoice_make(org))
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="referrer" content="no-referrer">' in response.content.decode()
    # The brand colour comes in the one style block the CSP nonce admits.
    nonce = re.search(r"style-src[^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in response.content.decode()
    # No script of ours or anyone's on the page.
    assert "<script" not in response.content.decode()


@needs_poppler
def test_the_pdf_downloads_from_the_page(org: Organization, clock: object) -> None:
    invoice = invoice_make(org)
    client = Client()
    target, _ = open_pay_page(client, org, invoice)
    response = client.get(target + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert invoice.number in pdf_words(response.content)


def test_a_paid_invoice_shows_its_receipt(org: Organization, clock: object) -> None:
    invoice = plain_invoice(org)
    pay_part(org, invoice, "300.00")
    connect_stripe(org)
    page = page_of(org, invoice)
    for expected in (
        "Paid in full — thank you!",
        f"Thank you for your payment, {invoice.customer.display_name}.",
        "Paid on February 1, 2027",
        "Amount £300.00",
        "Method Bank transfer",
        "Download the invoice (PDF)",
    ):
        assert expected in page, expected
    assert "Amount due today" not in page
    assert "Pay £" not in page and "How to pay" not in page


def test_an_invoice_settled_by_a_credit_note_says_thank_you(
    org: Organization, clock: object
) -> None:
    invoice = invoice_make(org)
    credit_note_create(org=org, actor=None, invoice=invoice, amount=None, reason="Settled")
    page = page_of(org, invoice)
    assert "Paid in full — thank you!" in page
    assert "Credit note" in page
    assert "How to pay" not in page


def test_a_partly_paid_invoice_shows_what_was_paid_and_what_is_left(
    org: Organization, clock: object
) -> None:
    invoice = plain_invoice(org)
    pay_part(org, invoice, "100.00")
    page = page_of(org, invoice)
    assert "Amount due today £200.00" in page
    assert "£100.00 paid so far, £200.00 left to pay." in page
    # The breakdown: the total, the payment with its date and method, the balance.
    assert "Invoice total £300.00" in page
    assert f"Paid February 1 (bank transfer) {MINUS}£100.00" in page
    assert "Balance £200.00" in page


def test_the_early_payment_discount_is_explained(org: Organization) -> None:
    invoice = discounted_invoice(org)
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False):
        page = page_of(org, invoice)
    assert "Amount due today £294.00" in page
    assert "Pay £294.00 by March 11 and save £6.00 (2% early-payment discount)." in page
    assert "After March 11 the full £300.00 is due." in page
    assert f"Early-payment discount if paid by March 11 {MINUS}£6.00" in page
    assert "Today is the last day" not in page


def test_the_discount_holds_on_its_last_day_and_not_the_day_after(org: Organization) -> None:
    invoice = discounted_invoice(org)
    with time_machine.travel(noon(date(2027, 3, 11)), tick=False):
        page = page_of(org, invoice)
    assert "Amount due today £294.00" in page
    assert "Today is the last day of the discount." in page
    with time_machine.travel(noon(date(2027, 3, 12)), tick=False):
        page = page_of(org, invoice)
    assert "Amount due today £300.00" in page
    assert "save" not in page and "early-payment discount" not in page.lower()


def test_late_fees_are_listed_with_their_date_and_rule(org: Organization) -> None:
    with time_machine.travel(noon(date(2027, 5, 2)), tick=False):
        invoice = late_fee_invoice(org, charged_through=date(2027, 5, 2))
        assert invoice.fees_total > 0
        page = page_of(org, invoice)
    fees = list(invoice.late_fees.order_by("charged_on"))
    assert len(fees) == 2
    assert "32 days overdue" in page
    total = invoice.total + invoice.fees_total
    assert f"Amount due today £{total:,.2f}" in page
    for fee in fees:
        day = f"{fee.charged_on:%B} {fee.charged_on.day}"
        assert f"Late fee, {day} {fee.rule} £{fee.amount:,.2f}" in page


def test_payment_options_follow_the_settings(org: Organization, clock: object) -> None:
    PaymentSettings.objects.create(
        organization=org,
        cheque_payable_to="Acme Plumbing Ltd",
        cheque_address="PO Box 12\nBristol BS99 1AA",
    )
    accept(org, PaymentMethod.CHEQUE, PaymentMethod.CASH)
    page = page_of(org, plain_invoice(org))
    assert "Make it payable to Acme Plumbing Ltd and post it to: PO Box 12 Bristol BS99 1AA" in page
    assert "We also accept: Cash." in page
    assert "Bank transfer" not in page

    accept(org, PaymentMethod.BANK_TRANSFER)  # without instructions
    page = page_of(org, plain_invoice(org))
    assert f"Please ask {org.name} for their bank details." in page
    assert "Cheque" not in page


def test_a_spanish_customer_reads_spanish(org: Organization, clock: object) -> None:
    customer = CustomerFactory(organization=org, language=Language.SPANISH)
    invoice = invoice_make(org, customer=customer, issue_date=date(2027, 3, 1))
    _, response = open_pay_page(Client(), org, invoice)
    assert '<html lang="es">' in response.content.decode()
    page = text(response)
    for expected in (
        f"Factura {invoice.number} de {org.name}",
        "Importe a pagar hoy £300.00",
        "Vence en 26 días",
        "Vence el 31 de marzo de 2027 (30 días).",
        "Transferencia bancaria",
        f"Indique {invoice.number} como referencia del pago.",
        "Descargar la factura (PDF)",
        f"Vea todas sus facturas con {org.name}",
    ):
        assert expected in page, expected


def test_an_unknown_token_names_nobody(org: Organization) -> None:
    for token in ("pNotARealTokenAtAll12", "x", "p" + "A" * 200):
        response = Client().get(reverse("pay_page", args=[token]))
        assert response.status_code == 404
        assert INVALID in text(response)
        assert org.name not in text(response)
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("how", ["void", "written off", "replaced"])
def test_a_dead_link_asks_the_customer_to_contact_the_business(org: Organization, how: str) -> None:
    invoice = invoice_make(org)
    path = pay_path(org, invoice)
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


def test_the_link_only_reads(org: Organization) -> None:
    path = pay_path(org, invoice_make(org))
    assert Client().post(path).status_code == 405
    assert Client().head(path).status_code == 302


def test_it_works_signed_in_as_anyone(
    org: Organization, other_tenant: Tenant, clock: object
) -> None:
    # A member of another business opening the link sees the invoice, not their dashboard.
    invoice = invoice_make(org)
    page = page_of(org, invoice, client=other_tenant.client())
    assert invoice.number in page
    assert other_tenant.org.name not in page


def test_drafts_have_no_page(org: Organization) -> None:
    draft = invoice_make(org, issue=False)
    token = pay_link_token(pay_link_active(org=org, invoice=draft))
    assert Client().get(reverse("pay_page", args=[token])).status_code == 404


def test_amounts_follow_the_currency(org: Organization, clock: object) -> None:
    yen = CustomerFactory(organization=org, currency="JPY")
    invoice = invoice_make(org, customer=yen, lines=[("Tea", "2", "1500")])
    assert "Amount due today ¥3,000" in page_of(org, invoice)
    assert Decimal(invoice.balance_due) == 3000


def test_the_page_reads_well_on_a_phone(org: Organization, clock: object) -> None:
    """The structure a screen reader and a small screen rely on: one h1, headed sections,
    a table whose cells say what they are when stacked, and no inline style or script."""
    invoice = discounted_invoice(org, customer=customer_of(org))
    pay_part(org, invoice, "50.00")
    _, response = open_pay_page(Client(), org, invoice)
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'class="skip-link" href="#main"' in html
    assert re.search(r'<td data-label="Description"', html)
    assert " style=" not in html and "<script" not in html
    for heading in ("What is owed", "What this invoice is for", "How to pay"):
        assert f">{heading}</h2>" in html, heading


def test_a_late_discounted_invoice_issued_before_today(org: Organization) -> None:
    # Issued and discounted far in the past: nothing of the old window shows.
    invoice = discounted_invoice(org)
    with time_machine.travel(noon(ISSUED + timedelta(days=60)), tick=False):
        page = page_of(org, invoice)
    assert "30 days overdue" in page
    assert "discount" not in page.replace("2% discount if paid by", "")

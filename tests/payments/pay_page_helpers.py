"""Shared by the pay page, pay session, checkout-return and statement tests: opening a link the
way a customer's browser does (following the token exchange), reading a page as text, and
invoices with an early-payment discount, late fees or part payments."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.test import Client

from arhub.models import Organization
from arhub.secret_box import secret_encrypt
from invoicing.models import Customer, Invoice, InvoiceSettings
from invoicing.models import PaymentMethod as AcceptedMethod
from invoicing.pay_links import pay_link_url
from payments.late_fee_services import late_fees_apply
from payments.models import PaymentMethod, PaymentSettings
from payments.services import AllocationInput, payment_record
from payments.statement_links import statement_link_url
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.stripe_server import TEST_KEY

# 2027-03-01 is the issue date of the invoices below; noon in London.
ISSUED = date(2027, 3, 1)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/London"))


def text(response: Any) -> str:
    """What the page says, tags left out, white space squeezed."""
    body = response.content.decode()
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).replace("\xa0", " ")


def pay_path(org: Organization, invoice: Invoice) -> str:
    return urlsplit(pay_link_url(org=org, invoice=invoice)).path


def statement_path(org: Organization, customer: Customer) -> str:
    return urlsplit(statement_link_url(org=org, customer=customer)).path


def open_link(client: Client, path: str) -> tuple[str, Any]:
    """Follow the emailed link: the token's address answers a redirect to the page's own
    address (returned), which is then opened."""
    exchange = client.get(path)
    assert exchange.status_code == 302, (exchange.status_code, text(exchange)[:300])
    page_path = exchange["Location"]
    return page_path, client.get(page_path)


def open_pay_page(client: Client, org: Organization, invoice: Invoice) -> tuple[str, Any]:
    return open_link(client, pay_path(org, invoice))


def open_statement(client: Client, org: Organization, customer: Customer) -> tuple[str, Any]:
    return open_link(client, statement_path(org, customer))


def accept(org: Organization, *methods: str, instructions: str = "") -> None:
    InvoiceSettings.objects.update_or_create(
        organization=org,
        defaults={"accepted_methods": list(methods), "payment_instructions": instructions},
    )


def accept_transfer_and_cheque(org: Organization) -> None:
    accept(
        org,
        AcceptedMethod.BANK_TRANSFER,
        AcceptedMethod.CHEQUE,
        instructions="Barclays\nSort code 20-00-00, account 12345678",
    )


def connect_stripe(org: Organization, key: str = TEST_KEY, **options: object) -> PaymentSettings:
    settings, _ = PaymentSettings.objects.update_or_create(
        organization=org,
        defaults={
            "stripe_secret_key": secret_encrypt(key),
            "stripe_webhook_secret": secret_encrypt("whsec_test"),
            **options,
        },
    )
    return settings


def customer_of(org: Organization, **fields: object) -> Customer:
    customer: Customer = CustomerFactory(organization=org, **{"language": "en", **fields})
    ContactFactory(customer=customer, email="payer@example.test", is_primary=True)
    return customer


def plain_invoice(
    org: Organization, *, customer: Customer | None = None, price: str = "150.00"
) -> Invoice:
    """£300.00, net 30 from March 1: due March 31, 2027; no discount, no late fee."""
    return invoice_make(
        org,
        customer=customer or customer_of(org),
        issue_date=ISSUED,
        lines=(("Boiler service", "2", price),),
    )


def discounted_invoice(org: Organization, *, customer: Customer | None = None) -> Invoice:
    """£300.00 on 2/10 net 30: £294.00 up to and including March 11, 2027."""
    terms = PaymentTermsFactory(
        organization=org, name="2/10 net 30", discount_percent=2, discount_days=10
    )
    return invoice_make(
        org,
        customer=customer or customer_of(org),
        issue_date=ISSUED,
        lines=(("Boiler service", "2", "150.00"),),
        payment_terms_id=terms.pk,
    )


def late_fee_invoice(org: Organization, *, charged_through: date) -> Invoice:
    """£300.00 net 30 with 1.5% a month after the due date; fees charged up to the day."""
    terms = PaymentTermsFactory(
        organization=org,
        name="Net 30, 1.5% late",
        late_fee_kind="percent",
        late_fee_percent=Decimal("1.5"),
    )
    invoice = invoice_make(
        org,
        customer=customer_of(org),
        issue_date=ISSUED,
        lines=(("Boiler service", "2", "150.00"),),
        payment_terms_id=terms.pk,
    )
    late_fees_apply(org=org, day=charged_through)
    invoice.refresh_from_db()
    return invoice


def pay_part(
    org: Organization,
    invoice: Invoice,
    amount: str,
    *,
    received_on: date = date(2027, 2, 1),
    method: str = PaymentMethod.BANK_TRANSFER,
) -> None:
    payment_record(
        org=org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=Decimal(amount),
        currency=invoice.currency,
        method=method,
        received_on=received_on,
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal(amount))],
    )
    invoice.refresh_from_db()

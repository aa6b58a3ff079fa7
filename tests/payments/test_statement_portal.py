"""The customer's statement portal: every open invoice with its aging and the amount due today,
several paid in one Checkout (one currency at a time), the payment history, each invoice's PDF,
and nothing of anyone else's, whatever the form says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from arhub.models import Organization
from invoicing.models import Customer, Invoice
from payments.models import CheckoutSession
from payments.statement_links import statement_link_revoke
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.pay_page_helpers import (
    ISSUED,
    accept_transfer_and_cheque,
    connect_stripe,
    customer_of,
    discounted_invoice,
    noon,
    open_pay_page,
    open_statement,
    pay_part,
    statement_path,
    text,
)
from tests.stripe_server import StripeStandIn

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
    accept_transfer_and_cheque(tenant.org)
    return tenant.org


def invoice_for(
    org: Organization,
    customer: Customer,
    price: str,
    *,
    issued: date = ISSUED,
    currency: str = "GBP",
) -> Invoice:
    return invoice_make(
        org,
        customer=customer,
        issue_date=issued,
        currency=currency,
        lines=(("Service visit", "1", price),),
    )


@pytest.fixture
def customer(org: Organization) -> Customer:
    return customer_of(org, display_name="Harbour Café")


@pytest.fixture
def invoices(org: Organization, customer: Customer, clock: object) -> list[Invoice]:
    """Three open invoices: due March 31 (12 days overdue), April 10 (2 days overdue),
    April 17 (due in 5 days); one paid, which the statement leaves out."""
    made = [
        invoice_for(org, customer, "100.00", issued=date(2027, 3, 1)),
        invoice_for(org, customer, "250.00", issued=date(2027, 3, 11)),
        invoice_for(org, customer, "75.50", issued=date(2027, 3, 18)),
    ]
    paid = invoice_for(org, customer, "40.00", issued=date(2027, 2, 1))
    pay_part(org, paid, "40.00")
    return made


def test_the_statement_lists_every_open_invoice_with_its_aging(
    org: Organization, customer: Customer, invoices: list[Invoice]
) -> None:
    connect_stripe(org)
    target, response = open_statement(Client(), org, customer)
    assert target.startswith("/statement/v/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    for expected in (
        f"Your account with {org.name}",
        "Harbour Café · As of April 12, 2027",
        "Open invoices (GBP)",
        f"Pay invoice {invoices[0].number} PDF {invoices[0].number} Mar 1, 2027 "
        "Mar 31, 2027 12 days overdue £100.00",
        "2 days overdue £250.00",
        "Due in 5 days £75.50",
        "Total due in GBP £425.50",
        "Pay the selected invoices (GBP)",
        "Download statement (PDF)",
        "Payment history",
    ):
        assert expected in page, expected
    # The paid one is history, not an open invoice.
    assert page.count("£40.00") == 1


def test_payment_history_newest_first_with_the_invoices_paid(
    org: Organization, customer: Customer, invoices: list[Invoice]
) -> None:
    pay_part(org, invoices[0], "30.00", received_on=date(2027, 4, 2), method="stripe")
    _, response = open_statement(Client(), org, customer)
    page = text(response)
    history = page[page.index("Payment history") :]
    newest = f"Apr 2, 2027 Card, online {invoices[0].number} £30.00"
    oldest = "Feb 1, 2027 Bank transfer"
    assert newest in history and oldest in history
    assert history.index(newest) < history.index(oldest)


def test_several_invoices_are_paid_in_one_checkout(
    org: Organization,
    customer: Customer,
    invoices: list[Invoice],
    stripe_api: StripeStandIn,
) -> None:
    connect_stripe(org)
    client = Client()
    target, page = open_statement(client, org, customer)
    html = page.content.decode()
    # Every open invoice is ticked to start with; each checkbox is labelled by its number.
    for invoice in invoices:
        assert f'value="{invoice.pk}" id="pick-{invoice.pk}" checked' in html
        assert f'<label for="pick-{invoice.pk}">' in html

    chosen = [invoices[0].pk, invoices[2].pk]
    response = client.post(target, {"currency": "GBP", "invoice": chosen})
    assert response.status_code == 302
    row = CheckoutSession.objects.for_org(org).get()
    assert response["Location"] == row.url
    assert row.customer_id == customer.pk
    assert row.amount == Decimal("175.50")
    assert row.allocations == [
        {"invoice": invoices[0].pk, "amount": "100.00"},
        {"invoice": invoices[2].pk, "amount": "75.50"},
    ]
    [create] = stripe_api.checkout_creates()
    assert [i["price_data"]["unit_amount"] for i in create.params["line_items"]] == [
        "10000",
        "7550",
    ]


def test_the_discount_open_today_is_what_the_statement_charges(
    org: Organization, customer: Customer, stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    invoice = discounted_invoice(org, customer=customer)
    client = Client()
    with time_machine.travel(noon(ISSUED + timedelta(days=4)), tick=False):
        target, page = open_statement(client, org, customer)
        assert "£294.00 with 2% discount until March 11" in text(page)
        client.post(target, {"currency": "GBP", "invoice": [invoice.pk]})
    assert CheckoutSession.objects.for_org(org).get().amount == Decimal("294.00")


def test_another_customers_invoice_ids_are_refused_and_nothing_is_made(
    org: Organization,
    customer: Customer,
    invoices: list[Invoice],
    other_tenant: Tenant,
    stripe_api: StripeStandIn,
) -> None:
    connect_stripe(org)
    neighbour = invoice_for(org, customer_of(org), "999.00")
    foreign = invoice_for(other_tenant.org, customer_of(other_tenant.org), "888.00")
    draft = invoice_make(org, customer=customer, issue=False)
    client = Client()
    target, _ = open_statement(client, org, customer)
    for strangers in ([neighbour.pk], [foreign.pk], [invoices[0].pk, neighbour.pk], [draft.pk]):
        response = client.post(target, {"currency": "GBP", "invoice": strangers})
        assert response.status_code == 200
        page = text(response)
        assert "One of the invoices you chose cannot be paid here." in page
        assert neighbour.number not in page and "888" not in page
    for bad in ({"currency": "GBP"}, {"currency": "GBP", "invoice": ["x"]}):
        assert client.post(target, bad).status_code == 200
    assert "Choose at least one invoice to pay." in text(client.post(target, {"currency": "GBP"}))
    response = client.post(target, {"currency": "EUR", "invoice": [invoices[0].pk]})
    assert "cannot be paid here" in text(response)
    assert not CheckoutSession.objects.exists()
    assert stripe_api.checkout_creates() == []


def test_one_currency_at_a_time(
    org: Organization, customer: Customer, invoices: list[Invoice], stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    euro = invoice_for(org, customer, "60.00", currency="EUR")
    client = Client()
    target, page = open_statement(client, org, customer)
    assert "Open invoices (EUR)" in text(page) and "Total due in EUR €60.00" in text(page)
    # A GBP list cannot smuggle in the euro invoice.
    response = client.post(target, {"currency": "GBP", "invoice": [invoices[0].pk, euro.pk]})
    assert "cannot be paid here" in text(response)
    assert client.post(target, {"currency": "EUR", "invoice": [euro.pk]}).status_code == 302
    assert CheckoutSession.objects.for_org(org).get().currency == "EUR"


def test_stripe_down_on_the_statement(
    org: Organization, customer: Customer, invoices: list[Invoice], stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    stripe_api.fail_with = 503
    client = Client()
    target, _ = open_statement(client, org, customer)
    response = client.post(target, {"currency": "GBP", "invoice": [invoices[0].pk]})
    page = text(response)
    assert "Card payment is briefly unavailable — you can pay by bank transfer or cheque" in page
    assert "Please quote the invoice numbers as the payment reference." in page


def test_coming_back_from_checkout_lands_on_the_statement(
    org: Organization, customer: Customer, invoices: list[Invoice], stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    client = Client()
    target, _ = open_statement(client, org, customer)
    client.post(target, {"currency": "GBP", "invoice": [invoices[1].pk]})
    row = CheckoutSession.objects.for_org(org).get()
    assert client.get(reverse("checkout_return", args=[row.pk]))["Location"] == target
    assert "your payment is being confirmed" in text(client.get(target))


def test_each_invoice_pdf_is_the_customers_own(
    org: Organization, customer: Customer, invoices: list[Invoice], other_tenant: Tenant
) -> None:
    client = Client()
    target, _ = open_statement(client, org, customer)
    key = target.strip("/").split("/")[-1]
    response = client.get(reverse("statement_invoice_pdf", args=[key, invoices[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    neighbour = invoice_for(org, customer_of(org), "999.00")
    foreign = invoice_for(other_tenant.org, customer_of(other_tenant.org), "888.00")
    for pk in (neighbour.pk, foreign.pk):
        response = client.get(reverse("statement_invoice_pdf", args=[key, pk]))
        assert response.status_code == 404
        assert "999" not in text(response) and other_tenant.org.name not in text(response)


def test_the_pay_page_leads_to_the_statement(
    org: Organization, customer: Customer, invoices: list[Invoice]
) -> None:
    client = Client()
    target, page = open_pay_page(client, org, invoices[0])
    assert f"See all your invoices with {org.name}" in text(page)
    response = client.get(target + "statement/")
    assert response.status_code == 302
    statement = client.get(response["Location"])
    assert f"Your account with {org.name}" in text(statement)
    assert invoices[2].number in text(statement)


def test_a_revoked_statement_link_opens_nothing(
    org: Organization, customer: Customer, invoices: list[Invoice]
) -> None:
    path = statement_path(org, customer)
    client = Client()
    target, _ = open_statement(client, org, customer)
    statement_link_revoke(org=org, customer=customer)
    for url in (path, target, target + "pdf/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "This link is no longer valid" in text(response)
        assert invoices[0].number not in text(response)


def test_nothing_owed_says_thank_you(org: Organization, customer: Customer, clock: object) -> None:
    page = text(open_statement(Client(), org, customer)[1])
    assert "Nothing is owed. Thank you!" in page
    assert "No payments yet." in page


def test_a_spanish_customer_reads_spanish(org: Organization, clock: object) -> None:
    customer = customer_of(org, language="es")
    invoice_for(org, customer, "100.00")
    _, response = open_statement(Client(), org, customer)
    assert '<html lang="es">' in response.content.decode()
    page = text(response)
    for expected in (
        f"Su cuenta con {org.name}",
        "A fecha de 12 de abril de 2027",
        "Facturas pendientes (GBP)",
        "vencida hace 12 días",
        "Historial de pagos",
        "Descargar el estado de cuenta (PDF)",
    ):
        assert expected.lower() in page.lower(), expected


def test_another_sites_form_pays_nothing(
    org: Organization, customer: Customer, invoices: list[Invoice], stripe_api: StripeStandIn
) -> None:
    connect_stripe(org)
    client = Client(enforce_csrf_checks=True)
    target, _ = open_statement(client, org, customer)
    data = {"currency": "GBP", "invoice": [invoices[0].pk]}
    headers = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert client.post(target, data, headers=headers).status_code == 200
    assert not CheckoutSession.objects.exists()
    headers["Sec-Fetch-Site"] = "same-origin"
    assert client.post(target, data, headers=headers).status_code == 302

"""The customer page's money: open balance and credit per currency, the latest invoices with
links to the invoice list and editor, upcoming recurring invoices, invoices and credit notes on
the timeline; and the customer's payment terms in the form and the API."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing.credit_services import credit_note_create
from invoicing.models import Customer, CustomerCredit, RecurringInvoice, RecurringStatus
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make
from tests.invoicing.test_customer_views import customer_post

pytestmark = pytest.mark.django_db

TODAY = "2027-03-10 12:00 +00:00"


def text(response: Any) -> str:
    return unescape(response.content.decode())


def words(response: Any) -> str:
    page = text(response)
    page = page[page.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def customer_make(org: Any, **fields: Any) -> Customer:
    customer = CustomerFactory(organization=org, **fields)
    ContactFactory(customer=customer)
    return customer


def recurring_make(org: Any, customer: Customer, **fields: Any) -> RecurringInvoice:
    values: dict[str, Any] = {
        "name": "Monthly maintenance",
        "currency": customer.currency,
        "frequency": "monthly",
        "start_date": date(2027, 1, 1),
        "next_date": date(2027, 4, 1),
        "lines": [{"description": "Maintenance", "quantity": "2", "unit_price": "250.00"}],
    }
    values.update(fields)
    return RecurringInvoice.objects.create(organization=org, customer=customer, **values)


# --------------------------------------------------------------------------------------------
# Balances and credit


@time_machine.travel(TODAY, tick=False)
def test_open_balance_overdue_and_credit_per_currency(tenant, other_tenant):
    customer = customer_make(tenant.org, display_name="Harbour Tiles", currency="GBP")
    invoice_make(tenant.org, customer=customer, issue_date=date(2027, 1, 5))  # due 4 Feb
    invoice_make(tenant.org, customer=customer, lines=[("Tiles", "1", "99.50")])
    invoice_make(tenant.org, customer=customer, currency="EUR", lines=[("Grout", "3", "10.00")])
    invoice_make(tenant.org, customer=customer, issue=False)  # a draft owes nothing
    for currency, amount in [("GBP", "10.00"), ("GBP", "-4.00"), ("EUR", "5.00")]:
        CustomerCredit.objects.create(
            organization=tenant.org, customer=customer, currency=currency, amount=Decimal(amount)
        )
    # Another organization's customer's money is not this one's.
    theirs = customer_make(other_tenant.org)
    invoice_make(other_tenant.org, customer=theirs)

    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    tiles = page[page.index('class="tiles"') : page.index('id="invoices"')]
    assert re.search(r'class="figure">30\.00 <span class="unit">EUR', tiles)
    assert re.search(r'class="figure">399\.50 <span class="unit">GBP', tiles)
    assert "Overdue: 300.00 GBP" in tiles
    assert re.search(r'class="figure">6\.00 <span class="unit">GBP', tiles)
    assert re.search(r'class="figure">5\.00 <span class="unit">EUR', tiles)


def test_a_customer_without_invoices_owes_nothing_in_its_currency(tenant):
    customer = customer_make(tenant.org, currency="JPY")
    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    assert re.search(r'class="figure">0 <span class="unit">JPY', page)
    assert "No open invoices." in page
    assert "No invoices yet." in page
    assert 'id="recurring"' not in page


# --------------------------------------------------------------------------------------------
# The invoices section


@time_machine.travel(TODAY, tick=False)
def test_the_latest_ten_invoices_with_links(tenant, other_tenant):
    customer = customer_make(tenant.org, display_name="Harbour Tiles")
    made = [
        invoice_make(tenant.org, customer=customer, lines=[(f"Job {n}", "1", "10.00")])
        for n in range(12)
    ]
    overdue = invoice_make(tenant.org, customer=customer, issue_date=date(2027, 1, 1))
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    invoice_make(other_tenant.org, customer=customer_make(other_tenant.org))

    response = tenant.client().get(f"/customers/{customer.pk}/")
    page = text(response)
    invoices = section(page, "invoices")
    links = re.findall(r'href="/invoices/(\d+)/">', invoices)
    newest = [draft, overdue, *reversed(made)][:10]
    assert [int(pk) for pk in links] == [i.pk for i in newest]
    assert f'href="/invoices/{draft.pk}/">Draft</a>' in invoices
    assert f'href="/invoices/{overdue.pk}/">{overdue.number}</a>' in invoices
    row = invoices[invoices.index(overdue.number) :]
    assert re.search(r'class="badge warn">Overdue<', row[: row.index("</tr>")])
    assert f'href="/invoices/?customer={customer.pk}">All invoices' in invoices
    assert f'href="/invoices/new/?customer={customer.pk}">New invoice' in invoices
    assert "The latest 10." in invoices
    assert made[0].number not in invoices  # the oldest are on the invoice list


def test_read_only_roles_see_invoices_but_no_new_invoice_button(tenant):
    customer = customer_make(tenant.org)
    invoice = invoice_make(tenant.org, customer=customer)
    page = text(tenant.client(Role.VIEWER).get(f"/customers/{customer.pk}/"))
    invoices = section(page, "invoices")
    assert invoice.number in invoices
    assert "/invoices/new/" not in invoices


@time_machine.travel(TODAY, tick=False)
def test_upcoming_recurring_invoices_with_an_estimate(tenant):
    customer = customer_make(tenant.org, display_name="Harbour Tiles")
    vat = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    later = recurring_make(
        tenant.org,
        customer,
        name="Yearly audit",
        frequency="yearly",
        next_date=date(2027, 12, 1),
        lines=[{"description": "Audit", "quantity": "1", "unit_price": "99.99"}],
    )
    sooner = recurring_make(
        tenant.org,
        customer,
        lines=[
            {"description": "Care", "quantity": "2", "unit_price": "250.00",
             "tax_rate_ids": [vat.pk]},
        ],
    )  # fmt: skip
    recurring_make(tenant.org, customer, name="Paused plan", status=RecurringStatus.PAUSED)
    recurring_make(tenant.org, customer_make(tenant.org), name="Someone else's plan")
    recurring_make(tenant.org, customer, name="Broken", lines=[{"quantity": "x"}])

    page = text(tenant.client().get(f"/customers/{customer.pk}/"))
    upcoming = section(page, "recurring")
    names = re.findall(r'href="/recurring/(\d+)/">([^<]+)</a>', upcoming)
    # Soonest first.
    assert [name for _, name in names] == ["Monthly maintenance", "Broken", "Yearly audit"]
    assert int(names[0][0]) == sooner.pk and int(names[2][0]) == later.pk
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", upcoming))
    assert "Monthly maintenance Monthly 1 Apr 2027 600.00 GBP" in flat
    assert "Yearly audit Yearly 1 Dec 2027 99.99 GBP" in flat
    assert "Broken Monthly 1 Apr 2027 —" in flat  # a line that cannot be read: no estimate
    assert "Paused plan" not in page and "Someone else" not in page


# --------------------------------------------------------------------------------------------
# The timeline


@time_machine.travel(TODAY, tick=False)
def test_invoices_issued_and_credit_notes_are_on_the_timeline(tenant):
    customer = customer_make(tenant.org)
    with time_machine.travel("2027-03-01 09:00 +00:00", tick=False):
        invoice = invoice_make(tenant.org, customer=customer)
    with time_machine.travel("2027-03-05 09:00 +00:00", tick=False):
        note = credit_note_create(
            org=tenant.org,
            actor=tenant.user(),
            invoice=invoice,
            amount=Decimal("50.00"),
            reason="Two tiles arrived cracked",
        )
    invoice_make(tenant.org, customer=customer, issue=False)  # a draft was never issued

    timeline = words(tenant.client().get(f"/customers/{customer.pk}/")).split("Timeline", 1)[1]
    credit_at = timeline.index(f"Credit note {note.number} on {invoice.number}")
    issued_at = timeline.index(f"Invoice {invoice.number} issued")
    assert credit_at < issued_at  # newest first
    assert "50.00 GBP" in timeline and "Two tiles arrived cracked" in timeline
    assert "300.00 GBP, due 31 Mar 2027" in timeline
    assert timeline.count(" issued ") == 1


def test_customer_page_queries_do_not_grow_with_invoices(tenant):
    customer = customer_make(tenant.org)
    vat = TaxRateFactory(organization=tenant.org, name="VAT")

    def page_queries() -> int:
        cache.clear()
        client = tenant.client()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(queries)

    def add() -> None:
        invoice = invoice_make(tenant.org, customer=customer, lines=[("Work", "1", "100", [vat])])
        credit_note_create(
            org=tenant.org, actor=None, invoice=invoice, amount=Decimal("10"), reason="Sorry"
        )
        CustomerCredit.objects.create(
            organization=tenant.org, customer=customer, currency="GBP", amount=Decimal(1)
        )
        recurring_make(
            tenant.org,
            customer,
            lines=[
                {"description": "x", "quantity": "1", "unit_price": "5", "tax_rate_ids": [vat.pk]}
            ],
        )

    add()
    few = page_queries()
    for _ in range(5):
        add()
    assert page_queries() == few


# --------------------------------------------------------------------------------------------
# Payment terms on the customer


def test_the_form_offers_this_organizations_terms_and_saves_them(tenant, other_tenant):
    PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14, is_default=True)
    mine = PaymentTermsFactory(organization=tenant.org, name="2/10 net 30")
    theirs = PaymentTermsFactory(organization=other_tenant.org, name="Zenith terms")
    client = tenant.client()
    form = text(client.get("/customers/new/"))
    assert '<option value="" selected>Your default (Net 14)</option>' in form
    assert f'<option value="{mine.pk}">2/10 net 30</option>' in form
    assert "Zenith terms" not in form

    response = client.post(
        "/customers/new/", customer_post(payment_terms=str(mine.pk), payment_terms_days="")
    )
    assert response.status_code == 302
    customer = Customer.objects.get(display_name="Harbour Tiles")
    assert customer.payment_terms_id == mine.pk
    page = words(client.get(f"/customers/{customer.pk}/"))
    assert "Payment terms 2/10 net 30" in page
    edit = client.get(f"/customers/{customer.pk}/edit/")
    assert edit.context["form"]["payment_terms"].value() == mine.pk

    # Another organization's terms are not a choice.
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        customer_post(payment_terms=str(theirs.pk), payment_terms_days=""),
    )
    assert response.status_code == 200
    assert "valid choice" in " ".join(response.context["form"].errors["payment_terms"])
    customer.refresh_from_db()
    assert customer.payment_terms_id == mine.pk


def test_named_terms_or_net_days_not_both(tenant):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14)
    response = tenant.client().post(
        "/customers/new/", customer_post(payment_terms=str(terms.pk), payment_terms_days="45")
    )
    assert response.status_code == 200
    assert "not both" in " ".join(response.context["form"].errors["payment_terms_days"])
    assert not Customer.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_page_explains_the_terms_the_customer_gets(tenant):
    tenant.org.locale = "en-GB"
    tenant.org.save()
    PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14, is_default=True)
    by_default = customer_make(tenant.org)
    own_days = customer_make(tenant.org, payment_terms_days=45)
    client = tenant.client()
    page = words(client.get(f"/customers/{by_default.pk}/"))
    assert "Payment terms Net 14 Your default terms. Due 24 March 2027 (14 days)." in page
    page = words(client.get(f"/customers/{own_days.pk}/"))
    assert "Payment terms Net 45 Due 24 April 2027 (45 days)." in page


def api(tenant: Any, method: str, url: str, body: Any = None) -> Any:
    return tenant.api().generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_the_api_reads_and_writes_named_terms(tenant, other_tenant):
    mine = PaymentTermsFactory(organization=tenant.org, name="Net 14")
    theirs = PaymentTermsFactory(organization=other_tenant.org, name="Zenith terms")
    created = api(tenant, "POST", "/api/v1/customers/", {"name": "Quay", "payment_terms": mine.pk})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["payment_terms"], data["payment_terms_days"]) == (mine.pk, None)
    url = f"/api/v1/customers/{data['id']}/"

    # Another organization's terms are answered as if they did not exist, naming the field.
    refused = api(tenant, "PATCH", url, {"payment_terms": theirs.pk})
    assert refused.status_code == 400
    assert "no such payment terms" in refused.json()["payment_terms"][0]
    both = api(tenant, "PATCH", url, {"payment_terms": mine.pk, "payment_terms_days": 30})
    assert both.status_code == 400 and "not both" in both.json()["payment_terms_days"][0]
    assert Customer.objects.get(pk=data["id"]).payment_terms_id == mine.pk

    # Clients that predate named terms never send them: a PATCH or a PUT without them keeps
    # them...
    assert api(tenant, "PATCH", url, {"notes": "Pays Fridays"}).json()["payment_terms"] == mine.pk
    assert api(tenant, "PUT", url, {"name": "Quay"}).json()["payment_terms"] == mine.pk
    # ...and net days replace them, as net days always set the customer's terms.
    days = api(tenant, "PATCH", url, {"payment_terms_days": 45}).json()
    assert (days["payment_terms"], days["payment_terms_days"]) == (None, 45)
    named = api(tenant, "PATCH", url, {"payment_terms": mine.pk, "payment_terms_days": None})
    assert (named.json()["payment_terms"], named.json()["payment_terms_days"]) == (mine.pk, None)
    # What was read can be sent back.
    read = api(tenant, "GET", url).json()
    body = {k: v for k, v in read.items() if k not in {"contacts", "email", "phone"}}
    assert api(tenant, "PUT", url, body).status_code == 200
    cleared = api(tenant, "PATCH", url, {"payment_terms": None})
    assert (cleared.json()["payment_terms"], cleared.json()["payment_terms_days"]) == (None, None)


def test_the_api_open_balance_counts_invoices_in_the_customers_currency(tenant):
    customer = customer_make(tenant.org, display_name="Quay", currency="GBP")
    invoice_make(tenant.org, customer=customer, lines=[("Tiles", "1", "99.50")])
    invoice_make(tenant.org, customer=customer, currency="EUR")
    invoice_make(tenant.org, customer=customer, issue=False)
    listed = api(tenant, "GET", "/api/v1/customers/").json()["results"]
    assert [row["open_balance"] for row in listed] == ["99.50"]
    one = api(tenant, "GET", f"/api/v1/customers/{customer.pk}/").json()
    assert one["open_balance"] == "99.50"

"""Recording a payment from the dashboard (/payments/new/): the customer picker without
JavaScript, the open-invoice table, automatic and chosen allocation, every bad input of the
issue shown on its field or row with nothing saved, roles and other organizations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentAllocation
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import open_invoices_bulk

pytestmark = pytest.mark.django_db

URL = "/payments/new/"
TODAY = date(2027, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2027-03-10 12:00:00+00:00", tick=False):
        yield


def form(who, /, **fields: Any) -> dict[str, Any]:
    data = {
        "_action": "save",
        "customer": str(who.pk),
        "currency_customer": str(who.pk),
        "customer_search": "",
        "amount": "100.00",
        "currency": who.currency,
        "method": "cheque",
        "received_on": "2027-03-09",
        "reference": "CHQ-1001",
        "allocation": "auto",
    }
    data.update(fields)
    return data


def nothing_saved(tenant) -> None:
    assert not Payment.objects.filter(organization=tenant.org).exists()
    assert not PaymentAllocation.objects.filter(organization=tenant.org).exists()
    assert not AuditEvent.objects.filter(
        organization=tenant.org, action=AuditAction.PAYMENT_RECORDED
    ).exists()


def summary_texts(response) -> list[str]:
    return [link.text for link in response.context["error_summary"]]


@pytest.fixture
def customer(tenant):
    return CustomerFactory(organization=tenant.org, display_name="Harbour Tiles", currency="USD")


@pytest.fixture
def invoices(tenant, customer) -> list[Invoice]:
    return open_invoices_bulk(
        tenant.org, customer, 3, total=Decimal("100.00"), first_due=date(2027, 1, 1)
    )


# ---- the page and its steps


def test_a_fresh_form_dates_the_payment_today_and_asks_who_paid(tenant):
    response = tenant.client().get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="2027-03-10"' in body
    assert "Find the customer" in body
    assert "Once you choose who paid" in body
    assert response.context["table"] is None


def test_finding_and_picking_the_customer_without_javascript(tenant, customer, invoices):
    CustomerFactory(organization=tenant.org, display_name="Harbour Lights")
    client = tenant.client()
    found = client.post(URL, {"_action": "refresh", "customer_search": "harbour", "amount": "5"})
    assert {c.display_name for c in found.context["matches"]} == {"Harbour Tiles", "Harbour Lights"}
    assert found.context["error_summary"] == []
    assert 'value="5"' in found.content.decode()  # what was typed stays
    picked = client.post(
        URL,
        {"_action": "refresh", "customer": customer.pk, "currency": "EUR", "amount": "5"},
    )
    # Just chosen: the currency becomes theirs, and their open invoices are listed.
    assert picked.context["table"].currency == "USD"
    assert [row.invoice.pk for row in picked.context["table"].rows] == [i.pk for i in invoices]
    assert not Payment.objects.exists()


def test_change_customer_goes_back_to_the_search(tenant, customer):
    response = tenant.client().post(URL, {**form(customer), "_action": "change_customer"})
    assert response.context["customer"] is None
    assert not Payment.objects.exists()


def test_from_an_invoice_the_form_is_filled_in(tenant, customer, invoices):
    response = tenant.client().get(f"{URL}?invoice={invoices[1].pk}")
    assert response.context["customer"] == customer
    assert response.context["choose"] is True
    table = response.context["table"]
    assert [(row.invoice.pk, row.raw) for row in table.rows if row.raw] == [
        (invoices[1].pk, "100.00")
    ]
    assert response.context["form"]["amount"].value() == "100.00"


def test_from_the_customer_page_the_customer_is_chosen(tenant, customer, invoices):
    response = tenant.client().get(f"{URL}?customer={customer.pk}")
    assert response.context["customer"] == customer
    assert response.context["form"]["currency"].value() == "USD"


@pytest.mark.parametrize("query", ["?invoice=abc", "?customer=x1"])
def test_unreadable_ids_in_the_query_are_404(tenant, query):
    assert tenant.client().get(URL + query).status_code == 404


# ---- recording


def test_automatic_allocation_pays_the_oldest_first(tenant, customer, invoices):
    response = tenant.client().post(URL, form(customer, amount="150.00"), follow=True)
    payment = Payment.objects.get()
    assert response.redirect_chain == [(f"/payments/{payment.pk}/", 302)]
    assert (payment.amount, payment.unapplied_amount, payment.created_by) == (
        Decimal("150.00"),
        Decimal("0.00"),
        tenant.owner.user,
    )
    assert payment.received_on == date(2027, 3, 9)
    for invoice in invoices:
        invoice.refresh_from_db()
    assert [i.balance_due for i in invoices] == [Decimal("0"), Decimal("50"), Decimal("100")]
    assert "Recorded $150.00 from Harbour Tiles. $150.00 applied to 2 invoices." in (
        response.content.decode()
    )
    event = AuditEvent.objects.get(action=AuditAction.PAYMENT_RECORDED)
    assert event.actor == tenant.owner.user and event.data["payment"] == payment.pk


def test_chosen_amounts_go_where_the_owner_says(tenant, customer, invoices):
    data = form(
        customer,
        amount="130.00",
        allocation="choose",
        **{f"allocate-{invoices[2].pk}": "100.00", f"allocate-{invoices[0].pk}": "20.00"},
    )
    response = tenant.client().post(URL, data)
    assert response.status_code == 302
    payment = Payment.objects.get()
    applied = dict(payment.allocations.values_list("invoice_id", "amount"))
    assert applied == {invoices[0].pk: Decimal("20.00"), invoices[2].pk: Decimal("100.00")}
    assert payment.unapplied_amount == Decimal("10.00")


def test_amounts_typed_while_automatic_is_chosen_are_not_ignored(tenant, customer, invoices):
    data = form(customer, **{f"allocate-{invoices[1].pk}": "100.00"})
    response = tenant.client().post(URL, data)
    assert response.status_code == 200
    assert any("You entered amounts for some invoices" in t for t in summary_texts(response))
    nothing_saved(tenant)


def test_choosing_with_no_amounts_asks_for_one(tenant, customer, invoices):
    response = tenant.client().post(URL, form(customer, allocation="choose"))
    assert "Invoices: Enter an amount for at least one invoice" in " ".join(summary_texts(response))
    nothing_saved(tenant)


def test_a_customer_without_open_invoices_gets_credit(tenant, customer):
    response = tenant.client().post(URL, form(customer, amount="80.00"), follow=True)
    payment = Payment.objects.get()
    assert payment.unapplied_amount == Decimal("80.00")
    assert "$80.00 is kept as their credit." in response.content.decode()


# ---- bad input: each on its field or row, nothing saved


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"amount": "-5.00"}, "amount", "The amount must be more than zero."),
        ({"amount": "10.005"}, "amount", "USD amounts have at most 2 decimals."),
        ({"amount": "1,250.00"}, "amount", "Use a point for decimals"),
        ({"amount": "1e3"}, "amount", "is not a number"),
        ({"amount": ""}, "amount", "Enter the amount received"),
        ({"received_on": "2027-03-11"}, "received_on", "This is after today"),
        ({"received_on": ""}, "received_on", "Enter the date the money arrived."),
        ({"method": "stripe"}, "method", "Choose one of the methods in the list."),
        ({"reference": "x" * 201}, "reference", "at most 200 characters"),
        ({"customer": ""}, "customer_search", "Choose who paid"),
    ],
)
def test_bad_payment_fields(tenant, customer, invoices, fields, where, message):
    response = tenant.client().post(URL, form(customer, **fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[where]), errors
    assert any(message in text for text in summary_texts(response))
    assert 'role="alert"' in response.content.decode()
    nothing_saved(tenant)


def test_a_currency_that_differs_from_the_invoice_is_refused_on_its_row(tenant, customer):
    [invoice] = open_invoices_bulk(tenant.org, customer, 1)
    data = form(
        customer,
        currency="EUR",
        amount="50.00",
        allocation="choose",
        **{f"allocate-{invoice.pk}": "50.00"},
    )
    response = tenant.client().post(URL, data)
    [row] = [row for row in response.context["table"].rows if row.invoice.pk == invoice.pk]
    assert row.errors == [f"{invoice.number} is in USD; this payment is in EUR."]
    assert f"{invoice.number} is in USD; this payment is in EUR." in summary_texts(response)
    assert 'aria-invalid="true"' in response.content.decode()
    nothing_saved(tenant)


def test_allocations_over_the_payment_are_refused_above_the_table(tenant, customer, invoices):
    data = form(
        customer,
        amount="120.00",
        allocation="choose",
        **{f"allocate-{invoices[0].pk}": "100.00", f"allocate-{invoices[1].pk}": "50.00"},
    )
    response = tenant.client().post(URL, data)
    table = response.context["table"]
    assert table.errors == ["The allocations add up to $150.00, more than the $120.00 available."]
    assert table.over and table.left == "$30.00"
    nothing_saved(tenant)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "An allocation must be more than zero."),
        ("0.001", "USD amounts have at most 2 decimals."),
        ("150.00", "Only $100.00 is owed on"),
        ("abc", "“abc” is not a number."),
    ],
)
def test_bad_row_amounts_go_on_their_row(tenant, customer, invoices, typed, message):
    data = form(
        customer,
        amount="200.00",
        allocation="choose",
        **{f"allocate-{invoices[0].pk}": "10.00", f"allocate-{invoices[2].pk}": typed},
    )
    response = tenant.client().post(URL, data)
    rows = {row.invoice.pk: row for row in response.context["table"].rows}
    assert rows[invoices[0].pk].errors == []
    assert any(message in error for error in rows[invoices[2].pk].errors)
    assert f'href="#allocate-{invoices[2].pk}"' in response.content.decode()
    nothing_saved(tenant)


def test_another_customers_invoice_is_refused_on_its_row(tenant, customer, invoices):
    stranger = CustomerFactory(organization=tenant.org)
    [theirs] = open_invoices_bulk(tenant.org, stranger, 1)
    data = form(customer, amount="10.00", allocation="choose", **{f"allocate-{theirs.pk}": "10.00"})
    response = tenant.client().post(URL, data)
    rows = {row.invoice.pk: row for row in response.context["table"].rows}
    assert rows[theirs.pk].errors == [f"{theirs.number} belongs to another customer."]
    nothing_saved(tenant)


def test_an_invoice_paid_meanwhile_stays_on_screen_with_the_reason(tenant, customer, invoices):
    Invoice.objects.filter(pk=invoices[0].pk).update(
        status=InvoiceStatus.PAID, balance_due=0, amount_paid=Decimal("100.00")
    )
    data = form(
        customer, amount="10.00", allocation="choose", **{f"allocate-{invoices[0].pk}": "10.00"}
    )
    response = tenant.client().post(URL, data)
    rows = {row.invoice.pk: row for row in response.context["table"].rows}
    assert rows[invoices[0].pk].errors == [f"{invoices[0].number} is already paid in full."]
    nothing_saved(tenant)


def test_another_organizations_customer_or_invoice_is_404(tenant, other_tenant, customer):
    theirs = CustomerFactory(organization=other_tenant.org)
    [their_invoice] = open_invoices_bulk(other_tenant.org, theirs, 1)
    client = tenant.client()
    assert client.get(f"{URL}?customer={theirs.pk}").status_code == 404
    assert client.get(f"{URL}?invoice={their_invoice.pk}").status_code == 404
    assert client.post(URL, form(theirs)).status_code == 404
    data = form(
        customer, amount="10.00", allocation="choose", **{f"allocate-{their_invoice.pk}": "10.00"}
    )
    assert client.post(URL, data).status_code == 404
    nothing_saved(tenant)
    their_invoice.refresh_from_db()
    assert their_invoice.balance_due == Decimal("100.00")


def test_refresh_never_saves_and_shows_what_is_left(tenant, customer, invoices):
    data = form(
        customer,
        _action="refresh",
        amount="250.00",
        allocation="choose",
        **{f"allocate-{invoices[0].pk}": "100.00", f"allocate-{invoices[1].pk}": "40.00"},
    )
    response = tenant.client().post(URL, data)
    assert response.context["table"].left == "$110.00"
    assert "Left to apply: $110.00" in response.content.decode()
    nothing_saved(tenant)


def test_a_real_invoice_through_the_services_is_paid_and_closed(tenant, customer):
    invoice = invoice_make(
        tenant.org,
        customer=customer,
        issue_date=TODAY - timedelta(days=40),
        due_date=TODAY - timedelta(days=10),
    )
    data = form(
        customer,
        amount=str(invoice.balance_due),
        allocation="choose",
        **{f"allocate-{invoice.pk}": str(invoice.balance_due)},
    )
    assert tenant.client().post(URL, data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


# ---- roles


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_cannot_record(tenant, customer, invoices, role):
    client = tenant.client(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(customer)).status_code == 403
    nothing_saved(tenant)


def test_billing_can_record(tenant, customer, invoices):
    assert tenant.client(Role.BILLING).post(URL, form(customer)).status_code == 302
    assert Payment.objects.get().created_by == tenant.user(Role.BILLING)


def test_from_an_invoice_that_owes_nothing_the_form_says_so(tenant, customer, invoices):
    Invoice.objects.filter(pk=invoices[0].pk).update(
        status=InvoiceStatus.PAID, balance_due=0, amount_paid=Decimal("100.00")
    )
    response = tenant.client().get(f"{URL}?invoice={invoices[0].pk}")
    assert response.context["settled"].pk == invoices[0].pk
    assert response.context["choose"] is False
    assert "Nothing is owed on invoice" in response.content.decode()
    assert [row.raw for row in response.context["table"].rows] == ["", ""]

"""/api/v1/invoices/<id>/credit-notes/ and /api/v1/credit-notes/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arhub.roles import Role
from invoicing.models import CreditNote, CustomerCredit, Invoice, InvoiceStatus
from tests.invoicing.invoice_factories import TaxRateFactory, invoice_make
from tests.invoicing.test_api_invoices import customer_of, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/credit-notes/"


def of_invoice(invoice_id: int) -> str:
    return f"/api/v1/invoices/{invoice_id}/credit-notes/"


def one(note_id: int) -> str:
    return f"/api/v1/credit-notes/{note_id}/"


def rows() -> tuple[int, int]:
    return CreditNote.objects.count(), CustomerCredit.objects.count()


def test_part_credit_reduces_the_balance(tenant):
    vat = TaxRateFactory(organization=tenant.org)
    invoice = invoice_make(tenant.org, lines=[("Design", "1", "100.00", [vat])])
    response = send(
        tenant.api(Role.BILLING),
        "POST",
        of_invoice(invoice.pk),
        {"amount": "24.00", "reason": "Late delivery"},
    )
    assert response.status_code == 201, response.json()
    note = response.json()
    assert note["number"].startswith("CN-")
    assert (note["invoice"], note["invoice_number"]) == (invoice.pk, invoice.number)
    assert note["customer"] == invoice.customer_id
    assert note["amount"] == "24.00"
    assert note["tax_amount"] == "4.00"
    assert note["tax_breakdown"] == [{"name": vat.name, "percent": "20", "amount": "4.00"}]
    assert (note["applied_amount"], note["credit_amount"]) == ("24.00", "0.00")
    assert note["reason"] == "Late delivery"
    invoice.refresh_from_db()
    assert invoice.balance_due == Decimal("96.00")
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    detail = tenant.api().get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (detail["amount_credited"], detail["balance_due"]) == ("24.00", "96.00")


def test_amount_left_out_credits_all_that_remains(tenant):
    invoice = invoice_make(tenant.org)
    api = tenant.api()
    send(api, "POST", of_invoice(invoice.pk), {"amount": "100", "reason": "First"})
    response = send(api, "POST", of_invoice(invoice.pk), {"reason": "The rest"})
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "200.00"
    invoice.refresh_from_db()
    assert (invoice.balance_due, invoice.status) == (Decimal(0), InvoiceStatus.PAID)
    response = send(api, "POST", of_invoice(invoice.pk), {"reason": "Again"})
    assert response.status_code == 400
    assert "amount" in response.json()
    assert CreditNote.objects.filter(invoice=invoice).count() == 2


def test_credit_on_a_paid_invoice_becomes_customer_credit(tenant):
    invoice = invoice_make(tenant.org)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=invoice.total, balance_due=0, status=InvoiceStatus.PAID
    )
    response = send(tenant.api(), "POST", of_invoice(invoice.pk), {"amount": 50, "reason": "x"})
    assert response.status_code == 201, response.json()
    assert (response.json()["applied_amount"], response.json()["credit_amount"]) == (
        "0.00",
        "50.00",
    )
    credit = CustomerCredit.objects.get(customer_id=invoice.customer_id)
    assert credit.amount == Decimal("50.00")


def test_jpy_credit_has_no_decimals(tenant):
    invoice = invoice_make(
        tenant.org, customer=customer_of(tenant, currency="JPY"), lines=[("a", "1", "5000")]
    )
    api = tenant.api()
    response = send(api, "POST", of_invoice(invoice.pk), {"amount": "1000", "reason": "x"})
    assert response.json()["amount"] == "1000"
    response = send(api, "POST", of_invoice(invoice.pk), {"amount": "10.5", "reason": "x"})
    assert response.status_code == 400
    assert "0 decimals" in response.json()["amount"][0]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"amount": "500", "reason": "x"}, "amount", "left to credit"),
        ({"amount": "10.005", "reason": "x"}, "amount", "2 decimals"),
        ({"amount": 0.1, "reason": "x"}, "amount", "not exact"),
        ({"amount": "ten", "reason": "x"}, "amount", "not a number"),
        ({"amount": "-5", "reason": "x"}, "amount", "more than zero"),
        ({"amount": "0", "reason": "x"}, "amount", "more than zero"),
        ({"amount": "10"}, "reason", "required"),
        ({"amount": "10", "reason": "   "}, "reason", "may not be blank"),
        ({"amount": "10", "reason": "x", "amuont": "1"}, "amuont", "Unknown"),
    ],
)
def test_bad_credits_are_named_and_nothing_is_saved(tenant, body, field, words):
    invoice = invoice_make(tenant.org)
    response = send(tenant.api(), "POST", of_invoice(invoice.pk), body)
    assert response.status_code == 400, response.json()
    assert words in response.json()[field][0]
    assert rows() == (0, 0)
    invoice.refresh_from_db()
    assert invoice.balance_due == Decimal("300.00")


@pytest.mark.parametrize("state", ["draft", "void", "uncollectible"])
def test_only_issued_invoices_are_credited(tenant, state):
    invoice = invoice_make(tenant.org, issue=state != "draft")
    if state != "draft":
        Invoice.objects.filter(pk=invoice.pk).update(status=state)
    response = send(tenant.api(), "POST", of_invoice(invoice.pk), {"reason": "x"})
    assert response.status_code == 400
    assert "issued invoice" in response.json()["invoice"][0]
    assert rows() == (0, 0)


def test_lists_and_one_credit_note(tenant):
    first = invoice_make(tenant.org)
    second = invoice_make(tenant.org)
    api = tenant.api()
    a = send(api, "POST", of_invoice(first.pk), {"amount": "10", "reason": "a"}).json()
    b = send(api, "POST", of_invoice(second.pk), {"amount": "20", "reason": "b"}).json()
    c = send(api, "POST", of_invoice(first.pk), {"amount": "30", "reason": "c"}).json()
    viewer = tenant.api(Role.VIEWER)
    assert [n["id"] for n in viewer.get(LIST).json()["results"]] == [c["id"], b["id"], a["id"]]
    assert [n["id"] for n in viewer.get(of_invoice(first.pk)).json()["results"]] == [
        c["id"],
        a["id"],
    ]
    assert [n["id"] for n in viewer.get(f"{LIST}?invoice={second.pk}").json()["results"]] == [
        b["id"]
    ]
    by_customer = viewer.get(f"{LIST}?customer={first.customer_id}").json()["results"]
    assert [n["id"] for n in by_customer] == [c["id"], a["id"]]
    assert viewer.get(f"{LIST}?customer=abc").status_code == 400
    page = viewer.get(f"{LIST}?page_size=2").json()
    assert [n["id"] for n in page["results"]] == [c["id"], b["id"]]
    assert [n["id"] for n in viewer.get(page["next"]).json()["results"]] == [a["id"]]
    assert viewer.get(one(b["id"])).json() == b


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_cannot_credit(tenant, role):
    invoice = invoice_make(tenant.org)
    response = send(tenant.api(role), "POST", of_invoice(invoice.pk), {"reason": "x"})
    assert response.status_code == 403
    assert rows() == (0, 0)


def test_another_orgs_credit_notes_and_invoices_are_404(tenant, other_tenant):
    theirs = invoice_make(other_tenant.org, notes="Kilo secret")
    their_note = send(
        other_tenant.api(), "POST", of_invoice(theirs.pk), {"amount": "5", "reason": "Kilo"}
    ).json()
    api = tenant.api()
    assert api.get(one(their_note["id"])).status_code == 404
    assert api.get(of_invoice(theirs.pk)).status_code == 404
    response = send(api, "POST", of_invoice(theirs.pk), {"reason": "taken"})
    assert response.status_code == 404
    assert CreditNote.objects.count() == 1
    assert api.get(LIST).json()["results"] == []
    assert api.get(f"{LIST}?invoice={theirs.pk}").json()["results"] == []

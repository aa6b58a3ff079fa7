"""Bad input to the invoices API: each case is refused naming the field (400, or 404 for an id
that is not this organization's), and nothing is saved — counted in rows, not assumed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from invoicing.invoice_services import EDIT_ISSUED
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make
from tests.invoicing.test_api_invoices import counts, customer_of, line, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/invoices/"


class World:
    """What a case may refer to: this organization's customer, rate and terms, and another
    organization's."""

    def __init__(self, tenant: Tenant, other: Tenant) -> None:
        self.customer = customer_of(tenant, currency="USD")
        self.jpy_customer = customer_of(tenant, currency="JPY")
        self.rate = TaxRateFactory(organization=tenant.org)
        self.their_customer = customer_of(other)
        self.their_rate = TaxRateFactory(organization=other.org)
        self.their_terms = PaymentTermsFactory(organization=other.org)


Body = Callable[[World], dict[str, Any]]


def body(*lines: dict[str, Any], **fields: Any) -> Body:
    """A valid invoice with ``fields`` and ``lines`` changed; a callable field or line value
    gets the World (for ids made per test)."""

    def make(world: World) -> dict[str, Any]:
        values = {"customer": world.customer.pk, "lines": list(lines) or [line()]}
        values.update(fields)
        resolved = {k: v(world) if callable(v) else v for k, v in values.items()}
        if isinstance(resolved["lines"], list):
            resolved["lines"] = [
                {k: v(world) if callable(v) else v for k, v in entry.items()}
                for entry in resolved["lines"]
            ]
        return resolved

    return make


# (body, expected status, the field named, words in its message)
CASES: dict[str, tuple[Body, int, str, str]] = {
    "negative quantity": (body(line(quantity="-1")), 400, "lines[0].quantity", "negative"),
    "negative price": (body(line(unit_price="-5")), 400, "lines[0].unit_price", "negative"),
    "non-numeric quantity": (body(line(quantity="two")), 400, "lines[0].quantity", "not a number"),
    "non-numeric price": (body(line(unit_price="1,250")), 400, "lines[0].unit_price", "separators"),
    "boolean price": (body(line(unit_price=True)), 400, "lines[0].unit_price", "true/false"),
    "price as an object": (body(line(unit_price={"v": 1})), 400, "lines[0].unit_price", "number"),
    "NaN price": (body(line(unit_price="NaN")), 400, "lines[0].unit_price", "not a number"),
    "inexact float quantity": (body(line(quantity=0.1)), 400, "lines[0].quantity", "not exact"),
    "inexact float price": (body(line(unit_price=19.99)), 400, "lines[0].unit_price", '"19.99"'),
    "inexact float discount": (
        body(discount_kind="amount", discount_value=0.3),
        400,
        "discount_value",
        "not exact",
    ),
    "inexact float line discount": (
        body(line(discount_percent=0.1)),
        400,
        "lines[0].discount_percent",
        "not exact",
    ),
    "price with 5 decimals": (body(line(unit_price="1.23456")), 400, "lines[0].unit_price", "4"),
    "huge quantity": (body(line(quantity="1e20")), 400, "lines[0].quantity", "too large"),
    "quantity over a billion": (body(line(quantity="2000000000")), 400, "lines[0].quantity", ""),
    "line discount over 100%": (
        body(line(discount_percent="150")),
        400,
        "lines[0].discount_percent",
        "100",
    ),
    "line discount with 3 decimals": (
        body(line(discount_percent="1.125")),
        400,
        "lines[0].discount_percent",
        "2 decimal",
    ),
    "cents in a USD discount amount": (
        body(discount_kind="amount", discount_value="5.001"),
        400,
        "discount_value",
        "USD amounts have at most 2",
    ),
    "decimals in a JPY discount amount": (
        body(discount_kind="amount", discount_value="5.5", customer=lambda w: w.jpy_customer.pk),
        400,
        "discount_value",
        "JPY amounts have at most 0",
    ),
    "percentage discount over 100": (
        body(discount_kind="percent", discount_value="120"),
        400,
        "discount_value",
        "100%",
    ),
    "unknown discount kind": (body(discount_kind="half"), 400, "discount_kind", ""),
    "unknown currency": (body(currency="ZZZ"), 400, "currency", "ISO 4217"),
    "currency too long": (body(currency="EUROS1234"), 400, "currency", ""),
    "due date before issue date": (
        body(issue_date="2027-03-10", due_date="2027-03-01"),
        400,
        "due_date",
        "before the issue date",
    ),
    "impossible date": (body(issue_date="2027-02-30"), 400, "issue_date", ""),
    "no lines": (body(lines=[]), 400, "lines", "at least one line"),
    "lines not a list": (body(lines="Consulting"), 400, "lines", ""),
    "line without a price": (
        body({"description": "x", "quantity": "1"}),
        400,
        "lines[0].unit_price",
        "required",
    ),
    "blank description on the second line": (
        body(line(), line(description="  ")),
        400,
        "lines[1].description",
        "Describe",
    ),
    "unknown line kind": (body(line(kind="gift")), 400, "lines[0].kind", "gift"),
    "tax rate listed twice": (
        body(line(tax_rates=lambda w: [w.rate.pk, w.rate.pk])),
        400,
        "lines[0].tax_rates",
        "twice",
    ),
    "tax rate that is not an id": (
        body(line(tax_rates=["VAT"])),
        400,
        "lines[0].tax_rates[0]",
        "integer",
    ),
    "unknown field": (body(totl="12"), 400, "totl", "Unknown field"),
    "unknown line field": (body(line(price="12")), 400, "lines[0].price", "Unknown field"),
    "customer not an id": (body(customer="Acme"), 400, "customer", "integer"),
    "customer of another organization": (
        body(customer=lambda w: w.their_customer.pk),
        404,
        "customer",
        "does not exist",
    ),
    "customer that does not exist": (body(customer=987654), 404, "customer", "does not exist"),
    "tax rate of another organization": (
        body(line(tax_rates=lambda w: [w.rate.pk]), line(tax_rates=lambda w: [w.their_rate.pk])),
        404,
        "lines[1].tax_rates",
        "does not exist",
    ),
    "payment terms of another organization": (
        body(payment_terms=lambda w: w.their_terms.pk),
        404,
        "payment_terms",
        "do not exist",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_bad_input_is_named_and_nothing_is_saved(tenant, other_tenant, case, method):
    world = World(tenant, other_tenant)
    make, status, field, words = CASES[case]
    draft = invoice_make(tenant.org, customer=world.customer, issue=False, notes="As it was")
    url = LIST if method == "POST" else f"{LIST}{draft.pk}/"
    before = counts()
    response = send(tenant.api(), method, url, make(world))
    assert response.status_code == status, response.json()
    errors = response.json()
    assert field in errors, errors
    assert words in " ".join(errors[field])
    # A 404 names nothing of the other organization's.
    assert other_tenant.org.name not in response.content.decode()
    assert counts() == before
    draft.refresh_from_db()
    assert draft.notes == "As it was"
    assert draft.total == 300


def test_exact_json_numbers_are_taken(tenant):
    customer = customer_of(tenant, currency="USD")
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "discount_kind": "amount",
            "discount_value": 2.5,
            "lines": [{"description": "a", "quantity": 12, "unit_price": 12.5}],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "147.50"


def test_trailing_zeros_are_not_extra_decimals(tenant):
    customer = customer_of(tenant, currency="USD")
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "discount_kind": "amount",
            "discount_value": "1.000000",
            "lines": [line(quantity="1.50000", unit_price="10.000000")],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "14.00"


def test_a_half_valid_request_saves_nothing(tenant):
    """Good customer and first line, a bad third line: not one row is written."""
    customer = customer_of(tenant)
    rate = TaxRateFactory(organization=tenant.org)
    before = counts()
    response = send(
        tenant.api(),
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "lines": [
                line(tax_rates=[rate.pk]),
                line(description="Parts", quantity="3"),
                line(unit_price="-1"),
            ],
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["lines[2].unit_price"]
    assert counts() == before == (0, 0, 0)


def test_editing_an_issued_invoices_lines_is_refused_under_status(tenant):
    invoice = invoice_make(tenant.org)
    before = counts()
    response = send(tenant.api(), "PATCH", f"{LIST}{invoice.pk}/", {"lines": [line(quantity="9")]})
    assert response.status_code == 400
    assert response.json() == {"status": [EDIT_ISSUED]}
    assert counts() == before
    invoice.refresh_from_db()
    assert invoice.lines.get().quantity == 2


def test_voiding_a_paid_invoice_is_refused_under_status(tenant):
    invoice = invoice_make(tenant.org)
    send(tenant.api(), "POST", f"{LIST}{invoice.pk}/credit-notes/", {"reason": "All of it"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    response = send(tenant.api(), "POST", f"{LIST}{invoice.pk}/void/", {"reason": "x"})
    assert response.status_code == 400
    assert "Only an open invoice with no payments" in response.json()["status"][0]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.voided_at) == (InvoiceStatus.PAID, None)
    assert CreditNote.objects.count() == 1


def test_a_body_that_is_not_json_is_refused(tenant):
    response = tenant.api().generic("POST", LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    response = tenant.api().generic("POST", LIST, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert Invoice.objects.count() == 0

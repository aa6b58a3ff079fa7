"""/api/v1/invoices/ and /api/v1/invoices/<id>/: drafts made, read, changed and deleted, and
the list with its filters, orderings, pages and query count."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arhub.roles import Role
from invoicing.invoice_services import EDIT_ISSUED, invoice_void
from invoicing.models import Invoice, InvoiceLine, InvoiceLineTax
from invoicing.pay_links import pay_link_resolve
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/invoices/"


def detail(invoice_id: int) -> str:
    return f"/api/v1/invoices/{invoice_id}/"


def send(api: Client, method: str, url: str, body: Any = None) -> Any:
    return api.generic(
        method, url, "" if body is None else json.dumps(body), content_type="application/json"
    )


def customer_of(tenant: Tenant, **fields: Any) -> Any:
    customer = CustomerFactory(organization=tenant.org, **fields)
    ContactFactory(customer=customer)
    return customer


def line(**fields: Any) -> dict[str, Any]:
    return {"description": "Consulting", "quantity": "2", "unit_price": "150.00", **fields}


def counts() -> tuple[int, int, int]:
    return (Invoice.objects.count(), InvoiceLine.objects.count(), InvoiceLineTax.objects.count())


# ---- create


def test_create_a_draft_with_lines_taxes_and_a_discount(tenant):
    customer = customer_of(tenant, currency="USD")
    vat = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    city = TaxRateFactory(organization=tenant.org, name="City", percent=Decimal("2.25"))
    response = send(
        tenant.api(Role.BILLING),
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "po_number": "PO-77",
            "notes": "Thank you!",
            "memo": "internal",
            "discount_kind": "percent",
            "discount_value": "10",
            "lines": [
                line(unit="hours", tax_rates=[vat.pk, city.pk]),
                {
                    "kind": "shipping",
                    "description": "Courier",
                    "quantity": 1,
                    "unit_price": 12.5,
                    "tax_rates": [vat.pk],
                },
            ],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft"
    assert data["number"] == ""
    assert data["currency"] == "USD"
    assert data["customer"] == customer.pk
    assert data["customer_name"] == customer.display_name
    # 300 less 10% (items only) = 270; VAT 20% of 270 + 12.50 = 56.50; City 2.25% of 270 = 6.08
    assert data["subtotal"] == "312.50"
    assert data["discount_total"] == "30.00"
    assert data["tax_total"] == "62.58"
    assert data["total"] == "345.08"
    assert data["balance_due"] == "345.08"
    assert data["tax_breakdown"] == [
        {"name": "VAT", "percent": "20", "amount": "56.50"},
        {"name": "City", "percent": "2.25", "amount": "6.08"},
    ]
    first, second = data["lines"]
    assert first["quantity"] == "2"
    assert first["unit_price"] == "150.00"
    assert first["unit"] == "hours"
    assert first["amount"] == "300.00"
    assert first["invoice_discount"] == "30.00"
    assert first["tax_rates"] == [vat.pk, city.pk]
    assert [t["name"] for t in first["taxes"]] == ["VAT", "City"]
    assert second["kind"] == "shipping"
    assert second["unit_price"] == "12.50"
    assert second["invoice_discount"] == "0.00"
    assert data["pay_url"] is None
    assert data["terms"]["name"] == "Net 30"
    assert data["terms_sentence"].startswith("Due ")
    invoice = Invoice.objects.get(pk=data["id"])
    assert invoice.organization_id == tenant.org.pk
    assert invoice.created_by == tenant.user(Role.BILLING)
    assert invoice.memo == "internal"


def test_create_takes_the_customers_currency_and_its_minor_units(tenant):
    customer = customer_of(tenant, currency="JPY")
    data = send(
        tenant.api(), "POST", LIST, {"customer": customer.pk, "lines": [line(unit_price="1500")]}
    ).json()
    assert data["currency"] == "JPY"
    assert data["total"] == "3000"
    assert data["lines"][0]["unit_price"] == "1500"


def test_unit_prices_keep_their_sub_cent_digits(tenant):
    customer = customer_of(tenant, currency="USD")
    data = send(
        tenant.api(),
        "POST",
        LIST,
        {"customer": customer.pk, "lines": [line(quantity="1000", unit_price="0.0125")]},
    ).json()
    assert data["lines"][0]["unit_price"] == "0.0125"
    assert data["total"] == "12.50"


def test_fixed_due_date_and_named_terms(tenant):
    customer = customer_of(tenant)
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 15", days=15)
    api = tenant.api()
    fixed = send(
        api,
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "issue_date": "2027-03-01",
            "due_date": "2027-03-20",
            "lines": [line()],
        },
    ).json()
    assert fixed["due_date"] == "2027-03-20"
    assert fixed["terms"]["kind"] == "fixed"
    assert fixed["terms_sentence"] == "Due March 20, 2027."
    named = send(
        api,
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "issue_date": "2027-03-01",
            "payment_terms": terms.pk,
            "lines": [line()],
        },
    ).json()
    assert named["payment_terms"] == terms.pk
    assert named["terms"]["name"] == "Net 15"
    assert named["terms_sentence"] == "Due March 16, 2027 (15 days)."


# ---- read


def test_detail_of_an_issued_invoice_has_a_working_pay_url(tenant):
    invoice = invoice_make(tenant.org, lines=[("Design", "3", "100.00")])
    data = tenant.api(Role.VIEWER).get(detail(invoice.pk)).json()
    assert data["status"] == "open"
    assert data["number"] == invoice.number
    assert data["balance_due"] == "300.00"
    assert data["due_date"] == str(invoice.due_date)
    assert data["pay_url"].startswith(settings.SITE_URL.rstrip("/") + "/pay/")
    token = data["pay_url"].rstrip("/").rsplit("/", 1)[1]
    link = pay_link_resolve(token)
    assert link is not None and link.invoice_id == invoice.pk
    assert [(row["description"], row["amount"]) for row in data["lines"]] == [("Design", "300.00")]


def test_void_and_draft_invoices_have_no_pay_url(tenant):
    draft = invoice_make(tenant.org, issue=False)
    voided = invoice_void(org=tenant.org, actor=None, invoice=invoice_make(tenant.org))
    api = tenant.api()
    assert api.get(detail(draft.pk)).json()["pay_url"] is None
    assert api.get(detail(voided.pk)).json()["pay_url"] is None
    listed = {row["id"]: row["pay_url"] for row in api.get(LIST).json()["results"]}
    assert listed == {draft.pk: None, voided.pk: None}


def test_overdue_flag_follows_the_organizations_calendar(tenant):
    with time_machine.travel(date(2027, 1, 10), tick=False):
        invoice = invoice_make(tenant.org)
    api = tenant.api()
    with time_machine.travel(invoice.due_date, tick=False):
        assert api.get(detail(invoice.pk)).json()["is_overdue"] is False
    with time_machine.travel(invoice.due_date + timedelta(days=1), tick=False):
        assert api.get(detail(invoice.pk)).json()["is_overdue"] is True


# ---- change


def test_patch_changes_only_the_given_fields_and_keeps_lines_and_terms(tenant):
    customer = customer_of(tenant)
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 45", days=45)
    vat = TaxRateFactory(organization=tenant.org)
    api = tenant.api()
    created = send(
        api,
        "POST",
        LIST,
        {
            "customer": customer.pk,
            "payment_terms": terms.pk,
            "notes": "Old note",
            "lines": [line(tax_rates=[vat.pk])],
        },
    ).json()
    response = send(api, "PATCH", detail(created["id"]), {"notes": "New note"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["notes"] == "New note"
    assert data["payment_terms"] == terms.pk
    assert data["terms"]["name"] == "Net 45"
    assert data["lines"][0]["tax_rates"] == [vat.pk]
    assert data["total"] == created["total"]
    response = send(
        api, "PATCH", detail(created["id"]), {"lines": [line(quantity="1", unit_price="10")]}
    )
    assert response.json()["total"] == "10.00"
    assert InvoiceLine.objects.filter(invoice_id=created["id"]).count() == 1


def test_patch_to_another_customer_brings_their_currency_unless_one_is_given(tenant):
    draft = invoice_make(tenant.org, customer=customer_of(tenant, currency="USD"), issue=False)
    yen = customer_of(tenant, currency="JPY")
    api = tenant.api()
    data = send(api, "PATCH", detail(draft.pk), {"customer": yen.pk}).json()
    assert (data["customer"], data["currency"], data["total"]) == (yen.pk, "JPY", "300")
    data = send(api, "PATCH", detail(draft.pk), {"currency": "eur"}).json()
    assert (data["customer"], data["currency"]) == (yen.pk, "EUR")
    data = send(api, "PATCH", detail(draft.pk), {"customer": yen.pk, "currency": "GBP"}).json()
    assert data["currency"] == "GBP"


def test_put_replaces_every_field(tenant):
    customer = customer_of(tenant)
    invoice = invoice_make(tenant.org, customer=customer, issue=False, notes="Old", po_number="1")
    response = send(
        tenant.api(), "PUT", detail(invoice.pk), {"customer": customer.pk, "lines": [line()]}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["notes"], response.json()["po_number"]) == ("", "")


def test_what_was_read_can_be_sent_back(tenant):
    vat = TaxRateFactory(organization=tenant.org)
    invoice = invoice_make(tenant.org, issue=False, lines=[("A", "1", "10.00", [vat])])
    api = tenant.api()
    read = api.get(detail(invoice.pk)).json()
    for method in ("PATCH", "PUT"):
        response = send(api, method, detail(invoice.pk), read)
        assert response.status_code == 200, (method, response.json())
        again = response.json()
        assert again["lines"][0]["tax_rates"] == [vat.pk]
        assert again["total"] == read["total"] == "12.00"


def test_issued_invoices_are_not_edited(tenant):
    invoice = invoice_make(tenant.org)
    api = tenant.api()
    for method, body in [
        ("PATCH", {"notes": "changed"}),
        ("PATCH", {"lines": [line(unit_price="1")]}),
        ("PUT", {"customer": invoice.customer_id, "lines": [line()]}),
    ]:
        response = send(api, method, detail(invoice.pk), body)
        assert response.status_code == 400
        assert response.json() == {"status": [EDIT_ISSUED]}
    invoice.refresh_from_db()
    assert invoice.notes == ""
    assert invoice.total == Decimal("300.00")


def test_delete_a_draft_but_not_an_issued_invoice(tenant):
    draft = invoice_make(tenant.org, issue=False)
    issued = invoice_make(tenant.org)
    api = tenant.api()
    assert api.delete(detail(draft.pk)).status_code == 204
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    response = api.delete(detail(issued.pk))
    assert response.status_code == 400
    assert "voided" in response.json()["status"][0]
    assert Invoice.objects.filter(pk=issued.pk).exists()


# ---- roles and tenancy


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_read_but_cannot_write(tenant, role):
    customer = customer_of(tenant)
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    api = tenant.api(role)
    assert api.get(LIST).status_code == 200
    assert api.get(detail(draft.pk)).status_code == 200
    before = counts()
    for method, url, body in [
        ("POST", LIST, {"customer": customer.pk, "lines": [line()]}),
        ("PATCH", detail(draft.pk), {"notes": "x"}),
        ("PUT", detail(draft.pk), {"customer": customer.pk, "lines": [line()]}),
        ("DELETE", detail(draft.pk), None),
    ]:
        assert send(api, method, url, body).status_code == 403, (method, url)
    assert counts() == before
    draft.refresh_from_db()
    assert draft.notes == ""


@pytest.mark.parametrize("role", [Role.BILLING, Role.ADMIN, Role.OWNER])
def test_writing_roles_make_drafts(tenant, role):
    customer = customer_of(tenant)
    response = send(tenant.api(role), "POST", LIST, {"customer": customer.pk, "lines": [line()]})
    assert response.status_code == 201


def test_no_token_is_refused(tenant):
    assert Client().get(LIST).status_code in {401, 403}


def test_another_orgs_invoices_are_404_and_never_listed(tenant, other_tenant):
    theirs = invoice_make(other_tenant.org, issue=False, notes="Kilo secret")
    mine = invoice_make(tenant.org, issue=False)
    api = tenant.api()
    for method, body in [
        ("GET", None),
        ("PATCH", {"notes": "taken"}),
        ("PUT", {"customer": mine.customer_id, "lines": [line()]}),
        ("DELETE", None),
    ]:
        response = send(api, method, detail(theirs.pk), body)
        assert response.status_code == 404, method
        assert "Kilo" not in response.content.decode()
    assert [row["id"] for row in api.get(LIST).json()["results"]] == [mine.pk]
    assert api.get(f"{LIST}?customer={theirs.customer_id}").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.notes == "Kilo secret"


def test_options_does_not_describe_or_look_up(tenant, other_tenant):
    theirs = invoice_make(other_tenant.org, notes="Kilo secret")
    for url in (LIST, detail(theirs.pk)):
        response = tenant.api().options(url)
        assert response.status_code == 200
        assert "actions" not in response.json()
        assert "Kilo" not in response.content.decode()


# ---- list: filters


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_status_filters_including_overdue_and_outstanding(tenant):
    with time_machine.travel(date(2027, 1, 10), tick=False):
        draft = invoice_make(tenant.org, issue=False)
        overdue = invoice_make(tenant.org, issue_date=date(2026, 11, 1))
        current = invoice_make(tenant.org)
        voided = invoice_void(org=tenant.org, actor=None, invoice=invoice_make(tenant.org))
        api = tenant.api()
        assert ids(api.get(LIST + "?status=draft")) == [draft.pk]
        assert ids(api.get(LIST + "?status=overdue")) == [overdue.pk]
        assert set(ids(api.get(LIST + "?status=outstanding"))) == {overdue.pk, current.pk}
        assert ids(api.get(LIST + "?status=void")) == [voided.pk]
        assert ids(api.get(LIST))[0] == voided.pk  # newest first
        response = api.get(LIST + "?status=late")
        assert response.status_code == 400
        assert "status" in response.json()


def test_customer_currency_date_and_search_filters(tenant):
    acme = customer_of(tenant, display_name="Acme Plumbing", currency="USD")
    zed = customer_of(tenant, display_name="Zed Bakery", currency="EUR")
    march = invoice_make(tenant.org, customer=acme, issue_date=date(2027, 3, 5), po_number="PO-123")
    april = invoice_make(tenant.org, customer=zed, issue_date=date(2027, 4, 5))
    api = tenant.api()
    assert ids(api.get(f"{LIST}?customer={acme.pk}")) == [march.pk]
    assert ids(api.get(f"{LIST}?currency=eur")) == [april.pk]
    assert ids(api.get(f"{LIST}?issued_from=2027-04-01")) == [april.pk]
    assert ids(api.get(f"{LIST}?issued_to=2027-03-31")) == [march.pk]
    assert ids(api.get(f"{LIST}?q=po-1")) == [march.pk]
    assert ids(api.get(f"{LIST}?q=bakery")) == [april.pk]
    assert ids(api.get(f"{LIST}?q={april.number}")) == [april.pk]
    for bad in ("customer=abc", "issued_from=2027-13-01", "issued_to=yesterday"):
        response = api.get(f"{LIST}?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.json()


# ---- list: ordering and pages


def walk(api: Client, url: str) -> list[list[int]]:
    pages = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        pages.append([row["id"] for row in response.json()["results"]])
        url = response.json()["next"]
    return pages


def test_orderings(tenant):
    small = invoice_make(tenant.org, lines=[("a", "1", "5.00")], issue_date=date(2027, 1, 1))
    big = invoice_make(tenant.org, lines=[("a", "1", "500.00")], issue_date=date(2027, 1, 3))
    draft = invoice_make(tenant.org, lines=[("a", "1", "50.00")], issue=False)
    api = tenant.api()
    assert ids(api.get(LIST)) == [draft.pk, big.pk, small.pk]
    assert ids(api.get(LIST + "?ordering=created")) == [small.pk, big.pk, draft.pk]
    assert ids(api.get(LIST + "?ordering=total")) == [small.pk, draft.pk, big.pk]
    assert ids(api.get(LIST + "?ordering=-total")) == [big.pk, draft.pk, small.pk]
    # Drafts have no due date yet: after every date.
    assert ids(api.get(LIST + "?ordering=due_date")) == [small.pk, big.pk, draft.pk]
    assert ids(api.get(LIST + "?ordering=-due_date")) == [draft.pk, big.pk, small.pk]
    assert ids(api.get(LIST + "?ordering=number")) == [draft.pk, small.pk, big.pk]
    response = api.get(LIST + "?ordering=customer")
    assert response.status_code == 400
    assert "ordering" in response.json()


@pytest.mark.parametrize(
    "ordering", ["created", "-created", "due_date", "-due_date", "total", "-total", "number"]
)
def test_next_links_walk_every_invoice_once_with_equal_keys(tenant, ordering):
    moment = timezone.now()
    customer = customer_of(tenant)
    for index in range(7):
        invoice = invoice_make(
            tenant.org,
            customer=customer,
            lines=[("a", "1", "10.00" if index % 2 else "20.00")],
            issue=index % 3 != 0,
            issue_date=date(2027, 1, 1),
        )
        if index < 4:
            Invoice.objects.filter(pk=invoice.pk).update(created_at=moment)
    api = tenant.api()
    expected = ids(api.get(f"{LIST}?ordering={ordering}&page_size=50"))
    pages = walk(api, f"{LIST}?ordering={ordering}&page_size=2")
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert [pk for page in pages for pk in page] == expected
    assert sorted(expected) == sorted(
        Invoice.objects.for_org(tenant.org).values_list("pk", flat=True)
    )


def test_next_link_keeps_the_filters(tenant):
    for _ in range(3):
        invoice_make(tenant.org)
    invoice_make(tenant.org, issue=False)
    pages = walk(tenant.api(), LIST + "?status=open&page_size=2")
    assert [len(page) for page in pages] == [2, 1]


def test_list_queries_do_not_grow_with_the_page(tenant):
    api = tenant.api()
    customer = customer_of(tenant)
    vat = TaxRateFactory(organization=tenant.org)

    def fill(count: int) -> None:
        for index in range(count):
            invoice_make(
                tenant.org,
                customer=customer_of(tenant) if index % 2 else customer,
                lines=[("a", "1", "10.00", [vat]), ("b", "2", "5.00")],
                issue=index % 3 != 0,
            )

    fill(2)
    api.get(LIST)  # the token's last-used stamp is written once, not per page
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(LIST).json()["results"]) == 2
    fill(30)
    with CaptureQueriesContext(connection) as many:
        page = api.get(LIST + "?page_size=25").json()
    assert len(page["results"]) == 25
    with CaptureQueriesContext(connection) as next_page:
        assert len(api.get(page["next"]).json()["results"]) == 7
    with CaptureQueriesContext(connection) as overdue:
        assert api.get(LIST + "?status=outstanding&ordering=-total").status_code == 200
    assert len(few) == len(many) == len(next_page) == len(overdue)
    assert len(few) <= 3  # the token, the page with its customers, the pay links


def test_schema_documents_the_invoice_routes(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/invoices/:",
        "/api/v1/invoices/{invoice_id}/:",
        "/api/v1/invoices/{invoice_id}/issue/:",
        "/api/v1/invoices/{invoice_id}/void/:",
        "/api/v1/invoices/{invoice_id}/write-off/:",
        "/api/v1/invoices/{invoice_id}/send/:",
        "/api/v1/invoices/{invoice_id}/duplicate/:",
        "/api/v1/invoices/{invoice_id}/credit-notes/:",
        "/api/v1/credit-notes/:",
        "/api/v1/credit-notes/{credit_note_id}/:",
        "/api/v1/tax-rates/:",
        "/api/v1/tax-rates/{tax_rate_id}/:",
        "/api/v1/payment-terms/:",
        "/api/v1/payment-terms/{terms_id}/:",
    ):
        assert path in schema, path
    for component in (
        "InvoiceInputRequest",
        "LineInputRequest",
        "InvoiceOutput",
        "CreditNoteOutput",
        "TaxRateOutput",
        "PaymentTermsOutput",
    ):
        assert component in schema, component
    assert "lines[2].unit_price" in schema
    assert "invoices_write_off" in schema


def test_the_invoice_and_its_credit_notes_as_pdf(tenant, other_tenant):
    from invoicing.credit_services import credit_note_create

    invoice = invoice_make(tenant.org)
    note = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=Decimal("10"), reason="Goodwill"
    )
    api = tenant.api(Role.ACCOUNTANT)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert f"invoice-{invoice.number}.pdf" in response["Content-Disposition"]
    assert api.get(f"/api/v1/credit-notes/{note.pk}/pdf/").content[:5] == b"%PDF-"
    theirs = invoice_make(other_tenant.org)
    assert api.get(f"/api/v1/invoices/{theirs.pk}/pdf/").status_code == 404

"""The invoice editor and the invoice page: creating and editing drafts with lines and taxes,
errors that keep the input and save nothing, the editor without JavaScript (finding a customer,
adding a line), issued invoices that are not edited, the actions per state and role, and
another organization's invoices answering 404 everywhere."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse

from arhub.models import Channel, MessageKind, MessageStatus
from arhub.roles import Role
from invoicing.invoice_services import invoice_void
from invoicing.models import (
    CreditNote,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceLineTax,
    InvoiceStatus,
    PayLink,
)
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make
from tests.messaging_factories import MessageFactory

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return unescape(response.content.decode())


def editor_post(
    customer: Customer | None,
    lines: list[dict[str, Any]],
    *,
    action: str = "save",
    **fields: Any,
) -> dict[str, Any]:
    """The editor as a browser submits it: the invoice fields, the pressed button, the
    management form and each line (taxes as a list, as checked boxes arrive)."""
    data: dict[str, Any] = {
        "_action": action,
        "customer": str(customer.pk) if customer else "",
        "customer_search": "",
        "issue_date": "",
        "payment_terms": "",
        "due_date": "",
        "currency": "",
        "po_number": "",
        "discount_kind": "none",
        "discount_value": "",
        "notes": "",
        "memo": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    data.update(fields)
    for index, line in enumerate(lines):
        values = {
            "kind": "item",
            "description": "",
            "quantity": "1",
            "unit": "",
            "unit_price": "",
            "discount_percent": "",
            **line,
        }
        taxes = values.pop("taxes", [])
        if taxes:
            data[f"lines-{index}-taxes"] = [str(rate.pk) for rate in taxes]
        if values.pop("DELETE", False):
            data[f"lines-{index}-DELETE"] = "on"
        for key, value in values.items():
            data[f"lines-{index}-{key}"] = value
    return data


def line_errors(response: Any) -> dict[str, list[str]]:
    """Errors per "row.field" (0-based rows), plus "lines" for the formset's own."""
    errors: dict[str, list[str]] = {}
    for index, form in enumerate(response.context["lines"].forms):
        for key, value in form.errors.items():
            errors[f"{index}.{key}"] = value
    non_form = list(response.context["lines"].non_form_errors())
    if non_form:
        errors["lines"] = non_form
    return errors


@pytest.fixture
def customer(tenant):
    customer = CustomerFactory(organization=tenant.org, display_name="Harbour Tiles")
    ContactFactory(customer=customer, email="accounts@harbour.test")
    return customer


@pytest.fixture
def rates(tenant):
    return (
        TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20")),
        TaxRateFactory(organization=tenant.org, name="Eco levy", percent=Decimal("5")),
    )


# --------------------------------------------------------------------------------------------
# Creating


def three_lines(rates):
    vat, eco = rates
    return [
        {"description": "Design work", "quantity": "3", "unit": "hours", "unit_price": "150.00",
         "taxes": [vat]},
        {"description": "Hosting, one year", "quantity": "1", "unit_price": "49.99",
         "taxes": [vat, eco]},
        {"kind": "shipping", "description": "Courier", "quantity": "1", "unit_price": "12.50"},
    ]  # fmt: skip


def test_create_with_three_lines_and_two_taxes_gets_the_totals_right(tenant, customer, rates):
    client = tenant.client()
    assert client.get("/invoices/new/").status_code == 200
    response = client.post(
        "/invoices/new/",
        editor_post(
            customer,
            three_lines(rates),
            discount_kind="percent",
            discount_value="10",
            po_number="PO-7781",
            notes="Thank you for your business.",
            memo="Agreed by phone with Sam.",
        ),
    )
    invoice = Invoice.objects.get(organization=tenant.org)
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number == ""
    assert invoice.customer == customer and invoice.currency == "GBP"
    assert invoice.created_by == tenant.user()
    # 450.00 + 49.99 + 12.50 shipping; 10% off the items only (499.99 -> 50.00, shared
    # 45.00 / 5.00); VAT 20% of 405.00 and of 44.99, the levy 5% of 44.99.
    assert invoice.subtotal == Decimal("512.49")
    assert invoice.discount_total == Decimal("50.00")
    assert invoice.tax_breakdown == [
        {"name": "VAT", "percent": "20", "amount": "90.00"},
        {"name": "Eco levy", "percent": "5", "amount": "2.25"},
    ]
    assert invoice.tax_total == Decimal("92.25")
    assert invoice.total == Decimal("554.74")
    lines = list(InvoiceLine.objects.filter(invoice=invoice))
    assert [(line.position, line.kind, line.description, line.unit) for line in lines] == [
        (0, "item", "Design work", "hours"),
        (1, "item", "Hosting, one year", ""),
        (2, "shipping", "Courier", ""),
    ]
    assert [line.amount for line in lines] == [
        Decimal("450.00"),
        Decimal("49.99"),
        Decimal("12.50"),
    ]
    taxes = InvoiceLineTax.objects.filter(line__invoice=invoice).order_by("line__position", "name")
    assert [(t.line.position, t.name, t.amount) for t in taxes] == [
        (0, "VAT", Decimal("81.00")),
        (1, "Eco levy", Decimal("2.25")),
        (1, "VAT", Decimal("9.00")),
    ]
    assert (invoice.po_number, invoice.notes, invoice.memo) == (
        "PO-7781",
        "Thank you for your business.",
        "Agreed by phone with Sam.",
    )

    page = text(client.get(response["Location"]))
    for shown in ("£512.49", "£50.00", "£90.00", "£2.25", "£554.74", "Draft invoice"):
        assert shown in page
    assert "Agreed by phone with Sam." in page and "Only your team sees this" in page


def test_save_and_issue_numbers_it_and_makes_a_pay_link(tenant, customer, rates):
    response = tenant.client().post(
        "/invoices/new/", editor_post(customer, three_lines(rates), action="issue")
    )
    invoice = Invoice.objects.get(organization=tenant.org)
    assert response.status_code == 302
    assert invoice.status == InvoiceStatus.OPEN and invoice.number
    assert invoice.issue_date is not None and invoice.due_date is not None
    assert PayLink.objects.filter(invoice=invoice, revoked_at__isnull=True).count() == 1


def test_save_and_issue_that_cannot_issue_saves_nothing(tenant, customer):
    # A zero total saves as a draft but cannot be issued: "Save and issue" keeps nothing.
    response = tenant.client().post(
        "/invoices/new/",
        editor_post(
            customer, [{"description": "Goodwill visit", "unit_price": "0"}], action="issue"
        ),
    )
    assert response.status_code == 200
    assert not Invoice.objects.filter(organization=tenant.org).exists()
    assert line_errors(response)["lines"] == ["The invoice total must be more than zero."]
    assert "Nothing was saved" in text(response)


def test_the_named_terms_and_a_fixed_due_date_are_kept_on_the_draft(tenant, customer, rates):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14)
    PaymentTermsFactory(organization=tenant.org, name="Net 60", days=60)
    client = tenant.client()
    page = text(client.get("/invoices/new/"))
    assert '<option value="' + str(terms.pk) + '">Net 14</option>' in page
    client.post(
        "/invoices/new/",
        editor_post(customer, three_lines(rates), payment_terms=str(terms.pk), currency="EUR"),
    )
    invoice = Invoice.objects.get(organization=tenant.org)
    assert invoice.terms["name"] == "Net 14" and invoice.currency == "EUR"
    # Editing shows the same terms chosen.
    edit = client.get(f"/invoices/{invoice.pk}/edit/")
    assert edit.context["form"].initial["payment_terms"] == terms.pk


# --------------------------------------------------------------------------------------------
# Errors


def test_bad_numbers_are_refused_naming_the_line_and_field_and_nothing_is_saved(
    tenant, customer, rates
):
    lines = three_lines(rates)
    lines[0]["unit_price"] = "1,250.00"
    lines[1]["quantity"] = "1e3"
    lines[2]["unit_price"] = "NaN"
    response = tenant.client().post(
        "/invoices/new/",
        editor_post(customer, lines, discount_kind="amount", discount_value="ten"),
    )
    assert response.status_code == 200
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
    errors = line_errors(response)
    assert errors["0.unit_price"] == [
        "Use a point for decimals and no thousands separators, e.g. 1250.50."
    ]
    assert errors["1.quantity"] == ["“1e3” is not a number. Write it like 12.50."]
    assert errors["2.unit_price"] == ["“NaN” is not a number. Write it like 12.50."]
    assert response.context["form"].errors["discount_value"]
    page = text(response)
    # The summary at the top names line and field and links to the field.
    assert '<a href="#id_lines-1-quantity">Line 2 quantity: “1e3” is not a number.' in page
    assert '<a href="#id_lines-0-unit_price">Line 1 unit price:' in page
    assert '<a href="#id_discount_value">Discount:' in page
    # What was typed is still there, and the field says it is wrong.
    assert 'value="1e3"' in page and 'value="1,250.00"' in page and 'value="Design work"' in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_lines-1-quantity"', page)


def test_service_errors_land_on_the_row_they_name(tenant, customer, rates):
    # A blank row between two filled ones: the service counts only the kept lines, so its
    # "lines[1]" is the third row on the screen.
    vat, _ = rates
    retired = TaxRateFactory(organization=tenant.org, name="Old tax", percent=Decimal("8"))
    retired.is_active = False
    retired.save()
    response = tenant.client().post(
        "/invoices/new/",
        editor_post(
            customer,
            [
                {"description": "Design", "unit_price": "100", "taxes": [vat]},
                {"description": "", "unit_price": ""},
                {"description": "Support", "unit_price": "10", "discount_percent": "150"},
            ],
            issue_date="2027-03-10",
            due_date="2027-03-01",
        ),
    )
    assert response.status_code == 200
    assert not Invoice.objects.exists()
    errors = line_errors(response)
    assert errors == {"2.discount_percent": ["A line discount is between 0 and 100%."]}
    assert response.context["form"].errors["due_date"] == [
        "The due date cannot be before the issue date."
    ]
    page = text(response)
    assert '<a href="#id_lines-2-discount_percent">Line 3 discount %:' in page
    assert '<a href="#id_due_date">Fixed due date: The due date cannot be before' in page


def test_a_blank_editor_asks_for_a_customer_and_a_line(tenant):
    response = tenant.client().post("/invoices/new/", editor_post(None, [{"quantity": "1"}]))
    assert response.status_code == 200
    assert response.context["form"].errors["customer_search"] == [
        "Choose the customer: type part of their name, press Find, then pick them."
    ]
    assert not Invoice.objects.exists()


def test_a_line_without_a_description_or_price_is_named(tenant, customer):
    response = tenant.client().post(
        "/invoices/new/",
        editor_post(customer, [{"description": "Design", "unit_price": "5"}, {"unit_price": "12"},
                               {"description": "Visit"}]),
    )  # fmt: skip
    assert line_errors(response) == {
        "1.description": ["Describe what this line is for."],
        "2.unit_price": ["Enter the price of one unit."],
    }
    assert not Invoice.objects.exists()


def test_only_blank_lines_say_to_add_one(tenant, customer):
    response = tenant.client().post("/invoices/new/", editor_post(customer, [{}, {}]))
    assert line_errors(response) == {"lines": ["Add at least one line."]}
    assert not Invoice.objects.exists()


def test_another_organizations_customer_or_tax_rate_is_a_404(tenant, other_tenant, customer):
    theirs = CustomerFactory(organization=other_tenant.org, display_name="Zenith customer")
    client = tenant.client()
    line = {"description": "Design", "unit_price": "5"}
    assert client.post("/invoices/new/", editor_post(theirs, [line])).status_code == 404
    assert client.get(f"/invoices/new/?customer={theirs.pk}").status_code == 404
    assert client.get("/invoices/new/?customer=abc").status_code == 404
    # On a re-render it is simply not chosen, and nothing of theirs shows.
    page = client.post("/invoices/new/", editor_post(theirs, [line], action="refresh"))
    assert page.status_code == 200 and "Zenith" not in text(page)
    foreign_rate = TaxRateFactory(organization=other_tenant.org, name="Zenith VAT")
    response = client.post(
        "/invoices/new/", editor_post(customer, [{**line, "taxes": [foreign_rate]}])
    )
    assert response.status_code == 200  # not one of the choices offered: a form error
    assert line_errors(response)["0.taxes"]
    assert "Zenith" not in text(response)
    assert not Invoice.objects.exists()


# --------------------------------------------------------------------------------------------
# Without JavaScript


def test_add_another_line_without_javascript_keeps_the_input_and_saves_nothing(
    tenant, customer, rates
):
    response = tenant.client().post(
        "/invoices/new/",
        editor_post(customer, [{"description": "Design work", "unit_price": "abc"}], action="add_line"),
    )  # fmt: skip
    assert response.status_code == 200
    assert not Invoice.objects.exists()
    formset = response.context["lines"]
    assert formset.total_form_count() == 2
    page = text(response)
    assert 'name="lines-TOTAL_FORMS" value="2"' in page
    assert 'value="Design work"' in page and 'value="abc"' in page
    # Half-typed is not an error yet, and the new line has the focus.
    assert "Nothing was saved" not in page and 'aria-invalid="true"' not in page
    assert re.search(r'<input[^>]*name="lines-1-description"[^>]*autofocus', page) or re.search(
        r'<input[^>]*autofocus[^>]*name="lines-1-description"', page
    )
    assert 'name="lines-1-quantity" value="1"' in page or re.search(
        r'value="1"[^>]*name="lines-1-quantity"', page
    )


def test_every_line_control_has_a_label_naming_the_line(tenant, customer, rates):
    page = text(
        tenant.client().post(
            "/invoices/new/",
            editor_post(customer, three_lines(rates), action="refresh"),
        )
    )
    for number, index in ((1, 0), (3, 2)):
        for name, label in (("description", "Description"), ("quantity", "Quantity"),
                            ("unit_price", "Unit price"), ("discount_percent", "Discount %"),
                            ("kind", "Type"), ("unit", "Unit")):  # fmt: skip
            assert (
                f'<label for="id_lines-{index}-{name}"><span class="visually-hidden">'
                f"Line {number} </span>{label}</label>"
            ) in page
        assert f'<span class="visually-hidden">Line {number} </span>VAT (20%)</label>' in page
    # The totals of what is typed, before anything is saved.
    # No discount in this post: VAT 90.00 + 10.00, the levy 2.50.
    assert "£614.99" in page and "£450.00" in page


def test_find_a_customer_then_pick_them(tenant, customer):
    CustomerFactory(organization=tenant.org, display_name="Harbour Glass")
    CustomerFactory(organization=tenant.org, display_name="Zed Joinery")
    client = tenant.client()
    line = {"description": "Design", "unit_price": "5"}
    response = client.post(
        "/invoices/new/", editor_post(None, [line], action="refresh", customer_search="harb")
    )
    names = [c.display_name for c in response.context["matches"]]
    assert sorted(names) == ["Harbour Glass", "Harbour Tiles"]
    page = text(response)
    assert f'type="radio" name="customer" value="{customer.pk}"' in page
    assert "Zed Joinery" not in page and not Invoice.objects.exists()
    # One match is ticked already.
    single = text(
        client.post(
            "/invoices/new/", editor_post(None, [line], action="refresh", customer_search="tiles")
        )
    )
    assert f'value="{customer.pk}" id="customer-{customer.pk}" checked' in single
    # None: say so and offer to add one.
    none = text(
        client.post(
            "/invoices/new/", editor_post(None, [line], action="refresh", customer_search="qqq")
        )
    )
    assert "No customer matches “qqq”" in none
    # Picked, then saved.
    client.post("/invoices/new/", editor_post(customer, [line], customer_search="harb"))
    assert Invoice.objects.get().customer == customer


def test_preselected_customer_and_change_customer(tenant, customer):
    client = tenant.client()
    page = text(client.get(f"/invoices/new/?customer={customer.pk}"))
    assert f'<input type="hidden" name="customer" value="{customer.pk}">' in page
    assert "Harbour Tiles" in page and "The customer's currency (GBP)" in page
    response = client.post(
        "/invoices/new/",
        editor_post(customer, [{"description": "Kept", "unit_price": "5"}], action="change_customer"),
    )  # fmt: skip
    page = text(response)
    assert 'name="customer_search"' in page and 'value="Kept"' in page
    assert f'name="customer" value="{customer.pk}"' not in page


def test_the_search_matches_are_capped(tenant):
    for n in range(25):
        CustomerFactory(organization=tenant.org, display_name=f"Bulk buyer {n:02d}")
    response = tenant.client().post(
        "/invoices/new/", editor_post(None, [{}], action="refresh", customer_search="bulk")
    )
    assert len(response.context["matches"]) == 20 and response.context["more_matches"]
    assert "Type more of the name" in text(response)


# --------------------------------------------------------------------------------------------
# Editing


def test_edit_a_draft(tenant, customer, rates):
    vat, eco = rates
    draft = invoice_make(
        tenant.org,
        customer=customer,
        lines=[("Design", "2", "100", [vat]), ("Travel", "1", "30")],
        issue=False,
    )
    client = tenant.client()
    response = client.get(f"/invoices/{draft.pk}/edit/")
    page = text(response)
    assert response.status_code == 200
    assert 'value="Design"' in page and 'value="Travel"' in page and 'value="100"' in page
    assert f'name="lines-0-taxes" value="{vat.pk}"' in page
    assert re.search(rf'name="lines-0-taxes" value="{vat.pk}"[^>]*checked', page)
    assert "£270.00" in page  # the saved total, in the totals box

    data = editor_post(
        customer,
        [
            {"description": "Design", "quantity": "3", "unit_price": "100", "taxes": [vat, eco]},
            {"description": "Travel", "unit_price": "30", "DELETE": True},
            {"description": "Materials", "quantity": "2.5", "unit": "kg", "unit_price": "8"},
        ],
    )
    response = client.post(f"/invoices/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [line.description for line in draft.lines.all()] == ["Design", "Materials"]
    # 300 + 20 = 320; VAT 60, levy 15.
    assert (draft.subtotal, draft.tax_total, draft.total) == (
        Decimal("320.00"),
        Decimal("75.00"),
        Decimal("395.00"),
    )
    assert Invoice.objects.count() == 1


def test_edit_an_issued_invoice_explains_what_to_do_instead(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer)
    client = tenant.client()
    response = client.get(f"/invoices/{invoice.pk}/edit/")
    page = text(response)
    assert response.status_code == 200
    assert (
        "Issued invoices are not edited: issue a credit note for part of it, or void it and "
        "issue a corrected copy"
    ) in page
    assert f"/invoices/{invoice.pk}/credit-notes/new/" in page
    assert f"/invoices/{invoice.pk}/void/?then=copy" in page
    assert f"/invoices/{invoice.pk}/duplicate/" in page
    before = Invoice.objects.get(pk=invoice.pk)
    posted = client.post(
        f"/invoices/{invoice.pk}/edit/",
        editor_post(customer, [{"description": "Changed", "unit_price": "1"}]),
    )
    assert posted.status_code == 409
    after = Invoice.objects.get(pk=invoice.pk)
    assert (after.total, after.updated_at) == (before.total, before.updated_at)
    assert list(after.lines.values_list("description", flat=True)) == ["Consulting"]


def test_void_and_make_a_corrected_copy(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer)
    client = tenant.client()
    page = text(client.get(f"/invoices/{invoice.pk}/void/?then=copy"))
    assert re.search(r'<input type="checkbox" name="then_copy"[^>]*checked', page)
    response = client.post(
        f"/invoices/{invoice.pk}/void/", {"reason": "Wrong address", "then_copy": "on"}
    )
    invoice.refresh_from_db()
    copy = Invoice.objects.exclude(pk=invoice.pk).get()
    assert invoice.status == InvoiceStatus.VOID and invoice.void_reason == "Wrong address"
    assert copy.is_draft and copy.customer == customer and copy.total == invoice.total
    assert response["Location"] == f"/invoices/{copy.pk}/edit/"


def test_void_and_copy_is_all_or_nothing(tenant, customer, rates):
    vat, _ = rates
    invoice = invoice_make(tenant.org, customer=customer, lines=[("Work", "1", "10", [vat])])
    vat.is_active = False  # retired since: the copy cannot be made with it
    vat.save()
    response = tenant.client().post(
        f"/invoices/{invoice.pk}/void/", {"reason": "Wrong address", "then_copy": "on"}, follow=True
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert Invoice.objects.count() == 1
    assert "is retired" in text(response)


# --------------------------------------------------------------------------------------------
# The invoice page


@time_machine.travel("2027-03-20 23:30 +00:00")
def test_the_invoice_page_shows_the_invoice(tenant, customer, rates):
    vat, _ = rates
    tenant.org.timezone = "Pacific/Auckland"  # already 21 March there
    tenant.org.save()
    invoice = invoice_make(
        tenant.org,
        customer=customer,
        lines=[("Design", "2", "100", [vat]), ("Parts", "3", "0.125")],
        issue_date=date(2027, 2, 1),
        po_number="PO-1",
        notes="Thanks!",
        memo="Ask about the second site.",
    )
    MessageFactory(
        organization=tenant.org,
        customer=customer,
        invoice=invoice,
        kind=MessageKind.INVOICE,
        channel=Channel.EMAIL,
        recipient="accounts@harbour.test",
        status=MessageStatus.BOUNCED,
        status_reason="Mailbox does not exist",
    )
    MessageFactory(organization=tenant.org, customer=customer, recipient="other@harbour.test")
    page = text(tenant.client().get(f"/invoices/{invoice.pk}/"))
    assert f"Invoice {invoice.number}" in page
    assert '<span class="visually-hidden">Status: </span>Open' in page
    # Due 3 March (net 30) and it is 21 March in Auckland.
    assert "Overdue by 18 days" in page
    assert "Due March 3, 2027 (30 days)." in page
    # A unit price keeps its decimals; the line amount is rounded to the penny.
    assert "£200.00" in page and "£0.125" in page and "£0.38" in page and "£240.38" in page
    assert "VAT 20%" in page and "Balance due" in page
    assert "PO-1" in page and "Thanks!" in page
    assert "Ask about the second site." in page and "Only your team sees this" in page
    assert "accounts@harbour.test" in page and "Mailbox does not exist" in page
    assert "other@harbour.test" not in page  # not about this invoice
    try:
        reverse("pay_page", args=["p123"])
    except NoReverseMatch:
        pass
    else:
        assert 'data-copy="#pay-url"' in page


def test_a_draft_page_reads_the_terms_as_if_issued_today(tenant, customer):
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    page = text(tenant.client().get(f"/invoices/{draft.pk}/"))
    assert "Draft invoice" in page and "As it would read if issued today" in page
    assert "(30 days)." in page
    assert "Overdue" not in page and "pay-url" not in page


# --------------------------------------------------------------------------------------------
# Actions per state and role

ACTION_LABELS = {
    "edit": "Edit draft",
    "send": '">Send</button>',
    "issue_send": "Issue and send",
    "issue": "Issue without sending",
    "credit": "Credit note</a>",
    "duplicate": "Duplicate</button>",
    "void": ">Void</a>",
    "write_off": "Write off</a>",
    "delete": "Delete draft",
    "pay_link": "Revoke and make a new link",
}


def shown_actions(page: str) -> set[str]:
    return {name for name, label in ACTION_LABELS.items() if label in page}


def make_in_state(org: Any, customer: Customer, state: str) -> Invoice:
    if state == "draft":
        return invoice_make(org, customer=customer, issue=False)
    invoice = invoice_make(org, customer=customer)
    if state == "void":
        invoice = invoice_void(org=org, actor=None, invoice=invoice, reason="test")
    elif state == "partially_paid":
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_paid=Decimal("100"), balance_due=Decimal("200"), status=state
        )
    elif state == "paid":
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_paid=invoice.total, balance_due=0, status=state
        )
    return Invoice.objects.get(pk=invoice.pk)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", {"edit", "issue_send", "issue", "duplicate", "delete"}),
        ("open", {"send", "credit", "duplicate", "void", "write_off", "pay_link"}),
        ("partially_paid", {"send", "credit", "duplicate", "write_off", "pay_link"}),
        ("paid", {"send", "credit", "duplicate"}),
        ("void", {"duplicate"}),
    ],
)
def test_the_actions_offered_follow_the_state(tenant, customer, state, expected):
    invoice = make_in_state(tenant.org, customer, state)
    page = text(tenant.client().get(f"/invoices/{invoice.pk}/"))
    assert shown_actions(page) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OWNER, {"send", "credit", "duplicate", "void", "write_off", "pay_link"}),
        (Role.ADMIN, {"send", "credit", "duplicate", "void", "write_off", "pay_link"}),
        (Role.BILLING, {"send", "credit", "duplicate", "void", "write_off"}),
        (Role.ACCOUNTANT, set()),
        (Role.VIEWER, set()),
    ],
)
def test_the_actions_offered_follow_the_role(tenant, customer, role, expected):
    invoice = invoice_make(tenant.org, customer=customer)
    response = tenant.client(role).get(f"/invoices/{invoice.pk}/")
    assert response.status_code == 200
    assert shown_actions(text(response)) == expected


ACTION_ROUTES = [
    "invoice_issue",
    "invoice_send",
    "invoice_void",
    "invoice_write_off",
    "invoice_duplicate",
    "invoice_delete",
    "credit_note_create",
    "invoice_edit",
]


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
@pytest.mark.parametrize("name", ACTION_ROUTES)
def test_read_only_roles_are_refused_every_action(tenant, customer, role, name):
    invoice = invoice_make(tenant.org, customer=customer)
    client = tenant.client(role)
    url = reverse(name, kwargs={"pk": invoice.pk})
    assert client.post(url, {"reason": "x"}).status_code == 403
    if name in ("invoice_void", "invoice_write_off", "credit_note_create", "invoice_edit"):
        assert client.get(url).status_code == 403
    after = Invoice.objects.get(pk=invoice.pk)
    assert after.status == InvoiceStatus.OPEN and Invoice.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_cannot_open_the_editor(tenant, role):
    assert tenant.client(role).get("/invoices/new/").status_code == 403


def test_only_owners_and_admins_replace_the_pay_link(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer)
    old = PayLink.objects.get(invoice=invoice)
    url = f"/invoices/{invoice.pk}/pay-link/replace/"
    assert tenant.client(Role.BILLING).post(url).status_code == 403
    assert PayLink.objects.get(invoice=invoice).revoked_at is None
    response = tenant.client(Role.ADMIN).post(url)
    assert response.status_code == 302 and response["Location"].endswith("#pay-link")
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert PayLink.objects.filter(invoice=invoice, revoked_at__isnull=True).exclude(pk=old.pk)


def test_issue_a_draft_from_its_page(tenant, customer):
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    client = tenant.client(Role.BILLING)
    response = client.post(f"/invoices/{draft.pk}/issue/", follow=True)
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.OPEN
    assert f"Issued invoice {draft.number}" in text(response)


def test_issue_refused_by_state_says_why(tenant, customer):
    draft = invoice_make(tenant.org, customer=customer, lines=[("Free", "1", "0")], issue=False)
    response = tenant.client().post(f"/invoices/{draft.pk}/issue/", follow=True)
    assert "The invoice total must be more than zero." in text(response)
    assert Invoice.objects.get(pk=draft.pk).is_draft


def test_send_issues_a_draft_and_queues_the_send(
    tenant, customer, django_capture_on_commit_callbacks
):
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = tenant.client().post(f"/invoices/{draft.pk}/send/", follow=True)
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.OPEN and draft.last_sent_at is not None
    assert len(callbacks) == 1
    page = text(response)
    assert f"Issued invoice {draft.number} and sending it to Harbour Tiles" in page
    assert "Send again" in page


def test_send_a_void_invoice_is_refused(tenant, customer):
    invoice = make_in_state(tenant.org, customer, "void")
    response = tenant.client().post(f"/invoices/{invoice.pk}/send/", follow=True)
    assert "A void invoice is not sent." in text(response)
    assert Invoice.objects.get(pk=invoice.pk).last_sent_at is None


def test_void_asks_for_a_reason(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer)
    client = tenant.client()
    page = text(client.get(f"/invoices/{invoice.pk}/void/"))
    assert "This cannot be undone." in page
    response = client.post(f"/invoices/{invoice.pk}/void/", {"reason": "  "})
    assert response.status_code == 200
    assert '<a href="#id_reason">Reason: Say why, so your team knows later.</a>' in text(response)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.OPEN
    response = client.post(f"/invoices/{invoice.pk}/void/", {"reason": "Sent twice"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID and invoice.void_reason == "Sent twice"
    assert not PayLink.objects.filter(invoice=invoice, revoked_at__isnull=True).exists()
    assert Invoice.objects.count() == 1  # no copy unless asked


def test_void_of_a_part_paid_invoice_is_refused(tenant, customer):
    invoice = make_in_state(tenant.org, customer, "partially_paid")
    client = tenant.client()
    page = text(client.get(f"/invoices/{invoice.pk}/void/"))
    assert "issue a credit note" in page and 'name="reason"' not in page
    response = client.post(f"/invoices/{invoice.pk}/void/", {"reason": "x"}, follow=True)
    assert "Only an open invoice with no payments can be voided." in text(response)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PARTIALLY_PAID


def test_write_off(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer)
    client = tenant.client(Role.BILLING)
    assert "uncollectible" in text(client.get(f"/invoices/{invoice.pk}/write-off/"))
    response = client.post(f"/invoices/{invoice.pk}/write-off/", {"reason": ""}, follow=True)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNCOLLECTIBLE
    assert f"Wrote off £300.00 of invoice {invoice.number}." in text(response)
    again = client.post(f"/invoices/{invoice.pk}/write-off/", {"reason": ""}, follow=True)
    assert "Only an unpaid issued invoice can be written off." in text(again)


def test_duplicate(tenant, customer):
    invoice = invoice_make(tenant.org, customer=customer, po_number="PO-9")
    response = tenant.client().post(f"/invoices/{invoice.pk}/duplicate/")
    copy = Invoice.objects.exclude(pk=invoice.pk).get()
    assert response["Location"] == f"/invoices/{copy.pk}/edit/"
    assert copy.is_draft and copy.po_number == "PO-9" and copy.total == invoice.total


def test_delete_a_draft_but_not_an_issued_invoice(tenant, customer):
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    issued = invoice_make(tenant.org, customer=customer)
    client = tenant.client()
    response = client.post(f"/invoices/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/invoices/"
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    refused = client.post(f"/invoices/{issued.pk}/delete/", follow=True)
    assert "Only drafts can be deleted" in text(refused)
    assert Invoice.objects.filter(pk=issued.pk).exists()


# --------------------------------------------------------------------------------------------
# Another organization's invoices

ROUTES = [
    ("invoice_detail", ("GET",)),
    ("invoice_edit", ("GET", "POST")),
    ("invoice_issue", ("POST",)),
    ("invoice_send", ("POST",)),
    ("invoice_void", ("GET", "POST")),
    ("invoice_write_off", ("GET", "POST")),
    ("invoice_duplicate", ("POST",)),
    ("invoice_delete", ("POST",)),
    ("invoice_pay_link_revoke", ("POST",)),
    ("credit_note_create", ("GET", "POST")),
]


@pytest.mark.parametrize("state", ["draft", "open"])
@pytest.mark.parametrize(("name", "methods"), ROUTES)
def test_another_organizations_invoice_is_a_404_everywhere(
    tenant, other_tenant, name, methods, state
):
    theirs = make_in_state(other_tenant.org, CustomerFactory(organization=other_tenant.org), state)
    before = Invoice.objects.filter(pk=theirs.pk).values().get()
    client = tenant.client()
    url = reverse(name, kwargs={"pk": theirs.pk})
    for method in methods:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {"reason": "x", "amount": "", "_action": "save"})
        assert response.status_code == 404, (method, url)
    assert Invoice.objects.filter(pk=theirs.pk).values().get() == before
    assert Invoice.objects.count() == 1 and not CreditNote.objects.exists()

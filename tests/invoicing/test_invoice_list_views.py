"""The invoice list: what each row says, the filters, the sort orders and their pages, the
outstanding totals per currency, the empty state, roles and tenancy."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arhub.models import Organization
from arhub.roles import Role
from invoicing import invoice_list_views
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Invoice, InvoiceStatus
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db

URL = "/invoices/"


def text(response: Any) -> str:
    assert response.status_code == 200, response
    return unescape(response.content.decode())


def customer(org: Organization, name: str, currency: str = "GBP") -> Any:
    made = CustomerFactory(organization=org, display_name=name, currency=currency)
    ContactFactory(customer=made)
    return made


def numbers_on(page: str) -> list[str]:
    """Invoice labels in table order (the Number cells)."""
    return re.findall(r'<td data-label="Number" class="number">(?:<a [^>]*>)?([^<]+)<', page)


def mark_paid(invoice: Invoice) -> None:
    # Payments arrive with another app; the list only reads the status and balance.
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.PAID, amount_paid=invoice.total, balance_due=Decimal(0)
    )


def mark_part_paid(invoice: Invoice, paid: str) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.PARTIALLY_PAID,
        amount_paid=Decimal(paid),
        balance_due=invoice.total - Decimal(paid),
    )


@pytest.fixture
def dated(tenant):
    """Invoices of several statuses, customers and currencies, with known dates, seen on
    2026-03-20 in London."""
    org = tenant.org
    harbour = customer(org, "Harbour Tiles")
    casa = customer(org, "Casa Verde", currency="EUR")
    with time_machine.travel("2026-03-20 12:00 +00:00", tick=False):
        made = {
            "open_overdue": invoice_make(
                org,
                customer=harbour,
                issue_date=date(2026, 2, 1),
                due_date=date(2026, 3, 3),
                po_number="PO-7781",
            ),
            "open_future": invoice_make(
                org,
                customer=harbour,
                issue_date=date(2026, 3, 15),
                due_date=date(2026, 4, 14),
                lines=[("Tiling", "1", "1000.00")],
            ),
            "due_today": invoice_make(
                org, customer=harbour, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 20)
            ),
            "euro": invoice_make(
                org,
                customer=casa,
                issue_date=date(2026, 1, 10),
                due_date=date(2026, 2, 9),
                lines=[("Design", "1", "80.50")],
            ),
            "paid": invoice_make(org, customer=casa, issue_date=date(2026, 1, 5)),
            "void": invoice_make(org, customer=harbour, issue_date=date(2026, 1, 6)),
            "written_off": invoice_make(org, customer=harbour, issue_date=date(2026, 1, 7)),
            "draft": invoice_make(org, customer=casa, issue=False),
        }
        mark_paid(made["paid"])
        invoice_void(org=org, actor=None, invoice=made["void"], reason="Duplicate")
        invoice_write_off(org=org, actor=None, invoice=made["written_off"])
        mark_part_paid(made["euro"], "30.50")
    for invoice in made.values():
        invoice.refresh_from_db()
    return made


@pytest.fixture
def on_the_20th():
    with time_machine.travel("2026-03-20 12:00 +00:00", tick=False):
        yield


# --------------------------------------------------------------------------------------------
# Rows


def test_each_row_says_number_customer_dates_status_and_money(tenant, dated, on_the_20th):
    page = text(tenant.client().get(URL))
    overdue = dated["open_overdue"]
    row = page[page.index(f">{overdue.number}<") :]
    row = row[: row.index("</tr>")]
    assert "Harbour Tiles" in row
    assert '<time datetime="2026-02-01"' in row and "1 Feb 2026" in row
    assert '<time datetime="2026-03-03"' in row and "3 Mar 2026" in row
    assert "Overdue by 17 days" in row
    assert '<span class="badge status-overdue">Overdue</span>' in row
    assert row.count("£300.00") == 2  # total and balance due

    euro = dated["euro"]
    row = page[page.index(f">{euro.number}<") :]
    row = row[: row.index("</tr>")]
    assert "€80.50" in row and "€50.00" in row  # total, then what is left after €30.50
    assert "Partially paid, overdue" in row and "Overdue by 39 days" in row

    today = page[page.index(f">{dated['due_today'].number}<") :]
    assert "Due today" in today[: today.index("</tr>")]
    # The statuses in words, never colour alone.
    for label in ("Paid", "Void", "Written off", "Draft", "Open"):
        assert f">{label}</span>" in page
    # A draft has no number yet: it is called a draft, and named for the screen reader.
    assert '>Draft<span class="visually-hidden"> for Casa Verde</span>' in page


def test_overdue_follows_the_organizations_calendar_not_utc(tenant):
    org = tenant.org
    with time_machine.travel("2026-03-01 12:00 +00:00", tick=False):
        invoice = invoice_make(org, issue_date=date(2026, 3, 1), due_date=date(2026, 3, 10))
    # 11:30 UTC on the 10th is already the 11th in Auckland, still the 10th in Los Angeles.
    with time_machine.travel("2026-03-10 11:30 +00:00", tick=False):
        Organization.objects.filter(pk=org.pk).update(timezone="Pacific/Auckland")
        page = text(tenant.client().get(URL))
        assert "Overdue by 1 day<" in page
        assert invoice.number in text(tenant.client().get(URL, {"status": "overdue"}))

        Organization.objects.filter(pk=org.pk).update(timezone="America/Los_Angeles")
        page = text(tenant.client().get(URL))
        assert "Overdue by" not in page and "Due today" in page
        assert invoice.number not in text(tenant.client().get(URL, {"status": "overdue"}))


def test_amounts_use_the_invoice_currency_and_the_organizations_locale(tenant):
    Organization.objects.filter(pk=tenant.org.pk).update(locale="de-DE")
    yen = customer(tenant.org, "Kyoto Works", currency="JPY")
    invoice_make(tenant.org, customer=yen, lines=[("Survey", "3", "12500")])
    page = text(tenant.client().get(URL))
    assert "37.500\xa0¥" in page


def test_rows_link_to_the_invoice_and_the_customer(tenant, dated):
    page = text(tenant.client().get(URL))
    invoice = dated["open_overdue"]
    detail = reverse("invoice_detail", args=[invoice.pk])
    assert f'href="{detail}">{invoice.number}</a>' in page
    assert f'href="/customers/{invoice.customer_id}/">Harbour Tiles</a>' in page


# --------------------------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("", {"open_overdue", "open_future", "due_today", "euro", "paid", "void", "written_off"}),
        ("draft", set()),
        ("outstanding", {"open_overdue", "open_future", "due_today", "euro"}),
        ("overdue", {"open_overdue", "euro"}),
        ("paid", {"paid"}),
        ("void", {"void"}),
        ("uncollectible", {"written_off"}),
    ],
)
def test_status_filter(tenant, dated, on_the_20th, status, expected):
    page = text(tenant.client().get(URL, {"status": status}))
    shown = set(numbers_on(page))
    assert shown - {"Draft"} == {dated[key].number for key in expected}
    assert ("Draft" in shown) == (status in ("", "draft"))


def test_status_filter_offers_every_choice_in_words(tenant, dated):
    page = text(tenant.client().get(URL))
    for value, label in [
        ("", "All invoices"),
        ("draft", "Drafts"),
        ("outstanding", "Outstanding"),
        ("overdue", "Overdue"),
        ("paid", "Paid"),
        ("void", "Void"),
        ("uncollectible", "Written off"),
    ]:
        assert f'<option value="{value}"' in page and f">{label}</option>" in page


def test_customer_filter_from_the_query_string(tenant, dated):
    casa = dated["euro"].customer
    page = text(tenant.client().get(URL, {"customer": casa.pk}))
    assert set(numbers_on(page)) == {dated["euro"].number, dated["paid"].number, "Draft"}
    assert "Showing invoices for" in page and f'href="/customers/{casa.pk}/">Casa Verde' in page
    # The filter form keeps the customer when another filter is applied.
    assert f'name="customer" value="{casa.pk}"' in page
    assert "Show every customer\u2019s invoices" in page


def test_another_organizations_customer_id_is_a_404(tenant, other_tenant):
    theirs = customer(other_tenant.org, "Zenith Flour")
    invoice_make(other_tenant.org, customer=theirs)
    assert tenant.client().get(URL, {"customer": theirs.pk}).status_code == 404
    assert tenant.client().get(URL, {"customer": 99999999}).status_code == 404
    # Not a number: ignored like any malformed filter.
    assert tenant.client().get(URL, {"customer": "abc"}).status_code == 200


def test_currency_filter_appears_with_a_second_currency(tenant, dated):
    page = text(tenant.client().get(URL, {"currency": "eur"}))
    # Casa Verde is billed in euros: the part-paid one, the paid one and the draft.
    assert set(numbers_on(page)) == {dated["euro"].number, dated["paid"].number, "Draft"}
    assert '<option value="EUR" selected>EUR</option>' in page


def test_a_currency_used_for_the_first_time_filters_at_once(tenant):
    invoice_make(tenant.org)
    client = tenant.client()
    assert 'name="currency"' not in text(client.get(URL))  # one currency, now cached
    yen = invoice_make(tenant.org, customer=customer(tenant.org, "Kyoto Works", currency="JPY"))
    page = text(client.get(URL, {"currency": "jpy"}))
    assert numbers_on(page) == [yen.number]
    # Its outstanding total shows straight away too.
    assert "¥300" in page[page.index('id="totals-heading"') :]
    # A code that is no currency is ignored, like any malformed filter.
    assert len(numbers_on(text(client.get(URL, {"currency": "XYZ1"})))) == 2


def test_currency_filter_hidden_with_one_currency(tenant):
    invoice_make(tenant.org)
    assert 'name="currency"' not in text(tenant.client().get(URL))


@pytest.mark.parametrize(
    ("term", "expected"),
    [("PO-778", {"open_overdue"}), ("casa", {"euro", "paid"})],
)
def test_search_by_po_and_customer_name(tenant, dated, term, expected):
    page = text(tenant.client().get(URL, {"q": term}))
    shown = set(numbers_on(page)) - {"Draft"}
    assert shown == {dated[key].number for key in expected}


def test_search_by_number_prefix(tenant, dated):
    number = dated["void"].number
    page = text(tenant.client().get(URL, {"q": number}))
    assert numbers_on(page) == [number]


def test_issued_date_range(tenant, dated):
    page = text(tenant.client().get(URL, {"issued_from": "2026-01-06", "issued_to": "2026-02-01"}))
    assert set(numbers_on(page)) == {
        dated["void"].number,
        dated["written_off"].number,
        dated["euro"].number,
        dated["open_overdue"].number,
    }
    assert "issued 6 Jan 2026 to 1 Feb 2026" in page  # the caption says what is shown


def test_bad_dates_are_named_and_the_rest_of_the_filters_still_apply(tenant, dated):
    page = text(tenant.client().get(URL, {"issued_from": "2026-13-45", "q": "casa"}))
    assert "Enter a valid date." in page
    assert set(numbers_on(page)) - {"Draft"} == {dated["euro"].number, dated["paid"].number}

    page = text(tenant.client().get(URL, {"issued_from": "2026-03-01", "issued_to": "2026-02-01"}))
    assert "This date is before “Issued from”." in page
    assert len(numbers_on(page)) == 8  # neither end of a reversed range is applied


def test_nothing_matches_says_so_and_offers_the_whole_list(tenant, dated):
    page = text(tenant.client().get(URL, {"q": "nobody-like-this"}))
    assert "No invoices matching “nobody-like-this”." in page
    assert '<a href="/invoices/">Show all invoices</a>' in page
    assert "Nothing outstanding among these invoices." in page


# --------------------------------------------------------------------------------------------
# Totals


def test_outstanding_totals_per_currency_follow_the_filters(tenant, dated, on_the_20th):
    page = text(tenant.client().get(URL))
    totals = page[page.index('id="totals-heading"') : page.index('id="results-heading"')]
    # GBP: 300 overdue + 1000 + 300 due today; EUR: 50 left on the part-paid one, overdue.
    assert "£1,600.00" in totals and "3 invoices in GBP" in totals and "£300.00 overdue" in totals
    assert "€50.00" in totals and "1 invoice in EUR" in totals and "€50.00 overdue" in totals
    assert "nothing is converted" in totals

    page = text(tenant.client().get(URL, {"customer": dated["open_overdue"].customer_id}))
    totals = page[page.index('id="totals-heading"') : page.index('id="results-heading"')]
    assert "Outstanding in this list" in totals
    assert "£1,600.00" in totals and "EUR" not in totals

    page = text(tenant.client().get(URL, {"status": "paid"}))
    assert "Nothing outstanding among these invoices." in page


# --------------------------------------------------------------------------------------------
# Sorting and pages


def test_sort_orders(tenant, dated, on_the_20th):
    numbers = {key: invoice.number for key, invoice in dated.items()}
    client = tenant.client()

    newest = numbers_on(text(client.get(URL)))
    assert newest[0] == "Draft"  # made last

    due = numbers_on(text(client.get(URL, {"sort": "due", "status": "outstanding"})))
    assert due == [
        numbers["euro"],
        numbers["open_overdue"],
        numbers["due_today"],
        numbers["open_future"],
    ]
    assert numbers_on(text(client.get(URL, {"sort": "due"})))[-1] == "Draft"  # no due date

    by_total = numbers_on(text(client.get(URL, {"sort": "total"})))
    assert by_total[0] == numbers["open_future"]  # 1,000
    assert by_total[-1] == numbers["euro"]  # 80.50

    by_number = numbers_on(text(client.get(URL, {"sort": "number"})))
    assert by_number == [*sorted(by_number[:-1], reverse=True), "Draft"]


@pytest.mark.parametrize("sort", ["newest", "due", "total", "number"])
def test_pages_walk_every_invoice_once_forward_and_back(tenant, monkeypatch, sort):
    monkeypatch.setattr(invoice_list_views.InvoiceListView, "page_size", 3)
    people = [customer(tenant.org, f"Person {n}") for n in range(3)]
    with time_machine.travel("2026-03-20 12:00 +00:00", tick=True):
        for n in range(8):
            # Equal totals and due dates on purpose: ties are broken by id.
            invoice_make(
                tenant.org,
                customer=people[n % 3],
                issue=n != 5,
                due_date=date(2026, 4, 1 + n % 2),
                lines=[("Work", "1", str(100 + n % 2))],
            )
    client = tenant.client()
    seen: list[str] = []
    pages: list[str] = []
    url: str | None = URL + ("" if sort == "newest" else f"?sort={sort}")
    while url:
        page = text(client.get(url if url.startswith("/") else URL + url))
        pages.append(url)
        seen += numbers_on(page)
        found = re.search(r'href="(\?[^"]+)" rel="next"', page)
        url = unescape(found.group(1)) if found else None
    assert len(seen) == 8 and len(set(seen) - {"Draft"}) == 7, seen
    assert len(pages) == 3

    # Back from the last page gives the middle page again.
    last = text(client.get(URL + pages[-1]))
    back = re.search(r'href="(\?[^"]+)" rel="prev"', last)
    assert back is not None
    middle = numbers_on(text(client.get(URL + unescape(back.group(1)))))
    assert middle == seen[3:6]


def test_an_unreadable_cursor_shows_the_first_page(tenant, dated):
    client = tenant.client()
    first = numbers_on(text(client.get(URL)))
    assert numbers_on(text(client.get(URL, {"after": "not-a-cursor"}))) == first
    # A cursor made for another order is not read under this one either.
    by_total = numbers_on(text(client.get(URL, {"sort": "total"})))
    other = "WyJuZXdlc3QiLDEsMSxmYWxzZV0"  # ["newest", 1, 1, false]
    assert numbers_on(text(client.get(URL, {"sort": "total", "after": other}))) == by_total


def test_queries_do_not_grow_with_invoices(tenant):
    def page_queries() -> int:
        client = tenant.client()
        client.get(URL)  # the session and membership are warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"status": "outstanding", "sort": "due"}).status_code == 200
        return len(queries)

    def add(count: int) -> None:
        for n in range(count):
            made = customer(tenant.org, f"Customer {n}", currency=("GBP", "EUR")[n % 2])
            invoice_make(tenant.org, customer=made, issue=n % 7 != 0)

    add(3)
    few = page_queries()
    add(60)  # more than a page, in two currencies
    many = page_queries()
    assert few == many
    client = tenant.client()
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"].upper()]


# --------------------------------------------------------------------------------------------
# Empty state, roles, tenancy


def test_empty_list_says_what_to_do_next(tenant):
    page = text(tenant.client().get(URL))
    assert "No invoices yet" in page
    assert 'href="/customers/"' in page and 'href="/settings/"' in page
    assert f'href="{reverse("invoice_create")}">Create your first invoice' in page

    viewer = text(tenant.client(Role.VIEWER).get(URL))
    assert "Create your first invoice" not in viewer
    assert "ask an owner, admin or billing colleague" in viewer


def test_new_invoice_button_for_roles_that_write(tenant, dated):
    create = reverse("invoice_create")
    assert f'href="{create}">New invoice</a>' in text(tenant.client(Role.BILLING).get(URL))
    assert "New invoice" not in text(tenant.client(Role.ACCOUNTANT).get(URL))


def test_viewers_see_the_list_without_bulk_actions(tenant, dated):
    client = tenant.client(Role.VIEWER)
    page = text(client.get(URL))
    assert dated["open_overdue"].number in page
    assert 'name="action"' not in page and 'name="ids"' not in page
    # A zip is an export, which a viewer's role does not include.
    response = client.post("/invoices/bulk/", {"action": "zip", "ids": [dated["open_overdue"].pk]})
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.ACCOUNTANT])
def test_read_only_roles_see_the_list_and_may_only_download(tenant, dated, role):
    page = text(tenant.client(role).get(URL))
    assert dated["open_overdue"].number in page
    actions = page[
        page.index('name="action"') : page.index("</select>", page.index('name="action"'))
    ]
    assert 'value="zip"' in actions
    assert 'value="send"' not in actions and 'value="void"' not in actions


def test_owner_sees_every_bulk_action(tenant, dated):
    page = text(tenant.client(Role.BILLING).get(URL))
    for value in ("send", "void", "zip"):
        assert f'<option value="{value}">' in page
    # One labelled checkbox per row, and the page's ids for "select all" without JavaScript.
    invoice = dated["open_overdue"]
    assert f'id="select-{invoice.pk}"' in page
    assert (
        f'<label for="select-{invoice.pk}" class="visually-hidden">Select invoice {invoice.number}</label>'
        in page
    )
    assert page.count('name="page_ids"') == 8
    assert '<label for="id_all_on_page">Select all on this page</label>' in page


def test_another_organizations_invoices_never_show(tenant, other_tenant):
    theirs = customer(other_tenant.org, "Zenith Flour")
    invoice_make(other_tenant.org, customer=theirs, po_number="ZEN-PO")
    invoice_make(tenant.org)
    page = text(tenant.client().get(URL, {"q": "Zenith"}))
    assert "Zenith" not in page.replace("“Zenith”", "").replace('value="Zenith"', "")
    page = text(tenant.client().get(URL))
    assert "Zenith Flour" not in page and "ZEN-PO" not in page


def test_the_nav_marks_invoices_as_the_current_page(tenant):
    page = text(tenant.client().get(URL))
    assert '<a href="/invoices/" aria-current="page">Invoices</a>' in page

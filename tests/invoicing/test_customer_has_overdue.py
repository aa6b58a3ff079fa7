"""The directory's "has overdue" filter, in the dashboard and the API: which invoices count,
"today" being the organization's own date (the clock moved across midnight in Tokyo and Los
Angeles), keyset pages that keep the filter, and a query count that does not grow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.models import Organization
from invoicing import views
from invoicing.invoice_services import invoice_void
from invoicing.models import Customer, Invoice, InvoiceStatus
from invoicing.selectors import customer_list
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db

DUE = date(2027, 3, 9)


def customer_make(org: Organization, name: str) -> Customer:
    customer = CustomerFactory(organization=org, display_name=name)
    ContactFactory(customer=customer)
    return customer


def due_on(org: Organization, customer: Customer, due: date, **fields: Any) -> Invoice:
    return invoice_make(org, customer=customer, issue_date=date(2027, 3, 1), due_date=due, **fields)


def build(org: Organization) -> dict[str, Customer]:
    """One customer per case, named for it; only "open" and "part paid" owe past the due
    date."""
    made = {name: customer_make(org, name) for name in (
        "open", "part paid", "not yet due", "paid", "void", "draft", "no invoices",
    )}  # fmt: skip
    due_on(org, made["open"], DUE)
    part = due_on(org, made["part paid"], DUE)
    Invoice.objects.filter(pk=part.pk).update(
        status=InvoiceStatus.PARTIALLY_PAID, amount_paid=Decimal(100), balance_due=Decimal(200)
    )
    due_on(org, made["not yet due"], date(2027, 3, 20))
    paid = due_on(org, made["paid"], DUE)
    Invoice.objects.filter(pk=paid.pk).update(
        status=InvoiceStatus.PAID, amount_paid=paid.total, balance_due=0
    )
    invoice_void(org=org, actor=None, invoice=due_on(org, made["void"], DUE))
    due_on(org, made["draft"], DUE, issue=False)
    return made


OWING = ["open", "part paid"]
NOT_OWING = ["draft", "no invoices", "not yet due", "paid", "void"]


def names(response: Any) -> list[str]:
    return [c.display_name for c in response.context["page"].rows]


def api_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


# --------------------------------------------------------------------------------------------
# Which customers


@time_machine.travel("2027-03-10 12:00 +00:00", tick=False)
def test_only_outstanding_invoices_past_due_count(tenant, other_tenant):
    build(tenant.org)
    theirs = customer_make(other_tenant.org, "Zenith owes")
    due_on(other_tenant.org, theirs, DUE)
    client, api = tenant.client(), tenant.api()
    assert names(client.get("/customers/", {"has_overdue": "true"})) == OWING
    assert names(client.get("/customers/", {"has_overdue": "false"})) == NOT_OWING
    assert len(names(client.get("/customers/"))) == 7
    assert api_names(api.get("/api/v1/customers/?has_overdue=true")) == OWING
    assert api_names(api.get("/api/v1/customers/?has_overdue=false")) == NOT_OWING
    assert len(api_names(api.get("/api/v1/customers/"))) == 7
    assert api_names(api.get("/api/v1/customers/?has_overdue=TRUE")) == OWING


@time_machine.travel("2027-03-10 12:00 +00:00", tick=False)
def test_it_combines_with_search_tags_and_sort(tenant):
    made = build(tenant.org)
    Customer.objects.filter(pk__in=[made["open"].pk, made["paid"].pk]).update(tags=["trade"])
    client = tenant.client()
    response = client.get("/customers/", {"has_overdue": "true", "tag": "trade"})
    assert names(response) == ["open"]
    response = client.get("/customers/", {"has_overdue": "true", "sort": "-name"})
    assert names(response) == ["part paid", "open"]
    response = client.get("/customers/", {"has_overdue": "false", "q": "paid"})
    assert names(response) == ["paid"]
    api = tenant.api()
    rows = api_names(api.get("/api/v1/customers/?has_overdue=true&tag=trade&ordering=-name"))
    assert rows == ["open"]


def test_a_value_that_is_not_true_or_false(tenant):
    customer_make(tenant.org, "Anyone")
    # The dashboard's GET form never hides the list: it shows everyone.
    assert names(tenant.client().get("/customers/", {"has_overdue": "maybe"})) == ["Anyone"]
    response = tenant.api().get("/api/v1/customers/?has_overdue=maybe")
    assert response.status_code == 400
    assert response.json() == {"has_overdue": ["Use true or false."]}


def test_the_dashboard_says_what_it_filtered_by(tenant):
    customer_make(tenant.org, "Anyone")
    page = tenant.client().get("/customers/", {"has_overdue": "true"}).content.decode()
    assert "No customers match with overdue invoices." in page
    assert '<option value="true" selected>Has overdue</option>' in page
    assert 'href="/customers/">Clear</a>' in page


# --------------------------------------------------------------------------------------------
# The organization's today


@pytest.mark.parametrize(
    ("zone", "instant", "overdue"),
    [
        # Tokyo is 9 hours ahead: at 15:00 UTC on the 9th it is already the 10th there, so an
        # invoice due on the 9th is overdue in Tokyo while in UTC terms it is still due today.
        ("Asia/Tokyo", "2027-03-09 14:59 +00:00", False),
        ("Asia/Tokyo", "2027-03-09 15:00 +00:00", True),
        ("UTC", "2027-03-09 15:00 +00:00", False),
        ("UTC", "2027-03-10 00:00 +00:00", True),
        # Los Angeles is 8 hours behind: at 03:00 UTC on the 10th it is still the 9th there.
        ("America/Los_Angeles", "2027-03-10 03:00 +00:00", False),
        ("America/Los_Angeles", "2027-03-10 08:00 +00:00", True),
    ],
)
def test_overdue_starts_at_midnight_where_the_organization_is(tenant, zone, instant, overdue):
    Organization.objects.filter(pk=tenant.org.pk).update(timezone=zone)
    tenant.org.refresh_from_db()
    with time_machine.travel("2027-03-01 12:00 +00:00", tick=False):
        due_on(tenant.org, customer_make(tenant.org, "Due on the 9th"), DUE)
    with time_machine.travel(instant, tick=False):
        with_overdue = names(tenant.client().get("/customers/", {"has_overdue": "true"}))
        without = names(tenant.client().get("/customers/", {"has_overdue": "false"}))
        from_api = api_names(tenant.api().get("/api/v1/customers/?has_overdue=true"))
    assert with_overdue == from_api == (["Due on the 9th"] if overdue else [])
    assert without == ([] if overdue else ["Due on the 9th"])


def test_the_clock_moving_across_midnight_in_tokyo(tenant):
    Organization.objects.filter(pk=tenant.org.pk).update(timezone="Asia/Tokyo")
    tenant.org.refresh_from_db()
    with time_machine.travel("2027-03-01 12:00 +00:00", tick=False):
        due_on(tenant.org, customer_make(tenant.org, "Kyoto Tea"), DUE)
    with time_machine.travel("2027-03-09 14:59:30 +00:00", tick=True) as traveller:
        assert list(customer_list(org=tenant.org, has_overdue=True)) == []
        traveller.shift(60)  # 00:00:30 on the 10th in Tokyo; still the 9th in UTC
        assert [c.display_name for c in customer_list(org=tenant.org, has_overdue=True)] == [
            "Kyoto Tea"
        ]


# --------------------------------------------------------------------------------------------
# Pages and cost


@time_machine.travel("2027-03-10 12:00 +00:00", tick=False)
def test_pages_keep_the_filter_forwards_and_back(tenant, monkeypatch):
    monkeypatch.setattr(views.CustomerListView, "page_size", 2)
    for index in range(5):
        due_on(tenant.org, customer_make(tenant.org, f"Owes {index}"), DUE)
        customer_make(tenant.org, f"Clear {index}")
    client = tenant.client()
    response = client.get("/customers/", {"has_overdue": "true"})
    seen = [names(response)]
    while response.context["next_url"]:
        assert "has_overdue=true" in response.context["next_url"]
        response = client.get("/customers/" + response.context["next_url"])
        seen.append(names(response))
    assert seen == [["Owes 0", "Owes 1"], ["Owes 2", "Owes 3"], ["Owes 4"]]
    back = client.get("/customers/" + response.context["previous_url"])
    assert names(back) == ["Owes 2", "Owes 3"]

    api = tenant.api()
    url = "/api/v1/customers/?has_overdue=false&page_size=2"
    pages = []
    while url:
        body = api.get(url).json()
        pages.append([row["name"] for row in body["results"]])
        url = body["next"]
    assert pages == [["Clear 0", "Clear 1"], ["Clear 2", "Clear 3"], ["Clear 4"]]


@time_machine.travel("2027-03-10 12:00 +00:00", tick=False)
def test_the_filter_costs_the_same_however_many_customers(tenant):
    def add(count: int) -> None:
        for index in range(count):
            customer = customer_make(tenant.org, f"Customer {index}")
            due_on(tenant.org, customer, DUE if index % 2 else date(2027, 4, 1))

    def queries(url: str, client: Any) -> int:
        cache.clear()  # the tag list is cached; measure the uncached page every time
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client, api = tenant.client(), tenant.api()
    api.get("/api/v1/customers/")  # the token's first use is stamped once
    add(2)
    few = (
        queries("/customers/?has_overdue=true", client),
        queries("/api/v1/customers/?has_overdue=false", api),
    )
    add(30)
    many = (
        queries("/customers/?has_overdue=true", client),
        queries("/api/v1/customers/?has_overdue=false", api),
    )
    assert few == many
    # One statement reads the page, the filter an EXISTS inside it; no COUNT.
    with CaptureQueriesContext(connection) as captured:
        client.get("/customers/", {"has_overdue": "true"})
    page_sql = [q["sql"] for q in captured if "invoicing_customer" in q["sql"]]
    assert any("EXISTS" in sql for sql in page_sql)
    assert not [sql for sql in page_sql if "COUNT(" in sql.upper()]


def test_the_partial_index_serves_the_overdue_lookup(tenant):
    """As in a real ledger, most invoices are paid and a few are outstanding: the EXISTS then
    reads invoice_outstanding_due_idx, the small index of outstanding invoices by due date,
    instead of every invoice of the organization."""
    customers = [customer_make(tenant.org, f"Customer {index}") for index in range(20)]
    Invoice.objects.bulk_create(
        Invoice(
            organization=tenant.org,
            customer=customers[index % 20],
            status=InvoiceStatus.PAID,
            number=f"OLD-{index:05d}",
            currency="GBP",
            issue_date=date(2026, 1, 1),
            due_date=date(2026, 1, 31),
        )
        for index in range(2000)
    )
    due_on(tenant.org, customers[0], DUE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")
        cursor.execute("ANALYZE invoicing_customer")
    for has_overdue in (True, False):
        plan = customer_list(org=tenant.org, has_overdue=has_overdue).explain()
        join = plan.split("SubPlan")[0]  # the page's own join, before the column subqueries
        assert "invoice_outstanding_due_idx" in join, plan


# --------------------------------------------------------------------------------------------
# The schema


def test_the_schema_documents_has_overdue(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/customers/"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "has_overdue")
    assert parameter["schema"]["type"] == "boolean"
    assert "organization's time zone" in parameter["description"]

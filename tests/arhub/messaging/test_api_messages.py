"""GET /api/v1/messages/: the communication log, filtered, paginated, inside the org."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arhub.models import Channel, MessageKind, MessageStatus
from arhub.roles import Role
from tests.invoicing.invoice_factories import invoice_make
from tests.messaging_factories import MessageFactory, MessagingCustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/messages/"


@pytest.fixture
def log(tenant, other_tenant):
    """Two customers of A with a few messages each, and a customer of B with one."""
    now = timezone.now()
    bright = MessagingCustomerFactory(organization=tenant.org, display_name="Bright Dental")
    corner = MessagingCustomerFactory(organization=tenant.org, display_name="Corner Cafe")
    zenith = MessagingCustomerFactory(organization=other_tenant.org, display_name="Zenith customer")
    rows = {
        "bright_reminder": MessageFactory(
            customer=bright, created_at=now - timedelta(hours=3), body_text="reminder to Bright"
        ),
        "bright_sms": MessageFactory(
            customer=bright,
            channel=Channel.SMS,
            recipient="+14155550123",
            subject="",
            created_at=now - timedelta(hours=2),
            status=MessageStatus.SUPPRESSED,
            status_reason="Replied STOP (everything) on 2026-03-01.",
        ),
        "corner_invoice": MessageFactory(
            customer=corner,
            kind=MessageKind.INVOICE,
            created_at=now - timedelta(hours=1),
            status=MessageStatus.FAILED,
        ),
        "zenith": MessageFactory(customer=zenith, body_text="Zenith secret body"),
    }
    return {"bright": bright, "corner": corner, "zenith": zenith, **rows}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_lists_the_orgs_messages_newest_first(tenant, log):
    response = tenant.api().get(URL)
    assert ids(response) == [
        log["corner_invoice"].pk,
        log["bright_sms"].pk,
        log["bright_reminder"].pk,
    ]
    assert "Zenith" not in response.content.decode()


def test_fields(tenant, log):
    (row,) = [r for r in tenant.api().get(URL).json()["results"] if r["id"] == log["bright_sms"].pk]
    message = log["bright_sms"]
    assert row == {
        "id": message.pk,
        "customer": log["bright"].pk,
        "invoice": None,
        "contact": None,
        "channel": "sms",
        "kind": "reminder",
        "direction": "out",
        "status": "suppressed",
        "status_reason": "Replied STOP (everything) on 2026-03-01.",
        "recipient": "+14155550123",
        "sender": "",
        "subject": "",
        "body_text": message.body_text,
        "body_html": "",
        "provider_message_id": "",
        "attempts": 0,
        "created_at": row["created_at"],
        "sent_at": None,
        "delivered_at": None,
        "updated_at": row["updated_at"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customer={bright}", ["bright_sms", "bright_reminder"]),
        ("customer={corner}", ["corner_invoice"]),
        ("channel=sms", ["bright_sms"]),
        ("kind=invoice", ["corner_invoice"]),
        ("status=failed", ["corner_invoice"]),
        ("customer={bright}&channel=email", ["bright_reminder"]),
        ("customer={bright}&status=failed", []),
    ],
)
def test_filters(tenant, log, query, expected):
    url = URL + "?" + query.format(bright=log["bright"].pk, corner=log["corner"].pk)
    assert ids(tenant.api().get(url)) == [log[name].pk for name in expected]


def test_another_tenants_customer_is_404(tenant, log):
    response = tenant.api().get(f"{URL}?customer={log['zenith'].pk}")
    assert response.status_code == 404
    assert "Zenith" not in response.content.decode()


def test_a_customer_that_does_not_exist_is_404_too(tenant, log):
    assert tenant.api().get(f"{URL}?customer=987654321").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("customer=abc", "customer"),
        ("channel=pigeon", "channel"),
        ("kind=love_letter", "kind"),
        ("status=lost", "status"),
        ("invoice=abc", "invoice"),
    ],
)
def test_bad_filters_are_400_naming_the_field(tenant, log, query, field):
    response = tenant.api().get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_filters_by_invoice(tenant, log):
    invoice = invoice_make(tenant.org, customer=log["corner"])
    log["corner_invoice"].invoice = invoice
    log["corner_invoice"].save()
    assert ids(tenant.api().get(f"{URL}?invoice={invoice.pk}")) == [log["corner_invoice"].pk]


def test_an_invoice_of_another_org_is_404(tenant, other_tenant, log):
    theirs = invoice_make(other_tenant.org, customer=log["zenith"].customer)
    assert tenant.api().get(f"{URL}?invoice={theirs.pk}").status_code == 404
    assert tenant.api().get(f"{URL}?invoice=987654321").status_code == 404


def test_cursor_pagination(tenant):
    customer = MessagingCustomerFactory(organization=tenant.org)
    now = timezone.now()
    made = [
        MessageFactory(customer=customer, created_at=now - timedelta(minutes=i)) for i in range(5)
    ]
    client = tenant.api()
    first = client.get(f"{URL}?page_size=2").json()
    assert [r["id"] for r in first["results"]] == [made[0].pk, made[1].pk]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [made[2].pk, made[3].pk]
    third = client.get(second["next"]).json()
    assert [r["id"] for r in third["results"]] == [made[4].pk]
    assert third["next"] is None


def test_queries_stay_flat_as_the_log_grows(tenant):
    customer = MessagingCustomerFactory(organization=tenant.org)
    client = tenant.api()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{URL}?customer={customer.pk}").status_code == 200
        return len(queries)

    MessageFactory(customer=customer)
    count()  # the token's first use is recorded once
    few = count()
    for _ in range(20):
        MessageFactory(customer=customer)
    assert count() == few


@pytest.mark.parametrize("role", Role.values)
def test_every_role_may_read_the_log(tenant, log, role):
    assert tenant.api(role).get(URL).status_code == 200


def test_read_only(tenant, log):
    client = tenant.api()
    assert client.post(URL, {}, content_type="application/json").status_code == 405
    assert client.delete(URL).status_code == 405


def test_needs_authentication(log):
    from django.test import Client

    assert Client().get(URL).status_code in (401, 403)


def test_documented_in_the_schema(tenant):
    response = tenant.client().get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.content.decode()
    assert "/api/v1/messages/" in schema
    assert "An invoice's id." in schema

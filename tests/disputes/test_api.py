from __future__ import annotations

from decimal import Decimal

import pytest

from arhub.models import Message, MessageKind
from arhub.roles import Role
from disputes.models import DisputeKind, DisputeStatus
from disputes.services import dispute_owner_reply
from invoicing.models import Invoice
from tests.conftest import Tenant
from tests.disputes.helpers import PDF, PNG, customer_dispute, issued_invoice, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes/"


def test_list_with_status_filter(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = customer_dispute(tenant.org)
    customer_dispute(other_tenant.org)
    api = tenant.api(Role.VIEWER)
    rows = api.get(URL).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["status"] == "open"
    assert rows[0]["overdue_response"] is False
    assert api.get(URL + "?status=resolved").json()["results"] == []
    assert api.get(URL + "?status=nope").status_code == 400


def test_create_records_a_dispute(tenant: Tenant) -> None:
    invoice = issued_invoice(tenant.org)
    line = invoice.lines.get(description="Travel")
    response = tenant.api(Role.BILLING).post(
        URL,
        {
            "invoice": invoice.pk,
            "reason": "wrong_amount",
            "message": "Phoned in: travel not agreed.",
            "lines": [line.pk],
            "amount": "40.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == DisputeKind.CUSTOMER
    assert body["lines"] == [line.pk]
    assert body["amount"] == "40.00"
    assert body["messages"][0]["body"] == "Phoned in: travel not agreed."
    assert body["messages"][0]["author"] == "owner"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"message": ""}, "message"),
        ({"reason": "angry"}, "reason"),
        ({"amount": 0.1}, "amount"),
        ({"lines": [999999]}, "lines"),
        ({"invoice": 999999}, "invoice"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_refuses_bad_input(tenant: Tenant, changes: dict[str, object], field: str) -> None:
    invoice = issued_invoice(tenant.org)
    body = {"invoice": invoice.pk, "reason": "other", "message": "Hm.", **changes}
    response = tenant.api().post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not invoice.disputes.exists()


def test_create_refuses_another_orgs_invoice(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = issued_invoice(other_tenant.org)
    body = {"invoice": theirs.pk, "reason": "other", "message": "Hm."}
    response = tenant.api().post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"invoice": [f"Invoice {theirs.pk} does not exist."]}
    assert not theirs.disputes.exists()


def test_a_second_open_dispute_is_refused_under_invoice(tenant: Tenant) -> None:
    first = customer_dispute(tenant.org)
    body = {"invoice": first.invoice_id, "reason": "other", "message": "Again."}
    response = tenant.api().post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert f"dispute {first.pk}" in response.json()["invoice"][0]


def test_detail_has_the_thread_with_internal_notes(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload()])
    dispute_owner_reply(
        org=tenant.org, actor=tenant.user(), dispute=dispute, body="Check.", internal=True
    )
    body = tenant.api(Role.VIEWER).get(f"{URL}{dispute.pk}/").json()
    assert [m["internal"] for m in body["messages"]] == [False, True]
    [attachment] = body["messages"][0]["attachments"]
    assert attachment["content_type"] == "application/pdf"
    download = tenant.api(Role.VIEWER).get(attachment["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


def test_reply_json_and_multipart(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    api = tenant.api()
    response = api.post(
        f"{URL}{dispute.pk}/reply/",
        {"body": "Only us.", "internal": True},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["internal"] is True
    assert not Message.objects.filter(kind=MessageKind.DISPUTE_UPDATE).exists()
    response = api.post(
        f"{URL}{dispute.pk}/reply/",
        {"body": "See the quote.", "files": [upload(PNG, "quote.pdf")]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attachments"][0]["content_type"] == "image/png"
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UNDER_REVIEW
    assert Message.objects.filter(kind=MessageKind.DISPUTE_UPDATE).count() == 1
    response = api.post(
        f"{URL}{dispute.pk}/reply/", {"body": "x", "files": [upload(b"MZ", "a.pdf")]}
    )
    assert response.status_code == 400 and "files" in response.json()
    response = api.post(f"{URL}{dispute.pk}/reply/", {"body": ""}, content_type="application/json")
    assert response.status_code == 400 and "body" in response.json()


def test_review_then_resolve_with_credit(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    api = tenant.api()
    response = api.post(f"{URL}{dispute.pk}/review/")
    assert response.status_code == 200 and response.json()["status"] == "under_review"
    assert api.post(f"{URL}{dispute.pk}/review/").status_code == 400
    response = api.post(
        f"{URL}{dispute.pk}/resolve/",
        {"outcome": "credit", "credit_amount": "40.00", "message": "Taken off."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "resolved" and body["outcome"] == "credit"
    assert body["credit_note"] is not None
    assert Invoice.objects.get(pk=dispute.invoice_id).balance_due == Decimal("300.00")


def test_resolve_refuses_too_much_credit(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    response = tenant.api().post(
        f"{URL}{dispute.pk}/resolve/",
        {"outcome": "credit", "credit_amount": "1000.00"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "credit_amount" in response.json()


def test_viewer_cannot_write(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    api = tenant.api(Role.VIEWER)
    assert api.post(f"{URL}{dispute.pk}/review/").status_code == 403


def test_foreign_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = customer_dispute(other_tenant.org, files=[upload()])
    attachment = theirs.attachments.get()
    api = tenant.api()
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/review/").status_code == 404
    assert api.get(f"{URL}{theirs.pk}/attachments/{attachment.pk}/").status_code == 404
    mine = customer_dispute(tenant.org)
    assert api.get(f"{URL}{mine.pk}/attachments/{attachment.pk}/").status_code == 404

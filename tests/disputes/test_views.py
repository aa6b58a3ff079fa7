from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from arhub.roles import Role
from disputes.models import DisputeOutcome, DisputeSettings, DisputeStatus
from disputes.services import dispute_owner_reply, dispute_resolve
from invoicing.models import Invoice
from tests.conftest import Tenant
from tests.disputes.helpers import PNG, customer_dispute, upload

pytestmark = pytest.mark.django_db

# A Monday.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_list_shows_age_and_flags_those_waiting_too_long(tenant: Tenant) -> None:
    with time_machine.travel(MONDAY, tick=False):
        waiting = customer_dispute(tenant.org)
        answered = customer_dispute(tenant.org)
        dispute_owner_reply(org=tenant.org, actor=tenant.user(), dispute=answered, body="On it.")
    client = tenant.client(Role.VIEWER)
    with time_machine.travel(MONDAY + timedelta(days=2, hours=1), tick=False):
        response = client.get(reverse("disputes"))
    assert response.status_code == 200
    rows = {row["dispute"].pk: row for row in response.context["rows"]}
    assert rows[waiting.pk]["dispute"].overdue_response
    assert not rows[answered.pk]["dispute"].overdue_response
    assert rows[waiting.pk]["age"] == "2 days"
    assert "Waiting on you" in response.content.decode()
    # Within the target when it is raised: the weekend does not count.
    DisputeSettings.objects.create(organization=tenant.org, response_target_days=3)
    with time_machine.travel(MONDAY + timedelta(days=2, hours=1), tick=False):
        response = client.get(reverse("disputes"))
    assert not any(row["dispute"].overdue_response for row in response.context["rows"])


def test_list_filters_by_status(tenant: Tenant) -> None:
    open_one = customer_dispute(tenant.org)
    closed = customer_dispute(tenant.org)
    dispute_resolve(
        org=tenant.org, actor=None, dispute=closed, outcome="no_change", message="It stands."
    )
    client = tenant.client()

    def shown(query: str) -> set[int]:
        return {r["dispute"].pk for r in client.get("/disputes/" + query).context["rows"]}

    assert shown("?status=resolved") == {closed.pk}
    assert shown("?status=active") == {open_one.pk}
    assert shown("") == {open_one.pk, closed.pk}


def test_detail_shows_everything_and_marks_internal_notes(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload(name="receipt.pdf")])
    dispute_owner_reply(
        org=tenant.org, actor=tenant.user(), dispute=dispute, body="Ask Sam.", internal=True
    )
    response = tenant.client(Role.VIEWER).get(reverse("dispute_detail", args=[dispute.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert dispute.invoice.number in body
    assert "The amount is wrong" in body
    assert "The travel was not agreed." in body
    assert "Ask Sam." in body and "Only your team sees this" in body
    attachment = dispute.attachments.get()
    assert reverse("dispute_attachment", args=[dispute.pk, attachment.pk]) in body
    # A viewer reads but gets no forms.
    assert 'action="/disputes/' not in body.split("Conversation")[1]


def test_reply_form_sends_and_attaches(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    response = tenant.client(Role.BILLING).post(
        reverse("dispute_reply", args=[dispute.pk]),
        {"body": "Here is the quote.", "visibility": "public", "files": [upload(PNG, "q.png")]},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UNDER_REVIEW
    reply = dispute.messages.last()
    assert reply is not None and reply.body == "Here is the quote." and not reply.internal
    assert reply.attachments.get().content_type == "image/png"


def test_reply_form_errors_name_the_field(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    response = tenant.client().post(
        reverse("dispute_reply", args=[dispute.pk]),
        {"body": "Look", "visibility": "public", "files": [upload(b"text", "x.pdf")]},
    )
    assert response.status_code == 400
    assert 'href="#id_files"' in response.content.decode()
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    assert dispute.messages.count() == 1


def test_review_and_resolve_with_a_credit(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    client = tenant.client()
    assert client.post(reverse("dispute_review", args=[dispute.pk])).status_code == 302
    response = client.post(
        reverse("dispute_resolve", args=[dispute.pk]),
        {"outcome": "credit", "credit_amount": "25.50", "message": "Sorry about that."},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == DisputeOutcome.CREDIT
    assert Invoice.objects.get(pk=dispute.invoice_id).balance_due == Decimal("314.50")
    page = client.get(reverse("dispute_detail", args=[dispute.pk])).content.decode()
    assert "Outcome: Credit issued" in page
    assert "Re-issue a corrected copy" not in page


def test_resolve_errors_stay_on_the_form(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    response = tenant.client().post(
        reverse("dispute_resolve", args=[dispute.pk]), {"outcome": "no_change", "message": ""}
    )
    assert response.status_code == 400
    assert 'href="#id_message"' in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_a_corrected_dispute_offers_a_corrected_copy(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    dispute_resolve(
        org=tenant.org,
        actor=None,
        dispute=dispute,
        outcome="corrected",
        message="",
        credit_amount=Decimal("40.00"),
    )
    page = tenant.client().get(reverse("dispute_detail", args=[dispute.pk])).content.decode()
    assert "Re-issue a corrected copy" in page
    assert reverse("invoice_duplicate", args=[dispute.invoice_id]) in page


def test_actions_need_operate(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    client = tenant.client(Role.VIEWER)
    for name in ("dispute_reply", "dispute_review", "dispute_resolve"):
        assert client.post(reverse(name, args=[dispute.pk]), {"body": "x"}).status_code == 403
    assert client.get(reverse("dispute_settings")).status_code == 403


def test_download_is_an_attachment_with_the_found_type(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload(PNG, name="scan.pdf")])
    attachment = dispute.attachments.get()
    url = reverse("dispute_attachment", args=[dispute.pk, attachment.pk])
    response = tenant.client(Role.VIEWER).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="scan.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG


def test_download_refused_to_another_org_and_to_anonymous(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    dispute = customer_dispute(tenant.org, files=[upload()])
    attachment = dispute.attachments.get()
    url = reverse("dispute_attachment", args=[dispute.pk, attachment.pk])
    assert other_tenant.client().get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # The other org's own dispute id with this attachment: still nothing.
    theirs = customer_dispute(other_tenant.org)
    other_url = reverse("dispute_attachment", args=[theirs.pk, attachment.pk])
    assert other_tenant.client().get(other_url).status_code == 404


def test_foreign_dispute_pages_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = customer_dispute(other_tenant.org)
    client = tenant.client()
    assert client.get(reverse("dispute_detail", args=[theirs.pk])).status_code == 404
    for name in ("dispute_reply", "dispute_review", "dispute_resolve"):
        assert client.post(reverse(name, args=[theirs.pk]), {"body": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == DisputeStatus.OPEN


def test_settings_page_saves_the_target(tenant: Tenant) -> None:
    client = tenant.client(Role.ADMIN)
    assert client.get(reverse("dispute_settings")).status_code == 200
    assert (
        client.post(reverse("dispute_settings"), {"response_target_days": "31"}).status_code == 400
    )
    response = client.post(reverse("dispute_settings"), {"response_target_days": "4"})
    assert response.status_code == 302
    assert DisputeSettings.objects.get(organization=tenant.org).response_target_days == 4


def test_invoice_page_shows_its_disputes(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    page = tenant.client().get(reverse("invoice_detail", args=[dispute.invoice_id]))
    body = page.content.decode()
    assert reverse("dispute_detail", args=[dispute.pk]) in body
    assert "Reminders for this invoice are paused" in body


def test_deadline_words() -> None:
    from disputes.views import deadline_words

    assert deadline_words(datetime(2026, 3, 10, 0, 0, tzinfo=UTC)) == "the end of Mon 9 Mar"
    assert deadline_words(datetime(2026, 3, 10, 15, 30, tzinfo=UTC)) == "Tue 10 Mar, 15:30"

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import Http404

from disputes.models import DisputeSettings
from disputes.selectors import (
    customer_thread,
    dispute_get,
    dispute_list,
    disputes_for_invoice,
    owner_thread,
)
from disputes.services import dispute_customer_reply, dispute_owner_reply, dispute_withdraw
from tests.conftest import Tenant
from tests.disputes.helpers import customer_dispute, upload

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)


def test_dispute_get_is_404_for_another_org(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = customer_dispute(other_tenant.org)
    assert dispute_get(org=other_tenant.org, dispute_id=theirs.pk) == theirs
    with pytest.raises(Http404):
        dispute_get(org=tenant.org, dispute_id=theirs.pk)


def test_customer_thread_leaves_out_internal_notes(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload()])
    dispute_owner_reply(
        org=tenant.org, actor=tenant.user(), dispute=dispute, body="Secret.", internal=True
    )
    dispute_owner_reply(org=tenant.org, actor=tenant.user(), dispute=dispute, body="Public.")
    shown = customer_thread(dispute=dispute)
    assert [m.body for m in shown] == ["The travel was not agreed.", "Public."]
    assert len(shown[0].attachments.all()) == 1
    assert [m.body for m in owner_thread(dispute=dispute)][1] == "Secret."


def test_disputes_for_invoice_newest_first(tenant: Tenant) -> None:
    first = customer_dispute(tenant.org)
    dispute_withdraw(org=tenant.org, dispute=first)
    second = customer_dispute(tenant.org, first.invoice)
    found = disputes_for_invoice(org=tenant.org, invoice=first.invoice)
    assert [d.pk for d in found] == [second.pk, first.pk]


def test_overdue_counts_business_days_only(tenant: Tenant) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        dispute = customer_dispute(tenant.org)

    def overdue(at: datetime) -> bool:
        with time_machine.travel(at, tick=False):
            return dispute_list(org=tenant.org).get(pk=dispute.pk).overdue_response

    # Two business days from Friday 15:00 end on Tuesday 15:00.
    assert not overdue(FRIDAY + timedelta(days=3))  # Monday
    assert not overdue(FRIDAY + timedelta(days=4, minutes=-1))
    assert overdue(FRIDAY + timedelta(days=4, minutes=1))
    DisputeSettings.objects.create(organization=tenant.org, response_target_days=3)
    assert not overdue(FRIDAY + timedelta(days=4, minutes=1))


def test_a_customer_message_after_an_answer_restarts_the_clock(tenant: Tenant) -> None:
    with time_machine.travel(FRIDAY, tick=False):
        dispute = customer_dispute(tenant.org)
        dispute_owner_reply(org=tenant.org, actor=tenant.user(), dispute=dispute, body="Yes?")
    with time_machine.travel(FRIDAY + timedelta(days=10), tick=False):
        assert not dispute_list(org=tenant.org).get().overdue_response
        dispute_customer_reply(org=tenant.org, dispute=dispute, body="Well?")
        assert not dispute_list(org=tenant.org).get().overdue_response
    with time_machine.travel(FRIDAY + timedelta(days=14), tick=False):
        assert dispute_list(org=tenant.org).get().overdue_response

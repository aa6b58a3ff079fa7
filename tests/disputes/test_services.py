from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arhub.models import AuditAction, AuditEvent, Message, MessageKind, Notice, NoticeKind
from disputes.models import (
    Author,
    DisputeKind,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
)
from disputes.services import (
    DisputeActive,
    dispute_customer_reply,
    dispute_open,
    dispute_owner_reply,
    dispute_resolve,
    dispute_review_start,
    dispute_withdraw,
)
from invoicing.invoice_services import invoice_void
from invoicing.models import CreditNote, Invoice
from tests.conftest import Tenant
from tests.disputes.helpers import customer_dispute, issued_invoice, upload
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db


def _updates(org: object) -> list[Message]:
    return list(Message.objects.filter(organization=org, kind=MessageKind.DISPUTE_UPDATE))


def test_open_records_lines_message_and_tells_the_owner(tenant: Tenant) -> None:
    invoice = issued_invoice(tenant.org)
    travel = invoice.lines.get(description="Travel")
    dispute = dispute_open(
        org=tenant.org,
        invoice=invoice,
        reason=DisputeReason.WRONG_AMOUNT,
        message="  The travel was not agreed. ",
        line_ids=[travel.pk],
        amount=Decimal("40.00"),
    )
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.kind == DisputeKind.CUSTOMER
    assert dispute.customer_id == invoice.customer_id
    assert dispute.currency == invoice.currency
    assert dispute.awaiting_owner_since == dispute.opened_at
    assert [row.line_id for row in dispute.lines.all()] == [travel.pk]
    [first] = dispute.messages.all()
    assert (first.author, first.body, first.internal) == (
        Author.CUSTOMER,
        "The travel was not agreed.",
        False,
    )
    notice = Notice.objects.get(organization=tenant.org)
    assert notice.kind == NoticeKind.DISPUTE_OPENED
    assert notice.path == reverse("dispute_detail", args=[dispute.pk])
    assert AuditEvent.objects.filter(
        organization=tenant.org, action=AuditAction.DISPUTE_OPENED
    ).exists()


def test_open_by_a_member_is_written_by_the_business(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, actor=tenant.user())
    assert dispute.opened_by == tenant.user()
    assert dispute.messages.get().author == Author.OWNER


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("message", {"message": "   "}),
        ("reason", {"reason": "because"}),
        ("amount", {"amount": Decimal("0")}),
        ("amount", {"amount": Decimal("1.005")}),
    ],
)
def test_open_refuses_bad_input_naming_the_field(
    tenant: Tenant, field: str, kwargs: dict[str, object]
) -> None:
    invoice = issued_invoice(tenant.org)
    with pytest.raises(ValidationError) as caught:
        customer_dispute(tenant.org, invoice, **kwargs)
    assert field in caught.value.message_dict
    assert not invoice.disputes.exists()


def test_open_refuses_a_line_of_another_invoice(tenant: Tenant, other_tenant: Tenant) -> None:
    invoice = issued_invoice(tenant.org)
    elsewhere = issued_invoice(tenant.org).lines.first()
    foreign = issued_invoice(other_tenant.org).lines.first()
    for line in (elsewhere, foreign):
        assert line is not None
        with pytest.raises(ValidationError) as caught:
            customer_dispute(tenant.org, invoice, line_ids=[line.pk])
        assert "lines" in caught.value.message_dict
    assert not invoice.disputes.exists()


def test_open_refuses_draft_and_void_invoices(tenant: Tenant) -> None:
    draft = invoice_make(tenant.org, issue=False)
    void = invoice_void(org=tenant.org, actor=None, invoice=issued_invoice(tenant.org), reason="x")
    for invoice in (draft, void):
        with pytest.raises(ValidationError) as caught:
            customer_dispute(tenant.org, invoice)
        assert "invoice" in caught.value.message_dict


def test_open_refuses_another_orgs_invoice(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(ValidationError):
        customer_dispute(tenant.org, issued_invoice(other_tenant.org))


def test_a_second_customer_dispute_points_to_the_first(tenant: Tenant) -> None:
    first = customer_dispute(tenant.org)
    with pytest.raises(DisputeActive) as caught:
        customer_dispute(tenant.org, first.invoice)
    assert caught.value.dispute == first
    assert f"dispute {first.pk}" in caught.value.message_dict["invoice"][0]
    dispute_withdraw(org=tenant.org, dispute=first)
    assert customer_dispute(tenant.org, first.invoice).pk != first.pk


def test_chargeback_opens_once_per_stripe_dispute(tenant: Tenant) -> None:
    invoice = issued_invoice(tenant.org)
    due = datetime(2026, 3, 20, 23, 59, tzinfo=UTC)
    kwargs = {
        "org": tenant.org,
        "invoice": invoice,
        "reason": DisputeReason.OTHER,
        "message": "",
        "kind": DisputeKind.CHARGEBACK,
        "amount": Decimal("100.00"),
        "bank_reason": "fraudulent",
        "evidence_due_by": due,
        "stripe_dispute_id": "dp_1",
        "stripe_charge_id": "ch_1",
    }
    first = dispute_open(**kwargs)  # type: ignore[arg-type]
    again = dispute_open(**kwargs)  # type: ignore[arg-type]
    assert again.pk == first.pk
    assert invoice.disputes.count() == 1
    message = first.messages.get()
    assert message.author == Author.BANK
    assert "fraudulent" in message.body and "2026-03-20" in message.body
    assert Notice.objects.get(organization=tenant.org).kind == NoticeKind.CHARGEBACK


def test_customer_reply_keeps_the_oldest_waiting_time_and_tells_the_owner(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    since = dispute.awaiting_owner_since
    message = dispute_customer_reply(org=tenant.org, dispute=dispute, body="Any news?")
    dispute.refresh_from_db()
    assert message.author == Author.CUSTOMER
    assert dispute.awaiting_owner_since == since
    assert Notice.objects.filter(kind=NoticeKind.DISPUTE_MESSAGE).count() == 1
    with pytest.raises(ValidationError) as caught:
        dispute_customer_reply(org=tenant.org, dispute=dispute, body=" ")
    assert "body" in caught.value.message_dict


def test_owner_public_reply_starts_review_answers_and_tells_the_customer(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    reply = dispute_owner_reply(
        org=tenant.org, actor=tenant.user(), dispute=dispute, body="Looking into it."
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.UNDER_REVIEW
    assert dispute.review_started_at == reply.created_at
    assert dispute.first_response_at == reply.created_at
    assert dispute.awaiting_owner_since is None
    [told] = _updates(tenant.org)
    assert told.invoice_id == dispute.invoice_id
    assert "/pay/" in told.body_text
    dispute_customer_reply(org=tenant.org, dispute=dispute, body="Thanks, and?")
    dispute.refresh_from_db()
    assert dispute.awaiting_owner_since is not None
    dispute_owner_reply(org=tenant.org, actor=tenant.user(), dispute=dispute, body="Soon.")
    dispute.refresh_from_db()
    assert dispute.first_response_at == reply.created_at  # the first answer stays the first


def test_internal_note_tells_nobody_and_changes_nothing(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    note = dispute_owner_reply(
        org=tenant.org, actor=tenant.user(), dispute=dispute, body="Check with Sam.", internal=True
    )
    dispute.refresh_from_db()
    assert note.internal
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.first_response_at is None
    assert dispute.awaiting_owner_since is not None
    assert _updates(tenant.org) == []


def test_review_start_once(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    dispute = dispute_review_start(org=tenant.org, actor=tenant.user(), dispute=dispute)
    assert dispute.status == DisputeStatus.UNDER_REVIEW
    assert dispute.review_started_at is not None
    with pytest.raises(ValidationError):
        dispute_review_start(org=tenant.org, actor=tenant.user(), dispute=dispute)
    assert AuditEvent.objects.filter(action=AuditAction.DISPUTE_REVIEW_STARTED).count() == 1


def test_credit_resolution_reduces_the_balance_by_exactly_the_credit(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    before = dispute.invoice.balance_due
    resolved = dispute_resolve(
        org=tenant.org,
        actor=tenant.user(),
        dispute=dispute,
        outcome=DisputeOutcome.CREDIT,
        message="Sorry, the travel is taken off.",
        credit_amount=Decimal("40.00"),
    )
    invoice = Invoice.objects.get(pk=dispute.invoice_id)
    assert invoice.balance_due == before - Decimal("40.00")
    assert resolved.status == DisputeStatus.RESOLVED
    assert resolved.resolved_by == tenant.user()
    assert resolved.awaiting_owner_since is None
    note = CreditNote.objects.get(invoice=invoice)
    assert note == resolved.credit_note and note.amount == Decimal("40.00")
    [told] = _updates(tenant.org)
    assert "credit of £40.00" in told.body_text
    assert "£300.00 left to pay" in told.body_text
    assert "Sorry, the travel is taken off." in told.body_text
    assert AuditEvent.objects.filter(action=AuditAction.DISPUTE_RESOLVED).exists()


def test_corrected_resolution_credits_the_difference(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    resolved = dispute_resolve(
        org=tenant.org,
        actor=tenant.user(),
        dispute=dispute,
        outcome=DisputeOutcome.CORRECTED,
        message="",
        credit_amount=Decimal("10.00"),
    )
    assert resolved.credit_note is not None
    assert Invoice.objects.get(pk=dispute.invoice_id).balance_due == Decimal("330.00")
    assert "corrected it" in _updates(tenant.org)[0].body_text


def test_outcome_is_told_in_spanish(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    dispute.customer.language = "es"
    dispute.customer.save()
    dispute_resolve(
        org=tenant.org,
        actor=tenant.user(),
        dispute=dispute,
        outcome=DisputeOutcome.NO_CHANGE,
        message="El viaje estaba en el presupuesto {firmado}.",
    )
    [told] = _updates(tenant.org)
    assert "La factura queda como está" in told.body_text
    assert "{firmado}" in told.body_text  # the owner's braces are text, not placeholders


@pytest.mark.parametrize(
    ("outcome", "message", "amount", "field"),
    [
        ("refund", "x", None, "outcome"),
        (DisputeOutcome.NO_CHANGE, " ", None, "message"),
        (DisputeOutcome.NO_CHANGE, "Because.", Decimal("5"), "credit_amount"),
        (DisputeOutcome.CREDIT, "", None, "credit_amount"),
        (DisputeOutcome.CREDIT, "", Decimal("0"), "credit_amount"),
        (DisputeOutcome.CREDIT, "", Decimal("340.01"), "credit_amount"),
        (DisputeOutcome.CREDIT, "", Decimal("1.001"), "credit_amount"),
    ],
)
def test_resolve_refuses_bad_input(
    tenant: Tenant, outcome: str, message: str, amount: Decimal | None, field: str
) -> None:
    dispute = customer_dispute(tenant.org)
    with pytest.raises(ValidationError) as caught:
        dispute_resolve(
            org=tenant.org,
            actor=tenant.user(),
            dispute=dispute,
            outcome=outcome,
            message=message,
            credit_amount=amount,
        )
    assert field in caught.value.message_dict
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert not CreditNote.objects.filter(invoice_id=dispute.invoice_id).exists()


def test_closed_disputes_take_no_more_transitions(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org)
    dispute = dispute_withdraw(org=tenant.org, dispute=dispute, message="Found the contract.")
    assert dispute.status == DisputeStatus.WITHDRAWN
    assert dispute.withdrawn_at is not None
    assert dispute.awaiting_owner_since is None
    assert AuditEvent.objects.filter(action=AuditAction.DISPUTE_WITHDRAWN).exists()
    user = tenant.user()
    attempts = [
        lambda: dispute_withdraw(org=tenant.org, dispute=dispute),
        lambda: dispute_customer_reply(org=tenant.org, dispute=dispute, body="x"),
        lambda: dispute_owner_reply(org=tenant.org, actor=user, dispute=dispute, body="x"),
        lambda: dispute_review_start(org=tenant.org, actor=user, dispute=dispute),
        lambda: dispute_resolve(
            org=tenant.org, actor=user, dispute=dispute, outcome="no_change", message="x"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    # A note for the team is still possible.
    dispute_owner_reply(org=tenant.org, actor=user, dispute=dispute, body="Closed.", internal=True)


def test_files_go_with_the_message(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload()])
    [attachment] = dispute.attachments.all()
    assert attachment.message == dispute.messages.get()
    assert attachment.author == Author.CUSTOMER

"""Writes for disputes: open one, the thread on both sides, review, resolve, withdraw.

States: open -> under review (started by the owner, or by their first public reply) ->
resolved with an outcome, or withdrawn by the customer. Every transition is timestamped and
audited. ``awaiting_owner_since`` holds when the customer started waiting for an answer (the
opening, or a message after the owner's last public reply) and drives the response target.
The customer hears of public replies and the outcome, never of internal notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from arhub.models import AuditAction, NoticeKind, Organization, User
from arhub.money import money_format
from arhub.services.audit import audit_record
from arhub.services.notices import notice_create
from disputes.attachments import (
    Written,
    attachments_check,
    attachments_store,
    files_removed_on_error,
)
from disputes.messages import dispute_outcome_queue, dispute_reply_queue
from disputes.models import (
    Author,
    Dispute,
    DisputeMessage,
    DisputeOutcome,
    DisputeStatus,
)
from disputes.open_services import DisputeActive, amount_problem, dispute_open, dispute_path
from invoicing.credit_services import credit_note_create
from invoicing.models import Invoice

# dispute_open and DisputeActive live in open_services; callers use them from here.
__all__ = [
    "DisputeActive",
    "dispute_customer_reply",
    "dispute_open",
    "dispute_owner_reply",
    "dispute_resolve",
    "dispute_review_start",
    "dispute_withdraw",
]


def _locked(org: Organization, dispute: Dispute, *, active: bool = True) -> Dispute:
    locked = (
        Dispute.objects.for_org(org)
        .select_for_update(of=("self",))
        .select_related("invoice", "customer")
        .get(pk=dispute.pk)
    )
    if active and not locked.is_active:
        raise ValidationError(
            {"dispute": f"This dispute is {locked.get_status_display().lower()}; it is closed."}
        )
    return locked


def _body_required(body: str) -> str:
    if not body.strip():
        raise ValidationError({"body": "Write a message."})
    return body.strip()


def _message_add(
    org: Organization,
    dispute: Dispute,
    *,
    author: str,
    body: str,
    actor: User | None,
    files: Sequence[UploadedFile],
    written: Written,
    internal: bool = False,
) -> DisputeMessage:
    content_types = attachments_check(dispute=dispute, files=files)
    message = DisputeMessage.objects.create(
        organization=org,
        dispute=dispute,
        author=author,
        author_user=actor,
        body=body,
        internal=internal,
    )
    attachments_store(
        org=org,
        dispute=dispute,
        message=message,
        author=author,
        files=files,
        content_types=content_types,
        written=written,
    )
    return message


def dispute_customer_reply(
    *, org: Organization, dispute: Dispute, body: str, files: Sequence[UploadedFile] = ()
) -> DisputeMessage:
    """The customer writes in the thread (from the pay page); the business is told."""
    text = _body_required(body)
    with files_removed_on_error() as written, transaction.atomic():
        locked = _locked(org, dispute)
        message = _message_add(
            org,
            locked,
            author=Author.CUSTOMER,
            body=text,
            actor=None,
            files=files,
            written=written,
        )
        if locked.awaiting_owner_since is None:
            locked.awaiting_owner_since = message.created_at
            locked.save(update_fields=["awaiting_owner_since"])
        summary = f"{locked.customer.display_name} wrote about invoice {locked.invoice.number}."
        audit_record(
            org=org,
            actor=None,
            action=AuditAction.DISPUTE_REPLIED,
            summary=summary,
            data={"dispute": locked.pk, "message": message.pk, "author": Author.CUSTOMER},
        )
        notice_create(
            org=org, kind=NoticeKind.DISPUTE_MESSAGE, summary=summary, path=dispute_path(locked)
        )
    return message


def dispute_withdraw(*, org: Organization, dispute: Dispute, message: str = "") -> Dispute:
    """The customer takes the dispute back; reminders for what is owed resume."""
    with transaction.atomic():
        locked = _locked(org, dispute)
        now = timezone.now()
        if message.strip():
            DisputeMessage.objects.create(
                organization=org,
                dispute=locked,
                author=Author.CUSTOMER,
                body=message.strip(),
                created_at=now,
            )
        locked.status = DisputeStatus.WITHDRAWN
        locked.withdrawn_at = now
        locked.awaiting_owner_since = None
        locked.save(update_fields=["status", "withdrawn_at", "awaiting_owner_since"])
        summary = (
            f"{locked.customer.display_name} withdrew their dispute of invoice "
            f"{locked.invoice.number}."
        )
        audit_record(
            org=org,
            actor=None,
            action=AuditAction.DISPUTE_WITHDRAWN,
            summary=summary,
            data={"dispute": locked.pk},
        )
        notice_create(
            org=org, kind=NoticeKind.DISPUTE_MESSAGE, summary=summary, path=dispute_path(locked)
        )
    return locked


def _review_start(org: Organization, actor: User | None, locked: Dispute, now: datetime) -> None:
    locked.status = DisputeStatus.UNDER_REVIEW
    locked.review_started_at = now
    locked.save(update_fields=["status", "review_started_at"])
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.DISPUTE_REVIEW_STARTED,
        summary=f"Dispute of invoice {locked.invoice.number} under review.",
        data={"dispute": locked.pk},
    )


def dispute_review_start(*, org: Organization, actor: User | None, dispute: Dispute) -> Dispute:
    with transaction.atomic():
        locked = _locked(org, dispute)
        if locked.status != DisputeStatus.OPEN:
            raise ValidationError({"dispute": "This dispute is already under review."})
        _review_start(org, actor, locked, timezone.now())
    return locked


def dispute_owner_reply(
    *,
    org: Organization,
    actor: User | None,
    dispute: Dispute,
    body: str,
    files: Sequence[UploadedFile] = (),
    internal: bool = False,
) -> DisputeMessage:
    """A member writes in the thread. A public reply goes to the customer, answers what they
    were waiting for, and starts the review; an internal note does none of that and may be
    added after the dispute is closed."""
    text = _body_required(body)
    with files_removed_on_error() as written, transaction.atomic():
        locked = _locked(org, dispute, active=not internal)
        message = _message_add(
            org,
            locked,
            author=Author.OWNER,
            body=text,
            actor=actor,
            files=files,
            written=written,
            internal=internal,
        )
        if not internal:
            if locked.status == DisputeStatus.OPEN:
                _review_start(org, actor, locked, message.created_at)
            locked.first_response_at = locked.first_response_at or message.created_at
            locked.awaiting_owner_since = None
            locked.save(update_fields=["first_response_at", "awaiting_owner_since"])
            dispute_reply_queue(org=org, dispute=locked)
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.DISPUTE_REPLIED,
            summary=f"{'Internal note on' if internal else 'Replied to'} the dispute of invoice "
            f"{locked.invoice.number}.",
            data={"dispute": locked.pk, "message": message.pk, "internal": internal},
        )
    return message


def _credit_checks(
    org: Organization, outcome: str, message: str, credit_amount: Decimal | None, invoice: Invoice
) -> None:
    errors: dict[str, str] = {}
    if outcome not in DisputeOutcome.values:
        errors["outcome"] = "Choose an outcome: credit, corrected or no change."
    elif outcome == DisputeOutcome.NO_CHANGE:
        if not message.strip():
            errors["message"] = "Explain to the customer why the invoice stays as it is."
        if credit_amount:
            errors["credit_amount"] = "No credit is given when nothing changes."
    elif credit_amount is None:
        errors["credit_amount"] = "Enter the amount to credit."
    elif amount_problem(credit_amount, invoice.currency):
        errors["credit_amount"] = amount_problem(credit_amount, invoice.currency)
    elif credit_amount > invoice.balance_due:
        errors["credit_amount"] = (
            "At most what is left to pay, "
            f"{money_format(invoice.balance_due, invoice.currency, org.locale)}."
        )
    if errors:
        raise ValidationError(errors)


def dispute_resolve(
    *,
    org: Organization,
    actor: User | None,
    dispute: Dispute,
    outcome: str,
    message: str,
    credit_amount: Decimal | None = None,
) -> Dispute:
    """End the dispute with an outcome. A credit (or a correction, credited as a credit note
    for the difference) reduces the balance through invoicing; the customer is told."""
    with transaction.atomic():
        locked = _locked(org, dispute)
        invoice = Invoice.objects.for_org(org).select_for_update().get(pk=locked.invoice_id)
        _credit_checks(org, outcome, message, credit_amount, invoice)
        now = timezone.now()
        if outcome != DisputeOutcome.NO_CHANGE and credit_amount is not None:
            what = "corrected" if outcome == DisputeOutcome.CORRECTED else "credit"
            try:
                locked.credit_note = credit_note_create(
                    org=org,
                    actor=actor,
                    invoice=invoice,
                    amount=credit_amount,
                    reason=f"Dispute {locked.pk} ({locked.get_reason_display().lower()}): "
                    f"invoice {what}.",
                )
            except ValidationError as exc:
                raise ValidationError({"credit_amount": exc.messages}) from exc
            invoice.refresh_from_db()
        locked.status = DisputeStatus.RESOLVED
        locked.outcome = outcome
        locked.outcome_message = message.strip()
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.first_response_at = locked.first_response_at or now
        locked.awaiting_owner_since = None
        locked.save()
        if locked.outcome_message:
            DisputeMessage.objects.create(
                organization=org,
                dispute=locked,
                author=Author.OWNER,
                author_user=actor,
                body=locked.outcome_message,
                created_at=now,
            )
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.DISPUTE_RESOLVED,
            summary=f"Dispute of invoice {invoice.number} resolved: "
            f"{locked.get_outcome_display().lower()}.",
            data={
                "dispute": locked.pk,
                "outcome": outcome,
                "credit_note": locked.credit_note_id,
                "credit_amount": str(credit_amount or ""),
            },
        )
        dispute_outcome_queue(org=org, dispute=locked, invoice=invoice)
    return locked

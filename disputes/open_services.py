"""Opening a dispute: by the customer from the pay page, by a member on the customer's word,
or by the bank (a Stripe chargeback, once per Stripe dispute id).

The invoice is locked while the one-active-dispute rule is checked, the files are checked
before anything is written and removed again if the transaction rolls back, and the owner is
told (a notice after commit) and the opening audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from arhub.locales import currency_minor_units
from arhub.models import AuditAction, NoticeKind, Organization, User
from arhub.money import is_quantized, money_format
from arhub.services.audit import audit_record
from arhub.services.notices import notice_create
from disputes.attachments import (
    attachments_check,
    attachments_store,
    files_removed_on_error,
)
from disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    Author,
    Dispute,
    DisputeKind,
    DisputeLine,
    DisputeMessage,
    DisputeReason,
)
from invoicing.models import Invoice, InvoiceLine, InvoiceStatus

# A customer may dispute an invoice that is owed or paid; a chargeback may also arrive on one
# written off since.
_CUSTOMER_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
_CHARGEBACK_STATUSES = (*_CUSTOMER_STATUSES, InvoiceStatus.UNCOLLECTIBLE)


class DisputeActive(ValidationError):
    """The invoice already has an open dispute; ``dispute`` is it, to point to its thread."""

    def __init__(self, dispute: Dispute) -> None:
        super().__init__(
            {
                "invoice": f"There is already an open dispute about invoice "
                f"{dispute.invoice.number} (dispute {dispute.pk}); add to its thread instead."
            }
        )
        self.dispute = dispute


def dispute_path(dispute: Dispute) -> str:
    return reverse("dispute_detail", args=[dispute.pk])


def amount_problem(amount: Decimal, currency: str) -> str:
    if amount <= 0:
        return "The amount must be more than zero."
    if not is_quantized(amount, currency):
        return f"{currency} amounts have at most {currency_minor_units(currency)} decimals."
    return ""


def _open_checks(
    org: Organization,
    invoice: Invoice,
    reason: str,
    message: str,
    kind: str,
    line_ids: Sequence[int],
    amount: Decimal | None,
) -> list[InvoiceLine]:
    errors: dict[str, str] = {}
    if kind not in DisputeKind.values:
        errors["kind"] = "Choose a customer dispute or a chargeback."
    allowed = _CHARGEBACK_STATUSES if kind == DisputeKind.CHARGEBACK else _CUSTOMER_STATUSES
    if invoice.status not in allowed:
        errors["invoice"] = (
            f"Invoice {invoice} is {invoice.get_status_display().lower()}; only an issued "
            "invoice (open, partly paid or paid) can be disputed."
        )
    if reason not in DisputeReason.values:
        errors["reason"] = "Choose one of the reasons listed."
    if kind == DisputeKind.CUSTOMER and not message.strip():
        errors["message"] = "Say in a few words what is wrong with the invoice."
    if amount is not None and amount_problem(amount, invoice.currency):
        errors["amount"] = amount_problem(amount, invoice.currency)
    wanted = list(dict.fromkeys(line_ids))
    lines = list(InvoiceLine.objects.for_org(org).filter(invoice=invoice, pk__in=wanted))
    if len(lines) != len(wanted):
        errors["lines"] = f"Choose lines of invoice {invoice} only."
    if errors:
        raise ValidationError(errors)
    return lines


def dispute_open(
    *,
    org: Organization,
    invoice: Invoice,
    reason: str,
    message: str,
    line_ids: Sequence[int] = (),
    files: Sequence[UploadedFile] = (),
    actor: User | None = None,
    kind: str = DisputeKind.CUSTOMER,
    amount: Decimal | None = None,
    bank_reason: str = "",
    evidence_due_by: datetime | None = None,
    stripe_dispute_id: str = "",
    stripe_charge_id: str = "",
) -> Dispute:
    """Open a dispute on ``invoice``; ``actor`` when a member records it (None: the customer,
    or the bank for a chargeback). The same ``stripe_dispute_id`` again returns the first."""
    if stripe_dispute_id:
        known = Dispute.objects.for_org(org).filter(stripe_dispute_id=stripe_dispute_id).first()
        if known is not None:
            return known
    if invoice.organization_id != org.pk:
        raise ValidationError({"invoice": "No such invoice."})
    lines = _open_checks(org, invoice, reason, message, kind, line_ids, amount)
    content_types = attachments_check(dispute=None, files=files)
    try:
        with files_removed_on_error() as written, transaction.atomic():
            locked = Invoice.objects.for_org(org).select_for_update().get(pk=invoice.pk)
            if kind == DisputeKind.CUSTOMER:
                active = (
                    Dispute.objects.for_org(org)
                    .select_related("invoice")
                    .filter(invoice=locked, kind=kind, status__in=ACTIVE_DISPUTE_STATUSES)
                    .first()
                )
                if active is not None:
                    raise DisputeActive(active)
            now = timezone.now()
            dispute = Dispute.objects.create(
                organization=org,
                invoice=locked,
                customer_id=locked.customer_id,
                kind=kind,
                reason=reason,
                amount=amount,
                currency=locked.currency,
                bank_reason=bank_reason[:100],
                evidence_due_by=evidence_due_by,
                stripe_dispute_id=stripe_dispute_id,
                stripe_charge_id=stripe_charge_id,
                opened_by=actor,
                opened_at=now,
                awaiting_owner_since=now,
            )
            DisputeLine.objects.bulk_create(
                DisputeLine(organization=org, dispute=dispute, line=line) for line in lines
            )
            author = (
                Author.BANK
                if kind == DisputeKind.CHARGEBACK
                else Author.OWNER
                if actor is not None
                else Author.CUSTOMER
            )
            body = message.strip() or _chargeback_words(org, dispute)
            first = DisputeMessage.objects.create(
                organization=org,
                dispute=dispute,
                author=author,
                author_user=actor,
                body=body,
                created_at=now,
            )
            attachments_store(
                org=org,
                dispute=dispute,
                message=first,
                author=author,
                files=files,
                content_types=content_types,
                written=written,
            )
            _opened_tell(org, actor, dispute, locked)
    except IntegrityError:
        # The same Stripe dispute, recorded by a concurrent delivery of its event.
        if stripe_dispute_id:
            return Dispute.objects.for_org(org).get(stripe_dispute_id=stripe_dispute_id)
        raise
    return dispute


def _chargeback_words(org: Organization, dispute: Dispute) -> str:
    words = "The customer's bank opened a chargeback"
    if dispute.amount:
        words += f" for {money_format(dispute.amount, dispute.currency, org.locale)}"
    if dispute.bank_reason:
        words += f" (reason: {dispute.bank_reason.replace('_', ' ')})"
    words += "."
    if dispute.evidence_due_by:
        words += f" Evidence is due by {dispute.evidence_due_by:%Y-%m-%d %H:%M} UTC."
    return words


def _opened_tell(org: Organization, actor: User | None, dispute: Dispute, invoice: Invoice) -> None:
    chargeback = dispute.kind == DisputeKind.CHARGEBACK
    who = "The customer's bank" if chargeback else dispute.customer.display_name
    what = "opened a chargeback on" if chargeback else "disputes"
    summary = f"{who} {what} invoice {invoice.number} ({dispute.get_reason_display().lower()})."
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.DISPUTE_OPENED,
        summary=summary,
        data={"dispute": dispute.pk, "invoice": invoice.pk, "kind": dispute.kind},
    )
    notice_create(
        org=org,
        kind=NoticeKind.CHARGEBACK if chargeback else NoticeKind.DISPUTE_OPENED,
        summary=summary,
        path=dispute_path(dispute),
    )

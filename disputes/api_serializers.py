"""Input and output shapes of ``/api/v1/disputes/`` (``disputes.api``).

Inputs check types and shapes; ``disputes.services`` checks meaning (an invoice that can be
disputed, lines of that invoice, a credit within the balance, the files' real type), so the
dashboard, the pay page and the API refuse the same things with the same words.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE
from disputes.models import (
    Dispute,
    DisputeAttachment,
    DisputeKind,
    DisputeMessage,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
)
from invoicing.invoice_serializers import ExactDecimalField
from invoicing.serializers import MONEY_SCHEMA, StrictInput, money_text

NULLABLE_MONEY = {**MONEY_SCHEMA, "nullable": True}
FILES_HELP = (
    f"PDF, PNG or JPEG (told by their content), at most {MAX_BYTES // (1024 * 1024)} MB each "
    f"and {MAX_PER_DISPUTE} in the whole dispute. Send the request as multipart/form-data."
)


class DisputeFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=DisputeStatus.choices, required=False)
    invoice = serializers.IntegerField(required=False, help_text="An invoice's id")


class DisputeCreateInput(StrictInput):
    invoice = serializers.IntegerField(
        help_text="An issued invoice of this organization (open, partly paid or paid) without "
        "an open dispute."
    )
    reason = serializers.ChoiceField(choices=DisputeReason.choices)
    message = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the customer says is wrong. Required.",
    )
    lines = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of the invoice's lines the dispute is about; empty: the whole invoice.",
    )
    amount = ExactDecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The amount questioned, in the invoice's currency; optional.",
    )


class DisputeReplyInput(StrictInput):
    body = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The message. Required.",
    )
    internal = serializers.BooleanField(
        required=False,
        default=False,
        help_text="An internal note: only the organization's members ever see it, and the "
        "customer is not told.",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        write_only=True,
        help_text=FILES_HELP,
    )


class DisputeResolveInput(StrictInput):
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    message = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the customer is told with the outcome. Required for `no_change`.",
    )
    credit_amount = ExactDecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For `credit` and `corrected`: more than zero, at most the invoice's balance; "
        "a credit note for it is issued.",
    )


class DisputeAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField(help_text="Found from the file's content")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: DisputeAttachment) -> str:
        return reverse("api_dispute_attachment", args=[attachment.dispute_id, attachment.pk])


class DisputeMessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(help_text="customer, owner, bank or system")
    author_email = serializers.SerializerMethodField()
    body = serializers.CharField()
    internal = serializers.BooleanField(help_text="Only the organization's members see it")
    created_at = serializers.DateTimeField()
    attachments = DisputeAttachmentOutput(many=True, source="attachments.all")

    def get_author_email(self, message: DisputeMessage) -> str:
        return message.author_user.email if message.author_user else ""


class DisputeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.display_name")
    kind = serializers.ChoiceField(choices=DisputeKind.choices)
    reason = serializers.ChoiceField(choices=DisputeReason.choices)
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    outcome = serializers.CharField(help_text="credit, corrected or no_change once resolved")
    outcome_message = serializers.CharField()
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField()
    lines = serializers.SerializerMethodField()
    credit_note = serializers.IntegerField(source="credit_note_id", allow_null=True)
    bank_reason = serializers.CharField()
    evidence_due_by = serializers.DateTimeField(allow_null=True)
    stripe_dispute_id = serializers.CharField()
    stripe_charge_id = serializers.CharField()
    opened_at = serializers.DateTimeField()
    review_started_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    awaiting_owner_since = serializers.DateTimeField(
        allow_null=True, help_text="When the customer started waiting for your answer"
    )
    overdue_response = serializers.SerializerMethodField(
        help_text="Waiting on you longer than the response target (business days)"
    )
    resolved_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(NULLABLE_MONEY)
    def get_amount(self, dispute: Dispute) -> str | None:
        amount: Decimal | None = dispute.amount
        return money_text(amount, dispute.currency) if amount is not None else None

    def get_lines(self, dispute: Dispute) -> list[int]:
        return [row.line_id for row in dispute.lines.all()]

    def get_overdue_response(self, dispute: Dispute) -> bool:
        return bool(getattr(dispute, "overdue_response", False))


class DisputeDetailOutput(DisputeOutput):
    messages = serializers.SerializerMethodField(
        help_text="The whole thread, oldest first, internal notes included"
    )

    @extend_schema_field(DisputeMessageOutput(many=True))
    def get_messages(self, dispute: Dispute) -> Any:
        return DisputeMessageOutput(self.context["thread"], many=True).data

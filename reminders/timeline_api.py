"""An invoice's reminders over the API: ``GET /api/v1/invoices/<id>/reminders/`` (its timeline),
``POST …/reminders/pause/`` and ``…/reminders/resume/`` (a customer's policy and pause are in
``reminders.customer_reminders_api``).

Another organization's invoice is a 404. Reading needs any role; pausing and resuming need the
operate right (owner, admin, billing), as on the invoice page.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from invoicing.api import OptionsMetadata
from invoicing.invoice_selectors import invoice_get
from invoicing.invoice_serializers import api_errors, validated
from invoicing.models import Invoice
from invoicing.serializers import StrictInput
from reminders.models import Tone
from reminders.pause_services import (
    REASON_MAX,
    invoice_reminders_pause,
    invoice_reminders_resume,
)
from reminders.timeline import Moment, NextItem, SentItem, Timeline, invoice_timeline

# A plain string, not an enum: the schema already has a "channel" enum (a policy step's).
CHANNEL_HELP = "`email` or `sms`"

# ---- Output


class _MomentFields(serializers.Serializer):
    at = serializers.DateTimeField(
        allow_null=True, default_timezone=UTC, help_text="The moment, in UTC"
    )
    customer_local = serializers.CharField(
        allow_null=True,
        help_text="As the customer's clock reads it: “Thu 14 Mar, 09:00 in Auckland”",
    )
    org_local = serializers.CharField(
        allow_null=True,
        help_text="As the organization's clock reads it: “Wed 13 Mar, 20:00 in London”",
    )


class SentReminderOutput(_MomentFields):
    id = serializers.IntegerField()
    offset_days = serializers.IntegerField(help_text="Days from the due date (negative: before)")
    step = serializers.CharField(help_text="The step in words: “3 days after the due date”")
    tone = serializers.ChoiceField(choices=Tone.choices)
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    due_on = serializers.DateField(help_text="The step's day in the customer's calendar")
    status = serializers.CharField(
        help_text="The message's status (sent, delivered, bounced, failed, suppressed, skipped) "
        "once one was written; else the reminder's (queued, sending, skipped)"
    )
    reason = serializers.CharField(help_text="Why it was not sent, or is waiting; may be empty")
    message = serializers.IntegerField(
        allow_null=True, help_text="The message in the communication log (`/api/v1/messages/`)"
    )
    digest_with = serializers.ListField(
        child=serializers.CharField(),
        help_text="Numbers of the other invoices that went in the same message (a digest)",
    )


class ChannelPlanOutput(serializers.Serializer):
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    to = serializers.CharField(help_text="The address or number it would go to; may be empty")
    blocked = serializers.CharField(
        help_text="Why it would not go on this channel (unsubscribed, no consent to text, no "
        "address, the customer prefers the other channel); empty when it would"
    )


class NextReminderOutput(_MomentFields):
    offset_days = serializers.IntegerField()
    step = serializers.CharField()
    tone = serializers.ChoiceField(choices=Tone.choices)
    day = serializers.DateField(help_text="The step's day in the customer's calendar")
    customer_timezone = serializers.CharField()
    org_timezone = serializers.CharField()
    overdue = serializers.BooleanField(
        help_text="Its day has come already: it goes at the window's next opening"
    )
    channels = ChannelPlanOutput(many=True)


class PolicyRefOutput(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Null until the organization's default policy is saved"
    )
    name = serializers.CharField()
    own = serializers.BooleanField(help_text="The customer's own policy, not the default")


class HoldOutput(serializers.Serializer):
    code = serializers.CharField(
        help_text="paid, closed, invoice_paused, customer_paused (disputes, plans and promises "
        "add theirs)"
    )
    reason = serializers.CharField()


class InvoiceRemindersOutput(serializers.Serializer):
    invoice = serializers.IntegerField()
    policy = PolicyRefOutput()
    paused = serializers.BooleanField(help_text="This invoice's reminders are paused")
    paused_reason = serializers.CharField()
    paused_by = serializers.CharField()
    paused_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)
    hold = HoldOutput(allow_null=True, help_text="What holds the invoice's reminders back")
    held_reason = serializers.CharField(
        help_text="Why the next reminder will not go (held, no more steps, no channel "
        "reachable); empty when it will"
    )
    next = NextReminderOutput(
        allow_null=True,
        help_text="The next reminder and the earliest moment it may go (while held: the one "
        "that would); null when nothing more will be sent",
    )
    sent = SentReminderOutput(many=True, help_text="The invoice's reminders, newest first")


def _moment(when: Moment | None) -> dict[str, Any]:
    if when is None:
        return {"at": None, "customer_local": None, "org_local": None}
    return {"at": when.at, "customer_local": when.customer_local, "org_local": when.org_local}


def _sent(item: SentItem) -> dict[str, Any]:
    return {
        "id": item.reminder_id,
        "offset_days": item.offset_days,
        "step": item.step,
        "tone": item.tone,
        "channel": item.channel,
        "due_on": item.due_on,
        "status": item.status,
        "reason": item.reason,
        "message": item.message_id,
        "digest_with": list(item.digest_with),
        **_moment(item.when),
    }


def _next(item: NextItem, customer_zone: str, org_zone: str) -> dict[str, Any]:
    return {
        "offset_days": item.offset_days,
        "step": item.step,
        "tone": item.tone,
        "day": item.day,
        "customer_timezone": customer_zone,
        "org_timezone": org_zone,
        "overdue": item.overdue,
        "channels": [
            {"channel": plan.channel, "to": plan.address, "blocked": plan.blocked}
            for plan in item.channels
        ],
        **_moment(item.when),
    }


def timeline_data(invoice: Invoice, timeline: Timeline) -> dict[str, Any]:
    pause = timeline.invoice_pause
    by = pause.paused_by if pause is not None else None
    return {
        "invoice": invoice.pk,
        "policy": {
            "id": timeline.policy_id,
            "name": timeline.policy_name,
            "own": timeline.policy_is_own,
        },
        "paused": pause is not None,
        "paused_reason": pause.reason if pause is not None else "",
        "paused_by": (by.full_name or by.email) if by is not None else "",
        "paused_at": pause.paused_at if pause is not None else None,
        "hold": {"code": timeline.hold.code, "reason": timeline.hold.reason}
        if timeline.hold is not None
        else None,
        "held_reason": timeline.held_reason,
        "next": _next(timeline.next, timeline.customer_zone, timeline.org_zone)
        if timeline.next is not None
        else None,
        "sent": [_sent(item) for item in timeline.sent],
    }


class _InvoiceRemindersView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = InvoiceRemindersOutput

    def output(self, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        timeline = invoice_timeline(org=self.org, invoice=invoice)
        data: Any = InvoiceRemindersOutput(timeline_data(invoice, timeline)).data
        return Response(data)


class ReminderReasonInputSerializer(StrictInput):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why, for your team (never shown to the customer). Optional.",
    )


@extend_schema(tags=["invoices"])
class InvoiceRemindersApi(_InvoiceRemindersView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(
        operation_id="invoices_reminders_retrieve",
        summary="An invoice's reminder timeline",
        description="What was sent (each step and channel, newest first, with what became of "
        "the message: sent, delivered, bounced, suppressed, skipped, and why), and what comes "
        "next: the step, the earliest moment it may go (`at` in UTC, and as the customer's and "
        "the organization's clocks read it), by which channels, or why not (`held_reason`: "
        "paid, paused, no more steps, unsubscribed, no consent to text).",
        responses=InvoiceRemindersOutput,
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        return self.output(invoice_id)


@extend_schema(tags=["invoices"])
class InvoiceRemindersPauseApi(_InvoiceRemindersView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="invoices_reminders_pause",
        summary="Pause an invoice's reminders",
        description="Nothing more is sent about this invoice until it is resumed; a reminder "
        "already queued is skipped with the reason. Pausing again changes the reason. An "
        "invoice that is not open (a draft, paid, void) answers 400 under `invoice`. Audited.",
        request=ReminderReasonInputSerializer,
        responses=InvoiceRemindersOutput,
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        reason = validated(ReminderReasonInputSerializer(data=request.data))["reason"]
        with api_errors():
            invoice_reminders_pause(
                org=self.org, actor=self.membership.user, invoice=invoice, reason=reason
            )
        return self.output(invoice.pk)


@extend_schema(tags=["invoices"])
class InvoiceRemindersResumeApi(_InvoiceRemindersView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="invoices_reminders_resume",
        summary="Resume an invoice's reminders",
        description="Reminders go again from the next sweep: only the latest step whose day has "
        "come is sent, never a burst of the ones missed. Resuming an invoice that is not paused "
        "changes nothing. Audited.",
        request=ReminderReasonInputSerializer,
        responses=InvoiceRemindersOutput,
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = invoice_get(org=self.org, invoice_id=invoice_id)
        reason = validated(ReminderReasonInputSerializer(data=request.data))["reason"]
        with api_errors():
            invoice_reminders_resume(
                org=self.org, actor=self.membership.user, invoice=invoice, reason=reason
            )
        return self.output(invoice.pk)

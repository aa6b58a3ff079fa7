"""The communication log over the API: ``GET /api/v1/messages/``, read-only."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from arhub.api import OrgApiMixin
from arhub.messaging.selectors import message_customer_get, message_invoice_get, message_list
from arhub.models import Channel, Message, MessageKind, MessageStatus


class MessageFilterInput(serializers.Serializer):
    customer = serializers.IntegerField(required=False, min_value=1)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    kind = serializers.ChoiceField(choices=MessageKind.choices, required=False)
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False)
    invoice = serializers.IntegerField(required=False, min_value=1)


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    invoice = serializers.IntegerField(source="invoice_id", allow_null=True)
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    channel = serializers.CharField()
    kind = serializers.CharField()
    direction = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField(
        help_text="Why it was skipped or suppressed, or the provider's reason for a failure."
    )
    recipient = serializers.CharField()
    sender = serializers.CharField()
    subject = serializers.CharField()
    body_text = serializers.CharField()
    body_html = serializers.CharField()
    provider_message_id = serializers.CharField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


@extend_schema(
    description=(
        "The communication log: every message sent to or received from customers, exactly as "
        "sent, newest first. A `customer` or `invoice` of another organization (or none) "
        "answers 404."
    ),
    parameters=[
        OpenApiParameter("customer", OpenApiTypes.INT, description="A customer's id."),
        OpenApiParameter("invoice", OpenApiTypes.INT, description="An invoice's id."),
        OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=MessageKind.values),
        OpenApiParameter("status", OpenApiTypes.STR, enum=MessageStatus.values),
    ],
)
class MessageListApi(OrgApiMixin, generics.ListAPIView):
    serializer_class = MessageOutput

    def get_queryset(self) -> QuerySet[Message]:
        filters = MessageFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        customer_id = data.get("customer")
        if customer_id is not None:
            message_customer_get(org=self.org, customer_id=customer_id)  # 404 when not ours
        invoice_id = data.get("invoice")
        if invoice_id is not None:
            message_invoice_get(org=self.org, invoice_id=invoice_id)
        return message_list(
            org=self.org,
            customer_id=customer_id,
            invoice_id=invoice_id,
            channel=data.get("channel"),
            kind=data.get("kind"),
            status=data.get("status"),
        )

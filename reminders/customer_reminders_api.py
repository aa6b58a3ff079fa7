"""A customer's reminder arrangements over the API: ``GET`` / ``PATCH
/api/v1/customers/<id>/reminders/``: the policy their invoices follow, and a pause of all their
reminders.

Another organization's customer or policy is a 404. Reading needs any role; changing needs the
operate right (owner, admin, billing), as on the customer page. A PATCH is all or nothing.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.models import Organization
from invoicing.api import OptionsMetadata
from invoicing.invoice_serializers import api_errors, validated
from invoicing.models import Customer
from invoicing.selectors import customer_get
from invoicing.serializers import StrictInput
from reminders.models import CustomerReminders, ReminderPolicy
from reminders.pause_services import (
    REASON_MAX,
    customer_reminders_pause,
    customer_reminders_resume,
    customer_reminders_set_policy,
)
from reminders.policies import DEFAULT_POLICY_NAME


class CustomerRemindersOutput(serializers.Serializer):
    customer = serializers.IntegerField()
    policy = serializers.IntegerField(
        allow_null=True, help_text="The customer's own policy; null: the organization's default"
    )
    policy_name = serializers.CharField(help_text="The policy their invoices follow")
    paused = serializers.BooleanField(help_text="All reminders to the customer are paused")
    paused_reason = serializers.CharField()
    paused_by = serializers.CharField()
    paused_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)


class CustomerRemindersInputSerializer(StrictInput):
    output_only = frozenset({"customer", "policy_name", "paused_by", "paused_at"})

    policy = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A policy's id, or null for the organization's default",
    )
    paused = serializers.BooleanField(required=False)
    paused_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX,
        help_text="Why they are paused, for your team; with `paused: true`, or to change the "
        "reason of a customer already paused",
    )


def customer_reminders_data(*, org: Organization, customer: Customer) -> dict[str, Any]:
    row = (
        CustomerReminders.objects.for_org(org)
        .filter(customer=customer)
        .select_related("policy", "paused_by")
        .first()
    )
    policy = row.policy if row is not None else None
    name = policy.name if policy is not None else None
    if name is None:
        default = ReminderPolicy.objects.for_org(org).filter(is_default=True).first()
        name = default.name if default is not None else DEFAULT_POLICY_NAME
    paused = row is not None and row.paused
    by = row.paused_by if row is not None and paused else None
    return {
        "customer": customer.pk,
        "policy": policy.pk if policy is not None else None,
        "policy_name": name,
        "paused": paused,
        "paused_reason": row.paused_reason if row is not None and paused else "",
        "paused_by": (by.full_name or by.email) if by is not None else "",
        "paused_at": row.paused_at if row is not None and paused else None,
    }


@extend_schema(tags=["customers"])
class CustomerRemindersApi(OrgApiMixin, generics.GenericAPIView):
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = CustomerRemindersOutput
    http_method_names = ["get", "patch", "options", "head"]

    def output(self, customer: Customer) -> Response:
        data: Any = CustomerRemindersOutput(
            customer_reminders_data(org=self.org, customer=customer)
        ).data
        return Response(data)

    @extend_schema(
        operation_id="customers_reminders_retrieve",
        summary="A customer's reminder policy and pause",
        responses=CustomerRemindersOutput,
    )
    def get(self, request: Request, customer_id: int) -> Response:
        return self.output(customer_get(org=self.org, customer_id=customer_id))

    @extend_schema(
        operation_id="customers_reminders_partial_update",
        summary="Change a customer's reminder policy or pause",
        description="Only the fields given change, all or nothing. `policy`: a policy's id, or "
        "null for the organization's default (another organization's policy is a 404). "
        "`paused: true` stops every reminder to the customer (invoices and receipts still go), "
        "`false` lets them go again; `paused_reason` says why. Audited.",
        request=CustomerRemindersInputSerializer,
        responses=CustomerRemindersOutput,
    )
    def patch(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(org=self.org, customer_id=customer_id)
        attrs = validated(CustomerRemindersInputSerializer(data=request.data))
        actor = self.membership.user
        with api_errors(), transaction.atomic():
            if "policy" in attrs:
                customer_reminders_set_policy(
                    org=self.org, actor=actor, customer=customer, policy_id=attrs["policy"]
                )
            current = customer_reminders_data(org=self.org, customer=customer)
            pause = attrs.get("paused")
            if pause is None and "paused_reason" in attrs:
                if not current["paused"]:
                    words = 'Only a paused customer has a reason: send "paused": true with it.'
                    raise serializers.ValidationError({"paused_reason": [words]})
                pause = True
            if pause:
                reason = attrs.get("paused_reason", current["paused_reason"])
                customer_reminders_pause(
                    org=self.org, actor=actor, customer=customer, reason=reason
                )
            elif pause is False:
                customer_reminders_resume(org=self.org, actor=actor, customer=customer)
        return self.output(customer)

"""The reminder-policy API: ``/api/v1/reminder-policy/`` (list, create), one policy (read,
replace, change, delete) and its ``make-default/`` action.

Views are thin: they check shapes (``reminders.api_serializers``), look the policy up inside
the caller's organization (another tenant's id is a 404 before the body is read) and call
``reminders.policy_services``, whose ValidationErrors become 400s keyed by field as sent
(``steps[2].offset_days``). Reading needs any role; changing needs the settings right (owner,
admin), as on the Reminders page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.roles import Perm
from invoicing.api import OptionsMetadata
from invoicing.invoice_api_pagination import ByNamePagination
from invoicing.invoice_serializers import api_errors, validated
from reminders.api_serializers import (
    ReminderPolicyCreateInputSerializer,
    ReminderPolicyInputSerializer,
    ReminderPolicyOutput,
    input_from,
)
from reminders.models import ReminderPolicy
from reminders.policies import policy_default
from reminders.policy_input import PolicyInput, policy_input
from reminders.policy_services import (
    policy_create,
    policy_delete,
    policy_make_default,
    policy_update,
)
from reminders.selectors import policy_customer_counts, policy_get, policy_list

TAGS = ["reminder policy"]
SETTINGS_WRITES = {
    "POST": Perm.MANAGE_SETTINGS,
    "PUT": Perm.MANAGE_SETTINGS,
    "PATCH": Perm.MANAGE_SETTINGS,
    "DELETE": Perm.MANAGE_SETTINGS,
}
ERRORS_DESCRIPTION = (
    " Needs the settings right (owner, admin). Errors are 400 with messages per field, each "
    'key naming the field as sent: `{"window_end": ["…"], "steps[2].offset_days": ["…"]}`; '
    "nothing is saved when any field is refused. Refused: two steps on one day, a day "
    "outside -60..365, a window that ends before it starts or reaches outside 08:00 to 21:00 "
    "(nothing is sent before 08:00 or after 21:00 in the customer's time), no weekday, a daily "
    "cap below 1, an `sms` or `both` step when the organization has no SMS sender, an unknown "
    "placeholder in a step's own wording, and a name another policy has."
)
FORMATS_DESCRIPTION = (
    " Times are `HH:MM`; weekdays are numbers 0 to 6 (Monday 0) or day names (`monday`, `mon`)."
)


class PolicyApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = ReminderPolicyOutput
    required_perms = SETTINGS_WRITES

    def output(self, policy: ReminderPolicy, code: int = status.HTTP_200_OK) -> Response:
        fresh = policy_get(org=self.org, policy_id=policy.pk)
        context = {"counts": policy_customer_counts(org=self.org)}
        return Response(ReminderPolicyOutput(fresh, context=context).data, status=code)


@extend_schema(tags=TAGS)
class PolicyListCreateApi(PolicyApiView):
    pagination_class = ByNamePagination

    @extend_schema(
        operation_id="reminder_policy_list",
        summary="List reminder policies",
        description="By name, each with its steps and how many customers it applies to. The "
        "default policy (the built-in steps) is made on first use." + FORMATS_DESCRIPTION,
        responses=ReminderPolicyOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        policy_default(org=self.org)
        page = self.paginate_queryset(policy_list(org=self.org))
        context = {"counts": policy_customer_counts(org=self.org)}
        return self.get_paginated_response(
            ReminderPolicyOutput(page, many=True, context=context).data
        )

    @extend_schema(
        operation_id="reminder_policy_create",
        summary="Add a reminder policy",
        description="A policy customers can be put on (it is not the default; "
        "`make-default/` makes it so). Only `name` is required; what is left out is the "
        "built-in default, its steps included." + FORMATS_DESCRIPTION + ERRORS_DESCRIPTION,
        request=ReminderPolicyCreateInputSerializer,
        responses={201: ReminderPolicyOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(ReminderPolicyCreateInputSerializer(data=request.data))
        with api_errors():
            policy = policy_create(
                org=self.org,
                actor=self.membership.user,
                data=input_from(attrs, PolicyInput(name="")),
            )
        return self.output(policy, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PolicyDetailApi(PolicyApiView):
    http_method_names = ["get", "put", "patch", "delete", "options", "head"]

    def _change(self, policy_id: int, serializer: ReminderPolicyInputSerializer) -> Response:
        current = policy_get(org=self.org, policy_id=policy_id)
        attrs: dict[str, Any] = validated(serializer)
        with api_errors():
            policy = policy_update(
                org=self.org,
                actor=self.membership.user,
                policy_id=current.pk,
                data=input_from(attrs, policy_input(current)),
            )
        return self.output(policy)

    @extend_schema(operation_id="reminder_policy_retrieve", summary="One reminder policy")
    def get(self, request: Request, policy_id: int) -> Response:
        return self.output(policy_get(org=self.org, policy_id=policy_id))

    @extend_schema(
        operation_id="reminder_policy_update",
        summary="Replace a reminder policy",
        description="Every field. `steps` is the whole ordered list: a step with an `id` (or, "
        "without one, on the same day as a saved step) edits that step in place, a new one is "
        "added, a saved step left out is deleted. Invoices already open follow the edit from "
        "their next reminder on." + FORMATS_DESCRIPTION + ERRORS_DESCRIPTION,
        request=ReminderPolicyInputSerializer,
        responses=ReminderPolicyOutput,
    )
    def put(self, request: Request, policy_id: int) -> Response:
        return self._change(policy_id, ReminderPolicyInputSerializer(data=request.data))

    @extend_schema(
        operation_id="reminder_policy_partial_update",
        summary="Change a reminder policy",
        description="Only the fields given change; `steps`, when given, is the whole list, "
        "as for PUT." + FORMATS_DESCRIPTION + ERRORS_DESCRIPTION,
        request=ReminderPolicyInputSerializer,
        responses=ReminderPolicyOutput,
    )
    def patch(self, request: Request, policy_id: int) -> Response:
        return self._change(
            policy_id, ReminderPolicyInputSerializer(data=request.data, partial=True)
        )

    @extend_schema(
        operation_id="reminder_policy_destroy",
        summary="Delete a reminder policy",
        description="Its customers go back to the default policy; reminders already sent stay "
        "on record. The default policy cannot be deleted (400 under `is_default`): make "
        "another the default first. Needs the settings right (owner, admin).",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, policy_id: int) -> Response:
        with api_errors():
            policy_delete(org=self.org, actor=self.membership.user, policy_id=policy_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class PolicyMakeDefaultApi(PolicyApiView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="reminder_policy_make_default",
        summary="Make a policy the default",
        description="Customers without a policy of their own follow it from their next "
        "reminder on; the previous default stays, as an ordinary policy. Needs the settings "
        "right (owner, admin).",
        request=None,
        responses=ReminderPolicyOutput,
    )
    def post(self, request: Request, policy_id: int) -> Response:
        policy = policy_make_default(org=self.org, actor=self.membership.user, policy_id=policy_id)
        return self.output(policy)

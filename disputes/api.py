"""``/api/v1/disputes/``: disputes listed and recorded, one with its whole thread, and the
actions ``reply/``, ``review/`` and ``resolve/``; attachments as downloads.

Views are thin: they check the request's shape (``disputes.api_serializers``), look the dispute
up inside the caller's organization (another tenant's id is a 404 before the body is read) and
call ``disputes.services``, whose ValidationErrors become 400s by field. An invoice id of
another organization in the body is a 400 under ``invoice``, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.keyset import Keyset, aware_datetime
from arhub.models import Organization
from disputes.api_serializers import (
    DisputeCreateInput,
    DisputeDetailOutput,
    DisputeFilters,
    DisputeMessageOutput,
    DisputeOutput,
    DisputeReplyInput,
    DisputeResolveInput,
)
from disputes.downloads import attachment_download
from disputes.models import Dispute, DisputeLine
from disputes.selectors import (
    dispute_attachment_get,
    dispute_get,
    dispute_list,
    owner_thread,
)
from disputes.services import (
    dispute_open,
    dispute_owner_reply,
    dispute_resolve,
    dispute_review_start,
)
from invoicing.api import OptionsMetadata
from invoicing.api_pagination import KeysetPagination
from invoicing.invoice_serializers import api_errors, validated
from invoicing.models import Invoice

ERRORS_DESCRIPTION = (
    "Errors are 400 with messages per field; nothing is saved when any field is refused. "
    'Amounts are strings (`"12.50"`).'
)


class DisputePagination(KeysetPagination):
    """Newest opened first, ties by the newest id."""

    ordering_param = None
    orderings = {
        "-opened": Keyset(
            "-opened", "opened_at", descending=True, ties_descending=True, parse=aware_datetime
        )
    }
    default_ordering = "-opened"


def _with_lines(org: Organization, disputes: QuerySet[Dispute]) -> QuerySet[Dispute]:
    lines = DisputeLine.objects.for_org(org).order_by("pk")
    return disputes.prefetch_related(Prefetch("lines", queryset=lines))


class DisputeApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class: type[DisputeOutput] = DisputeDetailOutput

    def dispute(self, dispute_id: int) -> Dispute:
        return dispute_get(org=self.org, dispute_id=dispute_id)

    def output(self, dispute: Dispute, code: int = status.HTTP_200_OK) -> Response:
        fresh = _with_lines(self.org, dispute_list(org=self.org)).get(pk=dispute.pk)
        thread = owner_thread(dispute=fresh)
        data: Any = DisputeDetailOutput(fresh, context={"thread": thread}).data
        return Response(data, status=code)


@extend_schema(tags=["disputes"])
class DisputeListCreateApi(DisputeApiView):
    """GET lists disputes; POST records one the customer raised by phone or email."""

    pagination_class = DisputePagination
    serializer_class = DisputeOutput

    def get_queryset(self) -> QuerySet[Dispute]:
        filters = validated(DisputeFilters(data=self.request.query_params))
        disputes = dispute_list(org=self.org, status=filters.get("status"))
        if "invoice" in filters:
            disputes = disputes.filter(invoice_id=filters["invoice"])
        return _with_lines(self.org, disputes)

    @extend_schema(
        operation_id="disputes_list",
        summary="List disputes",
        description="Newest opened first, each with `overdue_response` (waiting on you longer "
        "than the organization's response target, in business days). Filters combine.",
        parameters=[DisputeFilters],
        responses=DisputeOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DisputeOutput(page, many=True).data)

    @extend_schema(
        operation_id="disputes_create",
        summary="Record a dispute",
        description="On the customer's word: reminders for the invoice pause until it is "
        "resolved. An invoice with an open dispute answers 400 under `invoice`; a line of "
        "another invoice 400 under `lines`. " + ERRORS_DESCRIPTION,
        request=DisputeCreateInput,
        responses={201: DisputeDetailOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(DisputeCreateInput(data=request.data))
        invoice = Invoice.objects.for_org(self.org).filter(pk=attrs["invoice"]).first()
        if invoice is None:
            raise serializers.ValidationError(
                {"invoice": [f"Invoice {attrs['invoice']} does not exist."]}
            )
        with api_errors():
            dispute = dispute_open(
                org=self.org,
                invoice=invoice,
                reason=attrs["reason"],
                message=attrs["message"],
                line_ids=attrs["lines"],
                amount=attrs["amount"],
                actor=self.membership.user,
            )
        return self.output(dispute, status.HTTP_201_CREATED)


@extend_schema(tags=["disputes"])
class DisputeDetailApi(DisputeApiView):
    http_method_names = ["get", "options", "head"]

    @extend_schema(
        operation_id="disputes_retrieve",
        summary="One dispute with its thread",
        description="The whole thread, internal notes included (`internal: true`).",
    )
    def get(self, request: Request, dispute_id: int) -> Response:
        return self.output(self.dispute(dispute_id))


@extend_schema(tags=["disputes"])
class DisputeReplyApi(DisputeApiView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="disputes_reply",
        summary="Write in the thread",
        description="A reply goes to the customer (by their channel, with a link to the pay "
        "page) and starts the review; an internal note (`internal: true`) tells nobody. Files "
        "go as multipart/form-data. A closed dispute takes internal notes only (400 under "
        "`dispute`). " + ERRORS_DESCRIPTION,
        request=DisputeReplyInput,
        responses={201: DisputeMessageOutput},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = self.dispute(dispute_id)
        attrs = validated(DisputeReplyInput(data=request.data))
        with api_errors():
            message = dispute_owner_reply(
                org=self.org,
                actor=self.membership.user,
                dispute=dispute,
                body=attrs["body"],
                files=attrs["files"],
                internal=attrs["internal"],
            )
        return Response(DisputeMessageOutput(message).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["disputes"])
class DisputeReviewApi(DisputeApiView):
    @extend_schema(
        operation_id="disputes_review",
        summary="Start the review",
        description="Open -> under review. Any other state answers 400 under `dispute`.",
        request=None,
        responses=DisputeDetailOutput,
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = self.dispute(dispute_id)
        with api_errors():
            done = dispute_review_start(org=self.org, actor=self.membership.user, dispute=dispute)
        return self.output(done)


@extend_schema(tags=["disputes"])
class DisputeResolveApi(DisputeApiView):
    @extend_schema(
        operation_id="disputes_resolve",
        summary="Resolve a dispute",
        description="`credit`: a credit note for `credit_amount` reduces the balance. "
        "`corrected`: the same, for the corrected difference. `no_change`: a `message` "
        "explains why. The customer is told the outcome, what is left to pay and the pay link; "
        "reminders resume for what is still owed. " + ERRORS_DESCRIPTION,
        request=DisputeResolveInput,
        responses=DisputeDetailOutput,
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = self.dispute(dispute_id)
        attrs = validated(DisputeResolveInput(data=request.data))
        with api_errors():
            done = dispute_resolve(
                org=self.org,
                actor=self.membership.user,
                dispute=dispute,
                outcome=attrs["outcome"],
                message=attrs["message"],
                credit_amount=attrs["credit_amount"],
            )
        return self.output(done)


@extend_schema(tags=["disputes"])
class DisputeAttachmentApi(OrgApiMixin, generics.GenericAPIView):
    @extend_schema(
        operation_id="disputes_attachment",
        summary="Download an attachment",
        description="As a download, with the content type found from the file's content "
        "(application/pdf, image/png or image/jpeg).",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The file")},
    )
    def get(self, request: Request, dispute_id: int, attachment_id: int) -> FileResponse:
        dispute = dispute_get(org=self.org, dispute_id=dispute_id)
        return attachment_download(
            dispute_attachment_get(org=self.org, dispute=dispute, attachment_id=attachment_id)
        )

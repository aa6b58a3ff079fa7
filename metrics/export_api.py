"""``/api/v1/reports/exports/``: background exports for scripts. POST asks for one (201 with the
job, queued); GET lists recent ones; ``<id>/`` reads a job's status and progress; ``<id>/download/``
is the file once it is done. Every operation needs a role that may export. Another
organization's job id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.roles import Perm
from invoicing.api import OptionsMetadata
from invoicing.invoice_serializers import api_errors, validated
from metrics.export_registry import SPECS
from metrics.export_services import export_job_create, export_job_get, export_job_list
from metrics.export_views import export_file_response
from metrics.models import ExportJob, ExportStatus

REPORTS_HELP = "One of: " + ", ".join(f"`{kind}` ({spec.label})" for kind, spec in SPECS.items())
FORMATS_HELP = (
    "`csv`, `xlsx` or `pdf`; accounting imports (`qbo_*`, `xero_*`) come as `csv` only, "
    "`statements` as `zip` (every customer who owes something) or `pdf` (one `customer`)."
)


class ExportCreateInput(serializers.Serializer):
    report = serializers.CharField(help_text=REPORTS_HELP)
    format = serializers.CharField(help_text=FORMATS_HELP)
    as_of = serializers.CharField(required=False, help_text="YYYY-MM-DD; aging and DSO.")
    start = serializers.CharField(required=False, help_text="YYYY-MM-DD; period reports.")
    end = serializers.CharField(required=False, help_text="YYYY-MM-DD; period reports.")
    currency = serializers.CharField(required=False, help_text="ISO 4217.")
    edges = serializers.CharField(required=False, help_text="Aging bucket edges, `30,60,90`.")
    customer = serializers.IntegerField(required=False, help_text="Statements: one customer.")


@extend_schema_field(OpenApiTypes.URI)
class _Link(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)


class StatusLink(_Link):
    def to_representation(self, job: ExportJob) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api_report_export", args=[job.pk])
        )


class DownloadLink(_Link):
    def to_representation(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api_report_export_download", args=[job.pk])
        )


class ExportJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    report = serializers.CharField(help_text=REPORTS_HELP)
    format = serializers.CharField()
    params = serializers.DictField(
        child=serializers.CharField(), help_text="The filters as checked and stored."
    )
    status = serializers.CharField(
        help_text="`queued`, `running`, `done`, `failed` or `expired` (the file was deleted)."
    )
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(allow_null=True, help_text="Null until counted.")
    percent = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(help_text="Bytes, once done.")
    download_name = serializers.CharField()
    error = serializers.CharField(help_text="Why it failed, in words.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = StatusLink()
    download_url = DownloadLink(allow_null=True)


class ExportApiView(OrgApiMixin, generics.GenericAPIView):
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = ExportJobOutput
    required_perm = Perm.EXPORT

    def output(self, job: ExportJob, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(job).data, status=code)


@extend_schema(tags=["reports"])
class ExportListCreateApi(ExportApiView):
    def get_queryset(self) -> QuerySet[ExportJob]:
        return export_job_list(org=self.org)

    @extend_schema(
        operation_id="reports_exports_list",
        summary="Recent exports",
        description="Newest first, every member's.",
        responses=ExportJobOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="reports_exports_create",
        summary="Start an export in the background",
        description="Checked at once (a bad `report`, `format` or filter is a 400 naming it), "
        "then queued; poll `url` until `status` is `done` and fetch `download_url`. The "
        "member who asked also gets an email with a link when it is ready. " + FORMATS_HELP,
        request=ExportCreateInput,
        responses={201: ExportJobOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(ExportCreateInput(data=request.data))
        report, fmt = attrs.pop("report"), attrs.pop("format")
        with api_errors():
            job = export_job_create(
                org=self.org, actor=self.membership.user, report=report, format=fmt, params=attrs
            )
        return self.output(job, status.HTTP_201_CREATED)


@extend_schema(tags=["reports"])
class ExportDetailApi(ExportApiView):
    @extend_schema(
        operation_id="reports_exports_retrieve",
        summary="One export: status and progress",
    )
    def get(self, request: Request, job_id: int) -> Response:
        return self.output(export_job_get(org=self.org, job_id=job_id))


@extend_schema(tags=["reports"])
class ExportDownloadApi(ExportApiView):
    @extend_schema(
        operation_id="reports_exports_download",
        summary="The export's file",
        description="404 until it is done, and once it has expired.",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The file")},
    )
    def get(self, request: Request, job_id: int) -> HttpResponseBase:
        return export_file_response(export_job_get(org=self.org, job_id=job_id))

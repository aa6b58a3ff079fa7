"""Dashboard pages for importing customers from CSV: upload, preview and confirm, progress."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.import_services import (
    customer_import_confirm,
    customer_import_counts,
    customer_import_get,
    customer_import_list,
    customer_import_preview,
)
from invoicing.importing import (
    LAYOUT_BY_FORMAT,
    MAX_FILE_BYTES,
    MAX_ROWS,
    TEMPLATE_COLUMNS,
    TEMPLATE_HELP,
)
from invoicing.models import CustomerImport, ImportStatus

PREVIEW_ROWS = 20
RECENT_IMPORTS = 10
FINISHED = frozenset({ImportStatus.DONE, ImportStatus.FAILED})


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"Our template, a QuickBooks Online customer export or a Xero contacts export. "
            f"Up to {MAX_FILE_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} rows."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before reading: a huge upload is refused without loading it into memory.
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
                "Split it into smaller files and import each."
            )
        return upload


def progress_state(customer_import: CustomerImport) -> dict[str, Any]:
    """The import's progress as the page and the JSON endpoint both show it."""
    total, processed = customer_import.total, customer_import.processed
    percent = int(100 * processed / total) if total else 0
    status = customer_import.status
    if status == ImportStatus.QUEUED:
        message = f"Waiting to start: {total:,} customers to import."
    elif status == ImportStatus.RUNNING:
        message = f"Imported {processed:,} of {total:,} customers ({percent}%)."
    elif status == ImportStatus.DONE:
        message = (
            f"Import finished: {customer_import.created_count:,} added, "
            f"{customer_import.updated_count:,} updated."
        )
    elif status == ImportStatus.FAILED:
        message = customer_import.error_message or "The import failed. Nothing was imported."
    else:
        message = "Waiting for your confirmation."
    return {
        "status": status,
        "status_label": customer_import.get_status_display(),
        "processed": processed,
        "total": total,
        "percent": percent,
        "created": customer_import.created_count,
        "updated": customer_import.updated_count,
        "finished": status in FINISHED,
        "message": message,
    }


class CustomerImportView(OrgViewMixin, View):
    """Upload a file; the preview follows on the import's own page."""

    required_perms = {"GET": Perm.VIEW, "POST": Perm.OPERATE}

    def _render(self, request: HttpRequest, form: CustomerImportForm) -> HttpResponse:
        return render(
            request,
            "invoicing/import_upload.html",
            {
                "form": form,
                "imports": customer_import_list(org=self.org)[:RECENT_IMPORTS],
                "template_help": TEMPLATE_HELP,
                "max_rows": MAX_ROWS,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CustomerImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CustomerImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        upload = form.cleaned_data["file"]
        try:
            customer_import = customer_import_preview(
                org=self.org,
                actor=request.user,  # type: ignore[arg-type]
                file_name=upload.name or "customers.csv",
                content=upload.read(MAX_FILE_BYTES + 1),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form)
        return redirect("customer_import_detail", pk=customer_import.pk)


class CustomerImportDetailView(OrgViewMixin, View):
    """The preview (counts, first rows, every bad row) and its Confirm button; after that, the
    progress bar; at the end, the result."""

    required_perms = {"GET": Perm.VIEW, "POST": Perm.OPERATE}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        # The rows can be megabytes: read them only when the page shows them (the preview),
        # and never while the import runs and this page is reloaded.
        customer_import = customer_import_get(org=self.org, import_id=pk, light=True)
        in_progress = customer_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
        if customer_import.status == ImportStatus.PREVIEWED:
            customer_import.refresh_from_db(fields=["rows", "row_errors"])
        elif not in_progress:
            customer_import.refresh_from_db(fields=["row_errors"])
            customer_import.rows = []
        else:
            customer_import.rows, customer_import.row_errors = [], []
        problems = [
            {"line": entry["line"], "column": column, "message": message}
            for entry in customer_import.row_errors
            for column, message in entry["errors"].items()
        ]
        layout = LAYOUT_BY_FORMAT.get(customer_import.source_format)
        response = render(
            request,
            "invoicing/import_detail.html",
            {
                "job": customer_import,
                "state": progress_state(customer_import),
                "counts": customer_import_counts(customer_import=customer_import),
                "preview_rows": customer_import.rows[:PREVIEW_ROWS],
                "problems": problems,
                "ignored_columns": customer_import.ignored_columns,
                "mapping": layout.notes if layout else (),
                "in_progress": in_progress,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer_import = customer_import_get(org=self.org, import_id=pk, light=True)
        try:
            customer_import_confirm(
                org=self.org,
                actor=request.user,  # type: ignore[arg-type]
                customer_import=customer_import,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("customer_import_detail", pk=customer_import.pk)


class CustomerImportProgressView(OrgViewMixin, View):
    """Polled by arhub/job_progress.js while the import runs."""

    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer_import = customer_import_get(org=self.org, import_id=pk, light=True)
        response = JsonResponse(progress_state(customer_import))
        response["Cache-Control"] = "no-store"
        return response


class CustomerImportTemplateView(OrgViewMixin, View):
    """Our CSV template: the column names only, so no example row is imported by mistake."""

    required_perm = Perm.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(TEMPLATE_COLUMNS)
        # The byte-order mark makes Excel read the file as UTF-8 (accents survive a round trip).
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="arhub-customers-template.csv"'
        return response

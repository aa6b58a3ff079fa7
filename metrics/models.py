"""Exports that run in the background, and the accountant's monthly report email.

A large export is an ``ExportJob``: the worker writes the file under ``EXPORT_FILES_ROOT`` with a
random name (never under the web root), counts its progress as it goes, and the person who asked
downloads it from the dashboard (or the API) and gets an email with the link. Files expire after
``EXPORT_KEEP_DAYS``; the row stays as the record that the export was made.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet


class ReportKind(models.TextChoices):
    AGING_SUMMARY = "aging_summary", "Aging summary by customer"
    AGING_DETAIL = "aging_detail", "Aging detail by invoice"
    INVOICE_REGISTER = "invoice_register", "Invoice register"
    PAYMENTS = "payments", "Payments received"
    CREDIT_NOTES = "credit_notes", "Credit notes"
    DISCOUNTS_FEES = "discounts_fees", "Discounts allowed and late fees"
    STATEMENTS = "statements", "Customer statements"
    DSO = "dso", "DSO and CEI"
    QBO_INVOICES = "qbo_invoices", "QuickBooks Online: invoices"
    QBO_PAYMENTS = "qbo_payments", "QuickBooks Online: payments"
    XERO_INVOICES = "xero_invoices", "Xero: sales invoices"
    XERO_PAYMENTS = "xero_payments", "Xero: payments"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    PDF = "pdf", "PDF"
    ZIP = "zip", "ZIP of PDFs"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ExportJob(OrgOwned):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.CharField(max_length=32, choices=ReportKind.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    # The report's filters as given (as_of, start, end, currency, edges, customer), already
    # checked; strings so the job runs exactly what was asked.
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # Random name under EXPORT_FILES_ROOT; blank until done and again once expired.
    file_name = models.CharField(max_length=100, blank=True)
    download_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    schedule = models.ForeignKey(
        "metrics.ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
    )

    objects: ClassVar[OrgQuerySet[ExportJob]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at"], name="export_job_org_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_total__isnull=True)
                | models.Q(rows_done__lte=models.F("rows_total")),
                name="export_job_progress_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} ({self.format}, {self.status})"

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return 100 if self.status == ExportStatus.DONE else None
        return min(100, self.rows_done * 100 // self.rows_total)


class ReportSchedule(OrgOwned):
    """A member's monthly email with reports attached (the accountant's aging and DSO)."""

    membership = models.ForeignKey(
        "arhub.Membership", on_delete=models.CASCADE, related_name="report_schedules"
    )
    reports = models.JSONField(default=list)  # ReportKind values
    format = models.CharField(max_length=8, choices=ExportFormat.choices, default=ExportFormat.PDF)
    day_of_month = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[ReportSchedule]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="report_schedule_day_in_every_month",
            ),
            models.UniqueConstraint(
                fields=["organization", "membership"], name="report_schedule_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"Monthly reports on day {self.day_of_month}"

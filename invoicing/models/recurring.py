"""Recurring invoices (the "flat monthly rate" customer) and background jobs over invoices."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"


class RecurringStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"


class RecurringInvoice(OrgOwned):
    """A template that becomes one invoice per period. ``next_date`` is the next period to
    issue; an invoice carries (template, period) under a unique constraint, so a restarted
    beat or a retried task can never issue the same period twice."""

    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="recurring_invoices"
    )
    name = models.CharField(max_length=120, help_text="e.g. Monthly maintenance")
    currency = models.CharField(max_length=3)
    # [{"kind", "description", "quantity", "unit", "unit_price", "discount_percent",
    #   "tax_rate_ids": [..]}, ...] with decimals as strings; checked when saved and again
    # when an invoice is made from them.
    lines = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    po_number = models.CharField(max_length=100, blank=True)
    # Blank: the customer's terms (or the organization's default) at the time of each issue.
    payment_terms = models.ForeignKey(
        "invoicing.PaymentTerms",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # Monthly, quarterly and yearly: the day of the month (29-31 fall back to the month's last).
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    max_count = models.PositiveIntegerField(null=True, blank=True)
    issued_count = models.PositiveIntegerField(default=0)
    next_date = models.DateField(null=True, blank=True)
    auto_send = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=RecurringStatus.choices, default=RecurringStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[RecurringInvoice]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency=Upper("currency")), name="recurring_currency_upper"
            ),
        ]
        indexes = [
            # The scheduler's sweep: active templates whose next period has come.
            models.Index(
                fields=["next_date"],
                condition=models.Q(status="active"),
                name="recurring_due_idx",
            ),
            models.Index(fields=["organization", "customer"], name="recurring_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Working"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class InvoiceBulkJob(OrgOwned):
    """A bulk action run in the background with a progress bar (today: a zip of PDFs)."""

    action = models.CharField(max_length=20, default="zip")
    invoice_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    result_file = models.FileField(upload_to="invoice-exports/", blank=True)
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[InvoiceBulkJob]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"{self.action} of {self.total} invoices ({self.status})"

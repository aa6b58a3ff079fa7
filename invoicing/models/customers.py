"""Customers, their contacts and notes, and customer imports."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone as dj_timezone
from phonenumber_field.modelfields import PhoneNumberField

from arhub.models import OrgOwned, OrgQuerySet


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class PreferredChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    BOTH = "both", "Email and SMS"


class Customer(OrgOwned):
    display_name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    # Blank means "the organization's time zone"; send windows use the customer's.
    timezone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    currency = models.CharField(max_length=3)
    # Terms for this customer's invoices: named terms win; else net days (as imports bring
    # them) on the organization's default terms; else the default terms (invoicing.terms).
    payment_terms = models.ForeignKey(
        "invoicing.PaymentTerms",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payment_terms_days = models.PositiveSmallIntegerField(null=True, blank=True)
    preferred_channel = models.CharField(
        max_length=8, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL
    )
    credit_limit = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="Id in your accounting system, for imports and sync"
    )
    notes = models.TextField(blank=True)
    # Where invoices are addressed, printed under "Bill to"; every part optional.
    billing_address_line1 = models.CharField("billing address line 1", max_length=200, blank=True)
    billing_address_line2 = models.CharField("billing address line 2", max_length=200, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_region = models.CharField("state / region", max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, upper case"
    )
    # The customer's VAT or tax number: EU business invoices must show the buyer's.
    tax_id = models.CharField("tax / VAT number", max_length=50, blank=True)
    # Names, company, external id, billing city and postal code, and every contact's email and
    # phone, as prefix-searchable words; kept current by the services that write customers and
    # contacts (invoicing.search).
    # Built-in full-text search, so it needs no extension the embedded server lacks.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[Customer]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization",
                "external_id",
                condition=~models.Q(external_id=""),
                name="customer_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(currency=Upper("currency")), name="customer_currency_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(billing_country=Upper("billing_country")),
                name="customer_billing_country_upper",
            ),
        ]
        indexes = [
            # Serves the directory's default order and its (name, id) cursor pagination.
            models.Index("organization", Lower("display_name"), "id", name="customer_org_name_idx"),
            models.Index(
                fields=["organization", "-created_at", "-id"], name="customer_org_created_idx"
            ),
            GinIndex(fields=["tags"], name="customer_tags_idx"),
            GinIndex(fields=["search_vector"], name="customer_search_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Contact(OrgOwned):
    """A person at the customer. One is primary; each says whether it gets invoices and
    reminders."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    role = models.CharField(max_length=100, blank=True, help_text="e.g. Accounts payable")
    is_primary = models.BooleanField(default=False)
    receives_invoices = models.BooleanField(default=True)
    receives_reminders = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[Contact]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "customer", condition=models.Q(is_primary=True), name="contact_one_primary"
            ),
        ]
        indexes = [
            models.Index(Lower("email"), "organization", name="contact_org_email_idx"),
            models.Index(fields=["organization", "phone"], name="contact_org_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or str(self.phone)


class CustomerNote(OrgOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="customer_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[CustomerNote]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"], name="note_customer_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class ImportFormat(models.TextChoices):
    ARHUB = "arhub", "AR Hub template"
    QUICKBOOKS = "quickbooks", "QuickBooks customer export"
    XERO = "xero", "Xero contacts export"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CustomerImport(OrgOwned):
    """One uploaded CSV: its parsed rows and per-row errors (the preview), then the background
    import's progress."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    source_format = models.CharField(max_length=20, choices=ImportFormat.choices)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # Valid rows, normalised: [{"display_name": ..., "email": ..., ...}, ...]
    rows = models.JSONField(default=list)
    # Rows that cannot be imported: [{"line": 7, "errors": {"email": "..."}}, ...]
    row_errors = models.JSONField(default=list)
    # Columns of the file that map to nothing of ours, shown on the preview.
    ignored_columns = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[CustomerImport]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

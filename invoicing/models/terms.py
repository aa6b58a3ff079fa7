"""What an organization sets once for all its invoices: payment terms, tax rates, numbering and
the payment details printed on every invoice."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet


class TermsKind(models.TextChoices):
    NET = "net", "Net days"
    RECEIPT = "receipt", "Due on receipt"
    END_OF_MONTH = "eom", "End of month + days"
    # Only on an invoice: the owner picks the due date itself.
    FIXED = "fixed", "A fixed date"


class LateFeeKind(models.TextChoices):
    NONE = "none", "No late fee"
    FLAT = "flat", "A flat fee"
    PERCENT = "percent", "A monthly percentage"


class PaymentTerms(OrgOwned):
    """Named terms ("Net 30", "2/10 net 30"). An invoice copies the terms it was issued under
    (``invoicing.terms.Terms``), so editing these never changes an issued invoice."""

    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=TermsKind.choices, default=TermsKind.NET)
    days = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(365)])
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Early-payment discount, e.g. 2 for 2%",
    )
    discount_days = models.PositiveSmallIntegerField(null=True, blank=True)
    late_fee_kind = models.CharField(
        max_length=8, choices=LateFeeKind.choices, default=LateFeeKind.NONE
    )
    # A flat fee is in the invoice's currency; the monthly percentage is of the unpaid balance.
    late_fee_amount = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    late_fee_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    late_fee_grace_days = models.PositiveSmallIntegerField(default=0)
    # Fees never add up to more than this share of the invoice total.
    late_fee_cap_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    late_fee_compound = models.BooleanField(
        default=False, help_text="Charge the percentage on earlier fees too (off: simple interest)"
    )
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[PaymentTerms]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "payment terms"
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="terms_name_unique"),
            models.UniqueConstraint(
                "organization", condition=models.Q(is_default=True), name="terms_one_default"
            ),
            models.CheckConstraint(condition=~models.Q(kind="fixed"), name="terms_named_not_fixed"),
        ]

    def __str__(self) -> str:
        return self.name


class TaxRate(OrgOwned):
    """A named rate ("VAT 20%", "State 6%", "City 2.25%"). A line may carry several. Rates in use
    are retired, not deleted: invoices keep the name and percentage they were issued with."""

    name = models.CharField(max_length=60)
    percent = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    registration_number = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[TaxRate]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="taxrate_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({format(self.percent.normalize(), 'f')}%)"


class PaperSize(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "US Letter"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    CASH = "cash", "Cash"


class InvoiceSettings(OrgOwned):
    """One per organization: how invoices are numbered, printed and paid."""

    invoice_prefix = models.CharField(max_length=20, default="INV-", blank=True)
    credit_note_prefix = models.CharField(max_length=20, default="CN-", blank=True)
    number_include_year = models.BooleanField(
        default=True, help_text="INV-2027-0042; the count starts again each year"
    )
    number_padding = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    paper_size = models.CharField(max_length=8, choices=PaperSize.choices, default=PaperSize.A4)
    accepted_methods = ArrayField(
        models.CharField(max_length=20, choices=PaymentMethod.choices),
        default=list,
        blank=True,
    )
    payment_instructions = models.TextField(
        blank=True, help_text="Bank details and where to send cheques, printed on every invoice"
    )
    default_notes = models.TextField(blank=True, help_text="Printed on new invoices; editable")
    footer = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[InvoiceSettings]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "invoice settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="invoicesettings_one_per_org")
        ]

    def __str__(self) -> str:
        return f"invoice settings of {self.organization_id}"


class SequenceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class NumberSequence(OrgOwned):
    """The last number handed out, per organization, kind and year (0 when numbers carry no
    year). Advanced inside the issuing transaction, so a rolled-back issue leaves no gap."""

    kind = models.CharField(max_length=12, choices=SequenceKind.choices)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    objects: ClassVar[OrgQuerySet[NumberSequence]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "year"], name="numbersequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_value}"

"""Invoices, their lines and taxes, pay links, credit notes and customer credit.

Amounts are stored with three decimal places (enough for KWD) and always hold values already
rounded to the invoice currency's minor unit; ``invoicing.totals`` computes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone as dj_timezone

from arhub.models import OrgOwned, OrgQuerySet

ZERO = Decimal(0)


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Written off"


# Issued and still owed: the statuses "overdue" and the receivables are drawn from.
OUTSTANDING_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


class DiscountKind(models.TextChoices):
    NONE = "none", "No discount"
    PERCENT = "percent", "Percentage"
    AMOUNT = "amount", "Fixed amount"


class LineKind(models.TextChoices):
    ITEM = "item", "Item"
    SHIPPING = "shipping", "Shipping"
    FEE = "fee", "Fee"


class Invoice(OrgOwned):
    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # Assigned at issue from the organization's sequence; blank while a draft.
    number = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3)
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    # The terms as issued (invoicing.terms.Terms.to_json()); never follows later edits.
    terms = models.JSONField(default=dict, blank=True)
    # Name, address and tax number as issued (invoicing.bill_to); empty on drafts.
    bill_to = models.JSONField(default=dict, blank=True)
    po_number = models.CharField("PO number", max_length=100, blank=True)
    notes = models.TextField(blank=True, help_text="Shown to the customer")
    memo = models.TextField(blank=True, help_text="Internal; never shown to the customer")
    discount_kind = models.CharField(
        max_length=8, choices=DiscountKind.choices, default=DiscountKind.NONE
    )
    discount_value = models.DecimalField(max_digits=18, decimal_places=4, default=ZERO)

    subtotal = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    discount_total = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    tax_total = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    total = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    amount_paid = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    amount_credited = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    # Early-payment discounts allowed (recorded with the payment that earned them) and late fees
    # charged and not waived (LateFee rows): balance = total + fees - paid - credited - discounted.
    amount_discounted = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    fees_total = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    balance_due = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    # [{"name": "VAT", "percent": "20", "amount": "12.40"}, ...] in line order of first use.
    tax_breakdown = models.JSONField(default=list, blank=True)

    recurring = models.ForeignKey(
        "invoicing.RecurringInvoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
    )
    recurring_period = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    written_off_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[Invoice]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization",
                "number",
                condition=~models.Q(number=""),
                name="invoice_number_unique",
            ),
            models.UniqueConstraint(
                "recurring",
                "recurring_period",
                condition=models.Q(recurring__isnull=False),
                name="invoice_recurring_period_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(currency=Upper("currency")), name="invoice_currency_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(balance_due__gte=0), name="invoice_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(number=""),
                name="invoice_issued_has_number",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "-created_at", "-id"], name="invoice_org_created_idx"
            ),
            models.Index(
                fields=["organization", "status", "-created_at", "-id"],
                name="invoice_org_status_idx",
            ),
            models.Index(
                fields=["organization", "customer", "-created_at"], name="invoice_customer_idx"
            ),
            # "Overdue" is outstanding with a due date before the org's today: this serves it.
            models.Index(
                fields=["organization", "due_date", "id"],
                condition=models.Q(status__in=["open", "partially_paid"]),
                name="invoice_outstanding_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_STATUSES

    def can_void(self) -> bool:
        # Money has moved on a paid or partly paid invoice: that is a credit note or a refund.
        return self.status == InvoiceStatus.OPEN and self.amount_paid == 0

    def can_write_off(self) -> bool:
        return self.is_outstanding

    def can_credit(self) -> bool:
        return self.status in (*OUTSTANDING_STATUSES, InvoiceStatus.PAID)


class InvoiceLine(OrgOwned):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.ITEM)
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=20, blank=True, help_text="hours, kg, each …")
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    # Quantity x price less the line discount, rounded to the minor unit.
    amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    # This line's share of the invoice-level discount (items only).
    invoice_discount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    tax_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)

    objects: ClassVar[OrgQuerySet[InvoiceLine]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["invoice", "position"], name="invoiceline_invoice_idx")]

    def __str__(self) -> str:
        return self.description[:60]


class InvoiceLineTax(OrgOwned):
    """A tax on a line, with the name and percentage it was charged at."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="taxes")
    tax_rate = models.ForeignKey("invoicing.TaxRate", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=60)
    percent = models.DecimalField(max_digits=7, decimal_places=4)
    amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)

    objects: ClassVar[OrgQuerySet[InvoiceLineTax]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "tax_rate"], name="linetax_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class PayLink(OrgOwned):
    """The link on an invoice that opens its pay page. The token is HMAC(SECRET_KEY, nonce):
    only its SHA-256 is searched on, and the nonce alone reveals nothing without the key, yet
    the same link can be printed again on every PDF and email."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="pay_links")
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[PayLink]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(revoked_at__isnull=True),
                name="paylink_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"pay link {self.pk} of invoice {self.invoice_id}"


class CreditNote(OrgOwned):
    """Money taken off an issued invoice. What the balance cannot absorb becomes customer
    credit."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="credit_notes"
    )
    number = models.CharField(max_length=40)
    currency = models.CharField(max_length=3)
    issue_date = models.DateField()
    reason = models.TextField()
    # The whole credit, tax included; the tax part is shared across the invoice's rates.
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    tax_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    tax_breakdown = models.JSONField(default=list, blank=True)
    applied_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    credit_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[CreditNote]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="creditnote_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="creditnote_positive"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("applied_amount") + models.F("credit_amount")),
                name="creditnote_parts_add_up",
            ),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="creditnote_org_idx")]

    def __str__(self) -> str:
        return self.number


class LateFee(OrgOwned):
    """A late fee charged on an overdue invoice for one period, under the invoice's terms. The
    ``rule`` says in words how it was worked out; a waived fee stays on record, marked."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="late_fees")
    # The first day of the period the fee is for; one fee per invoice and period.
    period_start = models.DateField()
    charged_on = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    # The unpaid amount the fee was worked out on (zero for a flat fee).
    basis = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    rule = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=dj_timezone.now)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waive_reason = models.CharField(max_length=300, blank=True)

    objects: ClassVar[OrgQuerySet[LateFee]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "period_start"], name="latefee_one_per_period"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="latefee_positive"),
            models.CheckConstraint(
                condition=models.Q(waived_at__isnull=True) | ~models.Q(waive_reason=""),
                name="latefee_waiver_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "invoice", "period_start"], name="latefee_invoice_idx"
            )
        ]

    def __str__(self) -> str:
        return f"late fee {self.amount} on invoice {self.invoice_id} ({self.period_start})"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None


class CustomerCredit(OrgOwned):
    """One movement of a customer's credit in a currency: positive when a credit note leaves
    more than the invoice owed, negative when credit is used. The balance is the sum."""

    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="credit_entries"
    )
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[CustomerCredit]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [
            models.Index(fields=["organization", "customer", "currency"], name="credit_cust_idx")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

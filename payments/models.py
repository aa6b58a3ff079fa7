"""Payments received from customers and how each is spread over their invoices.

A payment is never deleted or edited once money has moved: a bounced cheque is a reversal,
which keeps the payment and its allocations on record, marked reversed. What a payment could
not be applied to (an overpayment) stays on it as ``unapplied_amount``, the customer's credit
until the owner applies it to later invoices.
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


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", "Cheque"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CASH = "cash", "Cash"
    CARD = "card", "Card (outside Stripe)"
    STRIPE = "stripe", "Stripe"
    OTHER = "other", "Other"


class PaymentStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    REVERSED = "reversed", "Reversed"


class Payment(OrgOwned):
    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    received_on = models.DateField()
    reference = models.CharField(max_length=200, blank=True, help_text="Cheque number, bank ref …")
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.COMPLETED
    )
    # Received but not (yet) applied to any invoice: the customer's credit. Zero once reversed.
    unapplied_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[Payment]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=models.Q(unapplied_amount__gte=0)
                & models.Q(unapplied_amount__lte=models.F("amount")),
                name="payment_unapplied_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(currency=Upper("currency")), name="payment_currency_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(status="completed") | models.Q(reversed_at__isnull=False),
                name="payment_reversed_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "customer", "-received_on", "-id"],
                name="payment_customer_idx",
            ),
            models.Index(
                fields=["organization", "-received_on", "-id"], name="payment_org_received_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_method_display()})"

    @property
    def is_reversed(self) -> bool:
        return self.status == PaymentStatus.REVERSED


class PaymentAllocation(OrgOwned):
    """Part of a payment applied to one invoice. A reversal marks it, never deletes it, so the
    invoice's history still shows what was paid and taken back."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="payment_allocations"
    )
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    created_at = models.DateTimeField(default=dj_timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[PaymentAllocation]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
        ]
        indexes = [
            models.Index(fields=["organization", "invoice", "id"], name="allocation_invoice_idx"),
            models.Index(fields=["payment", "id"], name="allocation_payment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} on invoice {self.invoice_id}"

    @property
    def is_live(self) -> bool:
        return self.reversed_at is None

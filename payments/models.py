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


def list_all_frequencies() -> list[str]:
    return ["weekly", "fortnightly", "monthly"]


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
    # Money given back (refunds), in total; the allocations and unapplied cash shrink with it.
    refunded_amount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    # The Stripe PaymentIntent this payment came from: one payment per intent, whatever events.
    stripe_payment_intent = models.CharField(max_length=100, blank=True)
    # Set when the customer's bank opened a chargeback on it (disputes takes it from there).
    chargeback_at = models.DateTimeField(null=True, blank=True)
    chargeback_reason = models.CharField(max_length=100, blank=True)
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
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0)
                & models.Q(refunded_amount__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
            models.UniqueConstraint(
                "organization",
                "stripe_payment_intent",
                condition=~models.Q(stripe_payment_intent=""),
                name="payment_one_per_intent",
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
    # Early-payment discount allowed on the invoice because this payment came in its window.
    discount = models.DecimalField(max_digits=18, decimal_places=3, default=ZERO)
    created_at = models.DateTimeField(default=dj_timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[PaymentAllocation]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0), name="allocation_discount_not_negative"
            ),
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


class PaymentRefund(OrgOwned):
    """Money given back on a payment: in Stripe (``stripe_refund`` set) or by the owner."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    reason = models.CharField(max_length=300)
    stripe_refund = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[PaymentRefund]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
            models.UniqueConstraint(
                "organization",
                "stripe_refund",
                condition=~models.Q(stripe_refund=""),
                name="refund_one_per_stripe_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id}"


class PaymentSettings(OrgOwned):
    """One per organization: what the pay page offers, receipts, late fees, and the Stripe
    account. The Stripe secrets are stored encrypted (``arhub.secret_box``) and never shown
    again; ``stripe_key_hint`` (the last four characters) is what the owner sees."""

    allow_partial = models.BooleanField(
        default=True, help_text="Let customers pay part of an invoice from the pay page"
    )
    # In the invoice's currency; a balance below it is paid in full.
    partial_minimum = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(1))
    send_receipts = models.BooleanField(
        default=True, help_text="Thank the customer with a receipt for every payment"
    )
    late_fees_enabled = models.BooleanField(
        default=True, help_text="Charge the late fees your payment terms describe, once a day"
    )
    cheque_payable_to = models.CharField(max_length=200, blank=True)
    # Blank: the organization's own address.
    cheque_address = models.TextField(blank=True)
    card_enabled = models.BooleanField(
        default=True,
        help_text="Cards and wallets through Stripe Checkout, once Stripe is connected",
    )
    bank_debit_enabled = models.BooleanField(
        default=False, help_text="Bank debits through Stripe where your currency has one"
    )
    # "Can't pay today?" on the pay page: promises, plans and their limits.
    promises_enabled = models.BooleanField(
        default=True, help_text="Let customers promise a payment date from the pay page"
    )
    promise_max_days = models.PositiveSmallIntegerField(
        default=30, help_text="How far ahead a customer may promise to pay, in days"
    )
    promise_grace_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days after the promised date before a promise counts as broken"
    )
    plans_enabled = models.BooleanField(
        default=True, help_text="Let customers ask for a payment plan from the pay page"
    )
    plan_max_instalments = models.PositiveSmallIntegerField(default=6)
    # In the invoice's currency.
    plan_min_instalment = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(50))
    plan_frequencies = models.JSONField(default=list_all_frequencies)
    plan_grace_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days after a missed instalment before the plan counts as broken"
    )
    plan_auto_approve = models.BooleanField(
        default=True, help_text="Start plans inside the rules below without waiting for you"
    )
    plan_auto_max_balance = models.DecimalField(
        max_digits=18, decimal_places=3, default=Decimal(2000)
    )
    plan_auto_max_instalments = models.PositiveSmallIntegerField(default=4)
    stripe_secret_key = models.TextField(blank=True)
    stripe_webhook_secret = models.TextField(blank=True)
    stripe_key_hint = models.CharField(max_length=8, blank=True)
    stripe_livemode = models.BooleanField(default=False)
    stripe_account_name = models.CharField(max_length=200, blank=True)
    stripe_connected_at = models.DateTimeField(null=True, blank=True)
    stripe_checked_at = models.DateTimeField(null=True, blank=True)
    stripe_check_ok = models.BooleanField(default=False)
    stripe_check_message = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OrgQuerySet[PaymentSettings]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "payment settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="paymentsettings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(partial_minimum__gte=0), name="paymentsettings_min_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    promise_max_days__gte=1,
                    plan_max_instalments__gte=2,
                    plan_min_instalment__gte=0,
                    plan_auto_max_balance__gte=0,
                ),
                name="paymentsettings_arrangement_limits",
            ),
        ]

    def __str__(self) -> str:
        return f"payment settings of {self.organization_id}"

    @property
    def stripe_connected(self) -> bool:
        return bool(self.stripe_secret_key)


class CheckoutStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"


class CheckoutSession(OrgOwned):
    """A Stripe Checkout Session we created: for which invoices, how much of each, and the
    idempotency key it was created with (org, invoices, amount and attempt)."""

    customer = models.ForeignKey("invoicing.Customer", on_delete=models.PROTECT, related_name="+")
    # [{"invoice": id, "amount": "12.50", "discount": "0.25"}, ...]: what the customer chose.
    allocations = models.JSONField(default=list)
    amount = models.DecimalField(max_digits=18, decimal_places=3)
    currency = models.CharField(max_length=3)
    attempt = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=100)
    stripe_session_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    livemode = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[CheckoutSession]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization", "idempotency_key", name="checkout_idempotency_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="checkout_positive"),
        ]
        indexes = [
            models.Index(
                fields=["stripe_session_id"],
                condition=~models.Q(stripe_session_id=""),
                name="checkout_stripe_id_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"checkout {self.stripe_session_id or self.pk}"


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    APPLIED = "applied", "Applied"
    IGNORED = "ignored", "Nothing to do"
    QUARANTINED = "quarantined", "Needs review"
    RESOLVED = "resolved", "Reviewed"


class StripeEvent(OrgOwned):
    """Every Stripe event that reached our webhook with a good signature, by its id: stored
    before anything is done with it, applied by a task, and kept."""

    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    status = models.CharField(
        max_length=12, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    # Why it was ignored or quarantined, in words for the owner.
    status_reason = models.CharField(max_length=500, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    received_at = models.DateTimeField(default=dj_timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    objects: ClassVar[OrgQuerySet[StripeEvent]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", "event_id", name="stripeevent_unique"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "-received_at"],
                condition=models.Q(status="quarantined"),
                name="stripeevent_quarantine_idx",
            ),
            # The sweep that applies events whose task never ran.
            models.Index(
                fields=["received_at"],
                condition=models.Q(status="received"),
                name="stripeevent_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class StatementLink(OrgOwned):
    """The magic link to a customer's statement portal; same rules as an invoice's pay link
    (HMAC of a stored nonce, only the token's hash searched on, revocable)."""

    customer = models.ForeignKey(
        "invoicing.Customer", on_delete=models.CASCADE, related_name="statement_links"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[StatementLink]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(revoked_at__isnull=True),
                name="statementlink_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"statement link {self.pk} of customer {self.customer_id}"


# Plans and promises live in their own modules; Django finds models imported here.
from payments.plan_models import (  # noqa: E402, F401
    Instalment,
    InstalmentChange,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanFrequency,
    PlanOrigin,
    PlanStatus,
)
from payments.promise_models import PromiseStatus, PromiseToPay  # noqa: E402, F401

"""Disputes for ``seed_demo``, one in each state, told through the disputes services at their
own moments (``payments.demo_moments``), with threads on both sides and files attached:

* open: one raised last night, and one waiting longer than the response target (the list flags
  it);
* under review: answered within the target (an internal note first), the customer's reply with a
  photo, the owner's answer;
* resolved with each outcome: a credit for part of an order not up to standard (the customer's
  photo), an invoice corrected by a credit note for a quantity charged too high, no change (the
  owner's signed delivery note, a PDF);
* withdrawn by a customer who thought they had paid twice;
* a Stripe chargeback on a card payment, with the bank's reason and deadline, under review with
  the evidence as an internal note.

Told from payments' demo (``payments.demo_arrangements``), as a chargeback needs its card
payment. The files (``payments.demo_files``) are stored by the disputes service under
``DISPUTE_FILES_ROOT`` like any upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from arhub.models import Organization, User
from arhub.money import quantize
from disputes.models import Dispute, DisputeKind, DisputeOutcome, DisputeReason, DisputeStatus
from disputes.selectors import dispute_settings_get, response_cutoff
from disputes.services import (
    dispute_customer_reply,
    dispute_open,
    dispute_owner_reply,
    dispute_resolve,
    dispute_review_start,
    dispute_withdraw,
)
from invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from payments.demo_days import DisputeDays, Opened
from payments.demo_files import delivery_note, photo
from payments.demo_moments import CUSTOMER_HOURS, Moments
from payments.demo_pool import Pool, issued
from payments.demo_words import OWNER, SAYS
from payments.models import Payment, PaymentMethod, PaymentStatus

BANK_REASON = "product_not_received"


def _line(invoice: Invoice) -> InvoiceLine | None:
    return invoice.lines.filter(amount__gt=0).order_by("-amount", "position").first()


class Disputes:
    def __init__(
        self, *, org: Organization, owner: User, today: date, moments: Moments, pool: Pool
    ) -> None:
        self.org, self.owner, self.today = org, owner, today
        self.moments, self.pool = moments, pool
        self.zone = moments.zone
        self.days = DisputeDays(today=today, zone=moments.zone)
        self.told: list[str] = []

    def says(self, what: str, invoice: Invoice, line: InvoiceLine | None = None) -> str:
        words = SAYS[what]
        text = words.get(invoice.customer.language, words["en"])
        return text.format(line=(line.description if line else "order").split(",")[0])

    def open(
        self,
        invoice: Invoice,
        at: datetime,
        reason: str,
        what: str,
        *,
        line: InvoiceLine | None = None,
        files: bool = False,
    ) -> Dispute:
        with self.moments.on(at):
            return dispute_open(
                org=self.org,
                invoice=invoice,
                reason=reason,
                message=self.says(what, invoice, line),
                line_ids=[line.pk] if line is not None else [],
                files=[photo()] if files else [],
            )

    def reply(
        self,
        dispute: Dispute,
        at: datetime,
        body: str,
        *,
        internal: bool = False,
        files: Sequence[SimpleUploadedFile] = (),
    ) -> None:
        with self.moments.on(at):
            dispute_owner_reply(
                org=self.org, actor=self.owner, dispute=dispute, body=body, internal=internal,
                files=files,
            )  # fmt: skip

    def customer_reply(
        self, dispute: Dispute, at: datetime, body: str, *, with_photo: bool = False
    ) -> None:
        with self.moments.on(at):
            dispute_customer_reply(
                org=self.org, dispute=dispute, body=body, files=[photo()] if with_photo else []
            )

    def resolve(
        self, dispute: Dispute, on: date, outcome: str, message: str, credit: Decimal | None = None
    ) -> None:
        with self.moments.on(self.moments.at(on)):
            dispute_resolve(
                org=self.org, actor=self.owner, dispute=dispute, outcome=outcome, message=message,
                credit_amount=credit,
            )  # fmt: skip

    def take_active(self, opened: date) -> tuple[Invoice, Opened] | None:
        """An invoice still owed, or else one paid off before ``opened``."""

        def paid_before(invoice: Invoice) -> Opened | None:
            paid = invoice.paid_at.astimezone(self.zone).date() if invoice.paid_at else opened
            return Opened(opened) if paid < opened else None

        return self.pool.take(self.days.active(opened), kind="owing") or self.pool.take(
            paid_before, kind="paid"
        )

    # -- the states

    def open_ones(self) -> None:
        target = dispute_settings_get(org=self.org).response_target_days
        cutoff = response_cutoff(org=self.org, days=target, now=self.moments.start_of_today)
        # Two working days past the target by the demo's today.
        late = self.days.working_day(
            self.days.working_day(cutoff.date() - timedelta(days=1)) - timedelta(days=1)
        )
        found = self.take_active(late)
        if found is not None:
            invoice, days = found
            self.open(
                invoice, self.moments.at(days.on, (9, 12)), DisputeReason.NOT_RECEIVED, "late",
                line=_line(invoice),
            )  # fmt: skip
            self.told.append("a dispute waiting past the response target")
        yesterday = self.today - timedelta(days=1)
        found = self.take_active(yesterday)
        if found is not None:
            invoice, days = found
            self.open(invoice, self.moments.at(days.on, (18, 21)), DisputeReason.DUPLICATE, "new")
            self.told.append("a dispute opened yesterday")

    def under_review(self) -> None:
        found = self.take_active(self.days.working_day(self.today - timedelta(days=5)))
        if found is None:
            return
        invoice, days = found
        opened = self.moments.at(days.on, (8, 11))
        dispute = self.open(invoice, opened, DisputeReason.QUALITY, "review", line=_line(invoice))
        noted = self.moments.later(opened, 40, 90)
        self.reply(dispute, noted, OWNER["review_note"], internal=True)
        self.reply(dispute, self.moments.later(noted, 20, 60), OWNER["review"])
        photo_at = self.moments.at(days.on + timedelta(days=1), CUSTOMER_HOURS)
        self.customer_reply(dispute, photo_at, self.says("review_reply", invoice), with_photo=True)
        self.reply(dispute, self.moments.at(days.on + timedelta(days=2)), OWNER["review_again"])
        self.told.append("a dispute under review")

    def resolved(self) -> None:
        found = self.pool.take(self.days.ended_late(3), self.days.ended_early(3), kind="owing")
        if found is not None:
            invoice, days = found
            opened = self.moments.at(days.on, CUSTOMER_HOURS)
            dispute = self.open(
                invoice, opened, DisputeReason.QUALITY, "credit", line=_line(invoice), files=True
            )
            self.reply(
                dispute, self.moments.at(days.on + timedelta(days=1)), OWNER["credit_note"],
                internal=True,
            )  # fmt: skip
            credit = quantize((invoice.balance_due / 4).to_integral_value(), invoice.currency)
            self.resolve(
                dispute, days.on + timedelta(days=3), DisputeOutcome.CREDIT, OWNER["credit"], credit
            )
        found = self.pool.take(self.days.ended_late(2), self.days.ended_early(2), kind="owing")
        if found is not None:
            invoice, days = found
            line = _line(invoice)
            opened = self.moments.at(days.on, CUSTOMER_HOURS)
            dispute = self.open(invoice, opened, DisputeReason.WRONG_AMOUNT, "corrected", line=line)
            self.resolve(
                dispute, days.on + timedelta(days=2), DisputeOutcome.CORRECTED,
                OWNER["corrected"], _one_unit(invoice, line),
            )  # fmt: skip
        self.no_change()
        outcomes = sorted(
            Dispute.objects.for_org(self.org).filter(status=DisputeStatus.RESOLVED)
            .values_list("outcome", flat=True)
        )  # fmt: skip
        if outcomes:
            self.told.append(f"{len(outcomes)} disputes resolved ({', '.join(outcomes)})")

    def no_change(self) -> None:
        """The owner's signed delivery note settles it: on an open invoice, or on one paid
        since."""
        found = (
            self.pool.take(self.days.ended_late(3), kind="owing")
            or self.pool.take(self.days.after_paid(3), kind="paid")
            or self.pool.take(self.days.ended_early(3), kind="owing")
        )
        if found is None:
            return
        invoice, days = found
        opened = self.moments.at(days.on, CUSTOMER_HOURS)
        dispute = self.open(invoice, opened, DisputeReason.NOT_RECEIVED, "no_change")
        answered = self.moments.at(days.on + timedelta(days=1))
        note = delivery_note(self.org, invoice, issued(invoice))
        self.reply(dispute, answered, OWNER["no_change"], files=[note])
        later = self.moments.later(answered, 60, 240)
        self.customer_reply(dispute, later, self.says("no_change_reply", invoice))
        self.resolve(
            dispute, days.on + timedelta(days=3), DisputeOutcome.NO_CHANGE,
            OWNER["no_change_outcome"],
        )  # fmt: skip

    def withdrawn(self) -> None:
        """A customer who thought they had paid twice, and found they had not."""
        found = self.pool.take(self.days.after_paid(1), kind="paid") or self.pool.take(
            self.days.ended_late(1), self.days.ended_early(1), kind="owing"
        )
        if found is None:
            return
        invoice, days = found
        opened = self.moments.at(days.on, CUSTOMER_HOURS)
        reason = (
            DisputeReason.ALREADY_PAID
            if invoice.status == InvoiceStatus.PAID
            else DisputeReason.DUPLICATE
        )
        dispute = self.open(invoice, opened, reason, "twice")
        with self.moments.on(self.moments.at(days.on + timedelta(days=1), CUSTOMER_HOURS)):
            dispute_withdraw(org=self.org, dispute=dispute, message=self.says("withdrawn", invoice))
        self.told.append("a dispute withdrawn")

    def chargeback(self) -> None:
        """A recent card payment that paid off its invoice, whose bank opened a chargeback
        yesterday, as Stripe's ``charge.dispute.created`` event does (``payments.stripe_charges``;
        no event is stored: there is no Stripe account behind the demo); the owner sends the
        evidence the same day."""
        yesterday = self.today - timedelta(days=1)
        payments = (
            Payment.objects.for_org(self.org)
            .filter(
                method=PaymentMethod.STRIPE,
                status=PaymentStatus.COMPLETED,
                refunded_amount=0,
                unapplied_amount=0,
                chargeback_at__isnull=True,
                received_on__gte=self.today - timedelta(days=60),
                received_on__lte=self.today - timedelta(days=10),
            )
            .exclude(customer_id__in=self.pool.avoid)
            .prefetch_related("allocations__invoice")
            .order_by("-received_on", "pk")
        )
        fitting = []
        for payment in payments[:40]:
            live = [a for a in payment.allocations.all() if a.reversed_at is None]
            invoice = live[0].invoice if len(live) == 1 else None
            if (
                invoice
                and invoice.status == InvoiceStatus.PAID
                and invoice.pk not in self.pool.used
            ):
                fitting.append((payment, invoice))
        # A customer in no other story if there is one.
        fitting.sort(key=lambda found: found[1].customer_id in self.pool.taken)
        if not fitting:
            return
        payment, invoice = fitting[0]
        self.pool.use(invoice)
        opened = self.moments.at(yesterday, (6, 9))
        # Stripe gives the business about three weeks, to the end of a day in UTC.
        due_by = (opened.astimezone(UTC) + timedelta(days=21)).replace(
            hour=23, minute=59, second=59
        )
        suffix = payment.stripe_payment_intent.removeprefix("pi_demo_")
        with self.moments.on(opened):
            Payment.objects.for_org(self.org).filter(pk=payment.pk).update(
                chargeback_at=opened, chargeback_reason=BANK_REASON
            )
            dispute = dispute_open(
                org=self.org,
                invoice=invoice,
                reason=DisputeReason.NOT_RECEIVED,
                message="",
                kind=DisputeKind.CHARGEBACK,
                amount=payment.amount,
                bank_reason=BANK_REASON,
                evidence_due_by=due_by,
                stripe_dispute_id=f"dp_demo_{suffix}",
                stripe_charge_id=f"ch_demo_{suffix}",
            )
        looked = self.moments.at(yesterday, (13, 17))
        with self.moments.on(looked):
            dispute_review_start(org=self.org, actor=self.owner, dispute=dispute)
        note = delivery_note(self.org, invoice, payment.received_on)
        self.reply(
            dispute, self.moments.later(looked, 10, 40), OWNER["chargeback_note"], internal=True,
            files=[note],
        )  # fmt: skip
        self.told.append("a chargeback")


def _one_unit(invoice: Invoice, line: InvoiceLine | None) -> Decimal:
    """What one unit of ``line`` cost with its tax, or a tenth of the invoice."""
    if line is not None and line.quantity >= 2 and line.amount > 0:
        unit = (line.amount + line.tax_amount) / line.quantity
        value = quantize(unit, invoice.currency)
        if 0 < value < invoice.balance_due:
            return value
    return max(
        quantize(invoice.balance_due / 10, invoice.currency), quantize(Decimal(1), invoice.currency)
    )

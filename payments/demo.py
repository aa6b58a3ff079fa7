"""Payments for ``seed_demo``, after invoicing's demo has made the customers and invoices.

Invoicing's demo has its invoices paid, in part or in full, by ``payments.demo_payer`` (card
through Stripe, bank transfer, cheque, cash, with their references), so every invoice's
``amount_paid`` is what its live allocations say. This adds what a year of getting paid also
brings, each through the real services so balances, statuses and audit rows are true:

* the organization's payment settings (receipts on, part payments from a minimum, late fees on,
  cheques payable to the business; Stripe not connected, as there is no account behind it);
* an overpayment whose credit is applied to the customer's next invoice, and one left as credit;
* a cheque that bounced, reversed with the bank's reason;
* an early-payment discount taken inside its window;
* part of a card payment refunded in Stripe, with the credit note that goes with it;
* late fees on the overdue invoices whose terms carry one, and one of them waived.

Which invoices get these is decided from the data alone (oldest first), and the dates from
``--today``, so the same seed and today give the same payments. The services stamp "now"; the
timestamps are moved to the days things happened at the end (``payments.demo_stamps``).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from arhub.clock import org_today
from arhub.models import Organization, User
from arhub.money import quantize
from invoicing.credit_services import credit_note_create
from invoicing.models import OUTSTANDING_STATUSES, Invoice, InvoiceStatus
from invoicing.terms import Terms
from payments.amount_due import discount_deadline, early_discount
from payments.demo_arrangements import arrangements_seed
from payments.demo_payer import demo_payment
from payments.demo_stamps import Stamps
from payments.late_fee_services import late_fee_waive, late_fees_apply
from payments.models import Payment, PaymentAllocation, PaymentMethod, PaymentStatus
from payments.refund_services import payment_refund
from payments.services import AllocationInput, payment_apply_credit, payment_reverse
from payments.settings_services import PaymentSettingsInput, payment_settings_update

BOUNCED = "Cheque returned unpaid by the bank: insufficient funds."
WAIVED = "Long-standing customer; first time late"
DAMAGED = "Part of the order arrived damaged; refunded to the customer's card at their request."


class _Story:
    def __init__(self, *, org: Organization, owner: User, rng: random.Random, today: date) -> None:
        self.org, self.owner, self.today = org, owner, today
        self.pick = random.Random(rng.random())  # noqa: S311 - demo data
        self.stamps = Stamps(org=org, rng=self.pick)
        self.used: set[int] = set()  # customers already in a story
        self.told: list[str] = []

    def candidates(self, *, discount: bool) -> list[Invoice]:
        """Open invoices with nothing paid, credited or charged yet, issued at least ten days
        ago: in the home currency first, then oldest first."""
        rows = Invoice.objects.for_org(self.org).filter(
            status=InvoiceStatus.OPEN,
            amount_paid=0,
            amount_credited=0,
            fees_total=0,
            issue_date__lte=self.today - timedelta(days=10),
        )
        home = self.org.default_currency
        return sorted(
            (
                invoice
                for invoice in rows
                if Terms.from_json(invoice.terms).has_discount == discount
                and invoice.customer_id not in self.used
            ),
            key=lambda i: (i.currency != home, _issued(i), i.pk),
        )

    def pay(
        self, invoice: Invoice, on: date, method: str, *, extra: Decimal = Decimal(0)
    ) -> Payment:
        self.used.add(invoice.customer_id)
        amount = invoice.balance_due - early_discount(invoice, on=on)
        payment = demo_payment(
            org=self.org,
            actor=self.owner,
            invoice=invoice,
            amount=amount,
            on=on,
            method=method,
            pick=self.pick,
            extra=extra,
        )
        self.stamps.closed(invoice.pk, on)
        return payment

    # ---- the stories

    def overpayments(self) -> None:
        """One customer pays a round sum over the invoice and the rest goes on their next
        invoice; another, who owes nothing else, keeps the extra as credit."""
        owing = list(
            Invoice.objects.for_org(self.org)
            .filter(status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
            .order_by("issue_date", "pk")
        )
        later: dict[int, list[Invoice]] = defaultdict(list)
        for invoice in owing:
            if not Terms.from_json(invoice.terms).has_discount:
                later[invoice.customer_id].append(invoice)
        pair: tuple[Invoice, Invoice] | None = None
        for invoice in self.candidates(discount=False):
            following = [
                i
                for i in later[invoice.customer_id]
                if i.currency == invoice.currency and _issued(i) > _issued(invoice)
            ]
            if following:
                pair = (invoice, following[0])
                break
        if pair is not None:
            first, second = pair
            on = min(_issued(first) + timedelta(days=12), self.today - timedelta(days=3))
            extra = _round_sum(first.balance_due) - first.balance_due
            payment = self.pay(first, on, PaymentMethod.BANK_TRANSFER, extra=extra)
            second.refresh_from_db()
            payment_apply_credit(
                org=self.org,
                actor=self.owner,
                payment=payment,
                allocations=[
                    AllocationInput(
                        invoice_id=second.pk,
                        amount=min(payment.unapplied_amount, second.balance_due),
                    )
                ],
            )
            applied_on = self.today - timedelta(days=1)
            made = PaymentAllocation.objects.for_org(self.org).filter(
                payment=payment, invoice=second
            )
            self.stamps.credit_applied(list(made.values_list("pk", flat=True)), applied_on)
            self.stamps.closed(second.pk, applied_on)
            self.told.append("an overpayment applied to the next invoice")
        count = Counter(invoice.customer_id for invoice in owing)
        alone = [i for i in self.candidates(discount=False) if count[i.customer_id] == 1]
        if alone:
            invoice = self.in_home_currency(alone)[-1]
            on = min(_issued(invoice) + timedelta(days=9), self.today - timedelta(days=2))
            method = self.by_post(invoice)
            self.pay(
                invoice, on, method, extra=_round_sum(invoice.balance_due) - invoice.balance_due
            )
            self.told.append("an overpayment kept as credit")

    def in_home_currency(self, rows: list[Invoice]) -> list[Invoice]:
        """The invoices in the organization's own currency; all of them when there are none."""
        return [i for i in rows if i.currency == self.org.default_currency] or rows

    def by_post(self, invoice: Invoice) -> str:
        """A cheque at home; from abroad, a transfer."""
        home = invoice.currency == self.org.default_currency
        return PaymentMethod.CHEQUE if home else PaymentMethod.BANK_TRANSFER

    def bounced_cheque(self) -> None:
        rows = self.candidates(discount=False)
        if not rows:
            return
        rows = self.in_home_currency(rows)
        invoice = rows[len(rows) // 2]
        on = min(_issued(invoice) + timedelta(days=14), self.today - timedelta(days=8))
        payment = self.pay(invoice, on, PaymentMethod.CHEQUE)
        payment_reverse(org=self.org, actor=self.owner, payment=payment, reason=BOUNCED)
        self.stamps.taken_back(payment.pk, on + timedelta(days=4))
        self.told.append("a bounced cheque")

    def discount_taken(self) -> None:
        rows = self.candidates(discount=True)
        if not rows:
            return
        invoice = self.in_home_currency(rows)[-1]
        issued = _issued(invoice)
        deadline = discount_deadline(invoice) or issued
        on = max(issued, min(deadline - timedelta(days=2), self.today - timedelta(days=1)))
        self.pay(invoice, on, PaymentMethod.BANK_TRANSFER)
        self.told.append("an early-payment discount")

    def card_refund(self) -> None:
        """Part of a recent card payment given back in Stripe, and the credit note that says
        why, so the invoice stays settled rather than owing the refund again."""
        payments = (
            Payment.objects.for_org(self.org)
            .filter(
                method=PaymentMethod.STRIPE,
                status=PaymentStatus.COMPLETED,
                currency=self.org.default_currency,
                unapplied_amount=0,
                refunded_amount=0,
                amount__gte=40,
                received_on__lte=self.today - timedelta(days=5),
            )
            .order_by("-received_on", "-pk")
        )
        for payment in payments[:20]:
            allocations = list(payment.allocations.filter(reversed_at__isnull=True))
            if len(allocations) == 1 and allocations[0].invoice.status == InvoiceStatus.PAID:
                break
        else:
            return
        invoice = allocations[0].invoice
        amount = quantize((payment.amount / 5).to_integral_value(), payment.currency)
        on = self.today - timedelta(days=1)
        refund = payment_refund(
            org=self.org,
            actor=self.owner,
            payment=payment,
            amount=amount,
            reason=DAMAGED,
            stripe_refund="re_demo_" + payment.stripe_payment_intent.removeprefix("pi_demo_"),
        )
        credit_note_create(
            org=self.org, actor=self.owner, invoice=invoice, amount=amount, reason=DAMAGED, on=on
        )
        self.stamps.refunded(refund.pk, payment.pk, on)
        self.stamps.closed(invoice.pk, on)
        self.told.append("a card refund")

    def late_fees(self) -> None:
        """The daily charge as it stands on the demo's today (each period dated its own day),
        and the fee of a customer late only once waived."""
        charged = late_fees_apply(org=self.org, day=self.today)
        if not charged:
            return
        # A customer late only a while: the invoice with the fewest fees, its first one.
        per_invoice = Counter(fee.invoice_id for fee in charged)
        fee = min(charged, key=lambda f: (per_invoice[f.invoice_id], f.invoice_id, f.period_start))
        late_fee_waive(org=self.org, actor=self.owner, fee=fee, reason=WAIVED)
        self.stamps.waived(fee.pk, min(fee.charged_on + timedelta(days=2), self.today))
        self.told.append(f"{len(charged)} late fees (one waived)")


def _issued(invoice: Invoice) -> date:
    """The issue date of an invoice the stories picked: only issued ones are picked."""
    if invoice.issue_date is None:
        raise ValueError(f"invoice {invoice.pk} is a draft")
    return invoice.issue_date


def _round_sum(amount: Decimal) -> Decimal:
    """A round sum a little over ``amount``, as a customer sends who pays ahead: 15% more,
    rounded up at the second digit (1,736.96 -> 2,000; 424.71 -> 490)."""
    more = amount * Decimal("1.15")
    unit = Decimal(10) ** max(len(str(int(more))) - 2, 1)
    return (more / unit).to_integral_value(rounding=ROUND_CEILING) * unit


def _settings(org: Organization, owner: User) -> None:
    payment_settings_update(
        org=org,
        actor=owner,
        data=PaymentSettingsInput(
            allow_partial=True,
            partial_minimum=Decimal(25),
            send_receipts=True,
            late_fees_enabled=True,
            cheque_payable_to=org.legal_name or org.name,
        ),
    )


def seed(*, org: Organization, rng: random.Random, owner: User, options: dict[str, Any]) -> str:
    today: date = options.get("today") or org_today(org)
    _settings(org, owner)
    story = _Story(org=org, owner=owner, rng=rng, today=today)
    story.overpayments()
    story.bounced_cheque()
    story.discount_taken()
    story.card_refund()
    story.late_fees()
    story.stamps.save()
    # Promises, plans and disputes, told at their own moments on customers in none of the above.
    arranged = arrangements_seed(
        org=org, owner=owner, today=today, pick=story.pick, avoid=story.used
    )
    methods = Counter(Payment.objects.for_org(org).values_list("method", flat=True))
    shown = ", ".join(
        f"{methods[m]} {PaymentMethod(m).label.lower()}" for m in PaymentMethod.values if methods[m]
    )
    return f"{methods.total()} payments ({shown}); " + ", ".join(story.told + arranged)

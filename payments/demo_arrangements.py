"""Promises to pay and payment plans for ``seed_demo``, after payments' own stories, each told
through the real services at its own moments (``payments.demo_moments``), so every audit row,
notice, message and time stamp is one the product wrote:

* a promise made on the pay page and kept (paid before the promised date), and one the owner
  recorded after a phone call, broken by the sweep after its grace days;
* a plan paid off (the last two instalments in one payment), a plan still running with its
  first instalments paid on their days and the next one ahead, and a plan broken by the sweep
  after a missed instalment's grace days, its invoice back on the normal reminders;
* a request for more instalments than the business starts by itself, waiting for the owner,
  and one the owner answered with a counter-offer, waiting for the customer.

Each is told on an invoice nothing else has happened to, of a customer in no other story
(``payments.demo_pool``), where its dates fit; a story no invoice fits is left out. Then the
disputes (``payments.demo_disputes``). The same seed and today give the same stories.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from arhub.models import Organization, User
from arhub.money import ZERO
from invoicing.models import Invoice
from payments.demo_days import ArrangementDays, PlanDays
from payments.demo_disputes import Disputes
from payments.demo_moments import CUSTOMER_HOURS, Moments
from payments.demo_payer import reference_for, stripe_intent
from payments.demo_pool import Pool, issued, quiet_before
from payments.demo_words import BROKEN_NOTE, COUNTER, KEPT_NOTE, MOVED, PLAN_NOTE, words
from payments.models import (
    Instalment,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PlanFrequency,
    PlanStatus,
)
from payments.plan_services import (
    instalment_move,
    plan_approve,
    plan_counter,
    plan_request,
    plans_sweep,
)
from payments.promise_services import promise_make, promises_sweep
from payments.selectors import payment_settings_get
from payments.services import AllocationInput, payment_record

ONLINE_HOURS = (7, 22)
SWEEP_HOURS = (5, 7)  # the hourly sweeps find a lapsed promise or plan early in the day


class _Arrangements:
    def __init__(
        self, *, org: Organization, owner: User, today: date, moments: Moments, pool: Pool
    ) -> None:
        self.org, self.owner, self.today = org, owner, today
        self.moments, self.pool = moments, pool
        self.settings = payment_settings_get(org=org)
        self.told: list[str] = []
        self.days = ArrangementDays(today=today, settings=self.settings, pool=pool)

    # ---- telling

    def usual_method(self, invoice: Invoice) -> str:
        """How the customer paid last (a card on the pay page, a transfer...); a transfer for
        one who never paid before."""
        last = (
            Payment.objects.for_org(self.org)
            .filter(customer_id=invoice.customer_id, currency=invoice.currency)
            .order_by("-received_on", "-pk")
            .values_list("method", flat=True)
            .first()
        )
        return last or PaymentMethod.BANK_TRANSFER

    def pay(
        self, invoices: Sequence[Invoice], amount: Decimal, on: date, method: str = ""
    ) -> Payment:
        """``amount`` from the customer on ``on`` (the way they usually pay), applied to
        ``invoices`` in turn."""
        method = method or self.usual_method(invoices[0])
        online = method == PaymentMethod.STRIPE
        at = self.moments.at(on, ONLINE_HOURS if online else (9, 17))
        first = invoices[0]
        pick = self.moments.pick
        intent = stripe_intent(pick) if online else ""
        with self.moments.on(at):
            allocations, left = [], amount
            for invoice in (
                Invoice.objects.for_org(self.org)
                .filter(pk__in=[i.pk for i in invoices])
                .order_by("due_date", "pk")
            ):
                part = min(left, invoice.balance_due)
                if part > 0:
                    allocations.append(AllocationInput(invoice_id=invoice.pk, amount=part))
                    left -= part
            return payment_record(
                org=self.org,
                actor=None if online else self.owner,
                customer_id=first.customer_id,
                amount=amount,
                currency=first.currency,
                method=method,
                received_on=on,
                reference=intent or reference_for(method, first.currency, pick),
                allocations=allocations,
                stripe_payment_intent=intent,
                notify=False,
            )

    def promises(self) -> None:
        found = self.pool.take(self.days.kept_late, self.days.kept_early)
        if found is not None:
            invoice, days = found
            language = invoice.customer.language
            with self.moments.on(self.moments.at(days.made, CUSTOMER_HOURS)):
                promise_make(
                    org=self.org,
                    invoice=invoice,
                    promised_date=days.promised,
                    note=words(KEPT_NOTE, language),
                )
            invoice.refresh_from_db()
            self.pay([invoice], invoice.balance_due, days.settled)
            self.told.append("a promise kept")
        found = self.pool.take(self.days.broken_late, self.days.broken_early)
        if found is not None:
            invoice, days = found
            with self.moments.on(self.moments.at(days.made)):
                promise_make(
                    org=self.org,
                    invoice=invoice,
                    promised_date=days.promised,
                    note=BROKEN_NOTE,
                    actor=self.owner,
                )
            with self.moments.on(self.moments.at(days.settled, SWEEP_HOURS)):
                promises_sweep(org=self.org, today=days.settled)
            self.told.append("a promise broken")

    def ask(self, invoices: Sequence[Invoice], days: PlanDays, note: str = "") -> PaymentPlan:
        """The customer asks on the pay page; the owner approves the next working morning
        when it is outside the rules the business starts plans by."""
        invoice = invoices[0]
        asked_at = self.moments.at(days.asked, CUSTOMER_HOURS)
        with self.moments.on(asked_at):
            plan = plan_request(
                org=self.org,
                customer=invoice.customer,
                invoices=list(invoices),
                count=days.count,
                frequency=days.frequency,
                start_date=days.start,
                note=note,
            )
        return plan

    def approve(self, plan: PaymentPlan, days: PlanDays) -> PaymentPlan:
        if plan.status != PlanStatus.PROPOSED:
            return plan
        with self.moments.on(self.moments.at(days.asked + timedelta(days=1), (8, 11))):
            return plan_approve(org=self.org, actor=self.owner, plan=plan)

    def instalments(self, plan: PaymentPlan) -> list[Instalment]:
        return list(
            Instalment.objects.for_org(self.org).filter(plan=plan).order_by("due_date", "seq")
        )

    def completed(self) -> None:
        found = self.pool.take(self.days.completed_late, self.days.completed_early)
        if found is not None:
            invoice, days = found
            plan = self.approve(self.ask([invoice], days), days)
            first, *rest = self.instalments(plan)
            self.pay([invoice], first.amount, first.due_date)
            # The rest in one payment, on the second's day: both thanked, the plan paid off.
            self.pay(
                [invoice],
                sum((row.amount for row in rest), ZERO),
                days.end,
            )
            self.told.append("a plan paid off")

    def running(self) -> None:
        found = self.pool.take(self.days.running_days)
        if found is not None:
            invoice, days = found
            # The same customer's other invoices still quiet when they asked go in the plan too.
            also = [
                other
                for other in self.pool.others(invoice)
                if issued(other) < days.asked and quiet_before(other, days.asked)
            ]
            covered = [invoice, *also[:1]]
            for other in also[:1]:
                self.pool.use(other)
            plan = self.approve(
                self.ask(covered, days, words(PLAN_NOTE, invoice.customer.language)), days
            )
            rows = self.instalments(plan)
            for row in rows:
                if row.due_date < self.today:
                    self.pay(covered, row.amount, row.due_date)
            # The customer asked for a week's more time for the last payment; the owner agreed.
            moved = self.moments.at(self.today - timedelta(days=2))
            with self.moments.on(moved):
                instalment_move(
                    org=self.org,
                    actor=self.owner,
                    instalment=rows[-1],
                    new_date=rows[-1].due_date + timedelta(days=7),
                    reason=MOVED,
                )
            self.told.append(
                f"a plan running over {len(covered)} invoice{'s' if len(covered) > 1 else ''}"
            )

    def broken_plan(self) -> None:
        # First: the sweep that breaks it would break any other plan late on that day.
        found = self.pool.take(self.days.broken_plan_days)
        if found is None:
            return
        invoice, days = found
        plan = self.approve(self.ask([invoice], days), days)
        first = self.instalments(plan)[0]
        self.pay([invoice], first.amount, first.due_date)
        with self.moments.on(self.moments.at(days.end, SWEEP_HOURS)):
            plans_sweep(org=self.org, today=days.end)
        self.told.append("a plan broken")

    def waiting(self) -> None:
        """Asked for lately, by a customer behind with their invoice if there is one."""
        found = self.pool.take(
            lambda invoice: self.days.asking_overdue(invoice, 1),
            lambda invoice: self.days.asking_days(invoice, 1),
            kind="owing",
        )
        if found is not None:
            invoice, days = found
            self.ask([invoice], days, words(PLAN_NOTE, invoice.customer.language))
            self.told.append("a plan request waiting for you")
        found = self.pool.take(
            lambda invoice: self.days.asking_overdue(invoice, 4),
            lambda invoice: self.days.asking_days(invoice, 4),
            kind="owing",
        )
        if found is not None:
            invoice, days = found
            asked = self.ask([invoice], days)
            with self.moments.on(self.moments.at(days.asked + timedelta(days=1), (9, 12))):
                plan_counter(
                    org=self.org,
                    actor=self.owner,
                    plan=asked,
                    count=4,
                    frequency=PlanFrequency.FORTNIGHTLY,
                    start_date=self.today + timedelta(days=5),
                    message=COUNTER,
                )
            self.told.append("a counter-offer")


def arrangements_seed(
    *, org: Organization, owner: User, today: date, pick: random.Random, avoid: set[int]
) -> list[str]:
    """Promises, plans and disputes on invoices of customers not in ``avoid`` (payments' own
    stories); what was told, for the report."""
    moments = Moments(org=org, today=today, pick=random.Random(pick.random()))  # noqa: S311
    pool = Pool(org=org, today=today, pick=moments.pick, avoid=avoid)
    story = _Arrangements(org=org, owner=owner, today=today, moments=moments, pool=pool)
    disputes = Disputes(org=org, owner=owner, today=today, moments=moments, pool=pool)
    # The stories only a recent invoice can tell first; the sweep that breaks the plan would
    # break any other plan late on its day, so it goes before the others are made.
    story.broken_plan()
    story.running()
    disputes.under_review()
    disputes.open_ones()
    story.completed()
    story.promises()
    disputes.resolved()
    disputes.withdrawn()
    disputes.chargeback()
    story.waiting()
    return story.told + disputes.told

"""Two reasons the demo's reminders were held back, each told through the pause services at the
moment it happened: right after the sweep planned a reminder and before the send task ran, so
the sender skips it and the reminder says why; after that the sweep plans nothing more.

* An invoice put on hold by hand while the owner sends a corrected copy (something short of a
  dispute: disputes hold reminders on their own and ``payments.demo_disputes`` tells them):
  paused at its first reminder a week or more overdue.
* A customer on holiday, paused at their first reminder in the last week.

Both are chosen from the data alone (invoices still owed today, on the default policy, to
customers whose reminders reach them and who are in none of payments' promise, plan or dispute
stories, in date order), so the same seed tells the same stories.
A story whose moment never came is told on the last afternoon, so the pause is there anyway.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from arhub.models import AuditEvent, Channel, Organization, Suppression, User
from disputes.models import Dispute
from invoicing.models import OUTSTANDING_STATUSES, Contact, Customer, Invoice
from payments.models import PaymentPlan, PromiseToPay
from reminders.demo_run import Replay
from reminders.models import CustomerReminders, InvoiceReminderPause
from reminders.pause_services import customer_reminders_pause, invoice_reminders_pause
from reminders.sweep import SweepResult

# A pause the owner makes by hand, for something short of a dispute (a dispute, which the
# customer or the owner opens, holds reminders on its own; payments.demo_disputes tells those).
ON_HOLD = "Customer asked for their PO number on the invoice; sending a corrected copy"
DISPUTE_OFFSET = 7  # paused at its first reminder this many days or more after the due date
HOLIDAY_DAYS = 7  # the customer is paused at their first reminder in this many last days


def holiday_reason(today: date) -> str:
    back = (today + timedelta(days=5)).day
    return f"On holiday until the {_ordinal(back)}; agreed to pay on return"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@contextmanager
def audited_at(org: Organization, at: datetime) -> Iterator[None]:
    """The audit rows the services write inside the block dated ``at``, the story's moment."""
    rows = AuditEvent.objects.for_org(org).order_by("-pk").values_list("pk", flat=True)
    after = rows.first() or 0
    yield
    AuditEvent.objects.for_org(org).filter(pk__gt=after).update(created_at=at)


def unreachable_customers(org: Organization) -> set[int]:
    """Customers with an email address that is suppressed (unsubscribed, bounced)."""
    addresses = Suppression.objects.for_org(org).filter(channel=Channel.EMAIL)
    return set(
        Contact.objects.for_org(org)
        .filter(email__in=addresses.values_list("address", flat=True))
        .values_list("customer_id", flat=True)
    )


def arranged_customers(org: Organization) -> set[int]:
    """Customers with a promise to pay, a payment plan or a dispute: their invoices are held, or
    were, for those stories (``payments.demo_arrangements``)."""
    found: set[int] = set()
    for model in (PromiseToPay, PaymentPlan, Dispute):
        found |= set(model.objects.for_org(org).values_list("customer_id", flat=True))
    return found


class Stories:
    def __init__(
        self,
        *,
        replay: Replay,
        owner: User,
        today: date,
        pick: random.Random,
        avoid: set[int],
    ) -> None:
        self.replay, self.owner, self.today, self.pick = replay, owner, today, pick
        self.avoid = avoid  # customers in another story
        self.org: Organization = replay.org
        self.told: list[str] = []
        owed = self._owed_today()
        self.disputed = self._disputed(owed)
        self.on_holiday: Customer | None = None
        self.on_holiday = self._on_holiday(owed)
        replay.hooks.append(self._after_sweep)

    def customers(self) -> set[int]:
        found = {self.disputed.customer_id} if self.disputed else set()
        return found | ({self.on_holiday.pk} if self.on_holiday else set())

    # ---- choosing

    def _owed_today(self) -> list[Invoice]:
        """Invoices still owed today, on the default policy, to customers in no other story
        whose reminders reach them, by due date."""
        states = self.replay.states
        left_out = unreachable_customers(self.org) | self.avoid | set(self.replay.policy_of)
        left_out |= arranged_customers(self.org)
        return sorted(
            (
                invoice
                for pk, invoice in states.invoices.items()
                if states.final[pk]["status"] in OUTSTANDING_STATUSES
                and invoice.due_date is not None
                and invoice.customer_id not in left_out
            ),
            key=lambda i: (i.due_date, i.pk),
        )

    def _disputed(self, owed: list[Invoice]) -> Invoice | None:
        """One whose week-overdue step came in the last few weeks, after earlier ones."""
        low, high = self.today - timedelta(days=28), self.today - timedelta(days=4)
        found = [
            i
            for i in owed
            if i.due_date is not None and low <= i.due_date + timedelta(days=DISPUTE_OFFSET) <= high
        ]
        return self.pick.choice(found) if found else None

    def _on_holiday(self, owed: list[Invoice]) -> Customer | None:
        """A customer with a step of an invoice still owed in the last week."""
        low = self.today - timedelta(days=HOLIDAY_DAYS)
        taken = self.customers()
        found: list[int] = []
        for invoice in owed:
            skip = invoice.customer_id in taken or invoice.customer_id in found
            if skip or invoice.due_date is None:
                continue
            days = self.replay.step_days(invoice.due_date, invoice.customer_id)
            if any(low <= day < self.today and day.weekday() < 5 for day in days):
                found.append(invoice.customer_id)
        return self.replay.customers[self.pick.choice(sorted(found))] if found else None

    # ---- telling

    def _after_sweep(self, result: SweepResult, swept: datetime) -> None:
        at = swept + timedelta(seconds=self.pick.randrange(20, 50))
        disputed, on_holiday = self.disputed, self.on_holiday
        for planned in result.planned:
            if (
                disputed is not None
                and planned.invoice_id == disputed.pk
                and planned.step.offset_days >= DISPUTE_OFFSET
                and disputed.pk not in self.replay.held
            ):
                self._pause_invoice(disputed, at)
            if (
                on_holiday is not None
                and planned.customer_id == on_holiday.pk
                and planned.local_date >= self.today - timedelta(days=HOLIDAY_DAYS)
                and on_holiday.pk not in self.replay.held_customers
            ):
                self._pause_customer(on_holiday, at)

    def _pause_invoice(self, invoice: Invoice, at: datetime) -> None:
        with audited_at(self.org, at):
            invoice_reminders_pause(org=self.org, actor=self.owner, invoice=invoice, reason=ON_HOLD)
        InvoiceReminderPause.objects.for_org(self.org).filter(invoice=invoice).update(paused_at=at)
        self.replay.held.add(invoice.pk)
        self.told.append(f"invoice {invoice.number} paused (on hold)")

    def _pause_customer(self, customer: Customer, at: datetime) -> None:
        reason = holiday_reason(self.today)
        with audited_at(self.org, at):
            customer_reminders_pause(
                org=self.org, actor=self.owner, customer=customer, reason=reason
            )
        CustomerReminders.objects.for_org(self.org).filter(customer=customer).update(paused_at=at)
        self.replay.held_customers.add(customer.pk)
        self.told.append(f"{customer.display_name} paused (on holiday)")

    def finish(self) -> None:
        zone = ZoneInfo(self.org.timezone)
        at = datetime.combine(self.today - timedelta(days=1), time(15, 10), tzinfo=zone)
        if self.disputed is not None and self.disputed.pk not in self.replay.held:
            self.disputed.refresh_from_db()
            self._pause_invoice(self.disputed, at)
        if self.on_holiday is not None and self.on_holiday.pk not in self.replay.held_customers:
            self._pause_customer(self.on_holiday, at)

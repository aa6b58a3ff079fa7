"""The plan's and the promise's own reminders, which go instead of the policy's while an invoice
is on a plan or promised (``reminders.holds``): run by every reminder sweep, after its steps.

* a promise's "as agreed" reminder on the promised day (the customer's), if still unpaid;
* a plan instalment's reminder a few days before its due date (the plan-update template,
  ``{amount_due}`` what is left of the instalment, ``{due_date}`` its day);
* a polite notice the day after an instalment is missed, while the plan is active: it stays on
  if paid within the grace days (``PaymentSettings.plan_grace_days``).

Each goes inside the customer's send window (their zone, their policy's hours), never while
something else holds the invoice (a pause, a dispute, paid), and once: the row's timestamp
(``reminded_at``, ``missed_notice_at``) is claimed by a conditional update in the transaction
that writes the messages, so two sweeps in a row, or at once, send it once. Messaging checks
consent and suppression. When the window was shut on its day (a weekend) or the sweep was down,
it goes at the next opening while it still makes sense (``reminders.next_send`` spans).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from arhub.messaging.services import message_queue
from arhub.models import MessageKind, Organization
from invoicing.models import Customer, Invoice
from payments.models import (
    Instalment,
    PaymentPlan,
    PaymentPlanInvoice,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from payments.selectors import payment_settings_get
from reminders.arrangement_wording import (
    INSTALMENT,
    MISSED,
    PROMISE,
    MessageFor,
    plan_message,
    promise_message,
)
from reminders.holds import Hold, invoice_holds
from reminders.models import CustomerReminders, ReminderPolicy, StepChannel
from reminders.next_send import (
    INSTALMENT_NOTICE_DAYS,
    instalment_reminder_span,
    missed_notice_span,
    promise_span,
)
from reminders.policies import policy_default, policy_window
from reminders.schedule import channels_for
from reminders.windows import SendWindow, is_open

logger = logging.getLogger(__name__)

# Holds that leave a plan's own reminders to go: its own, and an invoice of it already settled.
PLAN_OWN_HOLDS = frozenset({"on_plan", "paid", "closed"})


@dataclass(frozen=True)
class ArrangementSent:
    org_id: int
    customer_id: int
    what: str  # PROMISE, INSTALMENT or MISSED
    row_id: int  # the promise's or the instalment's
    invoice_number: str
    message_ids: tuple[int, ...]  # empty in a dry run


class _Windows:
    """Each customer's send window under their policy: three queries for all of them."""

    def __init__(self, org: Organization, customer_ids: Iterable[int]) -> None:
        self.org = org
        self.default = policy_default(org=org)
        self.policies = {policy.pk: policy for policy in ReminderPolicy.objects.for_org(org)}
        self.own = dict(
            CustomerReminders.objects.for_org(org)
            .filter(customer_id__in=set(customer_ids), policy__isnull=False)
            .values_list("customer_id", "policy_id")
        )

    def of(self, customer: Customer) -> SendWindow:
        policy = self.policies.get(self.own.get(customer.pk) or self.default.pk, self.default)
        return policy_window(policy, org=self.org, customer=customer)


def customer_channels(customer: Customer) -> tuple[str, ...]:
    return tuple(channels_for(StepChannel.PREFERRED, customer.preferred_channel))


def _promises(org: Organization, utc_today: date) -> list[PromiseToPay]:
    # Open promises are few: each is kept or broken within its grace days.
    return list(
        PromiseToPay.objects.for_org(org)
        .filter(
            status=PromiseStatus.OPEN,
            reminded_at__isnull=True,
            promised_date__lte=utc_today + timedelta(days=1),
        )
        .select_related("invoice", "invoice__customer")
    )


def _instalments(org: Organization, utc_today: date) -> list[Instalment]:
    """Unpaid instalments of active plans whose reminder or missed notice may be due somewhere
    on Earth today (the customer's day may be a day either side of UTC's)."""
    return list(
        Instalment.objects.for_org(org)
        .filter(
            plan__status=PlanStatus.ACTIVE,
            amount_paid__lt=F("amount"),
            due_date__lte=utc_today + timedelta(days=INSTALMENT_NOTICE_DAYS + 1),
        )
        .filter(
            Q(reminded_at__isnull=True, due_date__gte=utc_today - timedelta(days=1))
            | Q(missed_notice_at__isnull=True, due_date__lte=utc_today)
        )
        .select_related("plan", "plan__customer")
        .order_by("due_date", "pk")
    )


def plan_invoices(org: Organization, plan_ids: Iterable[int]) -> dict[int, list[Invoice]]:
    """The invoices each plan still holds, oldest due first, in one query."""
    found: dict[int, list[Invoice]] = defaultdict(list)
    links = (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(plan_id__in=set(plan_ids), released_at__isnull=True)
        .select_related("invoice", "invoice__customer")
        .order_by("invoice__due_date", "invoice_id")
    )
    for link in links:
        found[link.plan_id].append(link.invoice)
    return found


def _plan_owed(invoices: list[Invoice], held: dict[int, Hold]) -> Invoice | None:
    """The invoice the plan's message links to (the oldest still owed), or None when nothing
    is owed or something else holds one of its invoices (a dispute, a pause)."""
    codes = [held[i.pk].code if i.pk in held else "" for i in invoices]
    if any(code not in PLAN_OWN_HOLDS for code in codes):
        return None
    return next((i for i, code in zip(invoices, codes, strict=True) if code == "on_plan"), None)


def _send(
    org: Organization,
    *,
    claim: QuerySet[Any],
    stamp: str,
    now: datetime,
    customer: Customer,
    invoice: Invoice,
    kind: str,
    message: MessageFor,
) -> tuple[int, ...] | None:
    """Claim the row and write its messages in one transaction: both or neither. None when
    another sweep claimed it first, or writing failed (then the next sweep tries again)."""
    try:
        with transaction.atomic():
            # The exactly-once: of two sweeps, only one changes the row.
            if claim.filter(**{f"{stamp}__isnull": True}).update(**{stamp: now}) != 1:
                return None
            sent = []
            for channel in customer_channels(customer):
                values, wording = message(channel)
                sent.append(
                    message_queue(
                        org=org,
                        customer=customer,
                        kind=kind,
                        channel=channel,
                        values=values,
                        invoice=invoice,
                        wording=wording,
                    ).pk
                )
    except Exception:
        logger.exception("Could not write the %s message of invoice %s", kind, invoice.pk)
        return None
    return tuple(sent)


def plan_started_on(plan: PaymentPlan, window: SendWindow) -> date | None:
    return plan.activated_at.astimezone(window.zone).date() if plan.activated_at else None


def instalment_due_now(
    instalment: Instalment, *, today: date, started_on: date | None, grace_days: int
) -> str | None:
    """MISSED or INSTALMENT when that message of the instalment is due on the customer's
    ``today`` and not sent yet; None otherwise."""
    missed = missed_notice_span(instalment.due_date, grace_days=grace_days)
    if instalment.missed_notice_at is None and missed is not None and missed.covers(today):
        return MISSED
    before = instalment_reminder_span(instalment.due_date, started_on=started_on)
    if instalment.reminded_at is None and before is not None and before.covers(today):
        return INSTALMENT
    return None


def arrangements_send(
    *, org: Organization, now: datetime, dry_run: bool = False
) -> list[ArrangementSent]:
    """Send the plan and promise messages of ``org`` that are due at ``now`` (see the module's
    docstring). Two queries when none is; a few more, however many, when some may be."""
    utc_today = now.astimezone(UTC).date()
    promises = _promises(org, utc_today)
    instalments = _instalments(org, utc_today)
    if not promises and not instalments:
        return []
    settings = payment_settings_get(org=org)
    customers = [p.invoice.customer_id for p in promises] + [
        i.plan.customer_id for i in instalments
    ]
    windows = _Windows(org, customers)
    in_plans = plan_invoices(org, {i.plan_id for i in instalments})
    every = [p.invoice for p in promises] + [inv for invs in in_plans.values() for inv in invs]
    held = invoice_holds(org=org, invoices=every)
    done: list[ArrangementSent] = []

    for promise in promises:
        invoice, customer = promise.invoice, promise.invoice.customer
        window = windows.of(customer)
        today = now.astimezone(window.zone).date()
        span = promise_span(promise.promised_date, grace_days=settings.promise_grace_days)
        hold = held.get(invoice.pk)
        # Under its own hold only: paid, paused, disputed or on a plan, it does not go.
        if hold is None or hold.code != "promised":
            continue
        if not span.covers(today) or not is_open(window, now):
            continue
        ids: tuple[int, ...] | None = ()
        if not dry_run:
            ids = _send(
                org,
                claim=PromiseToPay.objects.for_org(org).filter(
                    pk=promise.pk, status=PromiseStatus.OPEN
                ),
                stamp="reminded_at",
                now=now,
                customer=customer,
                invoice=invoice,
                kind=MessageKind.REMINDER,
                message=promise_message(org, promise, today),
            )
        if ids is not None:
            done.append(
                ArrangementSent(org.pk, customer.pk, PROMISE, promise.pk, invoice.number, ids)
            )

    for instalment in instalments:
        plan, customer = instalment.plan, instalment.plan.customer
        window = windows.of(customer)
        today = now.astimezone(window.zone).date()
        what = instalment_due_now(
            instalment,
            today=today,
            started_on=plan_started_on(plan, window),
            grace_days=settings.plan_grace_days,
        )
        target = _plan_owed(in_plans.get(plan.pk, []), held)
        if what is None or target is None or not is_open(window, now):
            continue
        ids = ()
        if not dry_run:
            ids = _send(
                org,
                claim=Instalment.objects.for_org(org).filter(
                    pk=instalment.pk, amount_paid__lt=F("amount")
                ),
                stamp="missed_notice_at" if what == MISSED else "reminded_at",
                now=now,
                customer=customer,
                invoice=target,
                kind=MessageKind.PLAN_UPDATE,
                message=plan_message(org, instalment, target, what, settings.plan_grace_days),
            )
        if ids is not None:
            done.append(
                ArrangementSent(org.pk, customer.pk, what, instalment.pk, target.number, ids)
            )
    return done

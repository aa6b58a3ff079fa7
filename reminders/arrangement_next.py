"""What an invoice's plan or promise will send next, and the earliest moment it may (in the
customer's zone and the owner's), for the invoice's reminder timeline: the same rules as
``reminders.arrangement_sends`` (the spans of ``reminders.next_send``), read without writing,
in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F

from arhub.models import MessageKind, Organization
from arhub.money import money_format
from invoicing.models import Invoice
from payments.models import Instalment
from payments.plan_selectors import active_plans_by_invoice
from payments.promise_selectors import open_promises_by_invoice
from payments.selectors import payment_settings_get
from reminders.arrangement_sends import customer_channels, plan_started_on
from reminders.arrangement_wording import INSTALMENT, MISSED, PROMISE
from reminders.channel_plans import ChannelPlan, channel_plans
from reminders.holds import Hold
from reminders.next_send import (
    Moment,
    day_words,
    instalment_reminder_span,
    missed_notice_span,
    moment,
    promise_span,
    span_opening,
)
from reminders.windows import SendWindow


@dataclass(frozen=True)
class Upcoming:
    what: str  # PROMISE, INSTALMENT or MISSED
    kind: str  # the message's kind
    words: str  # "a reminder of the £40.00 instalment due 15 Mar"
    at: datetime | None  # None: the window does not open while it still makes sense
    channels: tuple[str, ...]


@dataclass(frozen=True)
class ArrangementItem:
    """The next message of the plan or promise holding the invoice, for the timeline."""

    what: str
    words: str
    when: Moment | None
    channels: tuple[ChannelPlan, ...]


def arrangement_item(
    *,
    org: Organization,
    invoice: Invoice,
    hold: Hold,
    window: SendWindow,
    zones: tuple[str, str],
    now: datetime,
) -> ArrangementItem | None:
    upcoming = arrangement_upcoming(org=org, invoice=invoice, hold=hold, window=window, now=now)
    if upcoming is None:
        return None
    when = None
    if upcoming.at is not None:
        when = moment(upcoming.at, customer_zone=zones[0], org_zone=zones[1], now=now)
    channels = channel_plans(
        org=org, customer=invoice.customer, channels=upcoming.channels, kind=upcoming.kind
    )
    return ArrangementItem(upcoming.what, upcoming.words, when, channels)


def arrangement_words(item: ArrangementItem) -> str:
    """ "Next from the plan: a reminder of the £40.00 instalment due 15 Mar, from Thu 12 Mar,
    09:00 in Auckland (Wed 11 Mar, 20:00 your time)." """
    source = "the promise" if item.what == PROMISE else "the plan"
    if item.when is None:
        return f"Next from {source}: {item.words}, but the send window does not open in time."
    words = f"Next from {source}: {item.words}, from {item.when.words}."
    if not any(not plan.blocked for plan in item.channels):
        blocked = " ".join(f"{plan.label}: {plan.blocked}" for plan in item.channels)
        words += f" It will not go: {blocked}"
    return words


def arrangement_upcoming(
    *, org: Organization, invoice: Invoice, hold: Hold, window: SendWindow, now: datetime
) -> Upcoming | None:
    """The next message of the promise or plan that holds ``invoice`` (``hold`` is its own),
    or None when it has nothing more to send."""
    today = now.astimezone(ZoneInfo(org.timezone or "UTC")).date()
    channels = customer_channels(invoice.customer)
    if hold.code == "promised":
        promise = open_promises_by_invoice(org=org, invoice_ids=[invoice.pk]).get(invoice.pk)
        if promise is None or promise.reminded_at is not None:
            return None
        grace = payment_settings_get(org=org).promise_grace_days
        return Upcoming(
            PROMISE,
            MessageKind.REMINDER,
            "the “as agreed” reminder of the promise to pay by "
            + day_words(promise.promised_date, today=today),
            span_opening(window, promise_span(promise.promised_date, grace_days=grace), now),
            channels,
        )
    if hold.code != "on_plan":
        return None
    plan = active_plans_by_invoice(org=org, invoice_ids=[invoice.pk]).get(invoice.pk)
    if plan is None:
        return None
    grace = payment_settings_get(org=org).plan_grace_days
    started_on = plan_started_on(plan, window)
    found: list[tuple[datetime, str, Instalment]] = []
    unpaid = (
        Instalment.objects.for_org(org)
        .filter(plan=plan, amount_paid__lt=F("amount"))
        .order_by("due_date", "seq")
    )
    for instalment in unpaid:
        before = instalment_reminder_span(instalment.due_date, started_on=started_on)
        if instalment.reminded_at is None and before is not None:
            at = span_opening(window, before, now)
            if at is not None:
                found.append((at, INSTALMENT, instalment))
        missed = missed_notice_span(instalment.due_date, grace_days=grace)
        if instalment.missed_notice_at is None and missed is not None:
            at = span_opening(window, missed, now)
            if at is not None:
                found.append((at, MISSED, instalment))
    if not found:
        return None
    at, what, instalment = min(found, key=lambda item: item[0])
    amount = money_format(instalment.remaining, plan.currency, org.locale)
    due = day_words(instalment.due_date, today=today)
    if what == INSTALMENT:
        words = f"a reminder of the {amount} instalment due {due}"
    else:
        last = day_words(instalment.due_date + timedelta(days=grace), today=today)
        words = (
            f"a polite notice if the {amount} instalment due {due} is still unpaid "
            f"(the plan stays on if it is paid by {last})"
        )
    return Upcoming(what, MessageKind.PLAN_UPDATE, words, at, channels)

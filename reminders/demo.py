"""Reminders for ``seed_demo``: a lived-in history made by the engine itself, and what comes next.

After invoicing's and payments' parts, the organization has thirteen months of invoices and the
payments that settled most of them. This part sets up what an owner would have (the built-in
policy, and a gentler "Key accounts" one that two customers follow) and then replays the last
two months (``HISTORY_DAYS``) through the real sweep and sender, day by day, with the invoices
as they stood each day (``demo_run``, ``demo_states``): each invoice gets its reminders until
the day it is paid, a customer whose invoices have steps on one day gets a digest (one customer
is billed three times on one day for that: ``demo_digest``), texts go where the customer takes
texts and agreed to them, an unsubscribed address is suppressed by messaging. Two addresses
bounce along the way (``demo_outcomes``), and two stories hold reminders back, each coming in
between the sweep and the send so the skipped reminder says why: an invoice the customer
disputes, and a customer on holiday (``demo_stories``). Open invoices keep their next steps, so
the invoice pages show what goes next.

The same seed and today give the same reminders. Every timestamp is the story's: the moments
the engine ran, the pauses, the bounces; the SMS consents and unsubscribes invoicing's part
recorded are dated before the history starts.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from arhub.clock import org_today
from arhub.models import Message, MessageKind, Organization, SmsConsent, Suppression, User
from invoicing.models import OUTSTANDING_STATUSES, Customer, InvoiceStatus, PayLink
from payments.models import StatementLink
from reminders.demo_digest import digest_invoices
from reminders.demo_outcomes import Outcomes
from reminders.demo_run import Replay
from reminders.demo_states import InvoiceStates
from reminders.demo_stories import Stories, audited_at
from reminders.models import Reminder, ReminderPolicy, ReminderStatus, StepChannel, Tone
from reminders.pause_services import customer_reminders_set_policy
from reminders.policies import policy_default
from reminders.policy_input import PolicyInput, StepInput
from reminders.policy_services import policy_create

# Gentler than the built-in policy: fewer steps, later in the morning, two days between
# messages, and firm only three weeks on.
KEY_ACCOUNTS = PolicyInput(
    name="Key accounts",
    window_start=time(10, 0),
    window_end=time(16, 0),
    min_gap_hours=48,
    steps=(
        StepInput(offset_days=0, channel=StepChannel.PREFERRED, tone=Tone.FRIENDLY),
        StepInput(offset_days=7, channel=StepChannel.EMAIL, tone=Tone.FRIENDLY),
        StepInput(offset_days=21, channel=StepChannel.EMAIL, tone=Tone.FIRM),
    ),
)
# The reminders began this long before the demo's today (the invoices go back further): two
# months and more of history, about a hundred messages. Each costs the engine a few dozen
# queries (about 3 s for the whole replay), so this is what keeps seed_demo quick.
HISTORY_DAYS = 60
REMINDER_KINDS = (MessageKind.REMINDER, MessageKind.REMINDER_DIGEST)


def seed(*, org: Organization, rng: random.Random, owner: User, options: dict[str, Any]) -> str:
    pick = random.Random(rng.random())  # noqa: S311 - demo data
    today: date = options.get("today") or org_today(org)
    digest = digest_invoices(org=org, owner=owner, today=today, pick=pick)
    in_digest = {invoice.customer_id for invoice in digest}
    states = InvoiceStates.load(org)
    issued = [i.issue_date for i in states.invoices.values() if i.issue_date is not None]
    if not issued:
        return "no reminders (no invoices)"
    first = max(min(issued), today - timedelta(days=HISTORY_DAYS))
    last = today - timedelta(days=1)
    zone = ZoneInfo(org.timezone)
    began = datetime.combine(first - timedelta(days=1), time(9, 40), tzinfo=zone)

    with audited_at(org, began):
        default = policy_default(org=org)
        key = policy_create(org=org, actor=owner, data=KEY_ACCOUNTS)
        key_customers = _key_accounts(org, states, avoid=in_digest)
        for customer in key_customers:
            customer_reminders_set_policy(org=org, actor=owner, customer=customer, policy_id=key.pk)
    ReminderPolicy.objects.for_org(org).update(created_at=began, updated_at=began)
    _before_history(org, pick, first)

    span = (last - first).days
    bounce_from = [first + timedelta(days=span * 2 // 5), first + timedelta(days=span * 3 // 4)]
    outcomes = Outcomes(org=org, pick=pick, bounce_from=bounce_from)
    replay = Replay(
        org=org,
        states=states,
        outcomes=outcomes,
        default=default,
        policy_of={c.pk: key for c in key_customers},
        pick=pick,
    )
    stories = Stories(replay=replay, owner=owner, today=today, pick=pick, avoid=in_digest)
    # Their stories are told by their pauses, their digests and their policy, not a bounce.
    outcomes.spared |= {c.pk for c in key_customers} | stories.customers() | in_digest
    replay.run(first, last)
    stories.finish()
    _links_as_in_the_story(org, states)
    told = [f"“Key accounts” for {len(key_customers)} customers", *stories.told]
    if digest:
        told.append(f"{len(digest)} invoices of {digest[0].customer.display_name} due together")
    return _report(org, replay, first, told)


def _key_accounts(org: Organization, states: InvoiceStates, avoid: set[int]) -> list[Customer]:
    """The two companies with the most invoices still owed, then the most invoices."""
    owed: Counter[int] = Counter()
    billed: Counter[int] = Counter()
    for pk, invoice in states.invoices.items():
        billed[invoice.customer_id] += 1
        if states.final[pk]["status"] in OUTSTANDING_STATUSES:
            owed[invoice.customer_id] += 1
    companies = (
        Customer.objects.for_org(org)
        .exclude(company="")
        .exclude(pk__in=avoid)
        .filter(pk__in=billed)
    )
    ranked = sorted(companies, key=lambda c: (-owed[c.pk], -billed[c.pk], c.external_id, c.pk))
    return ranked[:2]


def _before_history(org: Organization, pick: random.Random, first: date) -> None:
    """Consents to texts and unsubscribes that invoicing's part recorded "now" were given
    before the reminders began: dated a few weeks before the history starts."""
    zone = ZoneInfo(org.timezone)
    start = datetime.combine(first, time(0), tzinfo=zone)

    def earlier() -> datetime:
        day = first - timedelta(days=pick.randrange(5, 40))
        return datetime.combine(day, time(pick.randrange(9, 17), pick.randrange(60)), tzinfo=zone)

    consents = list(SmsConsent.objects.for_org(org).filter(created_at__gte=start).order_by("pk"))
    for consent in consents:
        consent.created_at = earlier()
    SmsConsent.objects.bulk_update(consents, ["created_at"])
    suppressions = list(
        Suppression.objects.for_org(org).filter(created_at__gte=start).order_by("pk")
    )
    for suppression in suppressions:
        suppression.created_at = earlier()
    Suppression.objects.bulk_update(suppressions, ["created_at"])


def _links_as_in_the_story(org: Organization, states: InvoiceStates) -> None:
    """Pay and statement links the replay made are dated by the first message that carried
    them; one made for an invoice voided or written off since is revoked on that day, as
    voiding or writing it off would have done."""
    first_by_invoice: dict[int, datetime] = {}
    first_by_customer: dict[int, datetime] = {}
    rows = (
        Message.objects.for_org(org)
        .filter(kind__in=REMINDER_KINDS)
        .order_by("created_at", "pk")
        .values_list("invoice_id", "customer_id", "kind", "created_at")
    )
    for invoice_id, customer_id, kind, at in rows:
        if invoice_id is not None:
            first_by_invoice.setdefault(invoice_id, at)
        elif kind == MessageKind.REMINDER_DIGEST and customer_id is not None:
            first_by_customer.setdefault(customer_id, at)
    links = list(PayLink.objects.for_org(org).filter(invoice_id__in=first_by_invoice))
    for link in links:
        link.created_at = min(link.created_at, first_by_invoice[link.invoice_id])
        invoice = states.invoices[link.invoice_id]
        closed = invoice.voided_at if invoice.status == InvoiceStatus.VOID else None
        if invoice.status == InvoiceStatus.UNCOLLECTIBLE:
            closed = invoice.written_off_at
        if link.revoked_at is None and closed is not None:
            link.revoked_at = max(closed, link.created_at)
    PayLink.objects.bulk_update(links, ["created_at", "revoked_at"])
    statements = list(StatementLink.objects.for_org(org).filter(customer_id__in=first_by_customer))
    for statement in statements:
        statement.created_at = min(statement.created_at, first_by_customer[statement.customer_id])
    StatementLink.objects.bulk_update(statements, ["created_at"])


def _report(org: Organization, replay: Replay, first: date, told: list[str]) -> str:
    sent = Message.objects.for_org(org).filter(kind__in=REMINDER_KINDS)
    statuses = Counter(sent.values_list("status", flat=True))
    digests = sent.filter(kind=MessageKind.REMINDER_DIGEST).count()
    skipped = Reminder.objects.for_org(org).filter(status=ReminderStatus.SKIPPED).count()
    shown = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    return (
        f"{statuses.total()} reminder messages since {first:%Y-%m-%d} ({shown}; {digests} "
        f"digests) from {replay.sweeps} sweeps, {skipped} steps not sent; " + "; ".join(told)
    )

"""seed_demo's promises, payment plans and disputes: every state, made by the services at the
story's moments, in an order that tells one story, and the same for the same seed and today."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from arhub.models import (
    AuditAction,
    AuditEvent,
    Message,
    MessageKind,
    MessageStatus,
    Notice,
    NoticeKind,
    Organization,
)
from disputes.attachments import stored_path
from disputes.models import (
    Author,
    Dispute,
    DisputeAttachment,
    DisputeKind,
    DisputeOutcome,
    DisputeStatus,
)
from disputes.selectors import customer_thread, dispute_list
from invoicing.models import CreditNote, InvoiceStatus
from payments.demo_disputes import BANK_REASON
from payments.demo_pool import BEFORE_DUE
from payments.models import (
    Instalment,
    InstalmentChange,
    Payment,
    PaymentAllocation,
    PaymentPlan,
    PaymentSettings,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from reminders.holds import invoice_holds
from reminders.models import Reminder
from reminders.policies import policy_for_customer, policy_steps
from reminders.schedule import next_step

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
ZERO = Decimal(0)
KINDS = (MessageKind.PLAN_UPDATE, MessageKind.DISPUTE_UPDATE, MessageKind.OTHER)


def seed(slug: str, seed: int = 5) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", str(seed), "--events", "0", "--customers", "40",
        "--today", TODAY.isoformat(), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def local(org: Organization, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(org.timezone)).date()


def start_of_today(org: Organization) -> datetime:
    return datetime.combine(TODAY, time(0), tzinfo=ZoneInfo(org.timezone))


def check_promises(org: Organization) -> None:
    grace = PaymentSettings.objects.for_org(org).get().promise_grace_days
    promises = PromiseToPay.objects.for_org(org).select_related("invoice")
    kept = promises.get(status=PromiseStatus.KEPT)
    # Made on the pay page before its date, paid off before the date came.
    assert local(org, kept.created_at) < local(org, kept.kept_at) <= kept.promised_date < TODAY
    assert kept.created_by is None and kept.invoice.status == InvoiceStatus.PAID
    audited = AuditEvent.objects.for_org(org)
    assert audited.get(action=AuditAction.PROMISE_MADE, data__promise=kept.pk).created_at == (
        kept.created_at
    )
    assert audited.get(action=AuditAction.PROMISE_KEPT).created_at == kept.kept_at
    paid = PaymentAllocation.objects.for_org(org).get(invoice=kept.invoice).payment
    assert paid.received_on == local(org, kept.kept_at)
    broken = promises.get(status=PromiseStatus.BROKEN)
    assert local(org, broken.created_at) < broken.promised_date
    # Found broken by the sweep on the first day after its grace days.
    assert local(org, broken.broken_at) == broken.promised_date + timedelta(days=grace + 1)
    assert broken.invoice.balance_due == broken.amount > 0
    assert broken.created_by is not None  # recorded by the owner after a call
    notice = Notice.objects.for_org(org).get(kind=NoticeKind.PROMISE_BROKEN)
    assert notice.created_at == broken.broken_at and broken.invoice.number in notice.summary
    # The promise's own confirmation names the date the customer gave.
    confirmation = Message.objects.for_org(org).filter(invoice=kept.invoice, kind=MessageKind.OTHER)
    assert confirmation.exists()
    assert all(m.created_at == kept.created_at for m in confirmation)


def check_plans(org: Organization) -> None:
    plans = PaymentPlan.objects.for_org(org).prefetch_related("plan_invoices__invoice")
    grace = PaymentSettings.objects.for_org(org).get().plan_grace_days
    for plan in plans:
        rows = list(plan.instalments.order_by("seq"))
        # The instalments add up to the balance the plan was built on, to the minor unit.
        assert sum((r.amount for r in rows), ZERO) == plan.total, plan.pk
        started = plan.plan_invoices.aggregate(s=Sum("balance_at_start"))["s"]
        assert started == plan.total
        assert all(r.due_date > local(org, plan.created_at) for r in rows)
        assert [r.due_date for r in rows] == sorted(r.due_date for r in rows)

    completed = plans.get(status=PlanStatus.COMPLETED)
    assert all(r.amount_paid == r.amount for r in completed.instalments.all())
    assert {link.invoice.status for link in completed.plan_invoices.all()} == {InvoiceStatus.PAID}
    assert completed.created_at <= completed.activated_at < completed.completed_at

    running = plans.get(status=PlanStatus.ACTIVE)
    rows = list(running.instalments.order_by("seq"))
    paid = [r for r in rows if r.amount_paid == r.amount]
    assert paid and all(r.due_date < TODAY and r.thanked_at for r in paid)
    ahead = rows[len(paid)]
    assert ahead.amount_paid == 0 and ahead.due_date >= TODAY + timedelta(days=7)
    moved = InstalmentChange.objects.for_org(org).get(instalment__plan=running)
    assert moved.new_due_date == moved.old_due_date + timedelta(days=7) and moved.reason
    invoices = [link.invoice for link in running.plan_invoices.all()]
    # Asked for before any reminder of its invoices was due, and holding them since.
    for invoice in invoices:
        assert local(org, running.created_at) <= invoice.due_date - timedelta(days=BEFORE_DUE)
    holds = invoice_holds(org=org, invoices=invoices)
    assert {holds[i.pk].code for i in invoices if i.balance_due > 0} == {"on_plan"}

    broken = plans.get(status=PlanStatus.BROKEN)
    rows = list(broken.instalments.order_by("seq"))
    assert rows[0].amount_paid == rows[0].amount and rows[1].amount_paid == 0
    assert local(org, broken.broken_at) == rows[1].due_date + timedelta(days=grace + 1)
    assert broken.ended_reason.startswith("Missed instalment 2")
    for link in broken.plan_invoices.all():
        invoice = link.invoice
        # Released, and back on the normal reminders: nothing holds it, and its next reminder
        # is sent or still to come.
        assert link.released_at == broken.broken_at
        assert invoice.balance_due > 0 and invoice.pk not in invoice_holds(
            org=org, invoices=[invoice]
        )
        sent = Reminder.objects.for_org(org).filter(invoice=invoice)
        steps = policy_steps(policy_for_customer(org=org, customer=invoice.customer))
        done = sent.values_list("offset_days", flat=True)
        upcoming = next_step(steps, due_date=invoice.due_date, today=TODAY, done=done)
        assert sent.filter(created_at__gt=broken.broken_at).exists() or upcoming is not None
        assert not sent.filter(created_at__range=(broken.created_at, broken.broken_at)).exists()

    waiting = plans.get(status=PlanStatus.PROPOSED, origin=PlanOrigin.CUSTOMER)
    assert not waiting.auto_approved and waiting.decided_at is None
    assert Notice.objects.for_org(org).filter(
        kind=NoticeKind.PLAN_REQUESTED, created_at=waiting.created_at
    )
    offer = plans.get(status=PlanStatus.PROPOSED, origin=PlanOrigin.OWNER)
    asked = offer.counter_to
    assert asked.status == PlanStatus.DECLINED and asked.ended_reason == "Counter-offered"
    assert asked.created_at < asked.decided_at == offer.created_at < start_of_today(org)
    assert offer.owner_message and offer.instalments.count() == 4


def check_disputes(org: Organization) -> None:
    disputes = Dispute.objects.for_org(org).select_related("invoice")
    customer = disputes.filter(kind=DisputeKind.CUSTOMER)
    assert customer.filter(status=DisputeStatus.OPEN).count() == 2
    assert {d.outcome for d in customer.filter(status=DisputeStatus.RESOLVED)} == set(
        DisputeOutcome.values
    )
    assert customer.filter(status=DisputeStatus.WITHDRAWN).count() == 1
    for dispute in disputes:
        thread = list(dispute.messages.order_by("created_at", "pk"))
        assert thread[0].created_at == dispute.opened_at < start_of_today(org)
        assert thread[-1].created_at < start_of_today(org)
        if dispute.resolved_at:
            assert dispute.resolved_at == thread[-1].created_at
        if dispute.first_response_at:
            assert dispute.first_response_at > dispute.opened_at

    review = customer.get(status=DisputeStatus.UNDER_REVIEW)
    thread = list(review.messages.order_by("created_at", "pk"))
    authors = [(m.author, m.internal) for m in thread]
    assert authors[:3] == [(Author.CUSTOMER, False), (Author.OWNER, True), (Author.OWNER, False)]
    assert (Author.CUSTOMER, False) in authors[3:] and review.awaiting_owner_since is None
    note = next(m for m in thread if m.internal)
    assert note not in customer_thread(dispute=review)
    assert review.review_started_at == review.first_response_at == thread[2].created_at
    # Answered within the response target; the other open one waits beyond it, and is flagged.
    assert review.first_response_at - review.opened_at < timedelta(days=1)
    with time_machine.travel(start_of_today(org) + timedelta(hours=9), tick=False):
        flagged = [d.pk for d in dispute_list(org=org) if d.overdue_response]
    late = customer.filter(status=DisputeStatus.OPEN).order_by("opened_at").first()
    assert flagged == [late.pk]

    credited = customer.get(outcome=DisputeOutcome.CREDIT)
    corrected = customer.get(outcome=DisputeOutcome.CORRECTED)
    for dispute in (credited, corrected):
        note_ = CreditNote.objects.for_org(org).get(pk=dispute.credit_note_id)
        assert note_.invoice_id == dispute.invoice_id and note_.amount > 0
        assert note_.issue_date == local(org, dispute.resolved_at)
        assert dispute.invoice.balance_due > 0  # still owed, reminded again after the answer
    unchanged = customer.get(outcome=DisputeOutcome.NO_CHANGE)
    assert unchanged.credit_note is None and unchanged.outcome_message

    chargeback = disputes.get(kind=DisputeKind.CHARGEBACK)
    assert chargeback.bank_reason == BANK_REASON == "product_not_received"
    assert chargeback.evidence_due_by > chargeback.opened_at + timedelta(days=14)
    assert chargeback.stripe_dispute_id.startswith("dp_demo_")
    payment = Payment.objects.for_org(org).get(
        stripe_payment_intent="pi_demo_" + chargeback.stripe_dispute_id.removeprefix("dp_demo_")
    )
    assert payment.chargeback_reason == BANK_REASON and payment.chargeback_at
    assert chargeback.invoice.status == InvoiceStatus.PAID
    assert chargeback.messages.filter(author=Author.BANK).exists()
    assert chargeback.messages.filter(internal=True, attachments__isnull=False).exists()

    # The files: a real PNG from the customer and a real PDF from the owner, on disk under
    # DISPUTE_FILES_ROOT as the disputes service stored them.
    files = DisputeAttachment.objects.for_org(org)
    assert {"image/png", "application/pdf"} <= set(files.values_list("content_type", flat=True))
    for attachment in files:
        content = stored_path(attachment).read_bytes()
        assert len(content) == attachment.size
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        magic = b"\x89PNG" if attachment.content_type == "image/png" else b"%PDF-"
        assert content.startswith(magic)
        assert attachment.created_at == attachment.message.created_at


def test_the_demo_has_promises_plans_and_disputes_in_every_state(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        report = seed("arranged")
    org = Organization.objects.get(slug="arranged")
    assert "a promise kept, a promise broken" in report and "a chargeback" in report
    check_promises(org)
    check_plans(org)
    check_disputes(org)

    # Everything the services wrote is dated in the story, before the demo's today.
    mine = AuditEvent.objects.for_org(org).filter(
        action__regex=r"^(plan|promise|dispute)\."
    )  # fmt: skip
    assert mine.count() > 30
    assert not mine.filter(created_at__gte=start_of_today(org)).exists()
    assert not Notice.objects.for_org(org).filter(created_at__gte=start_of_today(org)).exists()
    assert not Notice.objects.for_org(org).filter(emailed_at=None).exists()
    # The customers' messages went, at their moments; nothing was left for Celery.
    messages = Message.objects.for_org(org).filter(kind__in=KINDS)
    assert messages.count() > 10
    assert not messages.filter(status=MessageStatus.QUEUED).exists()
    assert not messages.filter(created_at__gte=start_of_today(org)).exists()
    for message in messages.filter(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED]):
        assert message.created_at < message.sent_at < message.created_at + timedelta(minutes=1)
    modules = {getattr(c, "__module__", "") for c in callbacks}
    assert not {"arhub.messaging.services", "arhub.services.notices"} & modules


def story_of(slug: str) -> list[tuple]:
    """Everything that tells the stories, by names rather than row ids (and without the
    organization's name, which messages give)."""
    plans = Instalment.objects.filter(organization__slug=slug).order_by("plan__created_at", "seq")
    disputes = Dispute.objects.filter(organization__slug=slug).order_by("opened_at")
    rows = [
        *PromiseToPay.objects.filter(organization__slug=slug)
        .order_by("created_at")
        .values_list("invoice__number", "promised_date", "amount", "status", "created_at",
                     "kept_at", "broken_at"),
        *plans.values_list("plan__status", "plan__created_at", "plan__total", "due_date",
                           "amount", "amount_paid", "paid_at"),
        *disputes.values_list("invoice__number", "kind", "status", "outcome", "opened_at",
                              "first_response_at", "resolved_at", "withdrawn_at"),
        *DisputeAttachment.objects.filter(organization__slug=slug)
        .order_by("created_at")
        .values_list("original_name", "sha256", "size", "created_at"),
        *Message.objects.filter(organization__slug=slug, kind__in=KINDS)
        .order_by("created_at", "channel")
        .values_list("invoice__number", "kind", "channel", "status", "created_at", "subject"),
        *Notice.objects.filter(organization__slug=slug)
        .order_by("created_at")
        .values_list("kind", "summary", "created_at", "read_at"),
    ]  # fmt: skip
    name = Organization.objects.get(slug=slug).name
    return [tuple(v.replace(name, "") if isinstance(v, str) else v for v in row) for row in rows]


def test_the_same_seed_and_today_tell_the_same_stories():
    seed("once")
    seed("again")
    told = story_of("once")
    assert len(told) > 60
    assert told == story_of("again")

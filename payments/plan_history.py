"""One payment plan's history as the owner reads it on the plan's page: asked for or offered,
the answer (approved, declined, countered, accepted), started, instalments moved (who and why),
the end (completed, broken, cancelled), and every message the customer was sent about it.

Read from the plan's own timestamps and rows, plus one query for its counter-offers, one for
the moves' authors (prefetched by the caller) and one for the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from arhub.models import Message, MessageKind, Organization, User
from payments.models import Instalment, PaymentPlan, PaymentPlanInvoice, PlanOrigin, PlanStatus

# Messages sent just after the plan ended (the "cancelled" email) still belong to it.
_AFTER_END = timedelta(minutes=5)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    text: str
    who: str = ""
    detail: str = ""
    url: str = ""
    url_text: str = ""


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


def _plan_url(plan: PaymentPlan) -> str:
    return reverse("plan_detail", args=[plan.pk])


def plan_history(
    *,
    org: Organization,
    plan: PaymentPlan,
    instalments: Sequence[Instalment],
    links: Sequence[PaymentPlanInvoice],
) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    if plan.origin == PlanOrigin.CUSTOMER:
        entries.append(
            HistoryEntry(plan.created_at, "Asked for by the customer", detail=plan.customer_note)
        )
    elif plan.counter_to_id is not None:
        entries.append(
            HistoryEntry(
                plan.created_at,
                "Counter-offer sent to the customer",
                who=_name(plan.created_by),
                url=reverse("plan_detail", args=[plan.counter_to_id]),
                url_text="See the request it answers",
            )
        )
    else:
        entries.append(
            HistoryEntry(plan.created_at, "Offered to the customer", who=_name(plan.created_by))
        )

    counters = list(PaymentPlan.objects.for_org(org).filter(counter_to=plan).order_by("pk"))
    if plan.decided_at is not None:
        who = _name(plan.decided_by)
        # A request answered with a counter-offer is closed as declined; say what happened.
        if counters:
            entries.append(
                HistoryEntry(
                    plan.decided_at,
                    "Answered with a counter-offer",
                    who,
                    url=_plan_url(counters[-1]),
                    url_text="See the counter-offer",
                )
            )
        elif plan.status == PlanStatus.DECLINED:
            entries.append(HistoryEntry(plan.decided_at, "Declined", who, plan.owner_message))
        else:
            entries.append(HistoryEntry(plan.decided_at, "Approved", who))
    if plan.accepted_at is not None:
        entries.append(HistoryEntry(plan.accepted_at, "Accepted by the customer on the pay page"))
    if plan.activated_at is not None:
        text = "Started"
        if plan.auto_approved:
            text = "Started at once: inside your rules for approving plans by themselves"
        entries.append(HistoryEntry(plan.activated_at, text))
    for item in instalments:
        for change in item.changes.all():
            entries.append(
                HistoryEntry(
                    change.created_at,
                    f"Instalment {item.seq} moved from {change.old_due_date:%-d %b %Y} to "
                    f"{change.new_due_date:%-d %b %Y}",
                    _name(change.changed_by),
                    change.reason,
                )
            )
    endings = (
        (plan.completed_at, "Completed: everything was paid"),
        (plan.broken_at, "Broken: an instalment stayed unpaid past the grace period"),
        (plan.cancelled_at, "Cancelled"),
    )
    for at, text in endings:
        if at is not None:
            entries.append(HistoryEntry(at, text, detail=plan.ended_reason))

    ends = [e for e in (plan.completed_at, plan.broken_at, plan.cancelled_at) if e is not None]
    if plan.status == PlanStatus.DECLINED and plan.decided_at is not None:
        ends.append(plan.decided_at)
    until = max(ends) + _AFTER_END if ends else timezone.now() + _AFTER_END
    sent = (
        Message.objects.for_org(org)
        .filter(
            kind=MessageKind.PLAN_UPDATE,
            customer_id=plan.customer_id,
            invoice_id__in=[link.invoice_id for link in links],
            created_at__gte=plan.created_at,
            created_at__lte=until,
        )
        .order_by("created_at", "pk")
    )
    for message in sent:
        entries.append(
            HistoryEntry(
                message.created_at,
                f"{message.get_channel_display()} to the customer: "
                f"{message.subject or message.body_text[:80]}",
                detail=f"{message.get_status_display()}, to {message.recipient}",
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries

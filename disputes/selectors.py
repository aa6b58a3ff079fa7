"""Reads of disputes, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arhub.models import Organization
from disputes.business_days import business_days_after, business_days_before
from disputes.models import (
    ACTIVE_DISPUTE_STATUSES,
    Dispute,
    DisputeAttachment,
    DisputeMessage,
    DisputeSettings,
    DisputeStatus,
)
from invoicing.models import Invoice


def active_disputes_by_invoice(
    *, org: Organization, invoice_ids: Iterable[int]
) -> dict[int, Dispute]:
    """The open or under-review dispute of each invoice that has one (the oldest), in one
    query: reminders pause for these."""
    found: dict[int, Dispute] = {}
    rows = (
        Dispute.objects.for_org(org)
        .filter(invoice_id__in=list(invoice_ids), status__in=ACTIVE_DISPUTE_STATUSES)
        .order_by("opened_at", "pk")
    )
    for dispute in rows:
        found.setdefault(dispute.invoice_id, dispute)
    return found


def dispute_settings_get(*, org: Organization) -> DisputeSettings:
    """The organization's dispute settings; the defaults (unsaved) until changed."""
    found = DisputeSettings.objects.for_org(org).first()
    return found if found is not None else DisputeSettings(organization=org)


def response_cutoff(*, org: Organization, days: int, now: datetime | None = None) -> datetime:
    """A dispute waiting on the owner since before this has waited longer than ``days``
    business days, counted in the organization's time zone."""
    local = (now or timezone.now()).astimezone(ZoneInfo(org.timezone))
    return business_days_before(local, days)


def response_due_by(*, org: Organization, since: datetime, days: int) -> datetime:
    return business_days_after(since.astimezone(ZoneInfo(org.timezone)), days)


def dispute_list(*, org: Organization, status: str | None = None) -> QuerySet[Dispute]:
    """Newest first, with ``age`` (since opened) and ``overdue_response`` (active and waiting
    on the owner longer than the response target, in business days)."""
    target = dispute_settings_get(org=org).response_target_days
    # The application's clock (not the database's), as the cutoff is reckoned by.
    now = timezone.now()
    cutoff = response_cutoff(org=org, days=target, now=now)
    rows = (
        Dispute.objects.for_org(org)
        .select_related("invoice", "customer")
        .annotate(
            age=ExpressionWrapper(
                Value(now, output_field=DateTimeField()) - F("opened_at"),
                output_field=DurationField(),
            ),
            overdue_response=Case(
                When(
                    Q(status__in=ACTIVE_DISPUTE_STATUSES, awaiting_owner_since__lt=cutoff),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    if status:
        rows = rows.filter(status=status)
    return rows


def dispute_get(*, org: Organization, dispute_id: int) -> Dispute:
    """Http404 for another organization's dispute (or none)."""
    return get_object_or_404(
        Dispute.objects.for_org(org).select_related(
            "invoice", "customer", "credit_note", "opened_by", "resolved_by"
        ),
        pk=dispute_id,
    )


def disputes_for_invoice(*, org: Organization, invoice: Invoice) -> list[Dispute]:
    """Every dispute of the invoice, newest first."""
    return list(Dispute.objects.for_org(org).filter(invoice=invoice).order_by("-opened_at", "-pk"))


def _messages(dispute: Dispute) -> QuerySet[DisputeMessage]:
    return (
        DisputeMessage.objects.filter(organization_id=dispute.organization_id, dispute=dispute)
        .select_related("author_user")
        .prefetch_related(
            Prefetch("attachments", queryset=DisputeAttachment.objects.order_by("created_at", "pk"))
        )
        .order_by("created_at", "pk")
    )


def customer_thread(*, dispute: Dispute) -> list[DisputeMessage]:
    """What the customer may read: the thread without internal notes, attachments prefetched."""
    return list(_messages(dispute).filter(internal=False))


def owner_thread(*, dispute: Dispute) -> list[DisputeMessage]:
    """The whole thread for the organization's members, internal notes included."""
    return list(_messages(dispute))


def dispute_attachment_get(
    *, org: Organization, dispute: Dispute, attachment_id: int
) -> DisputeAttachment:
    return get_object_or_404(
        DisputeAttachment.objects.for_org(org).filter(dispute=dispute), pk=attachment_id
    )


def dispute_status_counts(*, org: Organization) -> dict[str, int]:
    counts = dict.fromkeys(DisputeStatus.values, 0)
    rows = Dispute.objects.for_org(org).order_by().values("status").annotate(count=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts

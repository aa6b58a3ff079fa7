"""Reads of disputes, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable

from arhub.models import Organization
from disputes.models import ACTIVE_DISPUTE_STATUSES, Dispute


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

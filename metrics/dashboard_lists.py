"""The dashboard's short lists and its one cash figure: what waits on the owner (disputes, plan
requests), promises lately broken, and what came in this month. Reads only, each inside one
organization, each a query or two however much data there is.

"Collected" is money received, by the day it was received (``received_on``): completed
payments in the currency, less what was refunded in the same days (by the refund's org-local
date). A reversed payment (a bounced cheque) never counts: it was not money in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Model, QuerySet, Sum

from arhub.models import Organization
from disputes.models import ACTIVE_DISPUTE_STATUSES, Dispute
from invoicing.models import Invoice, InvoiceStatus
from payments.models import (
    Payment,
    PaymentPlan,
    PaymentRefund,
    PaymentStatus,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

ZERO = Decimal(0)
T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Shortlist(Generic[T]):
    """The first few rows and how many there are in all (for "and 12 more")."""

    rows: list[T]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def _short(rows: QuerySet[T], limit: int) -> Shortlist[T]:
    first = list(rows[: limit + 1])
    if len(first) <= limit:
        return Shortlist(first, len(first))
    return Shortlist(first[:limit], rows.count())


def _local_midnight(org: Organization, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(org.timezone))


def collected_between(*, org: Organization, start: date, end: date, currency: str) -> Decimal:
    """Money received from ``start`` to ``end`` (both inclusive, org-local days), less refunds
    made in those days."""
    received = (
        Payment.objects.for_org(org)
        .filter(
            currency=currency,
            status=PaymentStatus.COMPLETED,
            received_on__gte=start,
            received_on__lte=end,
        )
        .aggregate(total=Sum("amount"))["total"]
    )
    refunded = (
        PaymentRefund.objects.for_org(org)
        .filter(
            payment__currency=currency,
            created_at__gte=_local_midnight(org, start),
            created_at__lt=_local_midnight(org, end + timedelta(days=1)),
        )
        .aggregate(total=Sum("amount"))["total"]
    )
    return (received or ZERO) - (refunded or ZERO)


def disputes_waiting(*, org: Organization, limit: int = 5) -> Shortlist[Dispute]:
    """Open or under-review disputes whose last word was the customer's, longest waiting first."""
    rows = (
        Dispute.objects.for_org(org)
        .filter(status__in=ACTIVE_DISPUTE_STATUSES, awaiting_owner_since__isnull=False)
        .select_related("invoice", "customer")
        .order_by("awaiting_owner_since", "pk")
    )
    return _short(rows, limit)


def plan_requests_waiting(*, org: Organization, limit: int = 5) -> Shortlist[PaymentPlan]:
    """Plans customers asked for that nobody has answered, oldest first."""
    rows = (
        PaymentPlan.objects.for_org(org)
        .filter(status=PlanStatus.PROPOSED, origin=PlanOrigin.CUSTOMER)
        .select_related("customer")
        .order_by("created_at", "pk")
    )
    return _short(rows, limit)


def promises_broken(*, org: Organization, since: date, limit: int = 5) -> Shortlist[PromiseToPay]:
    """Promises to pay broken on or after ``since`` (org-local), most recent first."""
    rows = (
        PromiseToPay.objects.for_org(org)
        .filter(status=PromiseStatus.BROKEN, broken_at__gte=_local_midnight(org, since))
        .select_related("invoice", "customer")
        .order_by("-broken_at", "-pk")
    )
    return _short(rows, limit)


def issued_invoices_exist(*, org: Organization) -> bool:
    """Whether there is anything to measure: an invoice that was ever issued."""
    return (
        Invoice.objects.for_org(org)
        .exclude(status=InvoiceStatus.DRAFT)
        .filter(issue_date__isnull=False)
        .exists()
    )


def currencies_in_use(*, org: Organization) -> list[str]:
    """The organization's default currency first, then every other currency it has issued an
    invoice in, alphabetically: the choices of a report's currency field."""
    used = (
        Invoice.objects.for_org(org)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by()
        .values_list("currency", flat=True)
        .distinct()
    )
    return [org.default_currency, *sorted(set(used) - {org.default_currency})]

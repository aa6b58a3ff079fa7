"""Reads of payment plans, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable

from arhub.models import Organization
from payments.models import PaymentPlan, PaymentPlanInvoice, PlanStatus


def active_plans_by_invoice(
    *, org: Organization, invoice_ids: Iterable[int]
) -> dict[int, PaymentPlan]:
    """The active plan each invoice is in, in one query: the plan's own reminders replace the
    normal policy for these."""
    links = (
        PaymentPlanInvoice.objects.for_org(org)
        .filter(
            invoice_id__in=list(invoice_ids),
            released_at__isnull=True,
            plan__status=PlanStatus.ACTIVE,
        )
        .select_related("plan")
    )
    return {link.invoice_id: link.plan for link in links}

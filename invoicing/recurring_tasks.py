"""Celery tasks for recurring invoices (thin: take ids, call a service).

Beat runs ``recurring_invoices_sweep`` every few minutes (arhub/celery.py); it queues one
``recurring_invoice_issue`` per due template. Both are safe to run twice or side by side: the
template's row lock and the unique (template, period) constraint make each period one invoice.
"""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from invoicing import recurring_services


@shared_task(acks_late=True)
def recurring_invoices_sweep() -> int:
    return recurring_services.recurring_sweep()


@shared_task(acks_late=True)
def recurring_invoice_issue(org_id: int, template_id: int) -> int:
    """Issue every due period of one template (a caught-up outage issues each missed period
    once); returns how many invoices were issued."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(recurring_services.recurring_catch_up(org=org, template_id=template_id))

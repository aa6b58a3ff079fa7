"""Celery task for sending invoices (thin: take ids, call the service)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from arhub.models import Organization
from invoicing import sending


@shared_task(acks_late=True)
def invoice_send_task(org_id: int, invoice_id: int, requested_at: str) -> int:
    """Write and queue the messages of one "Send". Delivered twice, it writes them once."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    messages = sending.invoice_messages_queue(
        org=org, invoice_id=invoice_id, requested_at=datetime.fromisoformat(requested_at)
    )
    return len(messages)

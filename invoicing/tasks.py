"""Background work for customers. Tasks stay thin: take ids, load the organization, call a
service."""

from __future__ import annotations

from celery import shared_task

from arhub.models import Organization
from invoicing import import_services


@shared_task(acks_late=True)
def customer_import_run(org_id: int, import_id: int) -> str:
    """Write a confirmed customer import. Safe to deliver twice: the service claims the import
    and takes a lock, so a second delivery finds nothing to do."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return "missing"
    customer_import = import_services.customer_import_run(org=org, import_id=import_id)
    return customer_import.status if customer_import is not None else "missing"


@shared_task(acks_late=True)
def customer_imports_requeue_stale() -> int:
    return import_services.customer_imports_requeue_stale()


# Invoice tasks live beside their services; importing them here registers them with the worker
# (autodiscovery looks only for this module).
from invoicing import bulk_tasks, recurring_tasks, send_tasks  # noqa: E402, F401

"""Reads for the Reminders pages and the reminder-policy API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from arhub.models import Organization
from invoicing.models import Customer, Invoice
from invoicing.models.invoices import OUTSTANDING_STATUSES
from reminders.models import CustomerReminders, ReminderPolicy, ReminderStep


def _with_steps(policies: QuerySet[ReminderPolicy]) -> QuerySet[ReminderPolicy]:
    steps = ReminderStep.objects.order_by("offset_days", "pk")
    return policies.prefetch_related(Prefetch("steps", queryset=steps))


def policy_list(*, org: Organization) -> QuerySet[ReminderPolicy]:
    """The organization's policies with their steps, the default first, then by name."""
    return _with_steps(ReminderPolicy.objects.for_org(org)).order_by(
        "-is_default", Lower("name"), "pk"
    )


def policy_get(*, org: Organization, policy_id: int) -> ReminderPolicy:
    """One of the organization's policies with its steps, or 404 (another tenant's id too)."""
    return get_object_or_404(_with_steps(ReminderPolicy.objects.for_org(org)), pk=policy_id)


def policy_customer_counts(*, org: Organization) -> dict[int, int]:
    """How many customers each policy applies to: those assigned to it, and for the default
    everyone not assigned to another (a customer whose policy is the default counts once)."""
    policies = dict(ReminderPolicy.objects.for_org(org).values_list("pk", "is_default"))
    assigned = dict(
        CustomerReminders.objects.for_org(org)
        .filter(policy__isnull=False)
        .values_list("policy")
        .annotate(n=Count("pk"))
        .values_list("policy", "n")
    )
    counts = {pk: 0 if is_default else assigned.get(pk, 0) for pk, is_default in policies.items()}
    default = next((pk for pk, is_default in policies.items() if is_default), None)
    if default is not None:
        elsewhere = sum(n for pk, n in assigned.items() if pk != default and pk in policies)
        counts[default] = Customer.objects.for_org(org).count() - elsewhere
    return counts


def policy_preview_invoice(*, org: Organization, customer: Customer) -> Invoice | None:
    """The invoice a reminder preview is about: the customer's latest one still owed, else
    their latest issued one, else none (the preview then uses sample figures)."""
    issued = (
        Invoice.objects.for_org(org)
        .filter(customer=customer, due_date__isnull=False)
        .exclude(number="")
        .order_by("-issue_date", "-pk")
    )
    return issued.filter(status__in=OUTSTANDING_STATUSES).first() or issued.first()

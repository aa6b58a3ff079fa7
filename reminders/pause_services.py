"""Writes for holding reminders back: pausing one invoice's, pausing all of a customer's, and
choosing which policy a customer follows.

Each is audited (as a settings change: the reminder arrangements of the organization). A pause
only stops what has not gone yet: the sweep plans nothing for a held invoice, and the sender
asks again right before it sends, so a reminder already queued is skipped with the reason.
Resuming lets the sweep catch up with only the latest step whose day has come, never a burst.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arhub.models import AuditAction, Organization, User
from arhub.services.audit import audit_record
from invoicing.invoice_input import NotInOrganization
from invoicing.models import Customer, Invoice
from reminders.models import CustomerReminders, InvoiceReminderPause, ReminderPolicy

REASON_MAX = 300


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"A reason has at most {REASON_MAX} characters."})
    return reason


def _locked_invoice(org: Organization, invoice: Invoice) -> Invoice:
    locked = Invoice.objects.for_org(org).select_for_update().filter(pk=invoice.pk).first()
    if locked is None:
        raise NotInOrganization("invoice", f"Invoice {invoice.pk} does not exist.")
    return locked


def _locked_customer(org: Organization, customer: Customer) -> Customer:
    locked = Customer.objects.for_org(org).select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise NotInOrganization("customer", f"Customer {customer.pk} does not exist.")
    return locked


# ---- One invoice


def invoice_reminders_pause(
    *, org: Organization, actor: User | None, invoice: Invoice, reason: str
) -> InvoiceReminderPause:
    """Stop the invoice's reminders until resumed. Pausing again changes the reason."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked_invoice(org, invoice)
        if not locked.is_outstanding:
            state = locked.get_status_display().lower()
            words = f"Invoice {locked.number or locked.pk} is {state}: it gets no reminders, "
            raise ValidationError({"invoice": words + "so there is nothing to pause."})
        pause, _ = InvoiceReminderPause.objects.update_or_create(
            organization=org,
            invoice=locked,
            defaults={"reason": reason, "paused_at": timezone.now(), "paused_by": actor},
        )
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Paused reminders for invoice {locked.number}"
            + (f": {reason}" if reason else ""),
            data={"reminders": "invoice_paused", "invoice": locked.pk, "reason": reason},
        )
    return pause


def invoice_reminders_resume(
    *, org: Organization, actor: User | None, invoice: Invoice, reason: str = ""
) -> bool:
    """Let the invoice's reminders go again. False when they were not paused (nothing done)."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked_invoice(org, invoice)
        deleted, _ = InvoiceReminderPause.objects.for_org(org).filter(invoice=locked).delete()
        if not deleted:
            return False
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Resumed reminders for invoice {locked.number}"
            + (f": {reason}" if reason else ""),
            data={"reminders": "invoice_resumed", "invoice": locked.pk, "reason": reason},
        )
    return True


# ---- A customer


def _settings_row(org: Organization, customer: Customer) -> CustomerReminders:
    row, _ = CustomerReminders.objects.get_or_create(
        organization=org, customer=customer, defaults={}
    )
    return row


def customer_reminders_set_policy(
    *, org: Organization, actor: User | None, customer: Customer, policy_id: int | None
) -> CustomerReminders:
    """The policy the customer's invoices follow; None for the organization's default (which
    then follows whichever policy is the default)."""
    with transaction.atomic():
        locked = _locked_customer(org, customer)
        policy = None
        if policy_id is not None:
            policy = ReminderPolicy.objects.for_org(org).filter(pk=policy_id).first()
            if policy is None:
                raise NotInOrganization("policy", f"Reminder policy {policy_id} does not exist.")
        row = _settings_row(org, locked)
        if row.policy_id == (policy.pk if policy else None):
            return row
        row.policy = policy
        row.save(update_fields=["policy"])
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"{locked.display_name} now follows the "
            + (f"{policy.name} reminder policy" if policy else "default reminder policy"),
            data={
                "reminders": "customer_policy",
                "customer": locked.pk,
                "policy": policy.pk if policy else None,
            },
        )
    return row


def customer_reminders_pause(
    *, org: Organization, actor: User | None, customer: Customer, reason: str
) -> CustomerReminders:
    """Stop every reminder to the customer until resumed. Pausing again changes the reason."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked_customer(org, customer)
        row = _settings_row(org, locked)
        row.paused, row.paused_reason = True, reason
        row.paused_at, row.paused_by = timezone.now(), actor
        row.save(update_fields=["paused", "paused_reason", "paused_at", "paused_by"])
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Paused all reminders to {locked.display_name}"
            + (f": {reason}" if reason else ""),
            data={"reminders": "customer_paused", "customer": locked.pk, "reason": reason},
        )
    return row


def customer_reminders_resume(
    *, org: Organization, actor: User | None, customer: Customer
) -> CustomerReminders | None:
    """Let the customer's reminders go again; None when they were not paused (nothing done)."""
    with transaction.atomic():
        locked = _locked_customer(org, customer)
        row = CustomerReminders.objects.for_org(org).filter(customer=locked, paused=True).first()
        if row is None:
            return None
        row.paused, row.paused_reason, row.paused_at, row.paused_by = False, "", None, None
        row.save(update_fields=["paused", "paused_reason", "paused_at", "paused_by"])
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            summary=f"Resumed reminders to {locked.display_name}",
            data={"reminders": "customer_resumed", "customer": locked.pk},
        )
    return row

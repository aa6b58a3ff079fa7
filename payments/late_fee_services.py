"""Charging late fees on overdue invoices, and waiving one.

``late_fees_apply`` runs once a day per organization (``payments.tasks``). It finds the
outstanding invoices past their due date whose terms carry a late fee, then, a batch at a time,
locks them (ordered by id, as payments do), reads the fees they already have, and writes the
fees due (``payments.late_fee_rules``) with the invoices' new balances: a fixed number of
queries per batch. Under the invoice's lock nobody else can charge it, and the unique
(invoice, period_start) constraint is the backstop, so running twice in a day, or again after a
missed day, charges each period once; after an outage of months each missed period is charged
once, dated its own day.

A fee is only ever waived, never deleted: the waiver keeps who, when and why, and the invoice
owes the fee no more.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from arhub.clock import org_today
from arhub.models import AuditAction, Organization, User
from arhub.money import ZERO, money_format
from arhub.services.audit import audit_record
from invoicing.invoice_balances import invoice_balances_write
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_status_refresh
from invoicing.models import OUTSTANDING_STATUSES, Invoice, LateFee, LateFeeKind
from invoicing.terms import Terms, sentence_locale
from payments.late_fee_rules import ChargedFee, late_fees_due
from payments.models import PaymentPlanInvoice, PlanStatus
from payments.selectors import payment_settings_get

# Invoices locked and charged in one transaction: short locks, a fixed number of queries each.
BATCH = 200


class LateFeeStateError(ValidationError):
    """The fee cannot be waived as it stands; the message says why."""


def _overdue_ids(org: Organization, day: date) -> list[int]:
    # An invoice an active payment plan covers is paid on the plan's dates, not late: no fee
    # while the plan holds. If it breaks, the invoice's own terms apply again, periods missed
    # meanwhile included (each dated its own day, as after any gap).
    on_plan = PaymentPlanInvoice.objects.filter(
        invoice=OuterRef("pk"), released_at__isnull=True, plan__status=PlanStatus.ACTIVE
    )
    return list(
        Invoice.objects.for_org(org)
        .filter(
            status__in=OUTSTANDING_STATUSES,
            balance_due__gt=0,
            due_date__lt=day,
            terms__late_fee_kind__in=[LateFeeKind.FLAT, LateFeeKind.PERCENT],
        )
        .exclude(Exists(on_plan))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _charge_batch(org: Organization, ids: list[int], day: date) -> list[LateFee]:
    with transaction.atomic():
        invoices = list(
            Invoice.objects.for_org(org)
            .select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk__in=ids, status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
            .order_by("pk")
        )
        charged: dict[int, list[ChargedFee]] = defaultdict(list)
        rows = LateFee.objects.for_org(org).filter(invoice_id__in=[i.pk for i in invoices])
        for invoice_id, start, amount, waived_at in rows.values_list(
            "invoice_id", "period_start", "amount", "waived_at"
        ):
            charged[invoice_id].append(ChargedFee(start, amount, waived_at is not None))
        now = timezone.now()
        new: list[LateFee] = []
        changed: list[Invoice] = []
        for invoice in invoices:
            if invoice.due_date is None:
                continue
            language = invoice.customer.language
            due = late_fees_due(
                terms=Terms.from_json(invoice.terms),
                due_date=invoice.due_date,
                total=invoice.total,
                balance=invoice.balance_due,
                charged=charged[invoice.pk],
                day=day,
                currency=invoice.currency,
                language=language,
                locale=sentence_locale(org_locale=org.locale, language=language),
            )
            if not due:
                continue
            new += [
                LateFee(
                    organization=org,
                    invoice=invoice,
                    period_start=fee.period_start,
                    charged_on=fee.period_start,
                    amount=fee.amount,
                    basis=fee.basis,
                    rule=fee.rule[:300],
                    created_at=now,
                )
                for fee in due
            ]
            invoice.fees_total += sum((fee.amount for fee in due), ZERO)
            invoice_status_refresh(invoice)
            changed.append(invoice)
        LateFee.objects.bulk_create(new)
        invoice_balances_write(org=org, invoices=changed, now=now)
    return new


def late_fees_apply(*, org: Organization, day: date | None = None) -> list[LateFee]:
    """Charge the fees due by ``day`` (the organization's today) on its overdue invoices.
    Nothing when the organization has late fees turned off."""
    if not payment_settings_get(org=org).late_fees_enabled:
        return []
    day = day or org_today(org)
    ids = _overdue_ids(org, day)
    charged: list[LateFee] = []
    for start in range(0, len(ids), BATCH):
        charged += _charge_batch(org, ids[start : start + BATCH], day)
    return charged


def late_fee_waive(*, org: Organization, actor: User | None, fee: LateFee, reason: str) -> LateFee:
    """Forgive a fee: the invoice owes it no more. Only a fee still owed can be waived; one the
    customer has paid is given back with a refund or a credit note instead."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the fee is waived, e.g. “first late payment, as a courtesy”."}
        )
    if len(reason) > 300:
        raise ValidationError({"reason": "A reason has at most 300 characters."})
    with transaction.atomic():
        # The invoice first, as every balance change locks it; then the fee under it.
        invoice = Invoice.objects.for_org(org).select_for_update().filter(pk=fee.invoice_id).first()
        locked = (
            LateFee.objects.for_org(org)
            .select_for_update()
            .filter(pk=fee.pk, invoice_id=fee.invoice_id)
            .first()
        )
        if invoice is None or locked is None:
            raise NotInOrganization("fee", f"Late fee {fee.pk} does not exist.")
        if locked.is_waived:
            raise LateFeeStateError({"fee": "This fee was already waived."})
        if not invoice.is_outstanding or invoice.balance_due < locked.amount:
            raise LateFeeStateError(
                {
                    "fee": "This fee has been paid, so there is nothing to waive. To give the "
                    "money back, refund the payment or issue a credit note."
                }
            )
        now = timezone.now()
        locked.waived_at = now
        locked.waived_by = actor
        locked.waive_reason = reason
        locked.save(update_fields=["waived_at", "waived_by", "waive_reason"])
        invoice.fees_total -= locked.amount
        invoice_status_refresh(invoice)
        invoice.save(update_fields=["fees_total", "balance_due", "status", "paid_at", "updated_at"])
        shown = money_format(locked.amount, invoice.currency, org.locale)
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.LATE_FEE_WAIVED,
            summary=f"Waived the late fee of {shown} on invoice {invoice.number}: {reason}",
            data={
                "invoice": invoice.pk,
                "fee": locked.pk,
                "amount": str(locked.amount),
                "currency": invoice.currency,
                "period_start": locked.period_start.isoformat(),
                "reason": reason,
            },
        )
    return locked

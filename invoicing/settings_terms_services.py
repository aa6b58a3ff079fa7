"""Writes for named payment terms ("Net 30", "2/10 net 30", "End of month + 15").

An invoice copies its terms when it is issued (``invoicing.terms.Terms``), so editing or
deleting terms never changes an issued invoice; it changes what new invoices get.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from arhub.models import AuditAction, Organization, User
from arhub.services.audit import audit_record
from invoicing.models import (
    Customer,
    LateFeeKind,
    PaymentTerms,
    RecurringInvoice,
    RecurringStatus,
    TermsKind,
)

HUNDRED = Decimal(100)
MAX_DAYS = 365
MAX_FEE = Decimal("1e12")
# The kinds a named terms may have; "fixed" is a date chosen on one invoice.
NAMED_KINDS = (TermsKind.NET, TermsKind.RECEIPT, TermsKind.END_OF_MONTH)


@dataclass
class PaymentTermsInput:
    name: str
    kind: str = TermsKind.NET
    days: int | None = 30
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    late_fee_kind: str = LateFeeKind.NONE
    late_fee_amount: Decimal | None = None
    late_fee_percent: Decimal | None = None
    late_fee_grace_days: int | None = None
    late_fee_cap_percent: Decimal | None = None
    late_fee_compound: bool = False
    # Make these the organization's default (on update: False leaves the default alone).
    is_default: bool = False


def _places(value: Decimal, places: int) -> bool:
    return value == value.quantize(Decimal(1).scaleb(-places))


def _days(data: PaymentTermsInput, errors: dict[str, str]) -> int:
    if data.kind == TermsKind.RECEIPT:
        return 0
    if data.days is None:
        errors["days"] = "Give the number of days, e.g. 30."
        return 0
    if not 0 <= data.days <= MAX_DAYS:
        errors["days"] = f"Between 0 and {MAX_DAYS} days."
    elif data.kind == TermsKind.NET and data.days == 0:
        errors["days"] = "For payment on the invoice date, choose “Due on receipt”."
    return data.days


def _discount(
    data: PaymentTermsInput, days: int, errors: dict[str, str]
) -> tuple[Decimal | None, int | None]:
    percent, within = data.discount_percent, data.discount_days
    if percent is None and within is None:
        return None, None
    if data.kind == TermsKind.RECEIPT:
        errors["discount_percent"] = (
            "An invoice due on receipt leaves no time for an early-payment discount. "
            "Leave the discount empty, or choose net days."
        )
        return None, None
    if percent is None:
        errors["discount_percent"] = "Give the discount percentage, e.g. 2 for 2%."
    elif not 0 < percent < HUNDRED:
        errors["discount_percent"] = "A discount is more than 0% and less than 100%."
    elif not _places(percent, 2):
        errors["discount_percent"] = "At most 2 decimal places, e.g. 1.5."
    if within is None:
        errors["discount_days"] = (
            "Say within how many days of the invoice date the discount applies, e.g. 10."
        )
    elif within < 1:
        errors["discount_days"] = "At least 1 day."
    elif "days" not in errors and within >= days:
        if data.kind == TermsKind.NET:
            errors["discount_days"] = (
                f"The discount has to end before the invoice is due: fewer than {days} days."
            )
        elif days == 0:
            errors["discount_days"] = (
                "An invoice dated the last day of a month is due that same day under these "
                "terms, so they leave no time for a discount."
            )
        else:
            errors["discount_days"] = (
                "The discount has to end before the invoice is due. An invoice dated the last "
                f"day of a month is due {days} days later, so fewer than {days} days."
            )
    return percent, within


def _late_fee(data: PaymentTermsInput, errors: dict[str, str]) -> dict[str, object]:
    kind = data.late_fee_kind
    none: dict[str, object] = {
        "late_fee_kind": LateFeeKind.NONE,
        "late_fee_amount": None,
        "late_fee_percent": None,
        "late_fee_grace_days": 0,
        "late_fee_cap_percent": None,
        "late_fee_compound": False,
    }
    if kind not in LateFeeKind.values:
        errors["late_fee_kind"] = "Choose no late fee, a flat fee or a monthly percentage."
        return none
    if kind == LateFeeKind.NONE:
        # Values typed for another kind and left behind are not kept.
        return none
    values = {**none, "late_fee_kind": kind}
    if kind == LateFeeKind.FLAT:
        amount = data.late_fee_amount
        if amount is None:
            errors["late_fee_amount"] = "A flat fee needs an amount, e.g. 25."
        elif not 0 < amount < MAX_FEE:
            errors["late_fee_amount"] = "The fee is more than 0."
        elif not _places(amount, 3):
            errors["late_fee_amount"] = "At most 3 decimal places."
        values["late_fee_amount"] = amount
    else:
        percent = data.late_fee_percent
        if percent is None:
            errors["late_fee_percent"] = "A monthly fee needs a percentage, e.g. 1.5 for 1.5%."
        elif not 0 < percent <= HUNDRED:
            errors["late_fee_percent"] = "More than 0% and at most 100% a month."
        elif not _places(percent, 3):
            errors["late_fee_percent"] = "At most 3 decimal places."
        values["late_fee_percent"] = percent
        values["late_fee_compound"] = data.late_fee_compound
    grace = data.late_fee_grace_days or 0
    if not 0 <= grace <= MAX_DAYS:
        errors["late_fee_grace_days"] = f"Between 0 and {MAX_DAYS} days."
    values["late_fee_grace_days"] = grace
    cap = data.late_fee_cap_percent
    if cap is not None:
        if not 0 < cap <= HUNDRED:
            errors["late_fee_cap_percent"] = (
                "The cap is a share of the invoice total: more than 0% and at most 100%."
            )
        elif not _places(cap, 2):
            errors["late_fee_cap_percent"] = "At most 2 decimal places."
    values["late_fee_cap_percent"] = cap
    return values


def payment_terms_validate(
    org: Organization, data: PaymentTermsInput, current: PaymentTerms | None = None
) -> dict[str, object]:
    """The model fields as they will be stored, or one ValidationError naming each bad
    field."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "Give the terms a name, e.g. Net 30."
    elif len(name) > 60:
        errors["name"] = "At most 60 characters."
    elif (
        PaymentTerms.objects.for_org(org)
        .filter(name__iexact=name)
        .exclude(pk__in=[current.pk] if current else [])
        .exists()
    ):
        errors["name"] = f"You already have payment terms called “{name}”."
    if data.kind not in NAMED_KINDS:
        errors["kind"] = (
            "Choose net days, due on receipt or end of month. A fixed due date is chosen on "
            "the invoice itself."
        )
        days = 0
    else:
        days = _days(data, errors)
    discount_percent, discount_days = _discount(data, days, errors)
    late_fee = _late_fee(data, errors)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": data.kind,
        "days": days,
        "discount_percent": discount_percent,
        "discount_days": discount_days,
        **late_fee,
    }


def _audit(org: Organization, actor: User | None, summary: str, terms: PaymentTerms) -> None:
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.SETTINGS_CHANGED,
        summary=summary,
        data={"payment_terms": terms.pk},
    )


def _set_default(org: Organization, terms: PaymentTerms) -> None:
    # The organization's row is the lock every default change takes, so two people choosing
    # different defaults at once take turns; the old default is cleared before the new one is
    # set, so the one-default constraint holds at every step.
    Organization.objects.select_for_update().filter(pk=org.pk).first()
    PaymentTerms.objects.for_org(org).filter(is_default=True).exclude(pk=terms.pk).update(
        is_default=False
    )
    PaymentTerms.objects.for_org(org).filter(pk=terms.pk).update(is_default=True)
    terms.is_default = True


def _clash(exc: IntegrityError) -> ValidationError:
    if "terms_name_unique" in str(exc):
        return ValidationError({"name": "Payment terms with that name were just added."})
    if "terms_one_default" in str(exc):
        return ValidationError("Someone changed the default terms just now. Please try again.")
    raise exc


def payment_terms_create(
    *, org: Organization, actor: User | None, data: PaymentTermsInput
) -> PaymentTerms:
    values = payment_terms_validate(org, data)
    try:
        with transaction.atomic():
            terms = PaymentTerms.objects.create(organization=org, **values)
            if data.is_default:
                _set_default(org, terms)
            _audit(org, actor, f"Added payment terms {terms.name}", terms)
    except IntegrityError as exc:
        raise _clash(exc) from exc
    return terms


def payment_terms_update(
    *, org: Organization, actor: User | None, terms: PaymentTerms, data: PaymentTermsInput
) -> PaymentTerms:
    """Change named terms. Invoices already issued keep the terms they were issued with."""
    try:
        with transaction.atomic():
            locked = PaymentTerms.objects.for_org(org).select_for_update().get(pk=terms.pk)
            values = payment_terms_validate(org, data, locked)
            for name, value in values.items():
                setattr(locked, name, value)
            locked.save()
            if data.is_default and not locked.is_default:
                _set_default(org, locked)
            _audit(org, actor, f"Changed payment terms {locked.name}", locked)
    except IntegrityError as exc:
        raise _clash(exc) from exc
    return locked


def payment_terms_make_default(
    *, org: Organization, actor: User | None, terms: PaymentTerms
) -> PaymentTerms:
    """Make these the terms of every customer without terms of their own. Exactly one
    default: the old one stops being it in the same transaction."""
    try:
        with transaction.atomic():
            locked = PaymentTerms.objects.for_org(org).select_for_update().get(pk=terms.pk)
            if not locked.is_default:
                _set_default(org, locked)
                _audit(org, actor, f"Made {locked.name} the default payment terms", locked)
    except IntegrityError as exc:
        raise _clash(exc) from exc
    return locked


def _names(names: list[str], total: int) -> str:
    shown = ", ".join(names[:3])
    more = total - len(names[:3])
    return f"{shown} and {more} more" if more > 0 else shown


def payment_terms_delete(*, org: Organization, actor: User | None, terms: PaymentTerms) -> None:
    """Delete terms nobody uses. Customers and recurring invoices that name them must be
    moved to other terms first, so none of them changes terms without anyone noticing."""
    with transaction.atomic():
        locked = PaymentTerms.objects.for_org(org).select_for_update().get(pk=terms.pk)
        customers = Customer.objects.for_org(org).filter(payment_terms=locked)
        count = customers.count()
        if count:
            names = list(
                customers.order_by("display_name").values_list("display_name", flat=True)[:3]
            )
            raise ValidationError(
                f"{_names(names, count)} {'uses' if count == 1 else 'use'} {locked.name}. "
                "Choose other payment terms for "
                f"{'that customer' if count == 1 else 'those customers'} first, then delete "
                "these."
            )
        recurring = (
            RecurringInvoice.objects.for_org(org)
            .filter(payment_terms=locked)
            .exclude(status=RecurringStatus.FINISHED)
        )
        count = recurring.count()
        if count:
            names = list(recurring.order_by("name").values_list("name", flat=True)[:3])
            raise ValidationError(
                f"The recurring invoice{'' if count == 1 else 's'} {_names(names, count)} "
                f"{'uses' if count == 1 else 'use'} {locked.name}. Choose other terms there "
                "first, then delete these."
            )
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError as exc:  # a customer took them between the check and now
            raise ValidationError(
                f"A customer was just given {locked.name}. Choose other terms for them first."
            ) from exc
        _audit(org, actor, f"Deleted payment terms {terms.name}", terms)

"""Writes for the invoice settings: numbering, paper and payment details, and tax rates (named
payment terms are in ``settings_terms_services``). Each checks its input and raises one
ValidationError naming every bad field before anything is written; each change leaves an audit
row.

Issued invoices copy what they need (the terms as JSON, each tax's name and percentage), so
nothing here changes an invoice already issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from arhub.models import AuditAction, Organization, User
from arhub.services.audit import audit_record
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import (
    CreditNote,
    Invoice,
    InvoiceLineTax,
    InvoiceSettings,
    NumberSequence,
    PaperSize,
    PaymentMethod,
    RecurringInvoice,
    SequenceKind,
    TaxRate,
)
from invoicing.numbering import number_format

HUNDRED = Decimal(100)
# Numbers go into file names, URLs and bank references: letters, digits and - _ . only.
PREFIX_RE = re.compile(r"^[\w.-]*$", re.ASCII)


def tax_rate_label(rate: TaxRate) -> str:
    """ "VAT (20%)". Not the model's str(): Decimal.normalize() prints 20 as 2E+1."""
    return f"{rate.name} ({rate.percent.normalize():f}%)"


def _audit(org: Organization, actor: User | None, summary: str, data: dict[str, object]) -> None:
    audit_record(
        org=org, actor=actor, action=AuditAction.SETTINGS_CHANGED, summary=summary, data=data
    )


# ---- numbering, paper and payment details


@dataclass
class InvoiceSettingsInput:
    invoice_prefix: str = "INV-"
    credit_note_prefix: str = "CN-"
    number_include_year: bool = True
    number_padding: int = 4
    paper_size: str = PaperSize.A4
    accepted_methods: list[str] = field(default_factory=list)
    payment_instructions: str = ""
    default_notes: str = ""
    footer: str = ""


def invoice_settings_validate(data: InvoiceSettingsInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    prefixes = {
        "invoice_prefix": data.invoice_prefix.strip(),
        "credit_note_prefix": data.credit_note_prefix.strip(),
    }
    for name, prefix in prefixes.items():
        if len(prefix) > 20:
            errors[name] = "At most 20 characters."
        elif not PREFIX_RE.match(prefix):
            errors[name] = "Use letters, digits, hyphens (-), underscores (_) and dots only."
    if (
        "invoice_prefix" not in errors
        and "credit_note_prefix" not in errors
        and prefixes["invoice_prefix"].lower() == prefixes["credit_note_prefix"].lower()
    ):
        errors["credit_note_prefix"] = (
            "Give credit notes a prefix of their own, so a credit note is never mistaken "
            "for an invoice with the same number."
        )
    if not 1 <= data.number_padding <= 10:
        errors["number_padding"] = "Between 1 and 10 digits."
    if data.paper_size not in PaperSize.values:
        errors["paper_size"] = f"“{data.paper_size}” is not a paper size we print on."
    methods = list(dict.fromkeys(data.accepted_methods))
    unknown = [m for m in methods if m not in PaymentMethod.values]
    if unknown:
        errors["accepted_methods"] = f"Unknown payment method: {', '.join(unknown)}."
    instructions = data.payment_instructions.strip()
    if len(instructions) > 2000:
        errors["payment_instructions"] = "At most 2,000 characters."
    elif PaymentMethod.BANK_TRANSFER in methods and not instructions:
        errors["payment_instructions"] = (
            "Add your bank details, so customers paying by bank transfer know where to send it."
        )
    if len(data.default_notes.strip()) > 5000:
        errors["default_notes"] = "At most 5,000 characters."
    if len(data.footer.strip()) > 300:
        errors["footer"] = "At most 300 characters."
    if errors:
        raise ValidationError(errors)
    return {
        **prefixes,
        "number_include_year": data.number_include_year,
        "number_padding": data.number_padding,
        "paper_size": data.paper_size,
        # In the order the choices are listed, whatever order they came in.
        "accepted_methods": [m for m in PaymentMethod.values if m in methods],
        "payment_instructions": instructions,
        "default_notes": data.default_notes.strip(),
        "footer": data.footer.strip(),
    }


def invoice_settings_update(
    *, org: Organization, actor: User | None, data: InvoiceSettingsInput
) -> InvoiceSettings:
    """Save the settings. A new number format applies to invoices issued from now on; the
    counter carries on, and issuing skips any number that already exists, so no number is
    ever handed out twice."""
    values = invoice_settings_validate(data)
    invoice_settings_get(org=org)  # the row exists, so it can be locked
    with transaction.atomic():
        settings = InvoiceSettings.objects.for_org(org).select_for_update().get()
        changed = [name for name, value in values.items() if getattr(settings, name) != value]
        if not changed:
            return settings
        for name, value in values.items():
            setattr(settings, name, value)
        settings.save()
        _audit(org, actor, "Changed invoice settings: " + ", ".join(changed), {"fields": changed})
    return settings


@dataclass(frozen=True)
class NextNumbers:
    invoice: str
    credit_note: str
    # Numbers of this format that exist already (an earlier format, an import) and are
    # passed over, so the owner sees why the count jumps.
    skipped: tuple[str, ...] = ()


def _next_free(
    org: Organization, settings: InvoiceSettings, kind: str, on: date
) -> tuple[str, list[str]]:
    year = on.year if settings.number_include_year else 0
    last = (
        NumberSequence.objects.for_org(org)
        .filter(kind=kind, year=year)
        .values_list("last_value", flat=True)
        .first()
    ) or 0
    prefix = (
        settings.invoice_prefix if kind == SequenceKind.INVOICE else settings.credit_note_prefix
    )
    documents = Invoice if kind == SequenceKind.INVOICE else CreditNote
    skipped: list[str] = []
    batch = 50
    start = last + 1
    while True:
        candidates = [
            number_format(
                prefix=prefix, year=year or None, value=value, padding=settings.number_padding
            )
            for value in range(start, start + batch)
        ]
        taken = set(
            documents.objects.for_org(org)
            .filter(number__in=candidates)
            .values_list("number", flat=True)
        )
        for number in candidates:
            if number not in taken:
                return number, skipped
            skipped.append(number)
        start += batch


def invoice_numbers_next(*, org: Organization, settings: InvoiceSettings, on: date) -> NextNumbers:
    """The numbers the next invoice and credit note dated ``on`` would get under ``settings``
    (saved or not). Reads only: nothing is taken from the counter."""
    invoice, skipped = _next_free(org, settings, SequenceKind.INVOICE, on)
    credit_note, skipped_notes = _next_free(org, settings, SequenceKind.CREDIT_NOTE, on)
    return NextNumbers(invoice, credit_note, tuple(skipped + skipped_notes))


# ---- tax rates


@dataclass
class TaxRateInput:
    name: str
    percent: Decimal | None
    registration_number: str = ""


def tax_rate_in_use(*, org: Organization, rate: TaxRate) -> bool:
    """On any invoice line (issued or draft), or on a recurring invoice's lines."""
    if InvoiceLineTax.objects.for_org(org).filter(tax_rate=rate).exists():
        return True
    return (
        RecurringInvoice.objects.for_org(org)
        .filter(lines__contains=[{"tax_rate_ids": [rate.pk]}])
        .exists()
    )


def _tax_rate_validate(
    org: Organization, data: TaxRateInput, current: TaxRate | None
) -> dict[str, object]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "Give the rate a name, e.g. VAT or State sales tax."
    elif len(name) > 60:
        errors["name"] = "At most 60 characters."
    elif (
        TaxRate.objects.for_org(org)
        .filter(name__iexact=name)
        .exclude(pk__in=[current.pk] if current else [])
        .exists()
    ):
        errors["name"] = f"You already have a tax rate called “{name}”."
    percent = data.percent
    if percent is None:
        errors["percent"] = "Give the percentage, e.g. 20 for 20%."
    elif not 0 <= percent <= HUNDRED:
        errors["percent"] = "A tax rate is between 0 and 100%."
    elif percent != percent.quantize(Decimal("0.0001")):
        errors["percent"] = "At most 4 decimal places, e.g. 8.875."
    registration = data.registration_number.strip()
    if len(registration) > 60:
        errors["registration_number"] = "At most 60 characters."
    if (
        current is not None
        and percent is not None
        and "percent" not in errors
        and percent != current.percent
        and tax_rate_in_use(org=org, rate=current)
    ):
        errors["percent"] = (
            f"{current.name} is already on invoices, so its percentage stays "
            f"{current.percent.normalize():f}%. Retire it and add a new rate for the new "
            "percentage; invoices keep the rate they were made with."
        )
    if errors:
        raise ValidationError(errors)
    return {"name": name, "percent": percent, "registration_number": registration}


def _name_clash(exc: IntegrityError, constraint: str, message: str) -> ValidationError:
    if constraint in str(exc):
        return ValidationError({"name": message})
    raise exc


def tax_rate_create(*, org: Organization, actor: User | None, data: TaxRateInput) -> TaxRate:
    values = _tax_rate_validate(org, data, None)
    try:
        with transaction.atomic():
            rate = TaxRate.objects.create(organization=org, **values)
            _audit(org, actor, f"Added tax rate {tax_rate_label(rate)}", {"tax_rate": rate.pk})
    except IntegrityError as exc:  # two people adding the same name at once
        raise _name_clash(exc, "taxrate_name_unique", "That name was just taken.") from exc
    return rate


def tax_rate_update(
    *, org: Organization, actor: User | None, rate: TaxRate, data: TaxRateInput
) -> TaxRate:
    try:
        with transaction.atomic():
            locked = TaxRate.objects.for_org(org).select_for_update().get(pk=rate.pk)
            values = _tax_rate_validate(org, data, locked)
            changed = [name for name, value in values.items() if getattr(locked, name) != value]
            if changed:
                for name, value in values.items():
                    setattr(locked, name, value)
                locked.save()
                _audit(
                    org, actor, f"Changed tax rate {tax_rate_label(locked)}", {"fields": changed}
                )
    except IntegrityError as exc:
        raise _name_clash(exc, "taxrate_name_unique", "That name was just taken.") from exc
    return locked


def tax_rate_set_active(
    *, org: Organization, actor: User | None, rate: TaxRate, active: bool
) -> TaxRate:
    """Retire a rate (it is no longer offered on new invoices; invoices that have it keep it)
    or bring it back."""
    with transaction.atomic():
        locked = TaxRate.objects.for_org(org).select_for_update().get(pk=rate.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            verb = "Reactivated" if active else "Retired"
            _audit(org, actor, f"{verb} tax rate {tax_rate_label(locked)}", {"tax_rate": locked.pk})
    return locked


def tax_rate_delete(*, org: Organization, actor: User | None, rate: TaxRate) -> None:
    """Only a rate no invoice has used: a rate in use is retired instead."""
    refusal = ValidationError(
        f"{rate.name} is on invoices, so it cannot be deleted. Retire it instead: it stops "
        "being offered, and the invoices keep it."
    )
    with transaction.atomic():
        locked = TaxRate.objects.for_org(org).select_for_update().get(pk=rate.pk)
        if tax_rate_in_use(org=org, rate=locked):
            raise refusal
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError as exc:  # a line took it between the check and the delete
            raise refusal from exc
        _audit(org, actor, f"Deleted tax rate {tax_rate_label(rate)}", {"tax_rate": rate.pk})

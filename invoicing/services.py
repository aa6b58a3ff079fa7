"""Writes for customers and their contacts. Every write keeps the search vector current."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from arhub.locales import is_currency, is_timezone
from arhub.models import Organization, User
from arhub.phones import phone_to_e164
from invoicing.models import Contact, Customer, CustomerNote, Language, PreferredChannel
from invoicing.search import customer_search_refresh
from invoicing.selectors import customer_tags_cache_key

MAX_TAGS = 20


@dataclass
class ContactInput:
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""
    is_primary: bool = False
    receives_invoices: bool = True
    receives_reminders: bool = True
    id: int | None = None  # an existing contact of this customer, to update in place


@dataclass
class CustomerInput:
    display_name: str
    currency: str = ""
    company: str = ""
    timezone: str = ""
    language: str = Language.ENGLISH
    payment_terms_days: int | None = None
    preferred_channel: str = PreferredChannel.EMAIL
    credit_limit: Decimal | None = None
    tags: list[str] = field(default_factory=list)
    external_id: str = ""
    notes: str = ""


def customer_input_validate(org: Organization, data: CustomerInput) -> dict[str, object]:
    """The customer fields as they will be stored, or a ValidationError naming each bad one."""
    errors: dict[str, str] = {}
    name = data.display_name.strip()
    if not name:
        errors["display_name"] = "Give the customer a name."
    currency = (data.currency or org.default_currency).strip().upper()
    if not is_currency(currency):
        errors["currency"] = f"“{currency}” is not an ISO 4217 currency code."
    zone = data.timezone.strip()
    if zone and not is_timezone(zone):
        errors["timezone"] = f"“{zone}” is not an IANA time zone (e.g. America/Chicago)."
    if data.language not in Language.values:
        errors["language"] = f"“{data.language}” is not a supported language."
    if data.preferred_channel not in PreferredChannel.values:
        errors["preferred_channel"] = f"“{data.preferred_channel}” is not a channel."
    if data.credit_limit is not None and data.credit_limit < 0:
        errors["credit_limit"] = "The credit limit cannot be negative."
    if isinstance(data.credit_limit, float):
        errors["credit_limit"] = "Send amounts as decimal strings, not floating-point numbers."
    tags = sorted({t.strip().lower()[:40] for t in data.tags if t.strip()})
    if len(tags) > MAX_TAGS:
        errors["tags"] = f"At most {MAX_TAGS} tags."
    if errors:
        raise ValidationError(errors)
    return {
        "display_name": name,
        "company": data.company.strip(),
        "timezone": zone,
        "language": data.language,
        "currency": currency,
        "payment_terms_days": data.payment_terms_days,
        "preferred_channel": data.preferred_channel,
        "credit_limit": data.credit_limit,
        "tags": tags,
        "external_id": data.external_id.strip(),
        "notes": data.notes.strip(),
    }


def contacts_input_validate(org: Organization, contacts: list[ContactInput]) -> list[ContactInput]:
    """Contacts normalised (email lower-cased, phone in E.164, one primary), or errors keyed
    ``contacts[i].field``."""
    errors: dict[str, list[str]] = {}
    cleaned: list[ContactInput] = []
    for index, contact in enumerate(contacts):
        prefix = f"contacts[{index}]"
        email = contact.email.strip().lower()
        phone = contact.phone.strip()
        if not (contact.name.strip() or email or phone):
            continue  # an empty row in a form
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault(f"{prefix}.email", []).append(f"“{email}” is not an email.")
        if phone:
            try:
                phone = phone_to_e164(phone, region=org.country or None)
            except ValidationError as exc:
                errors.setdefault(f"{prefix}.phone", []).extend(exc.messages)
        cleaned.append(
            ContactInput(
                name=contact.name.strip(),
                email=email,
                phone=phone,
                role=contact.role.strip(),
                is_primary=contact.is_primary,
                receives_invoices=contact.receives_invoices,
                receives_reminders=contact.receives_reminders,
                id=contact.id,
            )
        )
    if errors:
        raise ValidationError(errors)
    primaries = [c for c in cleaned if c.is_primary]
    if len(primaries) > 1:
        raise ValidationError({"contacts": "Only one contact can be the primary contact."})
    if cleaned and not primaries:
        cleaned[0].is_primary = True
    return cleaned


def _save_contacts(org: Organization, customer: Customer, contacts: list[ContactInput]) -> None:
    existing = {c.pk: c for c in Contact.objects.for_org(org).filter(customer=customer)}
    keep: set[int] = set()
    # Clear the primary flag first so the one-primary constraint holds at every step.
    Contact.objects.for_org(org).filter(customer=customer).update(is_primary=False)
    for data in contacts:
        values = {
            "name": data.name,
            "email": data.email,
            "phone": data.phone,
            "role": data.role,
            "is_primary": data.is_primary,
            "receives_invoices": data.receives_invoices,
            "receives_reminders": data.receives_reminders,
        }
        if data.id is not None:
            if data.id not in existing:
                raise ValidationError({"contacts": f"Contact {data.id} is not this customer's."})
            Contact.objects.for_org(org).filter(pk=data.id).update(**values)
            keep.add(data.id)
        else:
            keep.add(Contact.objects.create(organization=org, customer=customer, **values).pk)
    Contact.objects.for_org(org).filter(customer=customer).exclude(pk__in=keep).delete()


def _external_id_taken(exc: IntegrityError) -> bool:
    return "customer_external_id_unique" in str(exc)


def _external_id_error(values: dict[str, object]) -> ValidationError:
    taken = values["external_id"]
    return ValidationError({"external_id": f"Another customer already has external id “{taken}”."})


def customer_create(
    *,
    org: Organization,
    actor: User | None,
    data: CustomerInput,
    contacts: list[ContactInput],
) -> Customer:
    values = customer_input_validate(org, data)
    cleaned = contacts_input_validate(org, contacts)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(organization=org, **values)
            _save_contacts(org, customer, cleaned)
            customer_search_refresh(org=org, customer_id=customer.pk)
            transaction.on_commit(lambda: cache.delete(customer_tags_cache_key(org.pk)))
    except IntegrityError as exc:
        if _external_id_taken(exc):
            raise _external_id_error(values) from exc
        raise
    customer.refresh_from_db()
    return customer


def customer_update(
    *,
    org: Organization,
    actor: User | None,
    customer: Customer,
    data: CustomerInput,
    contacts: list[ContactInput] | None = None,
) -> Customer:
    """Change a customer; ``contacts=None`` leaves the contacts as they are, a list replaces
    them (entries with an ``id`` update that contact in place)."""
    if customer.organization_id != org.pk:
        raise ValidationError("No such customer.")
    values = customer_input_validate(org, data)
    cleaned = contacts_input_validate(org, contacts) if contacts is not None else None
    try:
        with transaction.atomic():
            # update() skips auto_now, so the timestamp is set here.
            Customer.objects.for_org(org).filter(pk=customer.pk).update(
                **values, updated_at=timezone.now()
            )
            if cleaned is not None:
                _save_contacts(org, customer, cleaned)
            customer_search_refresh(org=org, customer_id=customer.pk)
            transaction.on_commit(lambda: cache.delete(customer_tags_cache_key(org.pk)))
    except IntegrityError as exc:
        if _external_id_taken(exc):
            raise _external_id_error(values) from exc
        raise
    customer.refresh_from_db()
    return customer


def customer_note_add(
    *, org: Organization, actor: User, customer: Customer, body: str
) -> CustomerNote:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something in the note."})
    if customer.organization_id != org.pk:
        raise ValidationError("No such customer.")
    return CustomerNote.objects.create(organization=org, customer=customer, author=actor, body=body)


# The writable customer fields, for the API and the import, which map their input onto these.
CUSTOMER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CustomerInput))

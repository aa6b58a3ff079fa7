"""Writes for customers and their contacts. Every write keeps the search vector current."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from arhub.locales import is_country, is_currency, is_timezone
from arhub.models import Organization, User
from arhub.phones import phone_to_e164
from invoicing.models import (
    Contact,
    Customer,
    CustomerNote,
    Language,
    PaymentTerms,
    PreferredChannel,
)
from invoicing.search import CONFIG, customer_document, customer_search_refresh
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
    billing_address_line1: str = ""
    billing_address_line2: str = ""
    billing_city: str = ""
    billing_region: str = ""
    billing_postal_code: str = ""
    billing_country: str = ""  # ISO 3166-1 alpha-2
    tax_id: str = ""
    # Named terms of the organization (they win over net days); None: net days if given, else
    # the organization's default terms.
    payment_terms_id: int | None = None


BILLING_ADDRESS_FIELDS: tuple[str, ...] = (
    "billing_address_line1",
    "billing_address_line2",
    "billing_city",
    "billing_region",
    "billing_postal_code",
    "billing_country",
)
# The billing address and tax id: one-line texts, printed on invoices.
BILLING_FIELDS: tuple[str, ...] = (*BILLING_ADDRESS_FIELDS, "tax_id")


_MAX_LENGTHS: dict[str, int] = {
    name: getattr(Customer._meta.get_field(name), "max_length", 0) for name in BILLING_FIELDS
}


def _billing_values(data: CustomerInput, errors: dict[str, str]) -> dict[str, str]:
    """The address and tax id on one line each (a pasted line break or tab would break the
    printed address), the country as an upper-case code we know."""
    values = {name: " ".join((getattr(data, name) or "").split()) for name in BILLING_FIELDS}
    country = values["billing_country"] = values["billing_country"].upper()
    for name, value in values.items():
        if len(value) > _MAX_LENGTHS[name] and name != "billing_country":
            errors[name] = f"At most {_MAX_LENGTHS[name]} characters."
    if country and not is_country(country):
        errors["billing_country"] = (
            f"“{country}” is not an ISO 3166 country code; use two letters, e.g. GB or US."
        )
    return values


def customer_input_validate(org: Organization, data: CustomerInput) -> dict[str, object]:
    """The customer fields as they will be stored (CUSTOMER_FIELDS: named terms are checked
    here but written by customer_create and customer_update only), or a ValidationError naming
    each bad one."""
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
    billing = _billing_values(data, errors)
    if data.payment_terms_id is not None:
        # Another organization's terms are answered as if they did not exist.
        if not PaymentTerms.objects.for_org(org).filter(pk=data.payment_terms_id).exists():
            errors["payment_terms"] = "There are no such payment terms; choose yours from the list."
        elif data.payment_terms_days is not None:
            errors["payment_terms_days"] = (
                "Choose named payment terms or net days, not both: leave net days empty to "
                "use the named terms."
            )
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
        **billing,
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


@contextmanager
def _writing_customers(org: Organization, external_id_clash: str) -> Iterator[None]:
    """The transaction every customer write runs in: a clash on the per-org external id becomes
    a field error, and the cached tag list is dropped once the write commits."""
    try:
        with transaction.atomic():
            yield
            transaction.on_commit(lambda: cache.delete(customer_tags_cache_key(org.pk)))
    except IntegrityError as exc:
        if "customer_external_id_unique" in str(exc):
            raise ValidationError({"external_id": external_id_clash}) from exc
        raise


def _clash(values: dict[str, object]) -> str:
    return f"Another customer already has external id “{values['external_id']}”."


def customer_create(
    *,
    org: Organization,
    actor: User | None,
    data: CustomerInput,
    contacts: list[ContactInput],
) -> Customer:
    values = customer_input_validate(org, data)
    cleaned = contacts_input_validate(org, contacts)
    with _writing_customers(org, _clash(values)):
        customer = Customer.objects.create(
            organization=org, **values, payment_terms_id=data.payment_terms_id
        )
        _save_contacts(org, customer, cleaned)
        customer_search_refresh(org=org, customer_id=customer.pk)
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
    with _writing_customers(org, _clash(values)):
        # update() skips auto_now, so the timestamp is set here.
        Customer.objects.for_org(org).filter(pk=customer.pk).update(
            **values, payment_terms_id=data.payment_terms_id, updated_at=timezone.now()
        )
        if cleaned is not None:
            _save_contacts(org, customer, cleaned)
        customer_search_refresh(org=org, customer_id=customer.pk)
    customer.refresh_from_db()
    return customer


# ---------------------------------------------------------------------------------------------
# Many customers at once (the CSV import)

# Rows per statement of the bulk writes.
BULK_BATCH = 1000
# The contact fields a bulk write sets on a primary contact.
_CONTACT_COLUMNS = ("name", "email", "phone", "role", "receives_invoices", "receives_reminders")


class CustomerRowInvalid(ValidationError):
    """Row ``index`` of a bulk write was refused, with the messages the single-customer
    services would have given for it."""

    def __init__(self, index: int, error: ValidationError | str) -> None:
        super().__init__(error)
        self.index = index


class BulkUpsertResult(NamedTuple):
    created: int
    updated: int
    customer_ids: list[int]  # the customer each row created or updated, in the rows' order


BulkRow = tuple[CustomerInput, ContactInput | None, int | None]


def customers_upsert_bulk(
    *, org: Organization, actor: User | None, rows: Sequence[BulkRow]
) -> BulkUpsertResult:
    """Create or update many customers in a handful of statements instead of a dozen per row.

    Each row is ``(data, contact, existing_customer_id)``:

    * ``existing_customer_id`` None creates a customer from ``data``, with ``contact`` (if any)
      as its primary contact.
    * Otherwise that customer's fields are all set from ``data`` (as ``customer_update`` does)
      and, when ``contact`` is given, its primary contact is set from it: updated in place, or
      created when the customer has none. Its other contacts are left as they are; ``contact``
      None leaves every contact alone.

    Every row is validated by ``customer_input_validate`` / ``contacts_input_validate``, the
    rules of ``customer_create`` / ``customer_update``, before anything is written; a bad row
    raises :class:`CustomerRowInvalid` naming its index. Search vectors are refreshed for every
    customer written, in one statement per batch, and the tag list cache is dropped on commit.

    Runs inside the caller's transaction, in a savepoint of its own: on any error nothing of
    this call is kept. Callers writing tens of thousands of rows pass them in chunks (the
    import passes about a thousand) and can report progress between calls.
    """
    cleaned: list[tuple[dict[str, object], ContactInput | None, int | None]] = []
    seen: set[int] = set()
    for index, (data, contact, customer_id) in enumerate(rows):
        try:
            values = customer_input_validate(org, data)
            contacts = (
                contacts_input_validate(org, [replace(contact, is_primary=True)])
                if contact is not None
                else []
            )
        except ValidationError as exc:
            raise CustomerRowInvalid(index, exc) from exc
        if customer_id is not None:
            if customer_id in seen:
                raise CustomerRowInvalid(index, "This customer is already in an earlier row.")
            seen.add(customer_id)
        cleaned.append((values, contacts[0] if contacts else None, customer_id))
    if not cleaned:
        return BulkUpsertResult(0, 0, [])

    with _writing_customers(org, "Another customer already has one of these external ids."):
        result = _upsert_bulk(org, cleaned)
    return result


def _upsert_bulk(
    org: Organization, cleaned: list[tuple[dict[str, object], ContactInput | None, int | None]]
) -> BulkUpsertResult:
    now = timezone.now()
    update_ids = [customer_id for _, _, customer_id in cleaned if customer_id is not None]
    contacts_of: dict[int, list[Contact]] = {}
    if update_ids:
        # Locked, as customer_update's row would be, and checked to be this organization's.
        found = set(
            Customer.objects.for_org(org)
            .filter(pk__in=update_ids)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        for index, (_, _, customer_id) in enumerate(cleaned):
            if customer_id is not None and customer_id not in found:
                raise CustomerRowInvalid(index, "No such customer.")
        for contact in (
            Contact.objects.for_org(org).filter(customer_id__in=update_ids).order_by("pk")
        ):
            contacts_of.setdefault(contact.customer_id, []).append(contact)

    new_customers = [
        Customer(organization=org, **values)
        for values, _, customer_id in cleaned
        if customer_id is None
    ]
    Customer.objects.bulk_create(new_customers, batch_size=BULK_BATCH)

    created = iter(new_customers)
    changed: list[Customer] = []
    new_contacts: list[Contact] = []
    changed_contacts: list[Contact] = []
    customer_ids: list[int] = []
    documents: list[str] = []
    for index, (values, data, customer_id) in enumerate(cleaned):
        if customer_id is None:
            customer = next(created)
            contacts: list[Contact] = []
        else:
            customer = Customer(pk=customer_id, organization=org, **values, updated_at=now)
            changed.append(customer)
            contacts = contacts_of.get(customer_id, [])
        if data is not None:
            primary = next((c for c in contacts if c.is_primary), None)
            if data.id is not None and (primary is None or primary.pk != data.id):
                raise CustomerRowInvalid(
                    index,
                    ValidationError({"contacts": f"Contact {data.id} is not this customer's."}),
                )
            if primary is None:
                primary = Contact(organization=org, customer=customer, is_primary=True)
                new_contacts.append(primary)
                contacts = [*contacts, primary]
            else:
                changed_contacts.append(primary)
            for name in _CONTACT_COLUMNS:
                setattr(primary, name, getattr(data, name))
        customer_ids.append(customer.pk)
        documents.append(customer_document(customer, contacts))

    _customers_update(org, changed, now)
    Contact.objects.bulk_create(new_contacts, batch_size=BULK_BATCH)
    _contacts_update(org, changed_contacts)
    _search_vectors_set(org, customer_ids, documents)
    return BulkUpsertResult(len(new_customers), len(changed), customer_ids)


# Updates from one JSON parameter per batch, read back as typed rows with jsonb_to_recordset.
# Not bulk_update(): it builds a CASE WHEN per column over the batch's ids, which cost about
# 6 ms of Python per row here (20 s for 3,000 updated customers) against a few tens of µs.
_CUSTOMERS_UPDATE = """
    UPDATE invoicing_customer AS c SET
        display_name = d.display_name, company = d.company, timezone = d.timezone,
        language = d.language, currency = d.currency,
        payment_terms_days = d.payment_terms_days, preferred_channel = d.preferred_channel,
        credit_limit = d.credit_limit, tags = d.tags, external_id = d.external_id,
        notes = d.notes, billing_address_line1 = d.billing_address_line1,
        billing_address_line2 = d.billing_address_line2, billing_city = d.billing_city,
        billing_region = d.billing_region, billing_postal_code = d.billing_postal_code,
        billing_country = d.billing_country, tax_id = d.tax_id, updated_at = %s
    FROM jsonb_to_recordset(%s::jsonb) AS d(
        id bigint, display_name text, company text, timezone text, language text,
        currency text, payment_terms_days integer, preferred_channel text,
        credit_limit numeric, tags text[], external_id text, notes text,
        billing_address_line1 text, billing_address_line2 text, billing_city text,
        billing_region text, billing_postal_code text, billing_country text, tax_id text
    )
    WHERE c.id = d.id AND c.organization_id = %s
"""
_CONTACTS_UPDATE = """
    UPDATE invoicing_contact AS c SET
        name = d.name, email = d.email, phone = d.phone, role = d.role,
        receives_invoices = d.receives_invoices, receives_reminders = d.receives_reminders
    FROM jsonb_to_recordset(%s::jsonb) AS d(
        id bigint, name text, email text, phone text, role text,
        receives_invoices boolean, receives_reminders boolean
    )
    WHERE c.id = d.id AND c.organization_id = %s
"""


def _customers_update(org: Organization, customers: list[Customer], now: datetime) -> None:
    """Write CUSTOMER_FIELDS of each customer, and updated_at (which update() never sets)."""
    with connection.cursor() as cursor:
        for start in range(0, len(customers), BULK_BATCH):
            batch = [
                {
                    "id": customer.pk,
                    **{name: getattr(customer, name) for name in CUSTOMER_FIELDS},
                    # The exact decimal, as a string: never through a float.
                    "credit_limit": None
                    if customer.credit_limit is None
                    else str(customer.credit_limit),
                }
                for customer in customers[start : start + BULK_BATCH]
            ]
            cursor.execute(_CUSTOMERS_UPDATE, [now, json.dumps(batch), org.pk])


def _contacts_update(org: Organization, contacts: list[Contact]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(contacts), BULK_BATCH):
            batch = [
                {
                    "id": contact.pk,
                    **{name: getattr(contact, name) for name in _CONTACT_COLUMNS},
                    "phone": str(contact.phone) if contact.phone else "",
                }
                for contact in contacts[start : start + BULK_BATCH]
            ]
            cursor.execute(_CONTACTS_UPDATE, [json.dumps(batch), org.pk])


def _search_vectors_set(org: Organization, customer_ids: list[int], documents: list[str]) -> None:
    """Each customer's search vector from its document (``customer_document``), one statement
    per batch instead of ``customer_search_refresh``'s three queries per customer."""
    with connection.cursor() as cursor:
        for start in range(0, len(customer_ids), BULK_BATCH):
            cursor.execute(
                "UPDATE invoicing_customer AS c"
                " SET search_vector = to_tsvector(%s, d.doc)"
                " FROM unnest(%s::bigint[], %s::text[]) AS d(id, doc)"
                " WHERE c.id = d.id AND c.organization_id = %s",
                [
                    CONFIG,
                    customer_ids[start : start + BULK_BATCH],
                    documents[start : start + BULK_BATCH],
                    org.pk,
                ],
            )


def customer_note_add(
    *, org: Organization, actor: User, customer: Customer, body: str
) -> CustomerNote:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something in the note."})
    if customer.organization_id != org.pk:
        raise ValidationError("No such customer.")
    return CustomerNote.objects.create(organization=org, customer=customer, author=actor, body=body)


# The customer fields an import writes, which the API maps its input onto too. Named payment
# terms are chosen in the dashboard or the API (a file brings net days), so an import, and the
# bulk write it uses, leave them as they are.
CUSTOMER_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(CustomerInput) if f.name != "payment_terms_id"
)
# Every writable customer field.
CUSTOMER_WRITABLE_FIELDS: tuple[str, ...] = (*CUSTOMER_FIELDS, "payment_terms_id")

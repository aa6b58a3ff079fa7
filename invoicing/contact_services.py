"""Writes for one contact at a time (the API's contacts endpoints).

``invoicing.services`` replaces a customer's contacts as a whole list; these change one contact
and keep the same invariants: a customer with contacts has exactly one primary contact, and the
search vector is refreshed after every change.

Primary rules, chosen so a customer with contacts never lacks someone to write to:
adding or updating a contact with ``is_primary=True`` moves the flag to it; un-marking the
primary contact is refused (mark another one instead); deleting the primary contact promotes
the oldest remaining contact.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from arhub.models import Organization, User
from invoicing.models import Contact, Customer
from invoicing.search import customer_search_refresh
from invoicing.services import ContactInput, phone_to_e164


def _clean_contact(org: Organization, data: ContactInput) -> dict[str, object]:
    errors: dict[str, str | list[str]] = {}
    name = data.name.strip()
    email = data.email.strip().lower()
    phone = data.phone.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = f"“{email}” is not an email."
    if phone:
        try:
            phone = phone_to_e164(phone, region=org.country or None)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if not (name or email or phone):
        raise ValidationError("A contact needs a name, an email or a phone number.")
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "role": data.role.strip(),
        "receives_invoices": data.receives_invoices,
        "receives_reminders": data.receives_reminders,
    }


def _lock_customer(org: Organization, customer_id: int) -> Customer:
    # Serializes primary-flag changes on one customer: two requests each making a different
    # contact primary would otherwise both pass and one would hit the one-primary constraint.
    return Customer.objects.for_org(org).select_for_update().get(pk=customer_id)


def _customer_changed(org: Organization, customer_id: int) -> None:
    # QuerySet.update() skips auto_now, and a contact change is a change of the customer.
    Customer.objects.for_org(org).filter(pk=customer_id).update(updated_at=timezone.now())
    customer_search_refresh(org=org, customer_id=customer_id)


def _same_org(org: Organization, obj: Customer | Contact) -> None:
    if obj.organization_id != org.pk:
        raise ValidationError("No such customer or contact.")


def contact_create(
    *, org: Organization, actor: User | None, customer: Customer, data: ContactInput
) -> Contact:
    """Add a contact. It becomes primary when asked to, or when it is the customer's first."""
    _same_org(org, customer)
    values = _clean_contact(org, data)
    with transaction.atomic():
        _lock_customer(org, customer.pk)
        contacts = Contact.objects.for_org(org).filter(customer_id=customer.pk)
        is_primary = data.is_primary or not contacts.exists()
        if is_primary:
            contacts.filter(is_primary=True).update(is_primary=False)
        contact = Contact.objects.create(
            organization=org, customer=customer, is_primary=is_primary, **values
        )
        _customer_changed(org, customer.pk)
    return contact


def contact_update(
    *, org: Organization, actor: User | None, contact: Contact, data: ContactInput
) -> Contact:
    """Change every field of a contact to ``data`` (callers merge partial changes first)."""
    _same_org(org, contact)
    values = _clean_contact(org, data)
    with transaction.atomic():
        _lock_customer(org, contact.customer_id)
        current = Contact.objects.for_org(org).get(pk=contact.pk)
        if current.is_primary and not data.is_primary:
            raise ValidationError(
                {"is_primary": "Mark another contact as primary instead; one must always be."}
            )
        if data.is_primary and not current.is_primary:
            Contact.objects.for_org(org).filter(
                customer_id=contact.customer_id, is_primary=True
            ).update(is_primary=False)
        Contact.objects.for_org(org).filter(pk=contact.pk).update(
            is_primary=data.is_primary, **values
        )
        _customer_changed(org, contact.customer_id)
    contact.refresh_from_db()
    return contact


def contact_delete(*, org: Organization, actor: User | None, contact: Contact) -> None:
    """Delete a contact; if it was the primary one, the oldest remaining contact takes over."""
    _same_org(org, contact)
    with transaction.atomic():
        _lock_customer(org, contact.customer_id)
        siblings = Contact.objects.for_org(org).filter(customer_id=contact.customer_id)
        deleted, _ = siblings.filter(pk=contact.pk).delete()
        if deleted and not siblings.filter(is_primary=True).exists():
            successor = siblings.order_by("created_at", "pk").first()
            if successor is not None:
                siblings.filter(pk=successor.pk).update(is_primary=True)
        _customer_changed(org, contact.customer_id)


def customer_primary_contact_set(
    *,
    org: Organization,
    actor: User | None,
    customer: Customer,
    email: str | None = None,
    phone: str | None = None,
) -> Contact | None:
    """Change the primary contact's email and/or phone (``None`` keeps a value), adding an
    unnamed primary contact when the customer has none. Touches no other contact, so a
    contact added meanwhile by someone else is kept."""
    _same_org(org, customer)
    with transaction.atomic():
        _lock_customer(org, customer.pk)
        primary = (
            Contact.objects.for_org(org).filter(customer_id=customer.pk, is_primary=True).first()
        )
        if primary is None:
            if not (email or phone):
                return None
            return contact_create(
                org=org,
                actor=actor,
                customer=customer,
                data=ContactInput(email=email or "", phone=phone or "", is_primary=True),
            )
        data = ContactInput(
            name=primary.name,
            email=primary.email if email is None else email,
            phone=(primary.phone.as_e164 if primary.phone else "") if phone is None else phone,
            role=primary.role,
            is_primary=True,
            receives_invoices=primary.receives_invoices,
            receives_reminders=primary.receives_reminders,
        )
        return contact_update(org=org, actor=actor, contact=primary, data=data)

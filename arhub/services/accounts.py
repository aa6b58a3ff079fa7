"""Signing up and creating organizations."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from arhub.locales import is_currency, is_timezone
from arhub.models import AuditAction, Membership, Organization, User
from arhub.roles import Role
from arhub.services.audit import audit_record

RESERVED_SLUGS = frozenset({"api", "admin", "static", "media", "app", "www", "pay", "webhooks"})


def organization_slug_for(name: str) -> str:
    slug = slugify(name)[:60].strip("-")
    if not slug:
        raise ValidationError({"org_name": "Use at least one letter or digit in the name."})
    if slug in RESERVED_SLUGS:
        raise ValidationError({"org_name": f"“{name}” is reserved; please choose another name."})
    return slug


def _check_slug_free(slug: str, name: str) -> None:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"org_name": f"An organization called “{name}” (or very close to it) already exists."}
        )


def organization_create(
    *,
    owner: User,
    name: str,
    currency: str = "USD",
    timezone: str = "UTC",
    locale: str = "en-US",
    slug: str | None = None,
) -> Organization:
    """Create an organization with ``owner`` as its first owner. The slug comes from the name
    unless one is given (the demo data and imports name theirs)."""
    name = name.strip()
    slug = organization_slug_for(slug or name)
    currency = currency.upper()
    errors: dict[str, str] = {}
    if not is_currency(currency):
        errors["currency"] = f"“{currency}” is not an ISO 4217 currency code."
    if not is_timezone(timezone):
        errors["timezone"] = f"“{timezone}” is not an IANA time zone (e.g. Europe/London)."
    if errors:
        raise ValidationError(errors)
    _check_slug_free(slug, name)
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name, slug=slug, default_currency=currency, timezone=timezone, locale=locale
            )
            Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
            audit_record(
                org=org, actor=owner, action=AuditAction.ORG_CREATED, summary=f"Created {name}"
            )
    except IntegrityError as exc:
        # Two sign-ups racing for the same slug: the loser gets the same message as above.
        raise ValidationError(
            {"org_name": f"An organization called “{name}” (or very close to it) already exists."}
        ) from exc
    return org


def user_email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def user_signup(
    *,
    email: str,
    password: str,
    full_name: str,
    org_name: str,
    currency: str = "USD",
    timezone: str = "UTC",
) -> tuple[User, Organization]:
    """A visitor becomes a user and the owner of a new organization, or nothing is created."""
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if user_email_taken(email):
        errors["email"] = ["An account with this email already exists. Log in instead?"]
    candidate = User(email=email, full_name=full_name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    try:
        slug = organization_slug_for(org_name)
        _check_slug_free(slug, org_name.strip())
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, full_name=full_name.strip())
            org = organization_create(
                owner=user, name=org_name, currency=currency, timezone=timezone
            )
    except IntegrityError as exc:
        # Lost a race with another sign-up for the same email.
        raise ValidationError({"email": ["An account with this email already exists."]}) from exc
    return user, org

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from arhub.roles import Role

M = TypeVar("M", bound=models.Model)

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # followed by six hex digits, e.g. #1f6feb."
)


class Organization(models.Model):
    """The tenant. Everything a business owns hangs off one of these."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    legal_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 country code")
    tax_id = models.CharField("tax / VAT number", max_length=50, blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    brand_color = models.CharField(max_length=7, default="#1f6feb", validators=[hex_colour])
    default_currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    locale = models.CharField(max_length=16, default="en-US")
    # Sender identity for messages to customers; blank means the deployment's defaults.
    email_from_name = models.CharField("email sender name", max_length=100, blank=True)
    email_reply_to = models.EmailField("reply-to address", blank=True)
    sms_from_number = models.CharField(
        "SMS sender number", max_length=20, blank=True, help_text="E.164, e.g. +15551234567"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return self.name


class OrgQuerySet(models.QuerySet[M], Generic[M]):
    def for_org(self, org: Organization) -> OrgQuerySet[M]:
        return self.filter(organization=org)


class OrgOwned(models.Model):
    """Every tenant table inherits this, child rows included, so every table carries
    ``organization_id`` and can be guarded by the same database policy."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[Any] = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(OrgOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[OrgQuerySet[Membership]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organization_id} ({self.role})"


class Invitation(OrgOwned):
    """An emailed offer to join an organization with a role. Only a hash of the link's token is
    stored, so a database leak does not hand out memberships."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[Invitation]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.email} ({self.role})"

    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired()

    def is_expired(self) -> bool:
        return self.expires_at <= dj_timezone.now()

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from arhub.models.tenancy import Membership, OrgOwned, OrgQuerySet


class ApiToken(OrgOwned):
    """A bearer token acting as one membership. The secret is shown once at creation; only its
    SHA-256 is stored (the secret is 256 random bits, so a slow hash would add nothing)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[OrgQuerySet[ApiToken]] = OrgQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

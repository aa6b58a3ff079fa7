from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from arhub.models import Invitation

# Expired invitations stay visible a while so the owner can see who never joined.
EXPIRED_INVITATION_RETENTION = timedelta(days=30)


def invitations_purge_expired() -> int:
    """Cross-tenant by nature: deletes never-accepted invitations long past expiry."""
    cutoff = timezone.now() - EXPIRED_INVITATION_RETENTION
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted

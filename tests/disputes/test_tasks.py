"""The beat task that clears dispute files left by a rolled-back transaction, in every
organization, and leaves every file a dispute points at."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from disputes.models import DisputeAttachment
from disputes.tasks import dispute_attachment_orphans_sweep
from tests.conftest import Tenant
from tests.disputes.helpers import PDF, customer_dispute, upload

pytestmark = pytest.mark.django_db


def test_the_sweep_removes_old_orphans_of_every_organization_and_nothing_else(
    tenant: Tenant, other_tenant: Tenant, dispute_files: Path
) -> None:
    kept = customer_dispute(tenant.org, files=[upload()]).attachments.get()
    kept_path = dispute_files / str(tenant.org.pk) / kept.stored_name
    old = time.time() - 7200
    orphans = []
    for org in (tenant.org, other_tenant.org):
        folder = dispute_files / str(org.pk)
        folder.mkdir(parents=True, exist_ok=True)
        orphan = folder / f"rolled-back-{org.pk}.pdf"
        orphan.write_bytes(PDF)
        os.utime(orphan, (old, old))
        orphans.append(orphan)
    os.utime(kept_path, (old, old))

    assert dispute_attachment_orphans_sweep.run() == 2
    assert not any(orphan.exists() for orphan in orphans)
    assert kept_path.exists()
    assert DisputeAttachment.objects.filter(pk=kept.pk).exists()

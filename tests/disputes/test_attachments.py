from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE, attachment_check, stored_path
from disputes.models import DisputeAttachment
from disputes.services import dispute_customer_reply, dispute_owner_reply
from tests.conftest import Tenant
from tests.disputes.helpers import JPEG, PDF, PNG, customer_dispute, issued_invoice, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_type_comes_from_the_content(content: bytes, expected: str) -> None:
    assert attachment_check(upload(content, name="whatever.txt", claimed="text/plain")) == expected


@pytest.mark.parametrize(
    "content",
    [b"just some text, honestly a pdf", b"MZ\x90\x00 an exe", b"%PD", b"GIF89a......"],
)
def test_anything_else_is_refused_whatever_its_name(content: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        attachment_check(upload(content, name="invoice.pdf", claimed="application/pdf"))
    assert "files" in caught.value.message_dict
    assert "invoice.pdf" in caught.value.message_dict["files"][0]


def test_size_limit() -> None:
    assert attachment_check(upload(PDF + b"\0" * (MAX_BYTES - len(PDF)))) == "application/pdf"
    with pytest.raises(ValidationError) as caught:
        attachment_check(upload(PDF + b"\0" * (MAX_BYTES + 1 - len(PDF))))
    assert "10 MB" in caught.value.message_dict["files"][0]
    with pytest.raises(ValidationError):
        attachment_check(upload(b""))


def test_a_png_named_pdf_is_kept_as_a_png(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload(PNG, name="scan.pdf")])
    attachment = dispute.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.stored_name.endswith(".png")
    assert attachment.original_name == "scan.pdf"
    path = stored_path(attachment)
    assert path.read_bytes() == PNG
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.size == len(PNG)


def test_stored_under_a_random_name_outside_the_web_roots(
    tenant: Tenant, dispute_files: Path
) -> None:
    dispute = customer_dispute(
        tenant.org, files=[upload(name="../../etc/passwd.pdf"), upload(name="receipt.pdf")]
    )
    first, second = dispute.attachments.all()
    assert first.stored_name != second.stored_name
    assert "passwd" not in first.stored_name and "receipt" not in second.stored_name
    assert first.original_name == "passwd.pdf"
    for attachment in (first, second):
        path = stored_path(attachment).resolve()
        assert path.parent == (dispute_files / str(tenant.org.pk)).resolve()
        assert path.is_file()
        for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
            if root:
                assert not path.is_relative_to(Path(root).resolve())


def test_the_default_root_is_outside_static_and_media() -> None:
    from arhub.settings import base

    for root in (base.STATIC_ROOT, base.MEDIA_ROOT):
        assert not base.DISPUTE_FILES_ROOT.is_relative_to(root)
        assert not Path(root).is_relative_to(base.DISPUTE_FILES_ROOT)


def test_at_most_five_per_dispute_across_the_thread(tenant: Tenant) -> None:
    dispute = customer_dispute(tenant.org, files=[upload(), upload()])
    dispute_owner_reply(
        org=tenant.org,
        actor=tenant.user(),
        dispute=dispute,
        body="See these.",
        files=[upload(PNG, name="a.png"), upload(JPEG, name="b.jpg")],
    )
    dispute_customer_reply(org=tenant.org, dispute=dispute, body="One more.", files=[upload()])
    assert dispute.attachments.count() == MAX_PER_DISPUTE
    with pytest.raises(ValidationError) as caught:
        dispute_customer_reply(org=tenant.org, dispute=dispute, body="A sixth.", files=[upload()])
    assert "at most 5" in caught.value.message_dict["files"][0]
    assert dispute.messages.count() == 3  # nothing half-saved
    with pytest.raises(ValidationError):
        customer_dispute(tenant.org, files=[upload() for _ in range(MAX_PER_DISPUTE + 1)])


def test_refused_files_write_nothing(tenant: Tenant, dispute_files: Path) -> None:
    invoice = issued_invoice(tenant.org)
    with pytest.raises(ValidationError):
        customer_dispute(tenant.org, invoice, files=[upload(), upload(b"nope", name="x.pdf")])
    assert not invoice.disputes.exists()
    assert not list(dispute_files.rglob("*.*"))


def test_files_are_removed_when_the_transaction_rolls_back(
    tenant: Tenant, dispute_files: Path, monkeypatch: Any
) -> None:
    invoice = issued_invoice(tenant.org)

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("the notice could not be written")

    monkeypatch.setattr("disputes.open_services.notice_create", fail)
    with pytest.raises(RuntimeError):
        customer_dispute(tenant.org, invoice, files=[upload(), upload(PNG, name="b.png")])
    assert not invoice.disputes.exists()
    assert not DisputeAttachment.objects.exists()
    assert not [path for path in dispute_files.rglob("*") if path.is_file()]


def test_orphans_are_removed_once_old(tenant: Tenant, dispute_files: Path) -> None:
    import os
    import time

    from disputes.attachments import attachment_orphans_remove

    kept = customer_dispute(tenant.org, files=[upload()]).attachments.get()
    folder = dispute_files / str(tenant.org.pk)
    orphan = folder / "left-behind.pdf"
    orphan.write_bytes(PDF)
    assert attachment_orphans_remove(org=tenant.org) == 0  # too recent: may be committing
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    os.utime(stored_path(kept), (old, old))
    assert attachment_orphans_remove(org=tenant.org) == 1
    assert not orphan.exists() and stored_path(kept).exists()

"""Dispute attachments: PDF, PNG or JPEG, told apart by their first bytes.

The name and the browser's content type are the uploader's claim and are never trusted: an
``.exe`` renamed ``.pdf`` is refused, a PNG named ``.pdf`` is kept as the PNG it is. Files are
stored under ``DISPUTE_FILES_ROOT/<org id>/<random token><ext>`` (outside the static and media
roots, so no web server serves them), written only once everything else has been checked, and
removed again when the transaction that recorded them rolls back.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from arhub.models import Organization
from disputes.models import Dispute, DisputeAttachment, DisputeMessage

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_DISPUTE = 5
ALLOWED = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_HEAD = 8
_CHUNK = 64 * 1024


def _name(file: UploadedFile) -> str:
    return Path(file.name or "file").name[:200] or "file"


def _content_type_of(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def attachment_check(file: UploadedFile) -> str:
    """The content type found from the file's bytes; a ValidationError on ``files`` when the
    file is too large or is not a PDF, PNG or JPEG."""
    name = _name(file)
    size = file.size or 0
    if size > MAX_BYTES:
        raise ValidationError(
            {
                "files": f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                "send a smaller copy."
            }
        )
    if size == 0:
        raise ValidationError({"files": f"{name} is empty."})
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    content_type = _content_type_of(head)
    if content_type is None:
        raise ValidationError(
            {"files": f"{name} is not a PDF, PNG or JPEG file (whatever its name says)."}
        )
    return content_type


def attachments_check(*, dispute: Dispute | None, files: Sequence[UploadedFile]) -> list[str]:
    """Check every file and the dispute's total; the content type of each, in order."""
    already = 0
    if dispute is not None and dispute.pk is not None:
        already = DisputeAttachment.objects.filter(dispute=dispute).count()
    if already + len(files) > MAX_PER_DISPUTE:
        left = max(MAX_PER_DISPUTE - already, 0)
        raise ValidationError(
            {"files": f"A dispute holds at most {MAX_PER_DISPUTE} files; {left} more can be added."}
        )
    return [attachment_check(file) for file in files]


def stored_path(attachment: DisputeAttachment) -> Path:
    return (
        Path(settings.DISPUTE_FILES_ROOT) / str(attachment.organization_id) / attachment.stored_name
    )


@dataclass
class Written:
    paths: list[Path]


@contextmanager
def files_removed_on_error() -> Iterator[Written]:
    """Collects the files written inside; removes them if the block raises (the transaction
    around it rolls back, and no row would point at them)."""
    written = Written(paths=[])
    try:
        yield written
    except BaseException:
        for path in written.paths:
            path.unlink(missing_ok=True)
        raise


def attachments_store(
    *,
    org: Organization,
    dispute: Dispute,
    message: DisputeMessage | None,
    author: str,
    files: Sequence[UploadedFile],
    content_types: Sequence[str],
    written: Written,
) -> list[DisputeAttachment]:
    """Write already checked files and their rows; call inside ``files_removed_on_error``."""
    folder = Path(settings.DISPUTE_FILES_ROOT) / str(org.pk)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored: list[DisputeAttachment] = []
    for file, content_type in zip(files, content_types, strict=True):
        stored_name = secrets.token_urlsafe(24) + ALLOWED[content_type]
        path = folder / stored_name
        digest = hashlib.sha256()
        size = 0
        file.seek(0)
        # "x": a token collision fails loudly instead of overwriting another customer's file.
        with path.open("xb") as out:
            written.paths.append(path)
            for chunk in file.chunks(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        path.chmod(0o600)
        stored.append(
            DisputeAttachment.objects.create(
                organization=org,
                dispute=dispute,
                message=message,
                stored_name=stored_name,
                original_name=_name(file),
                content_type=content_type,
                size=size,
                sha256=digest.hexdigest(),
                author=author,
            )
        )
    return stored


def attachment_orphans_remove(*, org: Organization, older_than_seconds: int = 3600) -> int:
    """Remove the organization's stored files no row points at (an outer transaction rolled
    back after the service that wrote them returned); how many were removed."""
    folder = Path(settings.DISPUTE_FILES_ROOT) / str(org.pk)
    if not folder.is_dir():
        return 0
    known = set(DisputeAttachment.objects.for_org(org).values_list("stored_name", flat=True))
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

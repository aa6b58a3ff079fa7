"""Customer imports from CSV: preview, confirm, run.

1. ``customer_import_preview`` reads and checks every row (:mod:`invoicing.importing`) and keeps
   the valid rows, normalised, and every bad row with its reasons on a ``CustomerImport``.
   Nothing is written to customers.
2. ``customer_import_confirm`` queues the valid rows; the Celery task is sent after commit.
3. ``customer_import_run`` (in the worker) writes them: all of them or none, a chunk of about
   a thousand rows at a time through ``customers_upsert_bulk`` (a few statements per chunk
   rather than a dozen queries per row), reporting progress between chunks.

All or nothing means one database transaction for the whole import, rather than committed
chunks rolled back by hand on failure. Undoing a chunk would mean deleting the customers it
created *and* restoring every customer it updated, and while the later chunks ran the directory
would show a half-imported state that people could already invoice against. PostgreSQL holds
50,000 rows in one transaction comfortably; the price is that customers the import updates stay
locked until it commits, so someone editing one of them meanwhile waits for the import.

Progress must still be visible while that transaction is open, so the worker writes
``processed`` through a second, autocommitting connection (``_ProgressWriter``). It never blocks
on the import's own row (``SKIP LOCKED``), and the final status, counts and ``processed ==
total`` are written by the import's transaction itself, so "done" and the customers commit
together. A failure rolls everything back and then marks the import failed with the reason.

Re-importing matches rows to existing customers by external id, else by the primary contact's
email (among customers with no external id, or the same one), and updates them; only the columns
the file fills are changed.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arhub.models import Organization, User
from invoicing.importing import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    ImportFileError,
    customer_csv_parse,
)
from invoicing.models import Contact, Customer, CustomerImport, ImportStatus
from invoicing.services import (
    BulkRow,
    ContactInput,
    CustomerInput,
    CustomerRowInvalid,
    customers_upsert_bulk,
)

logger = logging.getLogger(__name__)

# Seconds between progress writes: often enough for a smooth bar, rare enough to cost nothing.
PROGRESS_INTERVAL = 0.5
# Rows written per call of the bulk service; progress is reported between chunks.
IMPORT_CHUNK = 1000
# Where the preview keeps the columns it ignored, until CustomerImport has a field for them.
# First key of this feature's PostgreSQL advisory locks ("ARHI"); the second is the import id.
ADVISORY_LOCK_NAMESPACE = 0x41524849
# A contact field in a row → the ContactInput attribute it sets.
CONTACT_ATTRS = {"contact_name": "name", "email": "email", "phone": "phone", "role": "role"}


# ---------------------------------------------------------------------------------------------
# Reads


def customer_import_get(
    *, org: Organization, import_id: int, light: bool = False
) -> CustomerImport:
    """One import of the organization, 404 otherwise. ``light`` skips the rows, which can be
    megabytes, for callers that only need the status (the progress endpoint)."""
    imports = CustomerImport.objects.for_org(org)
    if light:
        imports = imports.defer("rows", "row_errors")
    return get_object_or_404(imports, pk=import_id)


def customer_import_list(*, org: Organization) -> QuerySet[CustomerImport]:
    return (
        CustomerImport.objects.for_org(org)
        .defer("rows", "row_errors")
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def customer_import_counts(*, customer_import: CustomerImport) -> dict[str, int]:
    """What the preview found: customers to create, to update, and rows with problems."""
    rows = customer_import.rows
    updates = sum(1 for row in rows if row.get("action") == "update")
    return {
        "new": len(rows) - updates,
        "update": updates,
        "invalid": len(customer_import.row_errors),
    }


# ---------------------------------------------------------------------------------------------
# Matching rows to existing customers


class _Matcher:
    """Finds the customer a row updates: by external id, else by the primary contact's email
    among customers with no external id or the row's own. A customer whose external id differs
    is a different customer in the source system, even with the same email."""

    def __init__(self, org: Organization) -> None:
        self.by_external: dict[str, int] = dict(
            Customer.objects.for_org(org).exclude(external_id="").values_list("external_id", "pk")
        )
        self.by_email: dict[str, list[tuple[int, str]]] = {}
        primaries = (
            Contact.objects.for_org(org)
            .filter(is_primary=True)
            .exclude(email="")
            .annotate(email_lower=Lower("email"))
            .values_list("email_lower", "customer_id", "customer__external_id")
        )
        for email, customer_id, external_id in primaries:
            self.by_email.setdefault(email, []).append((customer_id, external_id))

    def find(self, row: dict[str, Any]) -> list[int]:
        external_id = row["customer"]["external_id"]
        if external_id and external_id in self.by_external:
            return [self.by_external[external_id]]
        email = (row["contact"] or {}).get("email", "")
        if not email:
            return []
        return [pk for pk, theirs in self.by_email.get(email, []) if theirs in ("", external_id)]

    def remember(self, row: dict[str, Any], customer_id: int, external_id: str) -> None:
        """What the row made of ``customer_id``, which now has ``external_id``."""
        if external_id:
            self.by_external[external_id] = customer_id
        email = (row["contact"] or {}).get("email", "")
        if email:
            entries = [entry for entry in self.by_email.get(email, []) if entry[0] != customer_id]
            self.by_email[email] = [*entries, (customer_id, external_id)]


# ---------------------------------------------------------------------------------------------
# Preview and confirm


def customer_import_preview(
    *, org: Organization, actor: User | None, file_name: str, content: bytes
) -> CustomerImport:
    """Check an uploaded file and keep what would be imported. Writes no customer.

    Raises ValidationError({"file": ...}) when the file as a whole cannot be used."""
    try:
        parsed = customer_csv_parse(org=org, content=content, file_name=file_name)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc

    matcher = _Matcher(org)
    rows: list[dict[str, Any]] = []
    row_errors = list(parsed.row_errors)
    for row in parsed.rows:
        matches = matcher.find(row)
        if len(matches) > 1:
            column = parsed.field_columns.get("email", "email")
            row_errors.append(
                {
                    "line": row["line"],
                    "errors": {
                        column: f"{len(matches)} of your customers have this email on their "
                        "primary contact, so we cannot tell which one this row is. Give the "
                        "right one an external id in AR Hub and put it in this row."
                    },
                }
            )
            continue
        rows.append({**row, "action": "update" if matches else "create"})
    row_errors.sort(key=lambda entry: entry["line"])

    customer_import = CustomerImport.objects.create(
        organization=org,
        created_by=actor,
        file_name=file_name[:255],
        source_format=parsed.source_format,
        status=ImportStatus.PREVIEWED,
        rows=rows,
        row_errors=row_errors,
        total=len(rows),
        ignored_columns=list(parsed.ignored_columns),
    )
    return customer_import


def customer_import_confirm(
    *, org: Organization, actor: User | None, customer_import: CustomerImport
) -> bool:
    """Queue a previewed import, or a failed one again (nothing of a failed run was kept, so
    it can simply run again). True when this call queued it; False when it was already queued,
    running or done (a double click, a second tab), so it is never queued twice."""
    # Imported here, not at the top: the tasks module imports this one.
    from invoicing.tasks import customer_import_run as run_task

    if customer_import.organization_id != org.pk:
        raise ValidationError("No such import.")
    if customer_import.status == ImportStatus.PREVIEWED and customer_import.total == 0:
        raise ValidationError(
            "There are no valid rows to import. Fix the rows listed below and upload the file "
            "again."
        )
    with transaction.atomic():
        queued = (
            CustomerImport.objects.for_org(org)
            .filter(
                pk=customer_import.pk,
                status__in=[ImportStatus.PREVIEWED, ImportStatus.FAILED],
                total__gt=0,
            )
            .update(status=ImportStatus.QUEUED, error_message="", finished_at=None)
        )
        if queued:
            # After commit, so the worker never picks up an import it cannot see yet.
            transaction.on_commit(
                partial(run_task.delay, org_id=org.pk, import_id=customer_import.pk)
            )
    customer_import.refresh_from_db(fields=["status"])
    return bool(queued)


# ---------------------------------------------------------------------------------------------
# Run


class _RowFailed(Exception):
    """Writing ``lines`` ("Line 5", or "Lines 2 to 1001" when the failure belongs to a whole
    chunk) failed; ``reason`` is for the person who uploaded the file, None when it is ours."""

    def __init__(self, lines: str, reason: str | None) -> None:
        super().__init__(lines, reason)
        self.lines = lines
        self.reason = reason


class _ProgressWriter:
    """Writes ``processed`` through its own autocommitting connection, so the page can show
    progress while the import's transaction is still open. Best effort: a missed write only
    leaves the bar behind for half a second."""

    # A literal table name, not a formatted one: nothing here comes from outside.
    SQL = (
        "UPDATE invoicing_customerimport SET processed = %s"
        " WHERE id = (SELECT id FROM invoicing_customerimport"
        " WHERE id = %s AND organization_id = %s AND status = %s"
        " FOR UPDATE SKIP LOCKED)"
    )

    def __init__(self, customer_import: CustomerImport) -> None:
        self.customer_import = customer_import
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        self.written_at = 0.0

    def __call__(self, processed: int) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_INTERVAL:
            return
        self.written_at = now
        job = self.customer_import
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    self.SQL, [processed, job.pk, job.organization_id, ImportStatus.RUNNING]
                )
        except DatabaseError:
            logger.warning("Could not record progress of customer import %s", job.pk)

    def close(self) -> None:
        self.connection.close()


def _lock(customer_import: CustomerImport) -> bool:
    """A transaction-scoped advisory lock on the import: a second delivery of the task (the
    broker redelivers unacknowledged work) finds it taken and leaves. A crashed worker's lock
    goes with its connection, so a redelivery after a crash runs the import again, safely,
    since the crash rolled everything back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            [ADVISORY_LOCK_NAMESPACE, customer_import.pk % 2**31],
        )
        found = cursor.fetchone()
    return bool(found and found[0])


def _customer_input(values: dict[str, Any]) -> CustomerInput:
    # A field missing from a row previewed before it existed takes the service's default.
    fields = {name: values[name] for name in CUSTOMER_FIELDS if name in values}
    credit = fields.get("credit_limit")
    # The amount travels through JSON as its exact decimal string; never via float.
    fields["credit_limit"] = None if credit is None else Decimal(str(credit))
    return CustomerInput(**fields)


def _contact_input(contact: dict[str, Any] | None) -> ContactInput | None:
    if not contact:
        return None
    return ContactInput(
        name=contact["name"],
        email=contact["email"],
        phone=contact["phone"],
        role=contact["role"],
        is_primary=True,
    )


def _chunk_inputs(
    *, org: Organization, chunk: list[tuple[dict[str, Any], int | None]]
) -> list[BulkRow]:
    """The bulk service's rows for a chunk. A new customer is the row as it is; an update
    overlays the columns the file fills on the customer as it is, and an empty or absent column
    leaves its value alone (a Xero export has no time zone, and must not erase ours)."""
    update_ids = [customer_id for _, customer_id in chunk if customer_id is not None]
    customers = Customer.objects.for_org(org).select_for_update().in_bulk(update_ids)
    primaries = {
        contact.customer_id: contact
        for contact in Contact.objects.for_org(org).filter(
            customer_id__in=update_ids, is_primary=True
        )
    }
    inputs: list[BulkRow] = []
    for row, customer_id in chunk:
        if customer_id is None:
            inputs.append((_customer_input(row["customer"]), _contact_input(row["contact"]), None))
            continue
        customer = customers.get(customer_id)
        if customer is None:
            raise _RowFailed(
                _lines(row), "The customer this row updates was deleted during the import."
            )
        provided = set(row["provided"])
        values = {name: getattr(customer, name) for name in CUSTOMER_FIELDS}
        for name in CUSTOMER_FIELDS:
            if name in provided:
                values[name] = row["customer"][name]
        contact: ContactInput | None = None
        given = [name for name in CONTACT_FIELDS if name in provided]
        if row["contact"] and given:
            primary = primaries.get(customer_id)
            if primary is None:
                contact = ContactInput(is_primary=True)
            else:
                contact = ContactInput(
                    name=primary.name,
                    email=primary.email,
                    phone=str(primary.phone) if primary.phone else "",
                    role=primary.role,
                    is_primary=True,
                    receives_invoices=primary.receives_invoices,
                    receives_reminders=primary.receives_reminders,
                    id=primary.pk,
                )
            for name in given:
                attr = CONTACT_ATTRS[name]
                setattr(contact, attr, row["contact"][attr])
        inputs.append((_customer_input(values), contact, customer_id))
    return inputs


def _lines(*rows: dict[str, Any]) -> str:
    first, last = rows[0]["line"], rows[-1]["line"]
    return f"Line {first}" if first == last else f"Lines {first} to {last}"


def _write_chunk(
    *,
    org: Organization,
    actor: User | None,
    matcher: _Matcher,
    chunk: list[tuple[dict[str, Any], int | None]],
) -> tuple[int, int]:
    chunk_rows = [row for row, _ in chunk]
    try:
        inputs = _chunk_inputs(org=org, chunk=chunk)
        result = customers_upsert_bulk(org=org, actor=actor, rows=inputs)
    except _RowFailed:
        raise
    except CustomerRowInvalid as exc:
        raise _RowFailed(_lines(chunk_rows[exc.index]), " ".join(exc.messages)) from exc
    except ValidationError as exc:
        raise _RowFailed(_lines(*chunk_rows), " ".join(exc.messages)) from exc
    except Exception as exc:
        raise _RowFailed(_lines(*chunk_rows), None) from exc
    for (row, _), (data, _, _), customer_id in zip(chunk, inputs, result.customer_ids, strict=True):
        matcher.remember(row, customer_id, data.external_id.strip())
    return result.created, result.updated


def _import_rows(
    *,
    org: Organization,
    actor: User | None,
    rows: list[dict[str, Any]],
    progress: _ProgressWriter | None,
) -> tuple[int, int]:
    """Match each row as a one-by-one import would, and write them a chunk at a time.

    A row is matched against every row before it, written or not: when it shares an external id
    or an email with a row of the chunk not yet written, that chunk is written first, so the
    matcher knows what the earlier row became."""
    matcher = _Matcher(org)
    created = updated = done = 0
    chunk: list[tuple[dict[str, Any], int | None]] = []
    keys: set[str] = set()

    def flush() -> None:
        nonlocal created, updated, done
        if not chunk:
            return
        more_created, more_updated = _write_chunk(
            org=org, actor=actor, matcher=matcher, chunk=chunk
        )
        created += more_created
        updated += more_updated
        done += len(chunk)
        chunk.clear()
        keys.clear()
        if progress is not None:
            progress(done)

    for row in rows:
        external_id = row["customer"]["external_id"]
        email = (row["contact"] or {}).get("email", "")
        row_keys = {key for key in (f"id:{external_id}", f"email:{email}") if key[-1] != ":"}
        if row_keys & keys:
            flush()
        matches = matcher.find(row)
        if len(matches) > 1:
            raise _RowFailed(
                _lines(row),
                "More than one of your customers now has this email on their primary "
                "contact, so we cannot tell which one this row is. Give the right one an "
                "external id in AR Hub and put it in this row.",
            )
        chunk.append((row, matches[0] if matches else None))
        keys |= row_keys
        if len(chunk) >= IMPORT_CHUNK:
            flush()
    flush()
    return created, updated


def _fail(*, org: Organization, customer_import: CustomerImport, reason: str) -> None:
    CustomerImport.objects.for_org(org).filter(pk=customer_import.pk).update(
        status=ImportStatus.FAILED,
        processed=0,
        created_count=0,
        updated_count=0,
        error_message=reason,
        finished_at=timezone.now(),
    )


def customer_import_run(*, org: Organization, import_id: int) -> CustomerImport | None:
    """Write a queued import's rows. Idempotent: an import already done, failed or being run by
    another worker is left as it is."""
    customer_import = CustomerImport.objects.for_org(org).filter(pk=import_id).first()
    if customer_import is None:
        return None
    # Claimed in its own short transaction, so the page shows "Importing" straight away.
    CustomerImport.objects.for_org(org).filter(
        pk=customer_import.pk, status=ImportStatus.QUEUED
    ).update(status=ImportStatus.RUNNING, processed=0)
    customer_import.refresh_from_db()
    if customer_import.status != ImportStatus.RUNNING:
        return customer_import

    # Inside an enclosing transaction (a test's) the import row is not committed, so another
    # connection could neither see nor update it.
    progress = None if connection.in_atomic_block else _ProgressWriter(customer_import)
    rows = customer_import.rows
    try:
        with transaction.atomic():
            if not _lock(customer_import):
                return customer_import
            created, updated = _import_rows(
                org=org, actor=customer_import.created_by, rows=rows, progress=progress
            )
            CustomerImport.objects.for_org(org).filter(pk=customer_import.pk).update(
                status=ImportStatus.DONE,
                total=len(rows),
                processed=len(rows),
                created_count=created,
                updated_count=updated,
                error_message="",
                finished_at=timezone.now(),
            )
    except _RowFailed as exc:
        if exc.reason is None:
            logger.exception("Customer import %s failed: %s", customer_import.pk, exc.lines)
            what = "this row" if exc.lines.startswith("Line ") else "these rows"
            reason = (
                f"{exc.lines}: something went wrong on our side while importing {what}. "
                "Nothing was imported. Please try again; if it happens again, tell us."
            )
        else:
            which = "that row" if exc.lines.startswith("Line ") else "those rows"
            reason = (
                f"{exc.lines}: {exc.reason} Nothing was imported. Fix or remove {which} "
                "and upload the file again."
            )
        _fail(org=org, customer_import=customer_import, reason=reason)
    except Exception:
        logger.exception("Customer import %s failed", customer_import.pk)
        _fail(
            org=org,
            customer_import=customer_import,
            reason="Something went wrong on our side before the import finished. Nothing was "
            "imported. Please try again.",
        )
    finally:
        if progress is not None:
            progress.close()
    customer_import.refresh_from_db()
    return customer_import


STALE_QUEUED_IMPORT = timedelta(minutes=10)


def customer_imports_requeue_stale(*, older_than: timedelta = STALE_QUEUED_IMPORT) -> int:
    """Enqueue again the confirmed imports whose task never arrived (the broker was down when
    they were confirmed). Cross-tenant by nature, like the stale-message sweep; running an
    import twice is safe because the run claims it under a lock."""
    from invoicing.tasks import customer_import_run as run_task

    cutoff = timezone.now() - older_than
    stale = list(
        CustomerImport.objects.filter(
            status=ImportStatus.QUEUED, created_at__lt=cutoff
        ).values_list("organization_id", "pk")[:500]
    )
    for org_id, import_id in stale:
        run_task.delay(org_id=org_id, import_id=import_id)
    return len(stale)

"""The whole file: decoding, finding the header row and its layout, reading every row, and
flagging rows that would land on the same customer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from arhub.models import Organization
from invoicing.importing.arhub_layout import ARHUB
from invoicing.importing.cells import Layout, RowCells, normalise_header
from invoicing.importing.quickbooks import QUICKBOOKS
from invoicing.importing.rows import RowResult, validate_row
from invoicing.importing.xero import XERO

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Report exports (QuickBooks) put a few title lines above the column names.
HEADER_SEARCH_ROWS = 10
ALLOWED_SUFFIXES = frozenset({".csv", ".txt"})


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


# Xero first: its columns are unmistakable. Ours last: "name" alone is common.
LAYOUTS: tuple[Layout, ...] = (XERO, QUICKBOOKS, ARHUB)
LAYOUT_BY_FORMAT: dict[str, Layout] = {layout.source_format: layout for layout in LAYOUTS}


def layout_for(headers: set[str]) -> Layout | None:
    for layout in LAYOUTS:
        if layout.recognise(headers):
            return layout
    return None


@dataclass
class ParsedFile:
    source_format: str
    header_line: int
    columns: list[str]  # every column name, as the file spells it
    ignored_columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_errors: list[dict[str, Any]] = field(default_factory=list)
    # Our field → the file's column that fed it (for messages added after parsing).
    field_columns: dict[str, str] = field(default_factory=dict)


def _decode(content: bytes) -> str:
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an Excel workbook, not a CSV file. In Excel choose File > Save As > "
            "“CSV UTF-8 (Comma delimited)”, then upload that file."
        )
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            "This is not a CSV file (it holds binary data or UTF-16 text). "
            "Save it as “CSV UTF-8” and upload it again."
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Excel on Windows writes for plain "CSV (Comma delimited)".
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
        ) from exc


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _find_header(text: str) -> tuple[str, Layout, int, list[str]]:
    for delimiter in (",", ";"):
        seen = 0
        try:
            for line, record in _records(text, delimiter):
                if not any(cell.strip() for cell in record):
                    continue
                layout = layout_for({normalise_header(cell) for cell in record if cell.strip()})
                if layout is not None:
                    return delimiter, layout, line, record
                seen += 1
                if seen >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
    try:
        first = next((record for _, record in _records(text, ",") if any(record)), [])
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}.") from exc
    found = ", ".join(f"“{cell.strip()[:40]}”" for cell in first[:8] if cell.strip())
    raise ImportFileError(
        "We could not recognise the columns. Upload our template, a QuickBooks Online customer "
        "export or a Xero contacts export, with the column names in the first row"
        + (f" (the file starts with {found})." if found else ".")
    )


def customer_csv_parse(*, org: Organization, content: bytes, file_name: str) -> ParsedFile:
    """Read and check every row of an uploaded customer CSV.

    Raises :class:`ImportFileError` when the file as a whole cannot be used (wrong type, empty,
    too big, too many rows, columns we do not know); bad rows are reported per row instead.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix and suffix not in ALLOWED_SUFFIXES:
        raise ImportFileError(
            f"“{PurePath(file_name).name}” is not a CSV file. Export or save your customers as "
            "CSV (.csv) and upload that."
        )
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
            "Split it into smaller files and import each."
        )
    text = _decode(content)
    delimiter, layout, header_line, header = _find_header(text)

    # Resolve each layout key to the first of its candidate columns the file has.
    positions: dict[str, int] = {}
    for index, label in enumerate(header):
        positions.setdefault(normalise_header(label), index)
    key_index: dict[str, int] = {}
    for key, candidates in layout.columns.items():
        for candidate in candidates:
            if candidate in positions:
                key_index[key] = positions[candidate]
                break
    used = set(key_index.values())
    labels = {key: header[index].strip() for key, index in key_index.items()}
    parsed = ParsedFile(
        source_format=layout.source_format,
        header_line=header_line,
        columns=[label.strip() for label in header],
        ignored_columns=[
            label.strip()
            for index, label in enumerate(header)
            if index not in used and label.strip()
        ],
    )

    # Counted before anything is checked, so an oversized file is refused at once.
    records: list[tuple[int, list[str]]] = []
    try:
        for line, record in _records(text, delimiter):
            if line <= header_line:
                continue
            if not any(cell.strip() for cell in record) or layout.skip(record):
                continue
            records.append((line, record))
            if len(records) > MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files "
                    "and import each."
                )
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}.") from exc
    if not records:
        raise ImportFileError("The file has column names but no customers in it.")

    results: list[RowResult] = []
    for line, record in records:
        values = {
            key: record[index] if index < len(record) else "" for key, index in key_index.items()
        }
        cells = layout.adapt(RowCells(values))
        results.append(validate_row(org=org, line=line, cells=cells, labels=labels))
        if not parsed.field_columns:
            parsed.field_columns = {name: labels.get(key, name) for name, (_, key) in cells.items()}

    _flag_duplicates(results, parsed.field_columns)
    for result in results:
        if result.row is not None:
            parsed.rows.append(result.row)
        else:
            parsed.row_errors.append({"line": result.line, "errors": result.errors})
    return parsed


def _flag_duplicates(results: list[RowResult], field_columns: Mapping[str, str]) -> None:
    """Two rows that would land on the same customer: the later one is an error, so the file
    says plainly what it means instead of the last row silently winning."""
    external_ids: dict[str, int] = {}
    emails: dict[str, int] = {}
    for result in results:
        if result.row is None:
            continue
        external_id = result.row["customer"]["external_id"]
        contact = result.row["contact"] or {}
        email = contact.get("email", "")
        if external_id:
            if external_id in external_ids:
                result.errors[field_columns.get("external_id", "external_id")] = (
                    f"External id “{external_id}” is also on line {external_ids[external_id]}."
                )
            else:
                external_ids[external_id] = result.line
        elif email:
            if email in emails:
                result.errors[field_columns.get("email", "email")] = (
                    f"Same email as line {emails[email]}, and neither row has an external id, so "
                    "both would be the same customer. Give each an external id, or remove one."
                )
            else:
                emails[email] = result.line
        if result.errors:
            result.row = None

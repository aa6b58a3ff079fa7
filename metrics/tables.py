"""A report as the export writers read it: a title, typed columns, the rows, and what it was
filtered on. CSV, XLSX and PDF (``export_csv``, ``export_xlsx``, ``export_pdf``) all take a
:class:`Table`, so a report is built once and written in any format.

``rows`` may be a generator over a database cursor: the CSV writer reads it once, front to
back, and never holds more than a row, so a register of a million invoices streams in flat
memory. Totals are therefore added up while the rows go by (:class:`RunningTotals`), never by
reading the rows twice.

What a cell may hold, by column kind:

- ``text``: anything; written with ``str()``.
- ``date``: a ``date``.
- ``money``: a ``Decimal`` in the table's currency (quantized to its minor unit when written).
- ``int``: an ``int``.
- ``decimal``: a ``Decimal`` (a quantity, a number of days).
- ``percent``: a ``Decimal`` in percent (``Decimal("87.5")`` is 87.5 %).

``None`` is an empty cell in every kind. A float is refused: money never passes through one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from arhub.money import ZERO, quantize

Kind = Literal["text", "date", "money", "int", "decimal", "percent"]
KINDS: tuple[str, ...] = ("text", "date", "money", "int", "decimal", "percent")
# Adding up a percentage or a date means nothing; these are the kinds a totals row sums.
SUMMABLE: tuple[str, ...] = ("money", "int", "decimal")
TOTAL_LABEL = "Total"

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "text"
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: unknown kind {self.kind!r}")
        if self.total and self.kind not in SUMMABLE:
            raise ValueError(f"column {self.key}: a {self.kind} column cannot have a total")


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    currency: str
    # What the report was drawn with, in words, in the order to print them:
    # {"As of": "2027-03-31", "Customer": "Riverside Bakery"}.
    filters: dict[str, str] = field(default_factory=dict)
    subtitle: str = ""

    def described(self) -> list[tuple[str, str]]:
        """What the file says it is drawn with: the filters, then the currency when a column
        holds money (a table of counts has none to speak of)."""
        money = any(column.kind == "money" for column in self.columns)
        return [*self.filters.items(), *([("Currency", self.currency)] if money else [])]

    @property
    def has_totals(self) -> bool:
        return any(column.total for column in self.columns)

    def total_label_index(self) -> int | None:
        """Where the word "Total" goes in the totals row: the first column that has no total
        of its own, or nowhere when every column is totalled."""
        return next((i for i, c in enumerate(self.columns) if not c.total), None)


def row_checked(table: Table, row: Sequence[object]) -> Sequence[object]:
    """The row, after making sure it fits the columns: a builder that forgot a cell would
    otherwise shift every figure after it one column to the left, silently."""
    if len(row) != len(table.columns):
        raise ValueError(
            f"{table.title}: a row has {len(row)} cells for {len(table.columns)} columns"
        )
    for at, value in enumerate(row):
        if type(value) is float:
            raise TypeError(
                f"{table.title}: column {table.columns[at].key} got a float; use Decimal"
            )
    return row


class RunningTotals:
    """The totals row, added up one row at a time as the rows stream past."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.at = [i for i, column in enumerate(table.columns) if column.total]
        self.sums: list[Decimal | int | None] = [
            (0 if c.kind == "int" else ZERO) if c.total else None for c in table.columns
        ]
        self.count = 0

    def add(self, row: Sequence[object]) -> None:
        self.count += 1
        sums = self.sums
        for i in self.at:
            value = row[i]
            if value is None:
                continue
            if not isinstance(value, int | Decimal) or isinstance(value, bool):
                raise TypeError(
                    f"{self.table.title}: column {self.table.columns[i].key} holds {value!r}"
                )
            sums[i] = sums[i] + value  # type: ignore[operator]

    def values(self) -> list[object]:
        """The totals row: money quantized to the currency, the label in its place."""
        out: list[object] = []
        for column, total in zip(self.table.columns, self.sums, strict=True):
            if column.kind == "money" and isinstance(total, Decimal):
                total = quantize(total, self.table.currency)
            out.append(total)
        label_at = self.table.total_label_index()
        if label_at is not None:
            out[label_at] = TOTAL_LABEL
        return out


def period_words(start: date, end: date) -> str:
    return f"{start.isoformat()} to {end.isoformat()}"


def export_filename(*parts: str, ext: str) -> str:
    """A file name every browser, mail client and file system takes: ``aging-2027-03-31.csv``;
    accented letters lose their accents (Café is ``cafe``), anything else unsafe is a dash."""
    text = unicodedata.normalize("NFKD", "-".join(p for p in parts if p))
    plain = "".join(c for c in text if not unicodedata.combining(c))
    stem = _UNSAFE_IN_FILENAME.sub("-", plain).strip("-.").lower()
    return f"{stem or 'export'}.{ext}"

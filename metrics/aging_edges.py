"""Aging bucket edges: "30,60,90" as typed in a report form, and the buckets they make.

Edges are the last day past due of each bucket after "Current": (30, 60, 90) makes
"Current" (not yet past due), "1-30", "31-60", "61-90" and "90+" (91 days or more); the labels
join their days with an en dash, as typeset ranges are.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

DEFAULT_EDGES: tuple[int, ...] = (30, 60, 90)
MAX_EDGES = 10
MAX_DAYS = 3650  # ten years past due is as far as a bucket edge goes
DASH = "\N{EN DASH}"


def aging_edges_check(edges: Sequence[int]) -> tuple[int, ...]:
    """The edges as a tuple, or ValueError saying what is wrong with them."""
    if not edges:
        raise ValueError("Give at least one edge in days, e.g. 30,60,90.")
    if len(edges) > MAX_EDGES:
        raise ValueError(f"At most {MAX_EDGES} edges; got {len(edges)}.")
    for edge in edges:
        if isinstance(edge, bool) or not isinstance(edge, int):
            raise ValueError(f"“{edge}” is not a whole number of days.")
        if edge < 1:
            raise ValueError(f"Edges are days past due, each 1 or more; got {edge}.")
        if edge > MAX_DAYS:
            raise ValueError(f"Edges go up to {MAX_DAYS} days; got {edge}.")
    for before, after in pairwise(edges):
        if after <= before:
            raise ValueError(
                f"Edges must increase, each bucket after the one before: {after} comes after "
                f"{before}, so the buckets would overlap."
            )
    return tuple(edges)


def aging_edges_parse(text: str) -> tuple[int, ...]:
    """``"30,60,90"`` -> ``(30, 60, 90)``; spaces are allowed, ValueError names what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    if parts == [""]:
        raise ValueError("Give at least one edge in days, e.g. 30,60,90.")
    edges = []
    for part in parts:
        if not part:
            raise ValueError("An edge is missing between two commas; write e.g. 30,60,90.")
        if not part.isascii() or not part.lstrip("-").isdigit():
            raise ValueError(f"“{part}” is not a whole number of days.")
        edges.append(int(part))
    return aging_edges_check(edges)


def aging_edges_text(edges: Sequence[int]) -> str:
    return ",".join(str(edge) for edge in edges)


def bucket_limits(edges: Sequence[int]) -> list[tuple[str, int | None, int | None]]:
    """(label, low, high) of each bucket, both limits inclusive days past due; "Current" has
    no lower limit and the last bucket no upper one."""
    buckets: list[tuple[str, int | None, int | None]] = [("Current", None, 0)]
    low = 1
    for edge in edges:
        buckets.append((str(low) if low == edge else f"{low}{DASH}{edge}", low, edge))
        low = edge + 1
    buckets.append((f"{edges[-1]}+", low, None))
    return buckets


def bucket_thresholds(edges: Sequence[int]) -> list[int]:
    """The lower limits after "Current", for SQL ``width_bucket(days_past_due, thresholds)``,
    which then answers each row's bucket index (0 for "Current")."""
    return [1] + [edge + 1 for edge in edges]

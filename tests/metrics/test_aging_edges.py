from __future__ import annotations

import pytest

from metrics.aging_edges import (
    aging_edges_check,
    aging_edges_parse,
    aging_edges_text,
    bucket_limits,
    bucket_thresholds,
)


def dash(label: str) -> str:
    """A bucket label as shown: its days joined by an en dash."""
    return label.replace("-", "\N{EN DASH}")


def test_parse_reads_increasing_positive_days():
    assert aging_edges_parse("30,60,90") == (30, 60, 90)
    assert aging_edges_parse(" 15 , 45 ") == (15, 45)
    assert aging_edges_text((7, 14)) == "7,14"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one edge"),
        ("30,,90", "missing between two commas"),
        ("30,sixty", "“sixty” is not a whole number"),
        ("30,60.5", "“60.5” is not a whole number"),
        ("0,30", "each 1 or more; got 0"),
        ("-5,30", "each 1 or more; got -5"),
        ("60,30", "30 comes after 60"),
        ("30,30,90", "30 comes after 30"),
        ("30,4000", "up to 3650"),
        (",".join(str(n) for n in range(1, 12)), "At most 10 edges"),
    ],
)
def test_parse_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        aging_edges_parse(text)


def test_check_refuses_non_integers():
    with pytest.raises(ValueError, match="whole number"):
        aging_edges_check([30, 60.0])  # type: ignore[list-item]


def test_default_buckets_and_their_limits():
    # Current is "not yet past due" (<= 0 days); then 1-30, 31-60, 61-90; 90+ is 91 and up.
    assert bucket_limits((30, 60, 90)) == [
        ("Current", None, 0),
        (dash("1-30"), 1, 30),
        (dash("31-60"), 31, 60),
        (dash("61-90"), 61, 90),
        ("90+", 91, None),
    ]
    assert bucket_thresholds((30, 60, 90)) == [1, 31, 61, 91]


def test_a_one_day_bucket_is_named_by_its_day():
    assert [label for label, _, _ in bucket_limits((1, 7))] == ["Current", "1", dash("2-7"), "7+"]

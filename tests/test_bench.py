"""The pure parts of the benchmark runner: registry, summaries, the table. No timing here:
speed is shown by `make bench`, never asserted by a test."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from bench.benchmarks import invoice_list
from bench.registry import Row, discover, select
from bench.report import format_table, number, ratio, summarize
from bench.runner import parse_args


def test_ratio_is_figure_over_limit() -> None:
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(0.0, 0.0) != ratio(0.0, 0.0)  # nan: nothing against nothing
    assert ratio(1.0, 0.0) == math.inf


def test_summaries_take_medians_and_best_in_the_units_direction() -> None:
    runs = [
        [Row("api", 4.0, "bare", 2.0, "ms"), Row("api rate", 250.0, "bare rate", 500.0, "req/s")],
        [Row("api", 6.0, "bare", 2.0, "ms"), Row("api rate", 150.0, "bare rate", 400.0, "req/s")],
        [Row("api", 9.0, "bare", 1.0, "ms"), Row("api rate", 100.0, "bare rate", 600.0, "req/s")],
    ]
    latency, rate = summarize(runs)

    assert (latency.figure, latency.figure_best) == (6.0, 4.0)  # lower is better
    assert (latency.limit_figure, latency.limit_best) == (2.0, 1.0)
    # Per-run ratios 2, 3, 9: the median of those, not 6 / 2 from the medians.
    assert (latency.ratio, latency.ratio_best) == (3.0, 2.0)
    assert (rate.figure, rate.figure_best) == (150.0, 250.0)  # higher is better
    assert rate.ratio_best == 0.5
    assert latency.runs == rate.runs == 3


def test_rows_with_one_name_but_different_limits_stay_apart() -> None:
    rows = [Row("api", 4.0, "bare view", 2.0, "ms"), Row("api", 4.0, "raw SQL", 1.0, "ms")]
    assert [s.ratio for s in summarize([rows])] == [2.0, 4.0]


def test_numbers_keep_about_three_digits() -> None:
    assert [number(v) for v in (12345.6, 123.4, 12.34, 1.234, 0.0123, 0.001234, 0.0)] == [
        "12,346",
        "123",
        "12.3",
        "1.23",
        "0.01",
        "0.0012",
        "0.00",
    ]


def test_table_has_a_row_per_figure_with_its_ratio() -> None:
    runs = [[Row("GET list p50", 5.0, "bare view p50", 2.0, "ms")]] * 2
    runs.append([Row("GET list p50", 4.0, "bare view p50", 1.0, "ms")])
    lines = format_table(summarize(runs)).splitlines()

    assert [c.strip() for c in lines[0].split("|")] == [
        "name",
        "figure",
        "limit",
        "limit figure",
        "ratio",
    ]
    assert set(lines[1]) <= {"-", "+"}
    cells = [c.strip() for c in lines[2].split("|")]
    assert cells == [
        "GET list p50",
        "5.00 ms (best 4.00)",
        "bare view p50",
        "2.00 ms (best 1.00)",
        "2.50x (best 2.50x)",
    ]
    # Columns line up: every separator sits at the same place on every line.
    assert len({line.index("|") for line in lines if "|" in line}) == 1


def test_a_single_run_shows_no_best() -> None:
    table = format_table(summarize([[Row("rss", 80.0, "rss before", 64.0, "MiB")]]))
    assert "best" not in table
    assert "80.0 MiB" in table
    assert "1.25x" in table


def test_the_real_registry_finds_api_list() -> None:
    benchmarks = discover()
    assert "api_list" in benchmarks
    assert all(callable(run) for run in benchmarks.values())


def _package(root: Path, name: str, modules: dict[str, str]) -> str:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))
    return name


def test_discovery_skips_helpers_and_sorts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    run = "def run(ctx):\n    return []\n"
    package = _package(
        tmp_path, "fake_benchmarks_ok", {"zeta": run, "alpha": run, "_helpers": "X = 1\n"}
    )
    assert list(discover(package)) == ["alpha", "zeta"]


def test_a_module_without_run_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    package = _package(tmp_path, "fake_benchmarks_bad", {"broken": "def go(ctx):\n    pass\n"})
    with pytest.raises(TypeError, match="broken has no run"):
        discover(package)


def test_only_picks_one_benchmark_or_names_the_known_ones() -> None:
    def fake(ctx: object) -> list[Row]:
        return []

    benchmarks = {"a": fake, "b": fake}
    assert select(benchmarks, None) == benchmarks
    assert select(benchmarks, "b") == {"b": fake}
    with pytest.raises(KeyError, match="known: a, b"):
        select(benchmarks, "c")


def test_options() -> None:
    args = parse_args(["--scale", "500", "--repeat", "3", "--only", "api_list"])
    assert (args.scale, args.repeat, args.only) == (500, 3, "api_list")
    with pytest.raises(SystemExit):
        parse_args(["--repeat", "0"])


def test_the_registry_finds_the_invoice_list_and_its_size_option() -> None:
    assert "invoice_list" in discover()
    assert parse_args([]).invoices == 100_000
    assert parse_args(["--invoices", "5000", "--only", "invoice_list"]).invoices == 5000
    with pytest.raises(SystemExit):
        parse_args(["--invoices", "-1"])


def test_invoice_list_reads_the_next_page_from_either_list() -> None:
    page = (
        b'<tr><td><input type="hidden" name="page_ids" value="7"></td></tr>'
        b'<tr><td><input type="hidden" name="page_ids" value="6"></td></tr>'
        b'<a class="button small" href="?status=overdue&amp;after=abc" rel="next">Next</a>'
    )
    assert invoice_list.html_rows(page) == 2
    assert invoice_list.html_next(page) == "?status=overdue&after=abc"
    assert invoice_list.html_next(b'<a href="?before=x" rel="prev">Previous</a>') is None
    body = b'{"results": [{}, {}], "next": "http://h/api/v1/invoices/?cursor=c&page_size=2"}'
    assert invoice_list.json_rows(body) == 2
    assert invoice_list.json_next(body) == "/api/v1/invoices/?cursor=c&page_size=2"
    assert invoice_list.json_next(b'{"results": [], "next": null}') is None


def test_invoice_list_stops_when_queries_grow_with_the_page() -> None:
    invoice_list.check_constant("API first page", [3, 3, 3])
    with pytest.raises(RuntimeError, match=r"3, 12, 52 queries at page sizes 10, 50, 200"):
        invoice_list.check_constant("API first page", [3, 12, 52])

"""The invoice PDF benchmark still runs (one round, on the test database): registered with the
runner, it builds its invoice and reports both figures against the bare WeasyPrint floor.
No timing is asserted; speed is shown by ``make bench``."""

from __future__ import annotations

import pytest

from bench.benchmarks import invoice_pdf as benchmark
from bench.registry import Context, discover


@pytest.mark.django_db
def test_the_benchmark_runs_and_reports_against_bare_weasyprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert discover()["invoice_pdf"] is benchmark.run
    monkeypatch.setattr(benchmark, "ROUNDS", 1)
    ctx = Context(scale=0, org_slug="", token="", database_url="")
    rows = benchmark.run(ctx)
    assert [row.name for row in rows] == [
        "invoice PDF, 20 lines, cache bypassed p50",
        "invoice PDF, 20 lines, cached p50",
    ]
    assert all(row.figure > 0 and row.limit_figure > 0 and row.unit == "ms" for row in rows)
    assert rows[0].limit_name.startswith("bare WeasyPrint, same HTML")
    # A second run reuses the invoice it made.
    assert benchmark._invoice()[1].pk == benchmark._invoice()[1].pk

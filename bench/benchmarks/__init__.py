"""One module per benchmark, each with ``run(ctx: bench.registry.Context) -> list[Row]``.

Modules whose name starts with ``_`` are helpers, not benchmarks.
"""

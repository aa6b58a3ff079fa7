"""Benchmarks: every figure is printed next to a limit measured in the same run.

Run with ``make bench`` (``python -m bench --help`` for the options). A benchmark is a module in
:mod:`bench.benchmarks` with a ``run(ctx)`` function; see :mod:`bench.registry`.
"""

"""Every ``routes_*.py`` module's ROUTES, merged. A name claimed twice is an error."""

from __future__ import annotations

import importlib
import pkgutil

import tests.isolation as package
from tests.isolation.sweep import Route


def _collect() -> dict[str, Route]:
    merged: dict[str, Route] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("routes_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, route in module.ROUTES.items():
            if name in merged:
                raise AssertionError(f"route {name} is registered twice (again in {info.name})")
            merged[name] = route
    return merged


ROUTES = _collect()

"""Typed readers for environment variables.

Every setting that comes from the environment goes through these helpers so that a bad value stops
the process at start-up with a message naming the variable, instead of surfacing later as an odd
bug. Secrets may be given as ``NAME_FILE`` (a path whose contents are the value), which is how
Docker and Kubernetes secrets are mounted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class EnvError(ImproperlyConfigured):
    """A variable is missing or has a value we cannot use."""


class _Missing:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Missing()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    file_name = f"{name}_FILE"
    if name in env and file_name in env:
        raise EnvError(f"Set either {name} or {file_name}, not both.")
    if file_name in env:
        path = Path(env[file_name])
        try:
            return path.read_text().strip()
        except OSError as exc:
            raise EnvError(f"{file_name} points at {path}, which cannot be read: {exc}") from exc
    return env.get(name)


def _read(
    name: str,
    default: T | _Missing,
    parse: Callable[[str], T],
    environ: Mapping[str, str] | None,
) -> T:
    raw = _raw(name, environ)
    if raw is None:
        if isinstance(default, _Missing):
            raise EnvError(f"Required environment variable {name} is not set (or set {name}_FILE).")
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise EnvError(f"{name}: {exc}") from exc


def env_str(
    name: str, default: str | _Missing = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> str:
    def parse(raw: str) -> str:
        if isinstance(default, _Missing) and not raw:
            raise ValueError("must not be empty")
        return raw

    return _read(name, default, parse, environ)


def env_bool(
    name: str, default: bool | _Missing = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> bool:
    def parse(raw: str) -> bool:
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"expected one of 1/0, true/false, yes/no, on/off; got {raw!r}")

    return _read(name, default, parse, environ)


def env_int(
    name: str,
    default: int | _Missing = REQUIRED,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}, got {value}")
        return value

    return _read(name, default, parse, environ)


def env_list(
    name: str,
    default: list[str] | _Missing = REQUIRED,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """A comma-separated list; blanks around items are dropped, empty items are an error."""

    def parse(raw: str) -> list[str]:
        items = [item.strip() for item in raw.split(",")]
        if any(not item for item in items):
            raise ValueError(f"has an empty item in {raw!r}")
        return items

    return _read(name, default, parse, environ)


def env_database(
    name: str, default: str | _Missing = REQUIRED, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A PostgreSQL URL as Django's DATABASES entry. Other engines are refused: the app relies on
    PostgreSQL (row locks, partial unique indexes, row-level security)."""
    import dj_database_url

    def parse(raw: str) -> dict[str, Any]:
        scheme = raw.split(":", 1)[0]
        if scheme not in {"postgres", "postgresql", "pgsql"}:
            raise ValueError(f"must be a postgresql:// URL, got scheme {scheme!r}")
        try:
            return dict(dj_database_url.parse(raw))
        except Exception as exc:  # the library raises several unrelated types
            raise ValueError(f"cannot be parsed as a database URL ({exc})") from exc

    # The default is a URL too, and goes through the same parser.
    url = _read(name, default, str, environ)
    try:
        return parse(url)
    except ValueError as exc:
        raise EnvError(f"{name}: {exc}") from exc

"""Dispute tests keep their attachments in a folder of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def dispute_files(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "dispute_files"
    settings.DISPUTE_FILES_ROOT = root
    return root

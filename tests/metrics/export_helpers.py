"""Short-hands for the export tests: a job asked for and run in this process (the worker's
code, without the broker), and reading its file back."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from metrics.export_services import export_file_path, export_job_create, export_job_run
from metrics.models import ExportJob
from tests.conftest import Tenant


def job_run(tenant: Tenant, report: str, fmt: str, role: str = "owner", **params: Any) -> ExportJob:
    job = export_job_create(
        org=tenant.org, actor=tenant.user(role), report=report, format=fmt, params=params
    )
    done = export_job_run(org=tenant.org, job_id=job.pk)
    assert done is not None
    return done


def job_file(job: ExportJob) -> Path:
    path = export_file_path(job)
    assert path is not None, f"job {job.pk} has no file ({job.status}: {job.error})"
    return path


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(autouse=True)
def export_root(settings: Any, tmp_path: Path) -> Path:
    """Each test's files in its own folder (import this fixture into the test module)."""
    root = tmp_path / "exports"
    settings.EXPORT_FILES_ROOT = root
    return root

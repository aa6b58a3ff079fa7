"""Background exports through a real browser: the accountant starts one from the exports page,
its page's bar follows the job through the status URL (a static script, under the strict CSP)
and the page turns into the download once the file is made; the monthly email's page. Desktop
and a 375 px phone; screenshots go to var/screenshots/exports-*.png for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from arhub.clock import org_today
from arhub.models import Membership
from arhub.roles import Role
from arhub.services.accounts import user_signup
from metrics.export_services import export_job_create, export_job_run
from metrics.models import ExportJob
from tests.browser import helpers
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.browser

EMAIL = "ines@okafor-books.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(autouse=True)
def quiet_broker(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    """No worker here: the test runs the job itself, when it chooses."""
    settings.EXPORT_FILES_ROOT = tmp_path / "exports"
    monkeypatch.setattr("metrics.tasks.export_job_run_task.delay", lambda *args: None)


def seed() -> Any:
    user, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Ines Okafor",
        org_name="Harbour Lane Bakery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    # The accountant's view: read-only with exports.
    Membership.objects.filter(user=user, organization=org).update(role=Role.ACCOUNTANT)
    today = org_today(org)
    for n, name in enumerate(["Casa Verde", "Pemberton & Daughters Wholesale Ltd"]):
        customer = CustomerFactory(organization=org, display_name=name, currency="EUR")
        ContactFactory(customer=customer)
        invoice_make(
            org,
            customer=customer,
            issue_date=today - timedelta(days=40 + n),
            due_date=today - timedelta(days=10 + n),
        )
    return org


def signed_in(new_page: Callable[..., Page], kind: str, **options: Any) -> tuple[Page, list[str]]:
    page = new_page(kind, **options)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}")
            if m.type in {"error", "warning"} and "favicon" not in (m.location.get("url") or "")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    log_in(page, EMAIL, PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)
    return page, problems


def test_an_export_from_the_form_to_the_download(new_page: Callable[..., Page]) -> None:
    org = seed()
    page, problems = signed_in(new_page, "desktop")
    page.goto("/reports/exports/")
    helpers.check_page(page, "exports-list-empty", problems)
    page.get_by_label("Report", exact=True).select_option("aging_detail")
    page.get_by_label("Format", exact=True).select_option("xlsx")
    page.get_by_role("button", name="Start the export").click()
    job = ExportJob.objects.get()
    expect(page).to_have_url(f"{page.url.split('/reports/')[0]}/reports/exports/{job.pk}/")
    expect(page.get_by_role("heading", name="Making the file")).to_be_visible()
    # The script replaced the Refresh link: the page follows the job by itself.
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, rows_total=2)
    expect(page.locator("progress")).to_have_attribute("value", "1")
    helpers.check_page(page, "exports-job-running", problems)
    # The worker (run here, when the test chooses) claims the job and makes the file.
    ExportJob.objects.filter(pk=job.pk).update(status="queued")
    export_job_run(org=org, job_id=job.pk)
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible(timeout=10_000)
    helpers.check_page(page, "exports-job-done", problems)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto("/reports/exports/")
    helpers.check_page(page, "exports-list", problems)


def test_the_pages_on_a_phone(new_page: Callable[..., Page]) -> None:
    org = seed()
    job = export_job_create(org=org, actor=None, report="payments", format="csv", params={})
    export_job_run(org=org, job_id=job.pk)
    page, problems = signed_in(new_page, "phone", **PHONE_375)
    page.goto("/reports/exports/")
    helpers.check_page(page, "exports-list-phone", problems)
    page.goto("/reports/exports/schedule/")
    helpers.check_page(page, "exports-schedule-phone", problems)
    page.get_by_label("Day of the month").select_option("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your reports will be emailed on day 3")).to_be_visible()

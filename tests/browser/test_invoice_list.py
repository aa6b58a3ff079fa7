"""The invoice list through a real browser: filters, the stacked cards on a phone, "select all"
with and without JavaScript, voiding after the confirmation page, and the zip's progress page
(which refreshes itself without JavaScript). Screenshots of each page, desktop and a 375 px
phone, go to var/screenshots/invoices-*.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.clock import org_today
from arhub.services.accounts import user_signup
from invoicing import bulk_tasks
from invoicing.bulk_services import invoice_zip_create
from invoicing.invoice_services import invoice_void
from invoicing.models import Invoice, InvoiceBulkJob, InvoiceStatus
from tests.browser import helpers
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def seed() -> Any:
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    today = org_today(org)
    names = ["Harbour Tiles Wholesale Distribution Ltd", "Casa Verde", "Pemberton & Daughters"]
    customers = []
    for name in names:
        customer = CustomerFactory(organization=org, display_name=name, currency="EUR")
        ContactFactory(customer=customer)
        customers.append(customer)
    dollars = CustomerFactory(organization=org, display_name="Orchard Farm Inc", currency="USD")
    ContactFactory(customer=dollars)
    made = [
        invoice_make(
            org,
            customer=customers[0],
            issue_date=today - timedelta(days=40),
            due_date=today - timedelta(days=10),
            lines=[("Bathroom tiling", "3", "1250.00")],
            po_number="PO-4471",
        ),
        invoice_make(
            org,
            customer=customers[1],
            issue_date=today - timedelta(days=5),
            due_date=today + timedelta(days=25),
        ),
        invoice_make(org, customer=customers[2], issue_date=today, due_date=today),
        invoice_make(
            org,
            customer=dollars,
            issue_date=today - timedelta(days=3),
            lines=[("Fence posts", "40", "12.75")],
        ),
        invoice_make(org, customer=customers[1], issue_date=today - timedelta(days=60)),
        invoice_make(org, customer=customers[2], issue=False),
    ]
    Invoice.objects.filter(pk=made[4].pk).update(
        status=InvoiceStatus.PAID, amount_paid=made[4].total, balance_due=Decimal(0)
    )
    invoice_void(org=org, actor=None, invoice=invoice_make(org, customer=customers[0]), reason="x")
    return org, made


def is_problem(message: ConsoleMessage) -> bool:
    return message.type in {"error", "warning"} and "favicon" not in (
        message.location.get("url") or ""
    )


def signed_in(new_page: Callable[..., Page], kind: str, **options: Any) -> tuple[Page, list[str]]:
    page = new_page(kind, **options)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if is_problem(m) else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    log_in(page, EMAIL, PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)
    return page, problems


def check_page(page: Page, name: str, console: list[str]) -> None:
    helpers.check_page(page, f"invoices-{name}", console)


def test_the_list_on_a_desktop_and_a_phone(new_page: Callable[..., Page]) -> None:
    _org, made = seed()
    page, console = signed_in(new_page, "desktop")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    overdue_row = page.get_by_role("row").filter(has_text=made[0].number)
    expect(overdue_row).to_contain_text("Overdue by 10 days")
    expect(page.get_by_role("heading", name="Outstanding")).to_be_visible()
    expect(page.locator(".total-tiles")).to_contain_text("€3,750.00 overdue")
    expect(page.locator(".total-tiles")).to_contain_text("$510.00")
    check_page(page, "desktop-list", console)

    # Filtering by status keeps the other choices; the table says what it shows.
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and one invoice
    check_page(page, "desktop-list-overdue", console)

    # Select all with JavaScript ticks the rows; unticking one clears "all".
    page.goto("/invoices/")
    page.get_by_label("Select all on this page").check()
    boxes = page.locator("[data-row-select]")
    expect(boxes).to_have_count(len(made) + 1)
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()
    expect(page.get_by_text(f"{len(made) + 1} of {len(made) + 1} selected")).to_be_visible()
    page.get_by_label(f"Select invoice {made[0].number}").uncheck()
    expect(page.get_by_label("Select all on this page")).not_to_be_checked()

    phone, phone_console = signed_in(new_page, "phone", **PHONE_375)
    phone.goto("/invoices/")
    # Below 600 px the header row is hidden and each invoice is a card of label: value lines.
    expect(phone.locator("table.invoice-table thead")).to_have_css("position", "absolute")
    expect(phone.locator("table.invoice-table tbody tr").first).to_have_css("display", "block")
    check_page(phone, "phone-list", phone_console)

    dark, dark_console = signed_in(new_page, "desktop", color_scheme="dark")
    dark.goto("/invoices/")
    check_page(dark, "desktop-dark-list", dark_console)


def test_void_through_the_confirmation_page(new_page: Callable[..., Page]) -> None:
    _org, made = seed()
    page, console = signed_in(new_page, "phone", **PHONE_375)
    page.goto("/invoices/")
    page.get_by_label(f"Select invoice {made[0].number}").check()
    page.get_by_label("Select the draft for Pemberton & Daughters").check()
    page.get_by_label("With the selected invoices").select_option("void")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Void 1 invoice")
    expect(page.get_by_text("A draft is deleted, not voided.")).to_be_visible()
    check_page(page, "phone-void-confirm", console)
    page.get_by_role("button", name="Void 1 invoice").click()
    expect(page.get_by_text("Say why these invoices are being voided.")).to_be_visible()
    page.get_by_label("Reason").fill("Issued to the wrong customer")
    page.get_by_role("button", name="Void 1 invoice").click()
    expect(page).to_have_url(re.compile(r"/invoices/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Voided 1 invoice: {made[0].number}.")
    assert Invoice.objects.get(pk=made[0].pk).status == InvoiceStatus.VOID


def test_zip_progress_page_refreshes_itself_without_javascript(
    new_page: Callable[..., Page], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No worker here: the task is kept from the broker, and the test plays the worker's part.
    monkeypatch.setattr(bulk_tasks.invoice_zip_run, "delay", lambda *args: None)
    org, made = seed()
    job = invoice_zip_create(org=org, actor=None, invoice_ids=[i.pk for i in made])
    page, console = signed_in(new_page, "desktop", java_script_enabled=False)
    page.goto(f"/invoices/exports/{job.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zip of 6 invoice PDFs")
    helpers.shoot(page, "invoices-desktop-export-queued")
    InvoiceBulkJob.objects.filter(pk=job.pk).update(status="running", processed=4)
    # The page reloads on its own (a <noscript> meta refresh) and shows the progress.
    expect(page.get_by_text("Made 4 of 6 PDFs (66%).")).to_be_visible(timeout=8000)
    expect(page.locator("progress")).to_have_attribute("value", "4")
    helpers.shoot(page, "invoices-desktop-export-running")
    assert console == []


def test_empty_list_on_a_phone(new_page: Callable[..., Page]) -> None:
    user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    page, console = signed_in(new_page, "phone", **PHONE_375)
    page.goto("/invoices/")
    expect(page.get_by_role("heading", name="No invoices yet")).to_be_visible()
    expect(page.get_by_role("link", name="Create your first invoice")).to_be_visible()
    check_page(page, "phone-list-empty", console)

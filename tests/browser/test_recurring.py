"""Recurring invoices through a real browser: the list, the editor and the page of one, at
desktop width and on a 375 px phone (screenshots in var/screenshots/recurring-*.png for a person
to look at), and setting one up with the keyboard and labels alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.clock import org_today
from arhub.services.accounts import user_signup
from invoicing.models import RecurringInvoice
from invoicing.recurring_services import recurring_catch_up
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import TaxRateFactory
from tests.invoicing.recurring_factories import line, recurring_make

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    monkeypatch.setattr("invoicing.sending.invoice_send", lambda **kwargs: kwargs["invoice"])


def seed() -> RecurringInvoice:
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    customer = CustomerFactory(
        organization=org,
        display_name="Harbour Tiles Wholesale Distribution Ltd",
        currency="EUR",
    )
    ContactFactory(customer=customer)
    vat = TaxRateFactory(organization=org, name="VAT", percent=Decimal("23"))
    start = org_today(org) - timedelta(days=45)
    template = recurring_make(
        org,
        customer=customer,
        name="Showroom maintenance and quarterly deep clean",
        start_date=start,
        day_of_month=start.day,
        po_number="PO-2026-0042",
        notes="Thank you for your business. Bank details are on the invoice.",
        lines=[
            line("Monthly maintenance visit, all showroom fittings", "1", "480.00",
                 tax_rate_ids=[vat.pk], unit="month"),
            line("Call-out allowance", "2.5", "65.00", unit="hours", discount_percent=Decimal(10)),
        ],
    )  # fmt: skip
    recurring_catch_up(org=org, template_id=template.pk)
    recurring_make(org, name="Website hosting", start_date=org_today(org) + timedelta(days=3))
    return template


def watch(page: Page) -> list[str]:
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.mark.django_db(transaction=True)
def test_the_recurring_pages_fit_desktop_and_phone(new_page: Callable[..., Page]) -> None:
    template = seed()
    pages: list[tuple[str, dict[str, Any]]] = [("desktop", {}), ("phone", PHONE_375)]
    for kind, options in pages:
        page = new_page("desktop", **options)
        console = watch(page)
        log_in(page, EMAIL, PASSWORD)
        page.goto(f"/recurring/{template.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(template.name)
        expect(page.get_by_role("heading", name="Next invoices")).to_be_visible()
        expect(page.get_by_role("heading", name="Issued from it")).to_be_visible()
        helpers.check_page(page, f"recurring-detail-{kind}", console)
        page.goto("/recurring/")
        helpers.check_page(page, f"recurring-list-{kind}", console)
        page.goto(f"/recurring/{template.pk}/edit/")
        helpers.check_page(page, f"recurring-edit-{kind}", console)


@pytest.mark.django_db(transaction=True)
def test_set_one_up_by_labels_and_add_a_line_without_scripts(
    new_page: Callable[..., Page],
) -> None:
    seed()
    page = new_page("desktop", java_script_enabled=False)
    console = watch(page)
    log_in(page, EMAIL, PASSWORD)
    page.goto("/recurring/new/")
    page.get_by_label("Name", exact=True).fill("Weekly window cleaning")
    page.get_by_label("Customer", exact=True).select_option(
        label="Harbour Tiles Wholesale Distribution Ltd"
    )
    page.get_by_label("How often").select_option("weekly")
    page.get_by_label("Start date").fill("2099-03-02")
    page.get_by_label("Line 1 Description").fill("Window cleaning")
    page.get_by_label("Line 1 Unit price").fill("40")
    page.get_by_role("button", name="Add another line").click()
    expect(page.get_by_label("Line 1 Description")).to_have_value("Window cleaning")
    page.get_by_label("Line 4 Description").fill("Ladder hire")
    page.get_by_label("Line 4 Unit price").fill("1,5")
    page.get_by_role("button", name="Start recurring invoice").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("no thousands separators")
    helpers.check_page(page, "recurring-form-errors-desktop", console)
    page.get_by_label("Line 4 Unit price").fill("15")
    page.get_by_role("button", name="Start recurring invoice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly window cleaning")
    expect(page.get_by_text("Weekly on Mondays")).to_be_visible()
    expect(page.locator(".next-dates li")).to_have_count(5)
    made = RecurringInvoice.objects.get(name="Weekly window cleaning")
    assert [entry["description"] for entry in made.lines] == ["Window cleaning", "Ladder hire"]


@pytest.mark.django_db(transaction=True)
def test_the_script_adds_a_line_in_place(new_page: Callable[..., Page]) -> None:
    seed()
    page = new_page("desktop")
    console = watch(page)
    log_in(page, EMAIL, PASSWORD)
    page.goto("/recurring/new/")
    page.get_by_label("Line 1 Description").fill("Window cleaning")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Add another line").click()
    # Three spare rows on a new template; the fourth is added here and the cursor lands in it.
    expect(page.get_by_label("Line 4 Description")).to_be_focused()
    expect(page.get_by_label("Line 4 Quantity")).to_have_value("1")
    expect(page.get_by_label("Line 1 Description")).to_have_value("Window cleaning")
    assert page.locator("#id_lines-TOTAL_FORMS").input_value() == "4"
    assert page.evaluate("window.notReloaded") is True  # no round trip to the server
    assert console == []

"""The invoice editor and the invoice page through a real browser: lines added with and without
JavaScript, filled by their labels, totals updated, a mistake named in the summary at the top,
then saved; on a desktop and at 375 px the pages fit, every control is labelled and nothing
errors in the console. Screenshots go to var/screenshots/invoice-*.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.models import Channel, Message, MessageKind, MessageStatus
from arhub.services.accounts import user_signup
from invoicing.credit_services import credit_note_create
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Customer, Invoice, TaxRate
from invoicing.services import ContactInput, CustomerInput, customer_create
from tests.browser import helpers
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PHONE_375 = {"viewport": {"width": 375, "height": 812}}


def setup_org() -> tuple[Any, Any, Customer, TaxRate, TaxRate]:
    user, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    customer = customer_create(
        org=org,
        actor=user,
        data=CustomerInput(display_name="Harbour Tiles", company="Harbour Tiles and Stone Ltd"),
        contacts=[ContactInput(name="Accounts", email="accounts@harbour-tiles.test")],
    )
    vat = TaxRate.objects.create(organization=org, name="VAT", percent=Decimal("23"))
    levy = TaxRate.objects.create(organization=org, name="Eco levy", percent=Decimal("1.5"))
    return user, org, customer, vat, levy


def open_signed_in(new_page: Callable[..., Page], kind: str, **options: Any) -> Any:
    page = new_page(kind, **options)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{m.type}: {m.text}") if _is_problem(m) else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    log_in(page, EMAIL, PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)
    return page, problems


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type in {"error", "warning"} and "favicon" not in (
        message.location.get("url") or ""
    )


# Check boxes and radios sit beside their words on purpose: the layout check is for the rest.
BESIDE = re.compile(r'^"(Line \d+ )?(VAT|Eco levy|Remove|Harbour|Then make)')


def check_page(page: Page, name: str, console: list[str]) -> None:
    helpers.check_page(page, f"invoice-{name}", console)
    problems = [p for p in helpers.field_layout_problems(page) if not BESIDE.match(p)]
    assert problems == [], name


def a_full_invoice(org: Any, user: Any, customer: Customer, vat: TaxRate, levy: TaxRate) -> Any:
    invoice = invoice_create(
        org=org,
        actor=user,
        data=InvoiceData(
            customer_id=customer.pk,
            lines=[
                LineData(
                    "Oak bookcase, made to measure",
                    Decimal("1"),
                    Decimal("1850"),
                    tax_rate_ids=[vat.pk, levy.pk],
                ),
                LineData(
                    "Fitting on site",
                    Decimal("6.5"),
                    Decimal("45"),
                    unit="hours",
                    tax_rate_ids=[vat.pk],
                ),
                LineData("Delivery", Decimal("1"), Decimal("60"), kind="shipping"),
            ],
            po_number="HT-2231",
            notes="Thank you for your business. Bank details are on the PDF.",
            memo="Sam asked for a second bookcase quote in spring.",
            discount_kind="percent",
            discount_value=Decimal("5"),
        ),
    )
    invoice = invoice_issue(org=org, actor=user, invoice=invoice)
    credit_note_create(org=org, actor=user, invoice=invoice, amount=Decimal("100"),
                       reason="One shelf scratched in delivery")  # fmt: skip
    Message.objects.create(
        organization=org,
        customer=customer,
        invoice=invoice,
        channel=Channel.EMAIL,
        kind=MessageKind.INVOICE,
        recipient="accounts@harbour-tiles.test",
        subject=f"Invoice {invoice.number}",
        body_text="…",
        status=MessageStatus.DELIVERED,
    )
    return invoice


def test_owner_writes_an_invoice_and_reads_it(new_page: Callable[..., Page]) -> None:
    user, org, customer, vat, levy = setup_org()
    page, console = open_signed_in(new_page, "desktop")

    page.goto(f"/invoices/new/?customer={customer.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("New invoice")
    page.get_by_label("Line 1 Description").fill("Oak bookcase, made to measure")
    page.get_by_label("Line 1 Unit price").fill("1850")
    page.get_by_label("Line 1 VAT (23%)").check()
    # With JavaScript the line is added in place and the cursor lands in it.
    page.get_by_role("button", name="Add another line").click()
    expect(page.get_by_label("Line 2 Description")).to_be_focused()
    page.get_by_label("Line 2 Description").fill("Fitting on site")
    page.get_by_label("Line 2 Quantity").fill("6.5")
    page.get_by_label("Line 2 Unit", exact=True).fill("hours")
    page.get_by_label("Line 2 Unit price").fill("45,00")  # a comma: refused, not guessed
    page.get_by_label("Line 2 VAT (23%)").check()
    page.get_by_role("button", name="Update totals").click()
    expect(page.get_by_role("heading", name="Totals")).to_be_visible()
    expect(page.locator(".totals-box")).to_contain_text("€2,275.50")  # line 2 left out
    helpers.shoot(page, "invoice-desktop-editor")

    page.get_by_role("button", name="Save draft").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Line 2 unit price: Use a point for decimals")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Line 2 Unit price")).to_be_focused()
    helpers.shoot(page, "invoice-desktop-editor-errors")
    assert not Invoice.objects.exists()
    page.get_by_label("Line 2 Unit price").fill("45")
    page.get_by_role("button", name="Update totals").click()
    expect(page.locator(".totals-box")).to_contain_text("€2,635.28")
    check_page(page, "desktop-editor-totals", console)

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/invoices/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft invoice")
    invoice = Invoice.objects.get(organization=org)
    assert invoice.total == Decimal("2635.28")
    check_page(page, "desktop-draft", console)

    full = a_full_invoice(org, user, customer, vat, levy)
    page.goto(f"/invoices/{full.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {full.number}")
    check_page(page, "desktop-detail", console)
    page.goto(f"/invoices/{full.pk}/edit/")
    check_page(page, "desktop-locked", console)
    page.goto(f"/invoices/{full.pk}/credit-notes/new/")
    check_page(page, "desktop-credit-note", console)
    page.goto(f"/invoices/{full.pk}/void/")
    check_page(page, "desktop-void", console)


def test_the_pages_at_375_pixels(new_page: Callable[..., Page]) -> None:
    user, org, customer, vat, levy = setup_org()
    full = a_full_invoice(org, user, customer, vat, levy)
    page, console = open_signed_in(new_page, "phone", **PHONE_375)
    page.goto("/invoices/new/")
    page.get_by_label("Find a customer").fill("harb")
    page.get_by_label("Find a customer").press("Enter")  # finds; saves nothing
    page.get_by_label(re.compile("Harbour Tiles")).check()
    page.get_by_label("Line 1 Description").fill("Oak bookcase, made to measure")
    page.get_by_label("Line 1 Unit price").fill("1850")
    page.get_by_label("Line 1 VAT (23%)").check()
    page.get_by_role("button", name="Update totals").click()
    expect(page.locator(".totals-box")).to_contain_text("€2,275.50")
    check_page(page, "phone-editor", console)
    page.goto(f"/invoices/{full.pk}/edit/")
    check_page(page, "phone-locked", console)
    page.goto(f"/invoices/{full.pk}/")
    check_page(page, "phone-detail", console)
    page.goto(f"/invoices/{full.pk}/credit-notes/new/")
    check_page(page, "phone-credit-note", console)
    page.goto(f"/invoices/{full.pk}/write-off/")
    check_page(page, "phone-write-off", console)


def test_add_a_line_without_javascript(new_page: Callable[..., Page]) -> None:
    setup_org()
    page, _ = open_signed_in(new_page, "desktop", java_script_enabled=False)
    page.goto("/invoices/new/")
    page.get_by_label("Line 1 Description").fill("Oak bookcase")
    page.get_by_role("button", name="Add another line").click()
    expect(page.get_by_label("Line 2 Description")).to_be_visible()
    expect(page.get_by_label("Line 1 Description")).to_have_value("Oak bookcase")
    expect(page.get_by_label("Line 2 Quantity")).to_have_value("1")
    expect(page.locator("#error-summary")).to_have_count(0)
    assert not Invoice.objects.exists()
    helpers.shoot(page, "invoice-desktop-editor-nojs")

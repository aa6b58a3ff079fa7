"""Payments through a real browser: the owner records a cheque against two invoices with
amounts of their choosing using only the keyboard, lands on the payment's page, and reverses it
with a reason; the list on a 375 px phone; the form without JavaScript. Screenshots of each page,
desktop, phone and dark, go to var/screenshots/payments-*.png for a person to look at."""

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
from invoicing.models import Invoice, InvoiceStatus
from payments.models import Payment, PaymentStatus
from payments.services import AllocationInput, payment_record, payment_reverse
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


def seed() -> tuple[Any, list[Invoice]]:
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="USD",
        timezone="America/New_York",
    )
    today = org_today(org)
    customer = CustomerFactory(
        organization=org, display_name="Harbour Tiles Wholesale Distribution Ltd", currency="USD"
    )
    ContactFactory(customer=customer)
    other = CustomerFactory(organization=org, display_name="Casa Verde", currency="USD")
    ContactFactory(customer=other)
    invoices = [
        invoice_make(
            org,
            customer=customer,
            issue_date=today - timedelta(days=60 - 10 * n),
            due_date=today - timedelta(days=30 - 10 * n),
            lines=[("Bathroom tiling", "1", price)],
        )
        for n, price in enumerate(["200.00", "300.00", "120.00"])
    ]
    invoice_make(org, customer=other, issue_date=today, lines=[("Fence posts", "40", "12.75")])
    return org, invoices


def more_payments(org: Any, invoices: list[Invoice]) -> None:
    """A few payments of each kind, for the list's screenshots."""
    today = org_today(org)
    customer_id = invoices[0].customer_id
    transfer = payment_record(
        org=org,
        actor=None,
        customer_id=customer_id,
        amount=Decimal("500.00"),
        currency="USD",
        method="bank_transfer",
        received_on=today - timedelta(days=2),
        reference="BACS 2231-HARBOUR-TILES-INV-0001",
        allocations=[AllocationInput(invoice_id=invoices[0].pk, amount=Decimal("200.00"))],
    )
    bounced = payment_record(
        org=org,
        actor=None,
        customer_id=customer_id,
        amount=Decimal("120.00"),
        currency="USD",
        method="cheque",
        received_on=today - timedelta(days=5),
        reference="CHQ-100198",
    )
    payment_reverse(org=org, actor=None, payment=bounced, reason="Cheque bounced")
    other = Invoice.objects.filter(organization=org).exclude(customer_id=customer_id).get()
    payment_record(
        org=org,
        actor=None,
        customer_id=other.customer_id,
        amount=Decimal("80.00"),
        currency="USD",
        method="cash",
        received_on=today,
    )
    assert transfer.unapplied_amount == Decimal("300.00")


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
    helpers.check_page(page, f"payments-{name}", console)


def focused_label(page: Page) -> str:
    """What a screen reader would call the focused control: its label, or its own text."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el) return "";
          const label = el.labels && el.labels[0] ? el.labels[0].textContent : "";
          return (label || el.getAttribute("aria-label") || el.textContent || "")
            .replace(/\\s+/g, " ").trim();
        }"""
    )


def tab_to(page: Page, name: str | re.Pattern[str], *, limit: int = 40) -> None:
    """Press Tab until the focused control is called ``name``, as a keyboard user does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = focused_label(page)
        seen.append(label)
        if name.search(label) if isinstance(name, re.Pattern) else label == name:
            return
    raise AssertionError(f"never reached {name!r} with Tab; focus went through {seen}")


def test_record_a_cheque_against_two_invoices_with_the_keyboard_then_reverse_it(
    new_page: Callable[..., Page],
) -> None:
    _org, invoices = seed()
    first, second, third = invoices
    page, console = signed_in(new_page, "desktop")
    page.goto("/payments/")
    expect(page.get_by_role("heading", name="No payments yet")).to_be_visible()
    check_page(page, "desktop-empty", console)

    tab_to(page, "Record a payment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a payment")

    # Who paid: type part of the name; Enter finds (it saves nothing).
    tab_to(page, "Find the customer")
    page.keyboard.type("harbour")
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Choose the customer")).to_be_visible()
    tab_to(page, "Show their open invoices")
    page.keyboard.press("Enter")
    # Chosen: the picker says who, and the table waits behind "Choose the invoices".
    expect(page.get_by_role("button", name="Change customer")).to_be_visible()
    expect(page.locator("[data-allocation-table]")).to_be_hidden()

    tab_to(page, "Amount received")
    page.keyboard.type("450.00")
    tab_to(page, "Reference")
    page.keyboard.type("CHQ-100234")
    # "Apply it to" is one radio group: Tab reaches the chosen one, an arrow picks the other.
    tab_to(page, re.compile(r"^Apply automatically"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Choose the invoices")).to_be_checked()
    table = page.locator("[data-allocation-table]")
    expect(table).to_be_visible()
    tab_to(page, f"Amount to apply to invoice {second.number} (balance $300.00)")
    page.keyboard.type("300.00")
    tab_to(page, f"Amount to apply to invoice {third.number} (balance $120.00)")
    page.keyboard.type("100.00")
    expect(page.locator("[data-left]")).to_have_text("Left to apply: $50.00")
    check_page(page, "desktop-form-chosen", console)

    tab_to(page, "Record payment")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/payments/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment of $450.00")
    expect(page.get_by_role("status")).to_contain_text(
        "Recorded $450.00 from Harbour Tiles Wholesale Distribution Ltd. "
        "$400.00 applied to 2 invoices. $50.00 is kept as their credit."
    )
    payment = Payment.objects.get(reference="CHQ-100234")
    assert dict(payment.allocations.values_list("invoice_id", "amount")) == {
        second.pk: Decimal("300.00"),
        third.pk: Decimal("100.00"),
    }
    assert payment.method == "cheque"
    first.refresh_from_db()
    assert first.balance_due == Decimal("200.00")  # untouched: the owner chose
    check_page(page, "desktop-payment", console)

    # The bank returns the cheque: reverse it with a reason.
    tab_to(page, "Reverse payment…")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reverse the payment of $450.00")
    tab_to(page, "Reverse payment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was reversed yet")
    expect(page.get_by_text("Say why the payment is reversed, so your team")).to_be_visible()
    check_page(page, "desktop-reverse-error", console)
    tab_to(page, "Reason")
    page.keyboard.type("Cheque bounced: insufficient funds")
    tab_to(page, "Reverse payment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Reversed the payment of $450.00")
    expect(page.get_by_text("Reason: Cheque bounced: insufficient funds")).to_be_visible()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVERSED
    for invoice in (second, third):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.OPEN and invoice.balance_due == invoice.total
    check_page(page, "desktop-payment-reversed", console)

    # The invoice page lists the payment, marked reversed, and offers to record another.
    page.goto(f"/invoices/{second.pk}/")
    section = page.locator("#payments")
    expect(section).to_contain_text("Reversed")
    expect(section).to_contain_text("CHQ-100234")
    expect(page.get_by_role("link", name="Record a payment")).to_be_visible()
    helpers.shoot(page, "payments-desktop-invoice-page")
    assert console == []


def test_the_list_on_a_phone_and_in_the_dark(new_page: Callable[..., Page]) -> None:
    org, invoices = seed()
    more_payments(org, invoices)
    phone, console = signed_in(new_page, "phone", **PHONE_375)
    phone.goto("/payments/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Payments")
    # Below 600 px each payment is a card headed by its amount and any warning badge.
    expect(phone.locator("table.payment-table thead")).to_have_css("position", "absolute")
    first_card = phone.locator("table.payment-table tbody tr").first
    expect(first_card).to_have_css("display", "flex")
    expect(phone.locator(".total-tiles")).to_contain_text("$580.00")
    expect(phone.locator(".total-tiles")).to_contain_text("1 reversed, not counted")
    check_page(phone, "phone-list", console)

    phone.get_by_role("link", name=re.compile(r"^\$500\.00")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Payment of $500.00")
    check_page(phone, "phone-payment", console)

    customer = invoices[0].customer
    phone.goto(f"/customers/{customer.pk}/")
    expect(phone.locator("#payments")).to_contain_text("Unapplied credit")
    helpers.shoot(phone, "payments-phone-customer-page")
    phone.get_by_role("button", name=re.compile(r"^Apply to open invoices.*USD credit")).click()
    expect(phone.get_by_role("status")).to_contain_text("Applied $300.00 of credit")

    phone.goto(f"/payments/new/?customer={customer.pk}")
    check_page(phone, "phone-form", console)

    dark, dark_console = signed_in(new_page, "desktop", color_scheme="dark")
    dark.goto("/payments/")
    check_page(dark, "desktop-dark-list", dark_console)
    dark.goto(f"/payments/new/?invoice={invoices[1].pk}")
    check_page(dark, "desktop-dark-form", dark_console)


def test_the_form_works_without_javascript(new_page: Callable[..., Page]) -> None:
    _org, invoices = seed()
    page, console = signed_in(new_page, "desktop", java_script_enabled=False)
    page.goto(f"/payments/new/?invoice={invoices[0].pk}")
    # From the invoice: its customer, its balance, "Choose the invoices" and its row filled in.
    expect(page.get_by_label("Amount received")).to_have_value("200.00")
    expect(page.get_by_label("Choose the invoices")).to_be_checked()
    row = page.get_by_label(f"Amount to apply to invoice {invoices[0].number} (balance $200.00)")
    expect(row).to_have_value("200.00")
    # An allocation over the invoice's balance: shown on its row, nothing saved.
    row.fill("250.00")
    page.get_by_label("Amount received").fill("250.00")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.get_by_role("alert")).to_contain_text("Only $200.00 is owed on")
    expect(row).to_have_attribute("aria-invalid", "true")
    helpers.shoot(page, "payments-desktop-form-error")
    assert not Payment.objects.exists()
    row.fill("200.00")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment of $250.00")
    assert Payment.objects.get().unapplied_amount == Decimal("50.00")
    assert console == []

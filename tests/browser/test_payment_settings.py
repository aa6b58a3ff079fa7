"""Settings -> Payments through a real browser, against the local Stripe stand-in: the page at
desktop width, on a 375 px phone and in dark mode (screenshots in
var/screenshots/payment-settings-*.png for a person to look at), connecting Stripe and testing
the connection with the keyboard alone, and a bad minimum whose error summary takes the focus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.services.accounts import user_signup
from payments.selectors import payment_settings_get
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, log_in
from tests.stripe_server import TEST_KEY

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
WEBHOOK = "whsec_whitfield_browser_signing_secret_5151"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def seed() -> None:
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="GBP",
        timezone="Europe/London",
    )
    org.address_line1 = "Unit 4, Harbour Road Industrial Estate"
    org.city = "Cork"
    org.postal_code = "T12 X8Y2"
    org.country = "IE"
    org.save()


def watch(page: Page) -> list[str]:
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def connect_with_the_keyboard(page: Page) -> None:
    page.get_by_label("Secret key").focus()
    page.keyboard.type(TEST_KEY)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Webhook signing secret")).to_be_focused()
    page.keyboard.type(WEBHOOK)
    page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_the_page_fits_desktop_phone_and_dark(new_page: Callable[..., Page], stripe_api) -> None:
    seed()
    pages: list[tuple[str, dict[str, Any]]] = [
        ("desktop", {}),
        ("phone", PHONE_375),
        ("dark-phone", {**PHONE_375, "color_scheme": "dark"}),
    ]
    for index, (kind, options) in enumerate(pages):
        page = new_page("desktop", **options)
        console = watch(page)
        log_in(page, EMAIL, PASSWORD)
        page.goto("/settings/payments/")
        expect(page.get_by_role("heading", name="Online payments (Stripe)")).to_be_visible()
        helpers.check_page(page, f"payment-settings-{kind}", console)
        if index == 0:
            connect_with_the_keyboard(page)
            expect(page.get_by_role("status")).to_contain_text("Connected to Acme Plumbing Ltd")
        helpers.check_page(page, f"payment-settings-connected-{kind}", console)


@pytest.mark.django_db(transaction=True)
def test_connect_test_and_fix_an_error_with_the_keyboard(
    new_page: Callable[..., Page], stripe_api
) -> None:
    seed()
    page = new_page("desktop", **PHONE_375)
    console = watch(page)
    log_in(page, EMAIL, PASSWORD)
    page.goto("/settings/payments/")

    # A key pasted into the wrong box: named at its field, the summary focused, nothing kept.
    page.get_by_label("Secret key").focus()
    page.keyboard.type(WEBHOOK)
    page.keyboard.press("Tab")
    page.keyboard.type(WEBHOOK)
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This is a webhook signing secret")
    expect(page.get_by_label("Secret key")).to_have_value("")
    helpers.check_page(page, "payment-settings-connect-error-phone", console)

    connect_with_the_keyboard(page)
    expect(page.get_by_role("status")).to_contain_text("Connected to Acme Plumbing Ltd")
    expect(page.get_by_text("key ending 4242")).to_be_visible()

    test_button = page.get_by_role("button", name="Test connection")
    test_button.focus()
    stripe_api.fail_with = 500
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The connection does not work")
    helpers.check_page(page, "payment-settings-check-failed-phone", console)
    stripe_api.fail_with = None
    page.get_by_role("button", name="Test connection").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The connection works")

    minimum = page.get_by_label("Smallest part payment")
    minimum.fill("-3")
    minimum.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Smallest part payment: Enter zero (no minimum) or more.")
    page.get_by_role("link", name="Smallest part payment: Enter zero").press("Enter")
    expect(page.get_by_label("Smallest part payment")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2.50")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Payment settings saved")
    assert str(payment_settings_get(org=_org()).partial_minimum) == "2.500"

    page.get_by_text("Disconnect Stripe…").click()
    page.get_by_role("button", name="Disconnect Stripe").click()
    expect(page.get_by_role("status")).to_contain_text("Stripe is disconnected")
    assert console == []


def _org() -> Any:
    from arhub.models import Organization

    return Organization.objects.get(name="Whitfield Joinery")

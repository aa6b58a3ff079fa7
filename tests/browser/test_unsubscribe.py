"""The unsubscribe link of a customer email, opened in a real browser by the customer: no login,
a fresh browser with no cookies. The preference page names the business and offers reminders
by email, receipts by email and, for a number we have consent to text, reminders by SMS. Opening
it changes nothing; unticking email reminders and saving writes one Suppression and says so
politely. A tampered link is refused. At phone width the page fits, every control is labelled,
and the keyboard alone reaches every checkbox and the button.

Screenshots go to var/screenshots/unsubscribe-*.png for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.messaging.consent import sms_consent_record
from arhub.messaging.unsubscribe import unsubscribe_url
from arhub.models import (
    Channel,
    ConsentMethod,
    Organization,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from arhub.services.accounts import user_signup
from invoicing.models import Customer
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, horizontal_overflow, unlabelled_controls
from tests.factories import OrganizationFactory
from tests.invoicing.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.browser

ORG_NAME = "Whitfield Joinery"
EMAIL = "rosa@delgado-catering.test"
PHONE = "+34612345678"  # a Spanish mobile; the page shows only its last four digits

EMAIL_REMINDERS = "Payment reminders by email"
RECEIPTS = "Receipts and thank-you notes by email"
SMS_REMINDERS = "Payment reminders by text message to the number ending 5678"


def business_with_customer(*, sms_consent: bool = True) -> Organization:
    """Whitfield Joinery and its customer Rosa, whose number it may text; and another business
    with a contact at the same address, whose choices must stay apart."""
    user, org = user_signup(
        email="dana@whitfield-joinery.test",
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name=ORG_NAME,
        currency="EUR",
        timezone="Europe/Dublin",
    )
    org.email_reply_to = "accounts@whitfield-joinery.test"
    org.save(update_fields=["email_reply_to"])
    rosa = cast(Customer, CustomerFactory(organization=org, display_name="Delgado Catering"))
    ContactFactory(customer=rosa, name="Rosa Delgado", email=EMAIL, phone=PHONE)
    if sms_consent:
        sms_consent_record(
            org=org,
            phone=PHONE,
            method=ConsentMethod.OWNER_ATTESTED,
            customer_id=rosa.pk,
            recorded_by=user,
            note="Said yes to texts on the phone",
        )
    other = OrganizationFactory(name="Zenith Bakery")
    ContactFactory(customer=CustomerFactory(organization=other), email=EMAIL)
    return org


def link_path(org: Organization, address: str = EMAIL) -> str:
    """The path of the link as the email carries it; the browser opens it on the test server
    (the link itself is made with the deployment's SITE_URL)."""
    return urlsplit(unsubscribe_url(org=org, address=address)).path


def fresh_page(new_page: Callable[..., Page], kind: str) -> tuple[Page, list[str]]:
    page = new_page(kind)
    assert page.context.cookies() == []  # nobody is logged in, nothing remembered
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and "favicon" not in (
            message.location.get("url") or ""
        ):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return page, problems


def shoot(page: Page, name: str) -> None:
    helpers.shoot(page, f"unsubscribe-{name}")


def check_page(page: Page, name: str, console: list[str]) -> None:
    shoot(page, name)
    overflow = horizontal_overflow(page)
    assert overflow["fits"], f"{name} scrolls sideways: {overflow}"
    assert unlabelled_controls(page) == [], name
    expect(page.locator("h1")).to_have_count(1)
    assert console == [], f"{name}: {console}"


def suppressions() -> list[tuple[Any, ...]]:
    return list(
        Suppression.objects.order_by("pk").values_list(
            "organization__name", "channel", "address", "scope", "reason"
        )
    )


def test_customer_unsubscribes_from_email_reminders(new_page: Callable[..., Page]) -> None:
    org = business_with_customer()
    page, console = fresh_page(new_page, "desktop")

    response = page.goto(link_path(org))
    assert response is not None and response.status == 200
    # The link is the credential: not passed on, not cached, not indexed.
    headers = response.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert "no-store" in headers["cache-control"]
    assert "noindex" in headers["x-robots-tag"]

    # The business's name, and what the customer may choose; no dashboard, no login.
    expect(page).to_have_title(f"Your messages from {ORG_NAME} · AR Hub")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your messages from {ORG_NAME}")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    choices = page.get_by_role("group", name="Send me")
    expect(choices.get_by_role("checkbox")).to_have_count(3)
    for name in (EMAIL_REMINDERS, RECEIPTS, SMS_REMINDERS):
        expect(choices.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
        expect(choices.get_by_role("checkbox", name=name, exact=True)).to_be_enabled()
    # The whole number is never shown to whoever holds the link.
    expect(page.locator("main")).not_to_contain_text("612345678")
    expect(page.get_by_role("link", name="accounts@whitfield-joinery.test")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)
    check_page(page, "desktop", console)

    # Opening it, and opening it again (a mail scanner, a link preview), changed nothing.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your messages from {ORG_NAME}")
    assert suppressions() == []

    # Untick email reminders and save.
    choices.get_by_role("checkbox", name=EMAIL_REMINDERS).uncheck()
    page.get_by_role("button", name="Save my choices").click()
    status = page.get_by_role("status")
    expect(status).to_have_text(
        f"You won't get payment reminders from {ORG_NAME} at this address any more."
    )
    # The page shows the new standing; the other choices are untouched.
    choices = page.get_by_role("group", name="Send me")
    expect(choices.get_by_role("checkbox", name=EMAIL_REMINDERS)).not_to_be_checked()
    expect(choices.get_by_role("checkbox", name=RECEIPTS)).to_be_checked()
    expect(choices.get_by_role("checkbox", name=SMS_REMINDERS)).to_be_checked()
    check_page(page, "desktop-saved", console)
    # One row, for this business only: the other business still reminds Rosa.
    assert suppressions() == [
        (ORG_NAME, Channel.EMAIL, EMAIL, SuppressionScope.REMINDERS, SuppressionReason.UNSUBSCRIBED)
    ]
    assert page.context.cookies() == []  # worked without a session or a CSRF cookie

    # Saving again with nothing changed says so and writes nothing more.
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your choices are saved; nothing needed to change."
    )
    assert len(suppressions()) == 1

    # Changing their mind lifts their own unsubscribe.
    page.get_by_role("checkbox", name=EMAIL_REMINDERS).check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_have_text(
        f"You'll get payment reminders from {ORG_NAME} at this address again."
    )
    assert suppressions() == []
    assert console == [], console


def test_no_sms_choice_without_consent(new_page: Callable[..., Page]) -> None:
    org = business_with_customer(sms_consent=False)
    page, _ = fresh_page(new_page, "desktop")
    page.goto(link_path(org))
    choices = page.get_by_role("group", name="Send me")
    expect(choices.get_by_role("checkbox", name=EMAIL_REMINDERS)).to_be_checked()
    expect(choices.get_by_role("checkbox", name=RECEIPTS)).to_be_checked()
    # A box for texts that would never be sent would only mislead.
    expect(choices.get_by_role("checkbox")).to_have_count(2)
    expect(page.get_by_text("text message")).to_have_count(0)


def test_a_tampered_link_is_refused(new_page: Callable[..., Page]) -> None:
    org = business_with_customer()
    page, console = fresh_page(new_page, "desktop")
    path = link_path(org)
    token = path.rstrip("/").rsplit("/", 1)[1]

    # One character of the signature changed; and the link cut short when it was copied.
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, token[: len(token) // 2]):
        response = page.goto(f"/u/{bad}/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("This link is no longer valid")
        expect(page.get_by_role("checkbox")).to_have_count(0)
        expect(page.get_by_role("button")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(ORG_NAME)
    shoot(page, "desktop-invalid")
    assert suppressions() == []
    assert console == [] or all("404" in line for line in console), console


def test_preference_page_on_a_phone_with_the_keyboard(new_page: Callable[..., Page]) -> None:
    org = business_with_customer()
    page, console = fresh_page(new_page, "phone")
    page.goto(link_path(org))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your messages from {ORG_NAME}")
    assert page.viewport_size == {"width": 360, "height": 740}
    check_page(page, "phone", console)

    # Every checkbox has its own label, naming what it switches.
    names = page.get_by_role("checkbox").evaluate_all(
        "(boxes) => boxes.map((box) => [...box.labels].map((l) => l.textContent.trim()))"
    )
    assert names == [[EMAIL_REMINDERS], [RECEIPTS], [SMS_REMINDERS]]

    # Tab from the top of the page: the keyboard reaches each checkbox, then the button.
    reached: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement;
                  if (el.type === 'checkbox') return 'checkbox: ' + el.labels[0].textContent.trim();
                  return el.tagName.toLowerCase() + ': ' + el.textContent.trim();
                }"""
            )
        )
        if reached[-1] == "button: Save my choices":
            break
    wanted = [
        f"checkbox: {EMAIL_REMINDERS}",
        f"checkbox: {RECEIPTS}",
        f"checkbox: {SMS_REMINDERS}",
        "button: Save my choices",
    ]
    assert [entry for entry in reached if entry in wanted] == wanted, reached

    # Keyboard only: back to the first checkbox, Space to untick it, Enter on the button.
    page.get_by_role("checkbox", name=EMAIL_REMINDERS).focus()
    shoot(page, "phone-focus")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name=EMAIL_REMINDERS)).not_to_be_checked()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save my choices")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You won't get payment reminders")
    check_page(page, "phone-saved", console)
    assert suppressions() == [
        (ORG_NAME, Channel.EMAIL, EMAIL, SuppressionScope.REMINDERS, SuppressionReason.UNSUBSCRIBED)
    ]

    # The refusal of a tampered link fits a phone too.
    page.goto(link_path(org)[:-6] + "x/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is no longer valid")
    shoot(page, "phone-invalid")
    assert horizontal_overflow(page)["fits"]

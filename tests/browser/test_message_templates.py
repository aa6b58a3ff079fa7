"""Settings -> Messages through a real browser: the owner rewrites the English reminder email,
watches the live preview fill it in for a real customer, is stopped by a misspelt placeholder
(named, with a suggestion) before anything is saved, saves their own wording, sees it listed as
theirs and goes back to the built-in text. Without JavaScript the Preview button renders the
same preview on the server. At phone width the list and the editor fit the screen.

Screenshots go to var/screenshots/messages-*.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.messaging.defaults import DEFAULTS
from arhub.models import Channel, MessageKind, MessageTemplate
from arhub.services.accounts import user_signup
from invoicing.models import Customer
from tests.browser import helpers
from tests.browser.helpers import (
    DASHBOARD_URL,
    PASSWORD,
    log_in,
)
from tests.invoicing.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
TITLE = "Reminder · Email · English"
EDITOR_PATH = "/settings/messages/reminder/email/en/"
PREVIEW_PATH = EDITOR_PATH + "preview/"
BUILT_IN = DEFAULTS[(MessageKind.REMINDER, Channel.EMAIL, "en")]

# The owner's own wording: names the customer, and says something the built-in text does not.
OWN_SENTENCE = "Our workshop closes for the first two weeks of August, so we are tidying up early."
OWN_BODY = (
    "Hi {contact_name},\n\n"
    "A quick note for {customer_name} about invoice {invoice_number} for {amount_due}, "
    "due on {due_date}.\n\n"
    f"{OWN_SENTENCE}\n\n"
    "You can pay here:\n{pay_link}\n\n"
    "Thank you,\n{org_name}"
)
TYPO_BODY = OWN_BODY.replace("for {amount_due}", "for {amount_dew}")
TYPO_ERROR = "Unknown placeholder {amount_dew}. Did you mean {amount_due}?"


def sign_up_owner() -> tuple[Any, Any]:
    return user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )


def add_customers(org: Any) -> Customer:
    """Two customers, so picking one in the preview is a real choice; returns the one to pick."""
    other = CustomerFactory(organization=org, display_name="Kyoto Tea Trading")
    ContactFactory(customer=other, name="Aiko", email="buyer@kyoto-tea.test")
    harbour = cast(Customer, CustomerFactory(organization=org, display_name="Harbour Tiles"))
    ContactFactory(customer=harbour, name="Jo Harbour", email="jo@harbour-tiles.test")
    return harbour


def _is_problem(message: ConsoleMessage) -> bool:
    url = message.location.get("url") or ""
    if "favicon" in url:
        return False
    # The live preview answers wording it cannot render with 400 and the reasons, by design;
    # Chromium logs every 4xx response as a console error.
    if url.endswith(PREVIEW_PATH) and "status of 400" in message.text:
        return False
    return message.type in {"error", "warning"}


def open_signed_in(
    new_page: Callable[..., Page], kind: str = "desktop", **options: Any
) -> tuple[Page, list[str]]:
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


def shoot(page: Page, name: str) -> None:
    helpers.shoot(page, f"messages-{name}")


def check_page(page: Page, name: str, console: list[str]) -> None:
    helpers.check_page(page, f"messages-{name}", console)


def open_messages(page: Page) -> None:
    """Settings, then the Messages tab, the way a person gets there."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    tabs = page.get_by_role("navigation", name="Settings")
    tabs.get_by_role("link", name="Messages").click()
    expect(page).to_have_url(re.compile(r"/settings/messages/$"))
    expect(tabs.get_by_role("link", name="Messages")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="What your customers read")).to_be_visible()


def reminder_link(page: Page, wording: str) -> Any:
    # The visible text is "Built-in" or "Your wording"; a hidden span says which message (the
    # browser may put a space between the two when it works out the name).
    return page.get_by_role("link", name=cell_name(wording, "Reminder"))


def cell_name(wording: str, kind: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(wording)}\s*: {kind}, Email · English$")


def test_owner_edits_the_reminder_with_a_live_preview(new_page: Callable[..., Page]) -> None:
    user, org = sign_up_owner()
    harbour = add_customers(org)
    page, console = open_signed_in(new_page)

    open_messages(page)
    expect(reminder_link(page, "Built-in")).to_be_visible()
    check_page(page, "desktop-list", console)
    reminder_link(page, "Built-in").click()
    expect(page).to_have_url(re.compile(re.escape(EDITOR_PATH) + "$"))
    expect(page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    expect(page.get_by_text("The built-in wording. Change it below")).to_be_visible()
    subject = page.get_by_label("Subject")
    body = page.get_by_label("Message")
    expect(subject).to_have_value(BUILT_IN.subject)
    expect(body).to_have_value(BUILT_IN.body)

    # The script previews the built-in wording on a sample customer as soon as the page loads.
    preview = page.locator("#preview")
    expect(page.locator("#preview-customer")).to_have_text("Bright Dental")
    expect(page.locator("#preview-subject")).to_have_text(
        "A friendly reminder about invoice INV-0042"
    )
    expect(page.locator("#preview-html")).to_contain_text("Thanks,\nWhitfield Joinery")

    # Their own wording, previewed on a real customer, as typed: nothing pressed, nothing saved.
    body.fill(OWN_BODY)
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    expect(page.get_by_label("Preview on")).to_have_value(str(harbour.pk))
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    expect(page.locator("#preview-recipient")).to_have_text("jo@harbour-tiles.test")
    html = page.locator("#preview-html")
    expect(html).to_contain_text("Hi Jo Harbour,")
    expect(html).to_contain_text(
        "A quick note for Harbour Tiles about invoice INV-0042 for €1,250.00"
    )
    expect(html).to_contain_text(OWN_SENTENCE)
    expect(html.locator("a[href*='/pay/SAMPLE-']")).to_be_visible()
    expect(html).not_to_contain_text("{")
    expect(page.locator("#preview-error")).to_be_hidden()
    assert not MessageTemplate.objects.exists()
    check_page(page, "desktop-editor-preview", console)
    # The plain-text part, exactly as sent, follows too (how it fits: a test of its own below).
    preview.locator("summary", has_text="Plain-text version").click()
    expect(page.locator("#preview-text")).to_contain_text("A quick note for Harbour Tiles")
    expect(page.locator("#preview-text")).to_contain_text(OWN_SENTENCE)

    # A misspelt placeholder: the preview names it and suggests the right one, before saving.
    body.fill(TYPO_BODY)
    error = page.locator("#preview-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(TYPO_ERROR)
    expect(error).to_have_attribute("role", "alert")
    shoot(page, "desktop-editor-typo")
    assert not MessageTemplate.objects.exists()

    # Saving it anyway is refused at the field, keeps what they typed, and writes nothing.
    page.get_by_role("button", name="Save wording").click()
    expect(page.locator(".field.has-errors")).to_contain_text(TYPO_ERROR)
    body = page.get_by_label("Message")
    expect(body).to_have_value(TYPO_BODY)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_accessible_description(re.compile(re.escape(TYPO_ERROR)))
    expect(page.get_by_role("status")).to_have_count(0)
    assert not MessageTemplate.objects.exists()
    assert console == [], console

    # Fixed and saved: the page says so and names who changed it.
    body.fill(OWN_BODY)
    expect(page.locator("#preview-error")).to_be_hidden()
    page.get_by_role("button", name="Save wording").click()
    expect(page.get_by_role("status")).to_contain_text(f"Saved your wording for {TITLE}.")
    expect(page.get_by_text("Your own wording, last changed by Dana Whitfield")).to_be_visible()
    expect(page.get_by_label("Message")).to_have_value(OWN_BODY)
    saved = MessageTemplate.objects.get(organization=org)
    assert (saved.kind, saved.channel, saved.language) == ("reminder", "email", "en")
    assert (saved.subject, saved.body, saved.updated_by) == (BUILT_IN.subject, OWN_BODY, user)

    # The list shows the reminder as the business's own wording; the others stay built-in.
    page.get_by_role("link", name="All messages").click()
    expect(reminder_link(page, "Your wording")).to_be_visible()
    expect(reminder_link(page, "Built-in")).to_have_count(0)
    expect(page.get_by_role("link", name=cell_name("Built-in", "Invoice"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Your wording\s*:"))).to_have_count(1)

    # Back to the built-in wording, after saying yes to the question.
    reminder_link(page, "Your wording").click()
    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Reset to the built-in wording").click()
    expect(page.get_by_role("status")).to_contain_text(f"{TITLE} is back to the built-in wording.")
    assert questions and "discarded" in questions[0]
    expect(page.get_by_label("Message")).to_have_value(BUILT_IN.body)
    expect(page.get_by_role("button", name="Reset to the built-in wording")).to_have_count(0)
    assert not MessageTemplate.objects.exists()
    page.get_by_role("link", name="All messages").click()
    expect(reminder_link(page, "Built-in")).to_be_visible()
    assert console == [], console


def test_preview_button_works_without_javascript(new_page: Callable[..., Page]) -> None:
    _, org = sign_up_owner()
    add_customers(org)
    page, console = open_signed_in(new_page, java_script_enabled=False)

    open_messages(page)
    reminder_link(page, "Built-in").click()
    expect(page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    # No script: nothing previewed yet, and the page says how to get one.
    expect(page.get_by_text("Choose a customer and press Preview")).to_be_visible()
    expect(page.locator("#preview-body")).to_be_hidden()

    page.get_by_label("Message").fill(OWN_BODY)
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    page.get_by_role("button", name="Preview", exact=True).click()
    # The server filled it in, kept what was typed and the customer picked, and saved nothing.
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    html = page.locator("#preview-html")
    expect(html).to_contain_text("A quick note for Harbour Tiles about invoice INV-0042")
    expect(html).to_contain_text(OWN_SENTENCE)
    expect(page.locator("#preview-error")).to_be_hidden()
    expect(page.get_by_text("Choose a customer and press Preview")).to_be_hidden()
    expect(page.get_by_label("Message")).to_have_value(OWN_BODY)
    expect(page.get_by_label("Preview on")).to_have_value(
        str(Customer.objects.get(organization=org, display_name="Harbour Tiles").pk)
    )
    expect(page.get_by_role("status")).to_have_count(0)
    assert not MessageTemplate.objects.exists()
    shoot(page, "desktop-editor-preview-nojs")

    # The misspelt placeholder, previewed: named at the field, with the suggestion, not saved.
    page.get_by_label("Message").fill(TYPO_BODY)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator(".field.has-errors")).to_contain_text(TYPO_ERROR)
    expect(page.get_by_label("Message")).to_have_value(TYPO_BODY)
    assert not MessageTemplate.objects.exists()

    # And saving works without a script too.
    page.get_by_label("Message").fill(OWN_BODY)
    page.get_by_role("button", name="Save wording").click()
    expect(page.get_by_role("status")).to_contain_text(f"Saved your wording for {TITLE}.")
    assert MessageTemplate.objects.get(organization=org).body == OWN_BODY
    assert console == [], console


def test_messages_fit_a_phone(new_page: Callable[..., Page]) -> None:
    _, org = sign_up_owner()
    add_customers(org)
    page, console = open_signed_in(new_page, "phone")

    page.goto("/settings/messages/")
    expect(page.get_by_role("heading", name="What your customers read")).to_be_visible()
    check_page(page, "phone-list", console)

    reminder_link(page, "Built-in").click()
    expect(page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    check_page(page, "phone-editor", console)
    page.locator("summary", has_text="Placeholders you can use").click()
    expect(page.get_by_text("What is still owed on the invoice")).to_be_visible()
    page.get_by_label("Message").fill(OWN_BODY)
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    expect(page.locator("#preview-html")).to_contain_text("A quick note for Harbour Tiles")
    check_page(page, "phone-editor-preview", console)

    page.get_by_label("Message").fill(TYPO_BODY)
    expect(page.locator("#preview-error")).to_have_text(TYPO_ERROR)
    check_page(page, "phone-editor-typo", console)


# A bug this caught: the plain-text part ends with a long link (the unsubscribe link, about 180
# characters in a real message) that did not wrap, so the editor scrolled sideways on a phone.


def test_plain_text_preview_fits_a_phone(new_page: Callable[..., Page]) -> None:
    _, org = sign_up_owner()
    add_customers(org)
    page, console = open_signed_in(new_page, "phone")
    page.goto(EDITOR_PATH)
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    page.locator("#preview summary", has_text="Plain-text version").click()
    expect(page.locator("#preview-text")).to_contain_text("To unsubscribe")
    check_page(page, "phone-editor-plain-text", console)

"""The Reminders pages through a real browser: the owner opens Reminders, sees the default
policy in plain words, edits it (the send window to 10:00 to 16:00, the 7-day step's tone),
previews the due-day step's email for a real customer (their name, their open invoice's number
and amount), saves, and the edit keeps every kept step's row. A duplicate day is refused on its
row with a focused summary. Without JavaScript "Add a step" and "Preview" work through the
server. At 375 px and in dark mode the editor fits and reads.

Screenshots go to var/screenshots/reminders-*.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.messaging.placeholders import format_amount, value_locale
from arhub.models import Organization
from arhub.services.accounts import user_signup
from invoicing.models import Customer, Invoice
from reminders.models import ReminderPolicy, ReminderStep
from tests.browser import helpers
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PREVIEW_PATH = "/reminders/preview/"


def sign_up_owner() -> Organization:
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    return org


def add_customers(org: Organization) -> tuple[Customer, Invoice]:
    """Two customers, so picking one for the preview is a real choice; the one to pick, with
    an open invoice."""
    other = CustomerFactory(organization=org, display_name="Kyoto Tea Trading")
    ContactFactory(customer=other, name="Aiko", email="buyer@kyoto-tea.test")
    harbour = CustomerFactory(
        organization=org,
        display_name="Harbour Tiles",
        language="en",
        timezone="America/New_York",
    )
    ContactFactory(customer=harbour, name="Jo Harbour", email="jo@harbour-tiles.test")
    today = timezone.localdate()
    invoice = invoice_make(
        org,
        customer=harbour,
        issue_date=today - timedelta(days=10),
        due_date=today + timedelta(days=20),
        lines=(("Bathroom tiling", "1", "1250.00"),),
    )
    return harbour, invoice


def _is_problem(message: ConsoleMessage) -> bool:
    url = message.location.get("url") or ""
    if "favicon" in url:
        return False
    # The live preview answers wording it cannot render with 400 and the reasons, by design.
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
    helpers.shoot(page, f"reminders-{name}")


def check_page(page: Page, name: str, console: list[str]) -> None:
    helpers.check_page(page, f"reminders-{name}", console)


def open_reminders(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    expect(page).to_have_url(re.compile(r"/reminders/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")


def open_default(page: Page) -> None:
    open_reminders(page)
    page.get_by_role("link", name="Edit Standard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Standard")


def test_owner_edits_the_default_policy_and_previews_a_step(
    new_page: Callable[..., Page],
) -> None:
    org = sign_up_owner()
    _, invoice = add_customers(org)
    amount = format_amount(
        invoice.balance_due, invoice.currency, locale=value_locale(org=org, language="en")
    )
    page, console = open_signed_in(new_page)

    open_reminders(page)
    card = page.get_by_role("region", name=re.compile("^Standard"))
    expect(card).to_contain_text("Default")
    expect(card).to_contain_text("Applies to 2 customers")
    expect(card).to_contain_text("Monday to Friday, 09:00 to 17:00 in the customer's time")
    expect(card.get_by_role("listitem")).to_have_text(
        [
            "3 days before the due date: friendly email",
            "On the due date: friendly email and SMS",
            "3 days after the due date: friendly email",
            "7 days after the due date: firm email",
            "14 days after the due date: firm email",
            "30 days after the due date: final notice by email, with the invoice PDF",
        ]
    )
    check_page(page, "desktop-list", console)

    policy = ReminderPolicy.objects.get(organization=org, is_default=True)
    ids_before = dict(ReminderStep.objects.filter(policy=policy).values_list("offset_days", "pk"))
    page.get_by_role("link", name="Edit Standard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Standard")
    page.get_by_label("From", exact=True).fill("10:00")
    page.get_by_label("Until", exact=True).fill("16:00")
    seven = page.get_by_label("Step 4: tone")
    expect(page.get_by_label("Step 4: day, from the due date")).to_have_value("7")
    seven.select_option("final")

    # The due-day step, as Harbour Tiles would read it today: nothing is saved by previewing.
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    page.get_by_role("button", name="Preview step 2").click()
    expect(page.locator("#preview-heading")).to_be_focused()
    body = page.locator("#preview-body")
    expect(body).to_be_visible()
    expect(page.locator("#preview-step")).to_have_text("2")
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    expect(page.locator("#preview-invoice")).to_have_text(invoice.number)
    expect(page.locator("#preview-email-to")).to_have_text("jo@harbour-tiles.test")
    expect(page.locator("#preview-subject")).to_contain_text(invoice.number)
    html = page.locator("#preview-html")
    expect(html).to_contain_text("Hi Jo Harbour,")
    expect(html).to_contain_text(f"invoice {invoice.number} for {amount}")
    expect(html).not_to_contain_text("{")
    # The due-day step goes by text too: its SMS, filled in the same way.
    expect(page.locator("#preview-sms-text")).to_contain_text(invoice.number)
    assert ReminderPolicy.objects.get(pk=policy.pk).window_start == time(9)
    check_page(page, "desktop-editor-preview", console)

    # Own wording, typed into the step being previewed, follows live.
    step_2 = page.locator("#step-1")
    step_2.get_by_text("Use your own wording").click()
    page.get_by_label("Email subject, step 2").fill("Due today: {invoice_number}")
    page.get_by_label("Email text, step 2").fill(
        "Hello {contact_name}, {amount_due} for {customer_name} is due today.\n\n{pay_link}"
    )
    expect(html).to_contain_text(f"Hello Jo Harbour, {amount} for Harbour Tiles is due today.")
    expect(page.locator("#preview-subject")).to_have_text(f"Due today: {invoice.number}")
    page.get_by_label("Email text, step 2").fill("Hello {contact_nam}")
    expect(page.locator("#preview-error")).to_contain_text("Did you mean {contact_name}?")
    page.get_by_label("Email subject, step 2").fill("")
    page.get_by_label("Email text, step 2").fill("")
    shoot(page, "desktop-editor-filled")

    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Standard”.")
    policy.refresh_from_db()
    assert (policy.window_start, policy.window_end) == (time(10), time(16))
    after = {
        offset: (pk, tone)
        for pk, offset, tone in ReminderStep.objects.filter(policy=policy).values_list(
            "pk", "offset_days", "tone"
        )
    }
    assert after[7][1] == "final"
    assert {day: pk for day, (pk, _) in after.items()} == ids_before
    assert ReminderStep.objects.get(policy=policy, offset_days=0).body == ""
    expect(page.get_by_label("From", exact=True)).to_have_value("10:00")

    open_reminders(page)
    card = page.get_by_role("region", name=re.compile("^Standard"))
    expect(card).to_contain_text("Monday to Friday, 10:00 to 16:00 in the customer's time")
    expect(card).to_contain_text("7 days after the due date: final notice by email")

    # The invoice's timeline: the next reminder at the new window's opening where the customer
    # is (New York), and the same moment on the owner's clock (Dublin, four or five hours
    # ahead, as their DST changes fall on different dates).
    page.goto(f"/invoices/{invoice.pk}/")
    timeline = page.get_by_role("region", name="Reminders")
    expect(timeline).to_contain_text(re.compile(r"10:00 in New York \(.*, 1[45]:00 your time\)"))
    shoot(page, "desktop-invoice-timeline")
    assert console == [], console


def test_a_duplicate_day_is_refused_on_its_row(new_page: Callable[..., Page]) -> None:
    org = sign_up_owner()
    page, console = open_signed_in(new_page)
    open_default(page)

    # A new row, added in place by the script, on a day another step has.
    page.get_by_role("button", name="Add a step").click()
    new_day = page.get_by_label("Step 7: day, from the due date")
    expect(new_day).to_be_focused()
    new_day.fill("14")
    page.get_by_role("button", name="Save policy").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing was saved.")
    link = summary.get_by_role("link", name=re.compile("Step 7, day: Step 5 is already 14 days"))
    link.click()
    field = page.get_by_label("Step 7: day, from the due date")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert ReminderStep.objects.filter(policy__organization=org).count() == 6
    check_page(page, "desktop-editor-errors", console)


def test_add_and_preview_without_javascript(new_page: Callable[..., Page]) -> None:
    org = sign_up_owner()
    _, invoice = add_customers(org)
    page, console = open_signed_in(new_page, java_script_enabled=False)
    open_default(page)

    page.get_by_role("button", name="Add a step").click()
    expect(page.get_by_label("Step 7: day, from the due date")).to_be_focused()
    page.get_by_label("Step 7: day, from the due date").fill("45")
    page.get_by_label("Step 7: tone").select_option("final")

    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    page.get_by_role("button", name="Preview step 7").click()
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    expect(page.locator("#preview-invoice")).to_have_text(invoice.number)
    expect(page.locator("#preview-html")).to_contain_text(
        "45 days ago. This is our final reminder."
    )
    expect(page.get_by_label("Step 7: day, from the due date")).to_have_value("45")
    assert not ReminderStep.objects.filter(offset_days=45).exists()
    shoot(page, "desktop-editor-preview-nojs")

    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Standard”.")
    assert ReminderStep.objects.get(offset_days=45).tone == "final"
    assert console == [], console


@pytest.mark.parametrize(
    ("kind", "options", "name"),
    [
        ("phone", {"viewport": {"width": 375, "height": 812}}, "phone"),
        ("desktop", {"color_scheme": "dark"}, "dark"),
        (
            "phone",
            {"viewport": {"width": 375, "height": 812}, "color_scheme": "dark"},
            "phone-dark",
        ),
    ],
)
def test_the_pages_fit_a_phone_and_read_in_dark_mode(
    new_page: Callable[..., Page], kind: str, options: dict[str, Any], name: str
) -> None:
    org = sign_up_owner()
    add_customers(org)
    page, console = open_signed_in(new_page, kind, **options)
    open_reminders(page)
    check_page(page, f"{name}-list", console)
    page.get_by_role("link", name="Edit Standard").click()
    page.get_by_label("Preview on").select_option(label="Harbour Tiles")
    page.get_by_role("button", name="Preview step 2").click()
    expect(page.locator("#preview-customer")).to_have_text("Harbour Tiles")
    page.locator("#step-3").get_by_text("Use your own wording").click()
    check_page(page, f"{name}-editor", console)


def test_owner_adds_a_policy_makes_it_the_default_and_deletes_the_old_one(
    new_page: Callable[..., Page],
) -> None:
    org = sign_up_owner()
    page, console = open_signed_in(new_page)
    open_reminders(page)

    page.get_by_role("link", name="New policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New policy")
    page.get_by_label("Name", exact=True).fill("Key accounts")
    page.get_by_label("Saturday").check()
    page.get_by_label("Step 2: send by").select_option("preferred")
    page.get_by_label("Remove step 5").check()
    check_page(page, "desktop-new", console)
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("Added “Key accounts”.")
    created = ReminderPolicy.objects.get(organization=org, name="Key accounts")
    assert created.weekdays == [0, 1, 2, 3, 4, 5] and not created.is_default
    assert sorted(created.steps.values_list("offset_days", flat=True)) == [-3, 0, 3, 7, 30]

    page.get_by_role("button", name="Make it the default").click()
    expect(page.get_by_role("status")).to_contain_text("“Key accounts” is now the default")
    cards = page.locator("section.policy-card h2")
    expect(cards).to_have_text([re.compile("^Key accounts"), re.compile("^Standard")])
    check_page(page, "desktop-list-two", console)

    page.get_by_role("link", name="Edit Standard").click()
    page.get_by_role("link", name="Delete this policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Standard”?")
    expect(page.get_by_text("No customer is on it.")).to_be_visible()
    check_page(page, "desktop-delete", console)
    page.get_by_role("button", name="Delete the policy").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted “Standard”.")
    assert list(ReminderPolicy.objects.filter(organization=org).values_list("name", flat=True)) == [
        "Key accounts"
    ]
    assert console == [], console

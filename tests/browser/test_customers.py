"""The customer pages through a real browser: the owner adds a customer with two contacts,
records SMS consent and a note and sees both on the customer's page; at phone width the
directory, the form and the customer page fit the screen. Screenshots of each page, desktop and
phone, go to var/screenshots/customers-*.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.models import (
    Channel,
    ConsentMethod,
    Message,
    MessageKind,
    MessageStatus,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from arhub.services.accounts import user_signup
from invoicing.models import Contact, Customer, CustomerNote
from invoicing.services import ContactInput, CustomerInput, customer_create
from tests.browser import helpers
from tests.browser.helpers import (
    DASHBOARD_URL,
    PASSWORD,
    field_layout_problems,
    log_in,
)

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"


def sign_up_owner() -> Any:
    user, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    return user, org


def open_signed_in(new_page: Callable[..., Page], kind: str) -> tuple[Page, list[str]]:
    page = new_page(kind)
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


def shoot(page: Page, name: str) -> None:
    helpers.shoot(page, f"customers-{name}")


def check_page(page: Page, name: str, console: list[str]) -> None:
    helpers.check_page(page, f"customers-{name}", console)
    # Every label above its own field, fields set apart: no label can be paired with the wrong
    # field (the contact rows repeat the same labels).
    assert field_layout_problems(page) == [], name


def test_owner_adds_a_customer_records_consent_and_a_note(new_page: Callable[..., Page]) -> None:
    user, org = sign_up_owner()
    page, console = open_signed_in(new_page, "desktop")

    # From the menu to the empty directory, which offers the first customer.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.get_by_role("heading", name="No customers yet")).to_be_visible()
    check_page(page, "desktop-list-empty", console)
    page.get_by_role("link", name="Add your first customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customer")
    expect(page.get_by_label("Currency")).to_have_value("EUR")  # the organization's

    # The customer, and two contacts; the second one is primary.
    page.get_by_label("Display name").fill("Harbour Tiles")
    page.get_by_label("Company").fill("Harbour Tiles Ltd")
    page.get_by_label("Tags").fill("wholesale, north")
    page.get_by_label("Or net days").fill("30")
    address = page.get_by_role("group", name="Billing address")
    address.get_by_label("Address line 1").fill("14 Quay Street")
    address.get_by_label("City or town").fill("Dublin 2")
    address.get_by_label("Postal or ZIP code").fill("D02 X285")
    address.get_by_label("Country").select_option(label="Ireland")
    address.get_by_label("Tax or VAT number").fill("IE6388047V")
    first = page.get_by_role("group", name="Contact 1")
    first.get_by_label("Name").fill("Jo Harbour")
    first.get_by_label("Role").fill("Owner")
    first.get_by_label("Email").fill("jo@harbour-tiles.test")
    second = page.get_by_role("group", name="Contact 2")
    second.get_by_label("Name").fill("Sam Byrne")
    second.get_by_label("Role").fill("Accounts payable")
    second.get_by_label("Email").fill("accounts@harbour-tiles.test")
    second.get_by_label("Phone").fill("+353 87 123 4567")
    second.get_by_label("Primary contact").check()
    expect(first.get_by_label("Primary contact")).not_to_be_checked()

    # With JavaScript a third row can be added; the cursor lands in it.
    page.get_by_role("button", name="Add another contact").click()
    third = page.get_by_role("group", name="Contact 3")
    expect(third.get_by_label("Name")).to_be_focused()
    expect(page.locator("#id_contacts-TOTAL_FORMS")).to_have_value("3")
    check_page(page, "desktop-form", console)

    page.get_by_role("button", name="Add customer").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Tiles")
    expect(page.get_by_role("status")).to_contain_text("Added Harbour Tiles.")
    expect(page.locator(".billing-address")).to_have_text(
        re.compile(r"14 Quay Street\s*Dublin 2\s*D02 X285\s*Ireland")
    )
    customer = Customer.objects.get(organization=org)
    assert (customer.billing_country, customer.tax_id) == ("IE", "IE6388047V")
    sam = Contact.objects.get(customer=customer, name="Sam Byrne")
    assert sam.is_primary and str(sam.phone) == "+353871234567"
    assert Contact.objects.filter(customer=customer).count() == 2  # the blank third row skipped

    # Record consent for Sam's mobile: the owner says how the customer agreed.
    card = page.locator(f"#contact-{sam.pk}")
    expect(card.get_by_text("No consent")).to_be_visible()
    card.locator("summary", has_text="Record consent").click()
    card.get_by_role("button", name="Record consent").click()  # without saying how: refused
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert not SmsConsent.objects.exists()
    card = page.locator(f"#contact-{sam.pk}")
    card.get_by_label("How did they agree?").fill("Said yes to texts on the phone with Dana")
    card.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded consent to text +353 87 123 4567")
    card = page.locator(f"#contact-{sam.pk}")
    expect(card.get_by_text("Consent recorded")).to_be_visible()
    expect(card).to_contain_text("by Dana Whitfield")
    expect(card).to_contain_text("Said yes to texts on the phone with Dana")

    # A note, which lands on the timeline with its author.
    page.get_by_label("Add a note").fill("Prefers a call before the 5th of the month.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Prefers a call before the 5th of the month.")).to_be_visible()
    expect(timeline).to_contain_text("Note by Dana Whitfield")
    # Consent and the note are both on the page at once.
    expect(page.locator(f"#contact-{sam.pk}").get_by_text("Consent recorded")).to_be_visible()
    check_page(page, "desktop-detail", console)

    consent = SmsConsent.objects.get(organization=org)
    assert (consent.phone, consent.method, consent.recorded_by) == (
        "+353871234567",
        ConsentMethod.OWNER_ATTESTED,
        user,
    )
    assert CustomerNote.objects.get(customer=customer).author == user

    # Back in the directory the new customer is listed with its primary contact.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Customers").click()
    row = page.get_by_role("row").filter(has_text="Harbour Tiles")
    expect(row).to_contain_text("accounts@harbour-tiles.test")
    expect(row).to_contain_text("0.00 EUR")
    check_page(page, "desktop-list", console)


def add_customers(org: Any, user: Any) -> Customer:
    people = [
        ("Harbour Tiles", "Harbour Tiles Ltd", "accounts.payable@harbour-tiles-and-stone.test"),
        ("Østergaard Møbler", "Østergaard Møbler ApS", "faktura@ostergaard.test"),
        ("Kyoto Tea Trading", "", "buyer@kyoto-tea.test"),
        ("Rosa Delgado", "Delgado Catering S.L.", "rosa@delgado.test"),
    ]
    made = []
    for name, company, email in people:
        made.append(
            customer_create(
                org=org,
                actor=user,
                data=CustomerInput(display_name=name, company=company, tags=["wholesale", "vip"]),
                contacts=[
                    ContactInput(name="Accounts", email=email, phone="+353 87 123 4567"),
                    ContactInput(name="Second person", email="second@" + email.split("@")[1]),
                ],
            )
        )
    # Some history, so the screenshots show badges and a timeline.
    first = made[0]
    Suppression.objects.create(
        organization=org,
        channel=Channel.EMAIL,
        address="second@harbour-tiles-and-stone.test",
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.UNSUBSCRIBED,
    )
    Message.objects.create(
        organization=org,
        customer=first,
        channel=Channel.EMAIL,
        kind=MessageKind.REMINDER,
        recipient="accounts.payable@harbour-tiles-and-stone.test",
        subject="A friendly reminder: invoice INV-0042 is due on Friday",
        body_text="Hello",
        status=MessageStatus.DELIVERED,
    )
    Message.objects.create(
        organization=org,
        customer=first,
        channel=Channel.SMS,
        kind=MessageKind.INVOICE,
        recipient="+353871234567",
        body_text="Whitfield Joinery: your invoice INV-0042 for EUR 1,250.00 is ready.",
        status=MessageStatus.SUPPRESSED,
        status_reason="No recorded consent to text this number",
    )
    CustomerNote.objects.create(
        organization=org, customer=first, author=user, body="Asked for paper copies too."
    )
    return first


def test_customer_pages_fit_a_phone(new_page: Callable[..., Page]) -> None:
    user, org = sign_up_owner()
    customer = add_customers(org, user)
    page, console = open_signed_in(new_page, "phone")

    page.goto("/customers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    expect(page.get_by_role("link", name="Harbour Tiles")).to_be_visible()
    check_page(page, "phone-list", console)

    page.get_by_label("Search").fill("delgado")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Rosa Delgado")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Tiles")).to_have_count(0)

    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Tiles")
    expect(page.get_by_text("Unsubscribed from reminders")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("No recorded consent to text this number")
    page.locator("summary", has_text="Record consent").first.click()  # open the form: must fit too
    check_page(page, "phone-detail", console)

    page.goto(f"/customers/{customer.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Harbour Tiles")
    check_page(page, "phone-form", console)

    # A mistake is shown at its field, on a phone too.
    page.get_by_role("group", name="Contact 1").get_by_label("Phone").fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    phone = page.get_by_role("group", name="Contact 1").get_by_label("Phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile("“12” is not a (valid )?phone number"))
    check_page(page, "phone-form-errors", console)


def test_desktop_directory_with_customers(new_page: Callable[..., Page]) -> None:
    user, org = sign_up_owner()
    add_customers(org, user)
    page, console = open_signed_in(new_page, "desktop")
    page.goto("/customers/")
    expect(page.get_by_role("row")).to_have_count(5)  # the header and four customers
    check_page(page, "desktop-list-full", console)
    a_to_z = page.locator("tbody tr td:first-child").all_inner_texts()
    page.get_by_label("Tag", exact=True).select_option("vip")
    page.get_by_label("Sort by").select_option("-name")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"tag=vip"))
    assert page.locator("tbody tr td:first-child").all_inner_texts() == a_to_z[::-1]

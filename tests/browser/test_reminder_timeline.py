"""The reminder timeline on the invoice page, in a real browser: the owner (in London) reads
what was sent to a customer in Auckland and when the next reminder goes, in the customer's time
and their own; pauses the reminders with a reason, sees the reason, resumes them; the section
on a 375 px phone. Screenshots go to var/screenshots/reminder-timeline-*.png for a person to
look at."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arhub.models import Message, MessageStatus
from arhub.services.accounts import user_signup
from invoicing.models import Invoice
from reminders.models import InvoiceReminderPause
from reminders.timeline import invoice_timeline
from tests.browser import helpers
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.helpers import PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.reminders.engine_helpers import local, run_at

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
AUCKLAND = "Pacific/Auckland"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
REASON = "Paying on the 20th, agreed by phone"


def seed() -> tuple[Any, Invoice]:
    """An invoice two days overdue for a customer in Auckland, whose "3 days before" and "on
    the due date" reminders went out (the first delivered); "3 days after" comes next."""
    _, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="GBP",
        timezone="Europe/London",
    )
    customer = CustomerFactory(
        organization=org,
        display_name="Kōwhai Kitchens Ltd",
        currency="GBP",
        timezone=AUCKLAND,
        preferred_channel="email",
    )
    ContactFactory(customer=customer, email="accounts@kowhai-kitchens.test")
    due = timezone.now().astimezone(ZoneInfo(AUCKLAND)).date() - timedelta(days=2)
    invoice = invoice_make(
        org,
        customer=customer,
        issue_date=due - timedelta(days=30),
        due_date=due,
        lines=[("Kitchen joinery, oak", "1", "2400.00")],
    )
    for offset in (-3, 0):
        moment = local(AUCKLAND, due + timedelta(days=offset))
        # Inside the window on a weekday; a weekend step waits for Monday.
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        run_at(moment, org=org)
    first = Message.objects.filter(invoice=invoice).order_by("pk").first()
    assert first is not None
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.DELIVERED)
    return org, invoice


def test_the_owner_reads_pauses_and_resumes_the_reminders(new_page):
    org, invoice = seed()
    timeline = invoice_timeline(org=org, invoice=Invoice.objects.get(pk=invoice.pk))
    assert timeline.next is not None and timeline.next.when is not None
    when = timeline.next.when
    assert re.fullmatch(r"\w{3} \d{1,2} \w{3}, 09:00 in Auckland", when.customer_local)

    page = new_page("desktop")
    log_in(page, EMAIL, PASSWORD)
    page.goto(f"/invoices/{invoice.pk}/")
    section = page.get_by_role("region", name="Reminders")
    expect(section).to_contain_text(f"{when.customer_local} ({when.org_time} your time)")
    expect(section).to_contain_text("Friendly reminder, 3 days after the due date")
    expect(section.get_by_role("table")).to_contain_text("Delivered")
    assert len(timeline.sent) >= 1
    assert helpers.unlabelled_controls(page) == []
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOT_DIR / "reminder-timeline-desktop.png"))

    # Pause with a reason, with the keyboard once the form is open.
    section.locator("summary", has_text="Pause reminders").click()
    reason = section.get_by_label("Why pause them?")
    expect(reason).to_be_visible()
    reason.fill(REASON)
    reason.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        f"Reminders for invoice {invoice.number} are paused until you resume them."
    )
    section = page.get_by_role("region", name="Reminders")
    expect(section.get_by_role("status")).to_contain_text(
        f"Not sending: Paused by Dana Whitfield: {REASON}"
    )
    expect(section).to_contain_text("Would go from")
    assert InvoiceReminderPause.objects.get(invoice=invoice).reason == REASON
    section.screenshot(path=str(SCREENSHOT_DIR / "reminder-timeline-paused-desktop.png"))

    phone = new_page("desktop", **PHONE_375)
    log_in(phone, EMAIL, PASSWORD)
    phone.goto(f"/invoices/{invoice.pk}/#reminders")
    phone_section = phone.get_by_role("region", name="Reminders")
    expect(phone_section).to_contain_text(REASON)
    overflow = helpers.horizontal_overflow(phone)
    assert overflow["fits"], overflow
    phone_section.screenshot(path=str(SCREENSHOT_DIR / "reminder-timeline-phone.png"))

    section.get_by_role("button", name="Resume reminders").click()
    expect(page.locator(".messages")).to_contain_text("are back on")
    section = page.get_by_role("region", name="Reminders")
    expect(section).to_contain_text(f"Goes out from {when.customer_local}")
    expect(section).not_to_contain_text("Not sending")
    assert not InvoiceReminderPause.objects.filter(invoice=invoice).exists()

    phone.reload()  # the same URL again would only scroll to its #reminders
    expect(phone.get_by_role("region", name="Reminders")).to_contain_text("Goes out from")
    assert helpers.horizontal_overflow(phone)["fits"]
    phone.get_by_role("region", name="Reminders").screenshot(
        path=str(SCREENSHOT_DIR / "reminder-timeline-phone-resumed.png")
    )

    # The customer's page: the policy they follow and "pause all".
    page.goto(f"/customers/{invoice.customer_id}/#reminders")
    customer_section = page.get_by_role("region", name="Reminders")
    expect(customer_section.get_by_label("Reminder policy")).to_have_value("")
    expect(customer_section).to_contain_text("Organization default (Standard)")
    customer_section.locator("summary", has_text="Pause all reminders").click()
    customer_section.screenshot(path=str(SCREENSHOT_DIR / "reminder-customer-desktop.png"))
    phone.goto(f"/customers/{invoice.customer_id}/#reminders")
    assert helpers.horizontal_overflow(phone)["fits"]
    phone.get_by_role("region", name="Reminders").screenshot(
        path=str(SCREENSHOT_DIR / "reminder-customer-phone.png")
    )

"""Late fees on the invoice page, in a real browser: each fee with its date, rule and amount, a
waived one struck through with its reason, and the owner waiving another with the keyboard
alone; the page on a 375 px phone. Screenshots go to var/screenshots/late-fees-*.png for a
person to look at."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from arhub.clock import org_today
from arhub.services.accounts import user_signup
from invoicing.models import Invoice, LateFee
from payments.late_fee_services import late_fee_waive, late_fees_apply
from payments.services import payment_record
from tests.browser import helpers
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.helpers import PASSWORD, log_in
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make

pytestmark = pytest.mark.browser

EMAIL = "dana@whitfield-joinery.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def seed() -> tuple[Any, Invoice]:
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
    terms = PaymentTermsFactory(
        organization=org,
        name="Net 30, 1.5% a month",
        days=30,
        late_fee_kind="percent",
        late_fee_percent=Decimal("1.5"),
    )
    invoice = invoice_make(
        org,
        customer=customer,
        issue_date=today - timedelta(days=125),
        payment_terms_id=terms.pk,
        lines=[("Bathroom tiling", "1", "1200.00")],
    )
    payment_record(
        org=org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("200.00"),
        currency="USD",
        method="cheque",
        received_on=today - timedelta(days=100),
        reference="Cheque 1041",
        notify=False,
    )
    late_fees_apply(org=org)
    first = LateFee.objects.filter(invoice=invoice).order_by("period_start").first()
    assert first is not None
    late_fee_waive(org=org, actor=None, fee=first, reason="First late payment, as a courtesy")
    return org, invoice


def test_the_owner_reads_and_waives_late_fees(new_page):
    _, invoice = seed()
    fees = list(LateFee.objects.filter(invoice=invoice).order_by("period_start"))
    assert len(fees) >= 3  # about three months overdue
    page = new_page("desktop")
    log_in(page, EMAIL, PASSWORD)
    page.goto(f"/invoices/{invoice.pk}/")
    section = page.get_by_role("region", name="Late fees")
    expect(section).to_contain_text("First late payment, as a courtesy")
    expect(section.locator("del").first).to_contain_text("1.5% of $1,000.00 unpaid")
    assert helpers.unlabelled_controls(page) == []
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "late-fees-desktop.png"), full_page=True)

    # Keyboard only: open the second fee's Waive, give the reason, submit.
    summary = section.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    reason = section.get_by_label("Why waive it?").first
    expect(reason).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "late-fees-waive-open.png"), full_page=True)
    reason.focus()
    page.keyboard.type("Paid the rest the same week")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Waived the late fee of $15.00"
    )
    assert LateFee.objects.get(pk=fees[1].pk).waive_reason == "Paid the rest the same week"
    assert Invoice.objects.get(pk=invoice.pk).fees_total == sum(fee.amount for fee in fees[2:])

    phone = new_page("desktop", **PHONE_375)
    log_in(phone, EMAIL, PASSWORD)
    phone.goto(f"/invoices/{invoice.pk}/#late-fees")
    overflow = helpers.horizontal_overflow(phone)
    assert overflow["fits"], overflow
    phone.get_by_role("region", name="Late fees").screenshot(
        path=str(SCREENSHOT_DIR / "late-fees-phone.png")
    )
    phone.screenshot(path=str(SCREENSHOT_DIR / "late-fees-phone-full.png"), full_page=True)

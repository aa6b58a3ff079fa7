""" "Can't pay the full amount today?" end to end on a 375 px phone, every part real.

One customer asks for three monthly payments; the plan is inside the business's auto-approve
rules, so it starts at once, and the pay page asks only for the first instalment, which they pay
through (the local stand-in for) Stripe's Checkout and its signed webhook, applied by a Celery
worker. Another customer disputes an invoice with a PDF attached; the owner reads it on the
dashboard, downloads the file, replies, and resolves it with a partial credit; the customer sees
the reply and the outcome, and the smaller balance, on the same pay page."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from arhub.pdf import render_pdf
from disputes.models import Dispute, DisputeStatus
from invoicing.models import Invoice, InvoiceStatus
from invoicing.pay_links import pay_link_url
from payments.models import PaymentPlan, PlanStatus
from tests.browser import helpers
from tests.browser.test_getting_paid_journey import checkout_completed
from tests.browser.test_pay_page import PHONE_375, business, customer, invoice, watch
from tests.payments.pay_page_helpers import connect_stripe
from tests.payments.plan_factories import plan_settings
from tests.stripe_server import StripeStandIn

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def phone(new_page: Callable[..., Page], bill: Invoice, ignore: str = "") -> tuple[Page, list[str]]:
    page = new_page("phone", **PHONE_375)
    console = watch(page, ignore=ignore)
    page.goto(urlsplit(pay_link_url(org=bill.organization, invoice=bill)).path)
    assert "/pay/v/" in page.url
    return page, console


def fits(page: Page, name: str, console: list[str]) -> None:
    helpers.shoot(page, name)
    overflow = helpers.horizontal_overflow(page)
    assert overflow["fits"], overflow
    assert helpers.unlabelled_controls(page) == []
    assert console == [], console


def test_a_plan_paid_in_instalments_and_a_dispute_resolved_with_a_credit(
    new_page: Callable[..., Page],
    stripe_api: StripeStandIn,
    worker: None,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.SITE_URL = live_server.url
    org = business()
    connect_stripe(org)
    plan_settings(
        org,
        plans_enabled=True,
        plan_auto_approve=True,
        plan_auto_max_balance=Decimal("2000"),
        plan_auto_max_instalments=4,
        plan_min_instalment=Decimal("50"),
    )

    # ---- A plan: £1,365.00 in three monthly payments of £455.00, started at once.
    bill = invoice(org, customer(org))
    page, console = phone(new_page, bill, ignore=stripe_api.url)
    page.get_by_role("link", name=re.compile("Ask for a payment plan")).click()
    page.get_by_label("Number of payments").select_option("3")
    page.get_by_label("Every month").check()
    page.get_by_role("button", name="Show the schedule").click()
    schedule = page.get_by_role("table")
    for text in ("3 payments", "February 13, 2027", "£455.00", "£1,365.00"):
        expect(schedule).to_contain_text(text)
    fits(page, "cant-pay-plan-schedule-375", console)
    page.get_by_role("button", name="Ask for this plan").click()
    expect(page.get_by_role("status")).to_contain_text("Your payment plan has started")
    plan = PaymentPlan.objects.for_org(org).get()
    assert plan.status == PlanStatus.ACTIVE
    assert [i.amount for i in plan.instalments.order_by("due_date")] == [Decimal("455.00")] * 3
    expect(page.locator("#plan")).to_contain_text("Next payment: £455.00")
    # Nothing is due for a week: the top of the page names the next payment and its date.
    expect(page.get_by_role("heading", level=1)).to_have_text("Next payment £455.00")
    fits(page, "cant-pay-plan-active-375", console)

    # The pay page asks for the first instalment only; the customer pays it.
    page.get_by_role("button", name="Pay £455.00").click()
    expect(page.get_by_role("heading", name="Stand-in Stripe Checkout")).to_be_visible()
    expect(page.locator("#amount")).to_have_text("45500 GBP (minor units)")
    checkout_completed(org, stripe_api, live_server.url)
    bill.refresh_from_db()
    assert (bill.status, bill.balance_due) == (InvoiceStatus.PARTIALLY_PAID, Decimal("910.00"))
    first, second, _ = plan.instalments.order_by("due_date")
    assert (first.amount_paid, second.amount_paid) == (Decimal("455.00"), Decimal("0.00"))

    page.get_by_role("link", name="Pay").click()
    panel = page.locator("#plan")
    expect(panel).to_contain_text("£455.00 paid of £1,365.00")
    expect(panel).to_contain_text(f"Next payment: £455.00 by {second.due_date:%B} ")
    expect(page.locator(".due-line")).to_contain_text(
        f"{second.due_date:%b} {second.due_date.day},"
    )
    fits(page, "cant-pay-plan-first-paid-375", console)

    # ---- A dispute with a PDF, from another customer's pay page.
    other = invoice(org, customer(org, name="Quayside Café"))
    page, console = phone(new_page, other)
    page.get_by_role("link", name=re.compile("Raise a question or dispute")).click()
    page.get_by_label("The amount is wrong").check()
    page.get_by_label(re.compile("Fitting on site")).check()
    page.get_by_label("Your message").fill(
        "We agreed two hours of fitting, not three. The job sheet is attached."
    )
    job_sheet = tmp_path / "job-sheet.pdf"
    job_sheet.write_bytes(render_pdf("<h1>Job sheet</h1><p>Fitting: 2 hours</p>"))
    page.locator("input[type=file]").set_input_files(str(job_sheet))
    fits(page, "cant-pay-dispute-form-375", console)
    page.get_by_role("button", name=f"Send to {org.name}").click()
    dispute = Dispute.objects.for_org(org).get()
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.attachments.count() == 1
    expect(page.locator("main")).to_contain_text("We agreed two hours of fitting")
    fits(page, "cant-pay-dispute-open-375", console)

    # ---- The owner reads it, downloads the job sheet, replies, and resolves with a credit.
    owner = new_page("desktop")
    helpers.log_in(owner, "dana@whitfield-joinery.test", helpers.PASSWORD)
    owner.goto("/disputes/")
    owner.get_by_role("link", name=re.compile(other.number)).first.click()
    with owner.expect_download() as download:
        owner.get_by_role("link", name=re.compile("job-sheet")).click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    owner.get_by_label("Message", exact=True).fill(
        "You are right, the fitting took two hours. We will credit the third hour."
    )
    owner.get_by_role("button", name="Send").click()
    expect(owner.locator(".thread")).to_contain_text("the fitting took two hours")
    owner.get_by_label("Give a credit").check()
    owner.get_by_label("Credit amount").fill("45.00")
    owner.get_by_label("Message to the customer").fill("We have credited one hour of fitting.")
    owner.get_by_role("button", name="Resolve dispute").click()
    dispute.refresh_from_db()
    other.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert other.balance_due == Decimal("1320.00")  # £1,365.00 less the £45.00 credit
    helpers.shoot(owner, "cant-pay-dispute-resolved-owner")

    # ---- The customer sees the reply, the outcome and what is left to pay.
    page.reload()
    main = page.locator("main")
    expect(main).to_contain_text("the fitting took two hours")
    expect(main).to_contain_text("We have credited one hour of fitting.")
    expect(main).to_contain_text("£1,320.00")
    expect(page.get_by_role("button", name="Pay £1,320.00")).to_be_visible()
    fits(page, "cant-pay-dispute-outcome-375", console)

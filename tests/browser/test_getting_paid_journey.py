"""Getting paid end to end, every part real: the invoice is emailed by a Celery worker to a local
SMTP server; the customer opens the link from that email on a 375 px phone, sees the itemized
invoice and the early-payment discount, clicks Pay and lands on (the local stand-in for)
Stripe's hosted Checkout; Stripe's signed webhook reaches our endpoint and the worker records
the payment; back on the pay page the customer sees the receipt, and the thank-you email with
the receipt PDF reaches the SMTP server."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from arhub.clock import org_today
from arhub.models import Message, MessageKind, MessageStatus
from invoicing.models import Invoice, InvoiceStatus
from invoicing.sending import invoice_send
from payments.models import CheckoutSession, Payment, PaymentMethod
from tests.browser import helpers
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_invoice_journey import run, wait_for
from tests.browser.test_pay_page import PHONE_375, business, customer, invoice, watch
from tests.payments.pay_page_helpers import connect_stripe
from tests.payments.stripe_webhook_helpers import event_make, session_object, signature_header
from tests.smtp_server import Inbox
from tests.stripe_server import StripeStandIn

pytestmark = [pytest.mark.browser, pytest.mark.integration]

WEBHOOK_SECRET = "whsec_test"  # what connect_stripe stores


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def post_webhook(base: str, slug: str, event: dict[str, Any]) -> int:
    """Stripe's delivery: the raw JSON body, signed with the stripe library's own function."""
    body = json.dumps(event)
    request = urllib.request.Request(
        f"{base}/webhooks/stripe/{slug}/",
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(body, WEBHOOK_SECRET),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def checkout_completed(org: Any, stripe_api: StripeStandIn, base: str) -> dict[str, Any]:
    """Stripe says the (one) Checkout Session is paid: its signed webhook is posted and applied
    by the worker. Returns the stand-in's session."""
    checkout = CheckoutSession.objects.for_org(org).get()
    stand_in = stripe_api.sessions[checkout.stripe_session_id]
    completed = event_make(
        "checkout.session.completed",
        session_object(checkout, payment_intent=stand_in["payment_intent"]),
    )
    assert post_webhook(base, org.slug, completed) == 200
    wait_for(lambda: Payment.objects.for_org(org).exists())
    return stand_in


def test_a_customer_pays_the_emailed_invoice_and_is_thanked(
    new_page: Callable[..., Page],
    stripe_api: StripeStandIn,
    smtp: Inbox,
    worker: None,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.SITE_URL = live_server.url
    org = business()
    connect_stripe(org)
    bill = invoice(org, customer(org), discount=True)
    deadline = bill.issue_date + timedelta(days=10)

    # The invoice goes out by email through the worker.
    invoice_send(org=org, actor=None, invoice=bill)
    wait_for(lambda: len(smtp.messages) == 1)
    invoice_email = smtp.messages[0]
    body = invoice_email.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/pay/p[\w-]+/", body)
    assert link is not None, body

    # The customer opens it on a phone: the itemized invoice and the discount.
    page = new_page("phone", **PHONE_375)
    console = watch(page, ignore=stripe_api.url)
    page.goto(urlsplit(link.group(0)).path)
    assert "/pay/v/" in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("£1,337.70")
    items = page.get_by_role("region", name="What this invoice is for")
    for line in ("Oak bookcase, made to measure", "Fitting on site", "Delivery", "£1,365.00"):
        expect(items).to_contain_text(line)
    expect(page.locator(".pay-offer")).to_contain_text(
        f"Pay £1,337.70 by {deadline:%B} {deadline.day} and save £27.30"
    )

    # Pay: off to Stripe's hosted page (the stand-in) for the discounted amount.
    page.get_by_role("button", name="Pay £1,337.70").click()
    expect(page.get_by_role("heading", name="Stand-in Stripe Checkout")).to_be_visible()
    expect(page.locator("#amount")).to_have_text("133770 GBP (minor units)")

    # Stripe says it is paid: the signed webhook, applied by the worker.
    stand_in = checkout_completed(org, stripe_api, live_server.url)
    payment = Payment.objects.for_org(org).get()
    assert (payment.amount, payment.method, payment.stripe_payment_intent) == (
        Decimal("1337.70"),
        PaymentMethod.STRIPE,
        stand_in["payment_intent"],
    )
    bill.refresh_from_db()
    assert (bill.status, bill.balance_due, bill.amount_discounted) == (
        InvoiceStatus.PAID,
        Decimal(0),
        Decimal("27.30"),
    )

    # Back from Checkout: the page now shows the receipt, not a pay button.
    page.get_by_role("link", name="Pay").click()
    assert "/pay/v/" in page.url
    main = page.locator("main")
    expect(main).to_contain_text("£1,337.70")
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_have_count(0)
    helpers.shoot(page, "getting-paid-receipt-375")
    assert console == [], console

    # The thank-you reaches the customer, with the receipt PDF.
    wait_for(lambda: len(smtp.messages) == 2)
    thanks = smtp.messages[1]
    assert thanks["To"] == "accounts@harbour-tiles.test"
    text = thanks.get_body(preferencelist=("plain",)).get_content()
    assert "£1,337.70" in text and "Thank you" in text
    (attachment,) = list(thanks.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(attachment.get_content())
    receipt_text = " ".join(run("pdftotext", "-layout", str(pdf), "-").split())
    for expected in (bill.number, "1,337.70", "27.30", org.name):
        assert expected in receipt_text, (expected, receipt_text)
    run("pdftoppm", "-f", "1", "-l", "1", "-r", "70", "-png", str(pdf), str(tmp_path / "r"))
    (png,) = tmp_path.glob("r*.png")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "getting-paid-receipt-pdf.png").write_bytes(png.read_bytes())

    # Exactly one receipt, and it is on the customer's timeline.
    time.sleep(1)
    receipts = Message.objects.for_org(org).filter(kind=MessageKind.RECEIPT)
    assert receipts.count() == 1
    assert receipts.get().status in (MessageStatus.SENT, MessageStatus.DELIVERED)
    assert org_today(org) <= deadline
    assert Invoice.objects.for_org(org).count() == 1

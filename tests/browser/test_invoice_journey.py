"""The invoice journey end to end, every part real: the owner adds a customer and writes an
invoice with three lines and a tax in Chromium, previews its PDF and sends it; a Celery worker
takes the send from Redis and the email reaches a local SMTP server with the PDF attached and
the pay link in the body; poppler renders the PDF's first page (kept in var/screenshots for a
person to look at) and its text is checked; the pay link opens the invoice on a phone."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from arhub.models import Message, MessageKind, MessageStatus
from arhub.services.accounts import user_signup
from invoicing.models import Invoice, InvoiceStatus, TaxRate
from tests.browser import helpers
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in
from tests.smtp_server import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.integration]
pytest_plugins = ["tests.smtp_server"]

EMAIL = "dana@whitfield-joinery.test"


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_owner_writes_previews_and_sends_an_invoice(
    new_page: Callable[..., Page], smtp: Inbox, worker: None, tmp_path: Path
) -> None:
    _user, org = user_signup(
        email=EMAIL,
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="GBP",
        timezone="Europe/London",
    )
    TaxRate.objects.create(organization=org, name="VAT", percent=Decimal("20"))
    page = new_page("desktop")
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    log_in(page, EMAIL, PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)

    # The customer, through the directory's form.
    page.goto("/customers/new/")
    page.get_by_label("Display name").fill("Harbour Tiles")
    contact = page.get_by_role("group", name="Contact 1")
    contact.get_by_label("Name").fill("Sam Byrne")
    contact.get_by_label("Email").fill("accounts@harbour-tiles.test")
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Tiles")

    # The invoice: three lines, VAT on two of them.
    page.get_by_role("link", name="New invoice").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New invoice")
    page.get_by_label("Line 1 Description").fill("Oak bookcase, made to measure")
    page.get_by_label("Line 1 Unit price").fill("1200")
    page.get_by_label("Line 1 VAT (20%)").check()
    page.get_by_role("button", name="Add another line").click()
    page.get_by_label("Line 2 Description").fill("Fitting on site")
    page.get_by_label("Line 2 Quantity").fill("3.5")
    page.get_by_label("Line 2 Unit", exact=True).fill("hours")
    page.get_by_label("Line 2 Unit price").fill("40")
    page.get_by_label("Line 2 VAT (20%)").check()
    page.get_by_role("button", name="Add another line").click()
    page.get_by_label("Line 3 Description").fill("Delivery")
    page.get_by_label("Line 3 Unit price").fill("35")
    page.get_by_role("button", name="Save draft").click()
    # 1200 + 140 + 35 = 1375.00; VAT on 1340.00 = 268.00; total 1643.00.
    expect(page.locator("main")).to_contain_text("£1,643.00")
    invoice = Invoice.objects.get(organization=org)
    assert (invoice.status, invoice.total, invoice.tax_total) == (
        InvoiceStatus.DRAFT,
        Decimal("1643.00"),
        Decimal("268.00"),
    )
    helpers.shoot(page, "journey-invoice-draft")

    # The PDF preview is a real PDF, served inline to the member.
    preview = page.get_by_role("link", name="Preview PDF")
    response = page.request.get(preview.get_attribute("href") or "")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"

    # Send: the request returns at once; the worker writes and sends the email.
    page.get_by_role("button", name="Issue and send").click()
    expect(page.get_by_role("status")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.number
    wait_for(lambda: len(smtp.messages) == 1)
    email = smtp.messages[0]
    assert email["To"] == "accounts@harbour-tiles.test"
    assert invoice.number in email["Subject"]
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "Hi Sam Byrne" in text and "£1,643.00" in text
    pay_link = re.search(r"https?://\S+/pay/(p[\w-]+)/", text)
    assert pay_link is not None, text
    (attachment,) = list(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{invoice.number}.pdf"
    wait_for(
        lambda: Message.objects.filter(
            invoice=invoice, kind=MessageKind.INVOICE, status=MessageStatus.SENT
        ).exists()
    )

    # Page 1 of the attached PDF, rendered by poppler and read back.
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(attachment.get_content())
    run("pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", str(pdf), str(tmp_path / "page"))
    (png,) = tmp_path.glob("page*.png")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "journey-invoice-pdf-page1.png").write_bytes(png.read_bytes())
    with Image.open(png) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 10  # not a blank page
    page_text = " ".join(run("pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-").split())
    for expected in (
        invoice.number,
        "Whitfield Joinery",
        "Harbour Tiles",
        "Oak bookcase, made to measure",
        "Fitting on site",
        "Delivery",
        "£1,643.00",
        "£268.00",
        "Due ",
        f"/pay/{pay_link.group(1)}/",
    ):
        assert expected in page_text, (expected, page_text)

    # The customer's side: the link opens the invoice on a phone, without signing in.
    phone = new_page("phone")
    phone.goto(f"/pay/{pay_link.group(1)}/")  # the live server's address, not SITE_URL's
    expect(phone.locator("body")).to_contain_text(invoice.number)
    expect(phone.locator("body")).to_contain_text("£1,643.00")
    helpers.shoot(phone, "journey-pay-page-phone")
    assert console == []

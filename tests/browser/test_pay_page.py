"""The customer's side of getting paid, in Chromium: the emailed pay link opened on a 375 px
phone shows the itemized invoice and the early-payment discount; "Pay" goes to (the local
stand-in for) Stripe's hosted Checkout; its "Pay" link brings the customer back to a "being
confirmed" notice. The lead extends this journey with the signed webhook and the receipt.

A second test opens every kind of pay page, the statement and the pages shown instead of them
at 320 px, 375 px and on a desk, light and dark: none scrolls sideways, every control is
labelled, and each is kept as a screenshot under var/screenshots/pay-*.png to look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.clock import org_today
from arhub.models import Organization
from arhub.services.accounts import user_signup
from invoicing.credit_services import credit_note_create
from invoicing.invoice_services import invoice_void
from invoicing.models import Customer, Invoice, InvoiceSettings, PaymentMethod
from invoicing.pay_links import pay_link_url
from payments.late_fee_services import late_fees_apply
from payments.models import CheckoutSession
from payments.statement_links import statement_link_url
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, horizontal_overflow, unlabelled_controls
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.payments.pay_page_helpers import connect_stripe, pay_part
from tests.stripe_server import StripeStandIn

pytestmark = pytest.mark.browser

ORG_NAME = "Whitfield Joinery"
PHONE_375 = {"viewport": {"width": 375, "height": 812}}


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def business() -> Organization:
    _, org = user_signup(
        email="dana@whitfield-joinery.test",
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name=ORG_NAME,
        currency="GBP",
        timezone="Europe/London",
    )
    org.email_reply_to = "accounts@whitfield-joinery.test"
    org.brand_color = "#0f766e"
    org.address_line1 = "4 Ropewalk Lane"
    org.city = "Bristol"
    org.postal_code = "BS1 5AB"
    org.save()
    InvoiceSettings.objects.update_or_create(
        organization=org,
        defaults={
            "accepted_methods": [PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE],
            "payment_instructions": "Lloyds Bank\nSort code 30-00-00\nAccount 00123456",
        },
    )
    return org


def customer(org: Organization, name: str = "Harbour Tiles", language: str = "en") -> Customer:
    made: Customer = CustomerFactory(organization=org, display_name=name, language=language)
    ContactFactory(customer=made, email="accounts@harbour-tiles.test", is_primary=True)
    return made


def invoice(
    org: Organization,
    who: Customer,
    *,
    days_ago: int = 2,
    discount: bool = False,
    late_fee: bool = False,
) -> Invoice:
    options: dict[str, Any] = {}
    if discount:
        options.update(discount_percent=2, discount_days=10)
    if late_fee:
        options.update(late_fee_kind="percent", late_fee_percent=Decimal("1.5"))
    terms = PaymentTermsFactory(organization=org, **options)
    return invoice_make(
        org,
        customer=who,
        issue_date=org_today(org) - timedelta(days=days_ago),
        lines=(
            ("Oak bookcase, made to measure", "1", "1200.00"),
            ("Fitting on site", "3", "45.00"),
            ("Delivery", "1", "30.00"),
        ),
        payment_terms_id=terms.pk,
    )


def path(url: str) -> str:
    """The link as emailed, opened on the test server (the link is made with SITE_URL)."""
    return urlsplit(url).path


def watch(page: Page, *, ignore: str = "") -> list[str]:
    """Console errors and warnings of our pages (``ignore``: an origin that is not ours, such
    as the Stripe stand-in, whose page asks it for a favicon it does not have)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url") or ""
        if message.type in {"error", "warning"} and not (ignore and url.startswith(ignore)):
            problems.append(f"{message.type}: {message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems


def test_customer_pays_from_the_emailed_link_on_a_phone(
    new_page: Callable[..., Page], stripe_api: StripeStandIn, live_server: Any, settings: Any
) -> None:
    # Stripe sends the customer back to SITE_URL: here, the test server.
    settings.SITE_URL = live_server.url
    org = business()
    connect_stripe(org)
    bill = invoice(org, customer(org), discount=True)
    link = path(pay_link_url(org=org, invoice=bill))
    deadline = bill.issue_date + timedelta(days=10)

    page = new_page("phone", **PHONE_375)
    console = watch(page, ignore=stripe_api.url)
    response = page.goto(link)
    assert response is not None and response.status == 200
    # The token is gone from the address bar once the page is open.
    assert "/pay/v/" in page.url and link not in page.url
    assert response.headers["referrer-policy"] == "no-referrer"

    expect(page.get_by_role("heading", level=1)).to_contain_text("£1,337.70")
    items = page.get_by_role("region", name="What this invoice is for")
    for line in ("Oak bookcase, made to measure", "Fitting on site", "Delivery", "£1,365.00"):
        expect(items).to_contain_text(line)
    day = f"{deadline:%B} {deadline.day}"
    expect(page.locator(".pay-offer")).to_contain_text(
        f"Pay £1,337.70 by {day} and save £27.30 (2% early-payment discount)."
    )
    helpers.shoot(page, "pay-journey-1-invoice")
    assert horizontal_overflow(page)["fits"]

    page.get_by_role("button", name="Pay £1,337.70").click()
    # Stripe's hosted Checkout (the stand-in), for the discounted amount.
    expect(page.get_by_role("heading", name="Stand-in Stripe Checkout")).to_be_visible()
    expect(page.locator("#amount")).to_have_text("133770 GBP (minor units)")
    checkout = CheckoutSession.objects.for_org(org).get()
    assert page.url == checkout.url

    page.get_by_role("link", name="Pay").click()
    status = page.get_by_role("status")
    expect(status).to_have_text(
        "Thank you — your payment is being confirmed. Your receipt will follow by email."
    )
    assert "/pay/v/" in page.url
    helpers.shoot(page, "pay-journey-2-confirming")
    assert console == [], console


def screenshot_everywhere(
    new_page: Callable[..., Page], url: str, name: str, expect_status: int = 200
) -> None:
    for width in (320, 375, 1280):
        for scheme in ("light", "dark"):
            kind = "desktop" if width > 400 else "phone"
            page = new_page(kind, viewport={"width": width, "height": 800}, color_scheme=scheme)
            console = watch(page)
            response = page.goto(url)
            assert response is not None and response.status == expect_status, (name, url)
            where = f"{name} at {width}px ({scheme})"
            overflow = horizontal_overflow(page)
            assert overflow["fits"], f"{where} scrolls sideways: {overflow}"
            assert unlabelled_controls(page) == [], where
            expect(page.locator("h1")).to_have_count(1)
            if expect_status == 200:  # Chromium reports a 404 document as an error
                assert console == [], f"{where}: {console}"
            helpers.shoot(page, f"pay-{name}-{width}-{scheme}")
            page.context.close()


def test_every_page_fits_every_screen(new_page: Callable[..., Page], live_server: Any) -> None:
    org = business()
    connect_stripe(org)  # "Pay" buttons show; nothing here calls Stripe
    harbour = customer(org)
    open_one = invoice(org, harbour)
    discounted = invoice(org, harbour, discount=True)
    with_fees = invoice(org, customer(org, "Quayside Bakery Ltd"), days_ago=75, late_fee=True)
    late_fees_apply(org=org, day=org_today(org))
    partly = invoice(org, harbour, days_ago=20)
    pay_part(org, partly, "500.00", received_on=org_today(org) - timedelta(days=3))
    paid = invoice(org, customer(org, "Cliffside Café", language="es"))
    pay_part(org, paid, "1365.00", received_on=org_today(org))
    settled = invoice(org, harbour)
    credit_note_create(org=org, actor=None, invoice=settled, amount=None, reason="Goodwill")
    dead = invoice(org, harbour)
    dead_link = path(pay_link_url(org=org, invoice=dead))
    invoice_void(org=org, actor=None, invoice=dead)

    pages = {
        "open": path(pay_link_url(org=org, invoice=open_one)),
        "discounted": path(pay_link_url(org=org, invoice=discounted)),
        "fees": path(pay_link_url(org=org, invoice=with_fees)),
        "partly-paid": path(pay_link_url(org=org, invoice=partly)),
        "paid-es": path(pay_link_url(org=org, invoice=paid)),
        "statement": path(statement_link_url(org=org, customer=harbour)),
    }
    for name, url in pages.items():
        screenshot_everywhere(new_page, url, name)
    screenshot_everywhere(new_page, dead_link, "invalid", expect_status=404)
    screenshot_everywhere(new_page, "/pay/v/no-such-session-key/", "timed-out", expect_status=404)


def test_errors_and_notices_take_the_focus(
    new_page: Callable[..., Page], stripe_api: StripeStandIn, live_server: Any
) -> None:
    """With the keyboard alone, at 320 px: a part payment below the minimum is refused on the
    field and the error summary takes the focus; with Stripe down, the notice does, and the
    other ways to pay are right there."""
    org = business()
    connect_stripe(org, partial_minimum=Decimal("50"))
    bill = invoice(org, customer(org))
    page = new_page("phone", viewport={"width": 320, "height": 700})
    page.goto(path(pay_link_url(org=org, invoice=bill)))

    page.get_by_text("Pay a different amount").focus()
    page.keyboard.press("Enter")
    amount = page.get_by_label("Amount to pay (GBP)")
    amount.focus()
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The smallest payment we can take is £50.00.")
    expect(summary).to_be_focused()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pay-amount-error")).to_have_text(
        "The smallest payment we can take is £50.00."
    )
    assert horizontal_overflow(page)["fits"]
    helpers.shoot(page, "pay-error-320")

    stripe_api.fail_with = 500
    page.get_by_role("button", name="Pay £1,365.00").click()
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("Card payment is briefly unavailable")
    expect(notice).to_be_focused()
    expect(page.get_by_role("heading", name="Bank transfer")).to_be_visible()
    # The attempt is on record (made before Stripe is called) but never reached Stripe.
    assert not CheckoutSession.objects.exclude(url="").exists()
    assert horizontal_overflow(page)["fits"]
    helpers.shoot(page, "pay-stripe-down-320")

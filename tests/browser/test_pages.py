"""Every main page, at desktop and phone width (and in dark mode on a phone): it loads, has one
heading, fits the screen without sideways scrolling, labels its fields, and logs no script or
Content-Security-Policy error. Screenshots go to var/screenshots/<size>-<page>.png for a
person to look at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from arhub.services.accounts import user_signup
from arhub.services.tokens import api_token_create
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.helpers import (
    DASHBOARD_URL,
    PASSWORD,
    Visitor,
    fill_signup,
    horizontal_overflow,
    log_in,
    unlabelled_controls,
)

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": ("desktop", {}),
    "phone": ("phone", {}),
    "phone-dark": ("phone", {"color_scheme": "dark"}),
}

# (screenshot name, path, the h1 a person should see)
SIGNED_IN_PAGES = [
    ("dashboard", "/dashboard/", "Whitfield Joinery"),
    ("settings", "/settings/", "Settings"),
    ("team", "/settings/team/", "Settings"),
    ("tokens", "/settings/tokens/", "Settings"),
    ("invoices", "/invoices/", "Invoices"),
    ("customers", "/customers/", "Customers"),
    ("org-new", "/orgs/new/", "Add another organization"),
]


class PageChecker:
    """Visits pages, screenshots them, and collects what is wrong instead of stopping at the
    first problem, so one run reports every page."""

    def __init__(self, page: Page, size: str) -> None:
        self.page = page
        self.size = size
        self.problems: list[str] = []
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and "favicon.ico" not in (
            message.location.get("url") or ""
        ):
            self.console.append(f"{message.type}: {message.text}")

    def check(self, name: str, heading: str) -> None:
        page = self.page
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{self.size}-{name}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if not overflow["fits"]:
            self.problems.append(f"{name}: scrolls sideways {overflow}")
        missing = unlabelled_controls(page)
        if missing:
            self.problems.append(f"{name}: controls without a label {missing}")
        if page.locator("h1").count() != 1:
            self.problems.append(f"{name}: {page.locator('h1').count()} h1 elements")
        if self.console:
            self.problems.append(f"{name}: console {self.console}")
            self.console = []

    def visit(self, name: str, path: str, heading: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        if response.status != 200:
            self.problems.append(f"{name}: HTTP {response.status} for {path}")
            return
        self.check(name, heading)


@pytest.mark.parametrize("size", list(SIZES))
def test_main_pages_render_and_fit(new_page: Callable[..., Any], size: str) -> None:
    kind, options = SIZES[size]
    user, org = user_signup(
        email="dana@whitfield-joinery.test",
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="EUR",
        timezone="Europe/Dublin",
    )
    api_token_create(org=org, membership=user.memberships.get(), name="Accounting export")

    page = new_page(kind, **options)
    checker = PageChecker(page, size)

    checker.visit("signup", "/signup/", "Create your account")
    fill_signup(page, Visitor(email="dana@whitfield-joinery.test", password="12345"))
    page.get_by_role("button", name="Create account").click()
    checker.check("signup-errors", "Create your account")
    checker.visit("login", "/login/", "Log in")

    log_in(page, "dana@whitfield-joinery.test", PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)
    for name, path, heading in SIGNED_IN_PAGES:
        checker.visit(name, path, heading)

    page.goto("/settings/tokens/")
    page.get_by_label("Name").fill("Zapier")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    checker.check("tokens-new-secret", "Settings")

    assert checker.problems == []

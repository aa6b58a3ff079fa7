"""Browser tests: Chromium driven through Playwright's sync API against pytest-django's
``live_server`` (a real threaded WSGI server on the test database).

Fixtures:

* ``browser`` (package): one headless Chromium for all of tests/browser. Skips every browser test
  with a clear message when no Chromium binary is installed.
* ``page``: a fresh context (cookies, storage) per test at desktop size.
* ``phone_page``: the same at phone size (360 x 740, touch, mobile viewport meta honoured).
* ``new_page``: a factory for more pages in one test, e.g. ``new_page("phone")``.

Every page a test opened is screenshotted into ``var/screenshots/`` when the test fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = BASE_DIR / "var" / "screenshots"
ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so fixtures can tell, at teardown, if the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all of tests/browser.

    Package scope rather than session scope: Playwright is stopped, and the environment restored,
    as soon as the last browser test is done, so nothing below leaks into the rest of the suite.
    """
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH}; apt-get install chromium"
        # CI sets ARHUB_REQUIRE_BROWSER so that a missing browser fails the run instead of
        # quietly skipping the journeys.
        if os.environ.get("ARHUB_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop on the main thread and, from the moment it
    # starts until it stops, leaves that loop marked as the thread's running loop (it hands
    # control back and forth with greenlets). Django's ``async_unsafe`` guard sees a running loop
    # and raises SynchronousOnlyOperation on any ORM call from the test body (counting users,
    # reading a token back), although such a call is plain synchronous code that never runs
    # inside the loop. The guard protects async code, which these tests are not, so allow it,
    # but only while Playwright runs: the variable is process-wide, and left set it would also
    # reach every subprocess a later test starts (``manage.py check --deploy`` rejects it with
    # async.E001).
    previous = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ALLOW_ASYNC_UNSAFE, None)
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = previous


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any
) -> Iterator[Callable[..., Page]]:
    """``new_page(kind="desktop")`` opens a page in a fresh context (its own cookies), with
    relative URLs resolved against the live server. Closed, and on failure screenshotted, after
    the test."""
    opened: list[tuple[str, Page]] = []

    def make(kind: str = "desktop", **context_options: Any) -> Page:
        options = {**VIEWPORTS[kind], "base_url": live_server.url, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        opened.append((kind, page))
        return page

    yield make

    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    for index, (kind, page) in enumerate(opened):
        if failed and not page.is_closed():
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOT_DIR / f"FAILED-{_safe_name(request.node.nodeid)}-{index}-{kind}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"\nScreenshot of the failing page ({page.url}): {path}")
            except Exception as exc:  # the page may be the reason we failed
                print(f"\nCould not screenshot {page.url}: {exc}")
        page.context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    return new_page("phone")

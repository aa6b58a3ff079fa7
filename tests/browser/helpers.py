"""Small helpers shared by the browser tests: what a person does (sign up, log in) and what
they would notice (a page wider than the screen, a field without a label)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, expect

PASSWORD = "violet-harbour-lantern-42"
# The skip link leaves "#main" on the URL, and a redirect keeps it.
DASHBOARD_URL = re.compile(r"/dashboard/(#main)?$")


@dataclass
class Visitor:
    full_name: str = "Dana Whitfield"
    email: str = "dana@whitfield-joinery.test"
    password: str = PASSWORD
    org_name: str = "Whitfield Joinery"
    currency: str = "EUR"
    timezone: str = "Europe/Dublin"


def fill_signup(page: Page, visitor: Visitor) -> None:
    """Fill the sign-up form the way a person does: find each field by its visible label."""
    page.get_by_label("Your name").fill(visitor.full_name)
    page.get_by_label("Email").fill(visitor.email)
    page.get_by_label("Password").fill(visitor.password)
    page.get_by_label("Business name").fill(visitor.org_name)
    page.get_by_label("Default currency").select_option(visitor.currency)
    page.get_by_label("Time zone").select_option(visitor.timezone)


def sign_up(page: Page, visitor: Visitor) -> None:
    page.goto("/signup/")
    fill_signup(page, visitor)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(DASHBOARD_URL)


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """How wide the page is against the screen, and which elements make it wider.

    The screen is the layout viewport, ``documentElement.clientWidth``. ``innerWidth`` is not
    enough on its own: a mobile browser (Playwright's ``is_mobile``) zooms out to fit content that
    is too wide, and ``innerWidth`` grows with it (to 555 on a 360 px phone, say), so a page that
    scrolls sideways would still have ``scrollWidth <= innerWidth``. ``fits`` checks both.

    ``culprits`` lists elements that stick out past the screen and that no scrolling box (a table
    wrapper, the tab strip) contains. An absolutely positioned element escapes every scrolling box
    between it and its containing block, which is why it is worked out here and not guessed from
    the DOM tree.
    """
    return page.evaluate(
        """() => {
          const screen = Math.min(window.innerWidth, document.documentElement.clientWidth);
          const sticksOut = (el) => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > screen + 0.5;
          };
          const clipped = (el) => {
            const position = getComputedStyle(el).position;
            if (position === 'fixed') return false;
            let skipStatic = position === 'absolute';
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
              const style = getComputedStyle(up);
              const establishes = style.position !== 'static' || style.transform !== 'none';
              if (skipStatic && !establishes) continue;  // not its containing block
              if (style.overflowX !== 'visible') return true;
              if (style.position === 'fixed') return false;
              skipStatic = style.position === 'absolute';
            }
            return false;
          };
          const describe = (el) => {
            const cls = typeof el.className === 'string' && el.className.trim()
              ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
            const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
            const right = Math.round(el.getBoundingClientRect().right);
            return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}` +
              ` "${text}" right=${right} position=${getComputedStyle(el).position}`;
          };
          const culprits = [];
          for (const el of document.body.querySelectorAll('*')) {
            if (!sticksOut(el) || clipped(el)) continue;
            // Only the outermost offender in normal flow, not each of its children.
            const parent = el.parentElement;
            const inFlow = !['absolute', 'fixed'].includes(getComputedStyle(el).position);
            if (inFlow && parent && parent !== document.body && sticksOut(parent)
                && !clipped(parent)) continue;
            culprits.push(describe(el));
          }
          const scrollWidth = document.documentElement.scrollWidth;
          return {
            fits: scrollWidth <= window.innerWidth && scrollWidth <= screen,
            scrollWidth,
            innerWidth: window.innerWidth,
            clientWidth: document.documentElement.clientWidth,
            culprits: culprits.slice(0, 10),
          };
        }"""
    )


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls that a screen reader would announce without a name."""
    return page.evaluate(
        """() => {
          const missing = [];
          const controls = document.querySelectorAll(
            'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
          for (const el of controls) {
            const named = (el.labels && [...el.labels].some(l => l.textContent.trim())) ||
              (el.getAttribute('aria-label') || '').trim() ||
              (el.getAttribute('aria-labelledby') || '').trim() ||
              (el.getAttribute('title') || '').trim();
            if (!named) missing.push(el.outerHTML.slice(0, 120));
          }
          return missing;
        }"""
    )


def api_get(url: str, token: str | None) -> tuple[int, Any]:
    """GET a JSON API endpoint as a script would, outside the browser."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body else None


def field_layout_problems(page: Page, min_gap_px: float = 8) -> list[str]:
    """Where a form's fields are laid out so that a person could pair a label with the wrong
    field: each visible label should sit above its control, starting at the same left edge, and
    each field should be set apart from the one before it by at least ``min_gap_px``."""
    return page.evaluate(
        """(minGap) => {
          const problems = [];
          const visible = (el) => {
            const box = el.getBoundingClientRect();
            return box.width > 1 && box.height > 1;
          };
          for (const form of document.querySelectorAll('main form')) {
            let previousBottom = null;
            const controls = form.querySelectorAll(
              'input:not([type=hidden]):not([type=submit]), select, textarea');
            for (const control of controls) {
              const label = [...(control.labels || [])].find(visible);
              if (!visible(control) || !label) continue;
              const l = label.getBoundingClientRect();
              const c = control.getBoundingClientRect();
              const name = label.textContent.trim();
              if (l.bottom > c.top + 1) {
                problems.push(`"${name}" label is beside its field, not above it ` +
                  `(label ${Math.round(l.left)},${Math.round(l.top)}; ` +
                  `field ${Math.round(c.left)},${Math.round(c.top)})`);
              } else if (Math.abs(l.left - c.left) > 2) {
                problems.push(`"${name}" label starts at x=${Math.round(l.left)}, ` +
                  `its field at x=${Math.round(c.left)}`);
              }
              if (previousBottom !== null && l.top >= previousBottom - 1 &&
                  l.top - previousBottom < minGap) {
                problems.push(`"${name}" label is ${Math.round(l.top - previousBottom)}px ` +
                  `below the previous field (want ${minGap}px or more)`);
              }
              previousBottom = c.bottom;
            }
          }
          return problems;
        }""",
        min_gap_px,
    )


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot under var/screenshots/, to look at."""
    from tests.browser.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


def check_page(page: Page, name: str, console: list[str]) -> None:
    """Screenshot, then what every page must do: fit the screen, label every control, have one
    h1, and run without script or CSP errors."""
    shoot(page, name)
    overflow = horizontal_overflow(page)
    assert overflow["fits"], f"{name} scrolls sideways: {overflow}"
    assert unlabelled_controls(page) == [], name
    expect(page.locator("h1")).to_have_count(1)
    assert console == [], f"{name}: {console}"

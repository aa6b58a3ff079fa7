"""A new customer's first visit, through a real browser: sign up, log out and in again, make an
API token and use it, add a second business and switch between the two."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from arhub.models import ApiToken, Membership, Organization, User
from tests.browser.helpers import (
    DASHBOARD_URL,
    Visitor,
    api_get,
    fill_signup,
    horizontal_overflow,
    log_in,
    sign_up,
    unlabelled_controls,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_sign_up_log_in_token_and_second_organization(page: Page, live_server: LiveServer) -> None:
    visitor = Visitor()

    # Sign up.
    page.goto("/signup/")
    expect(page).to_have_title(re.compile("Create your account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    fill_signup(page, visitor)
    page.get_by_role("button", name="Create account").click()

    # Lands on the dashboard of the new business, welcomed by name.
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(visitor.org_name)
    expect(page.get_by_role("status")).to_contain_text(
        f"Welcome to AR Hub. {visitor.org_name} is ready."
    )
    expect(page.get_by_text("Good to see you, Dana.")).to_be_visible()
    expect(page.locator("header .who")).to_contain_text(visitor.full_name)
    expect(page.locator("header .role")).to_have_text("Owner")
    user = User.objects.get(email=visitor.email)
    first_org = Organization.objects.get(name=visitor.org_name)
    assert (first_org.default_currency, first_org.timezone) == (visitor.currency, visitor.timezone)
    assert Membership.objects.get(user=user, organization=first_org).role == "owner"

    # Log out: a POST form in the header, back to the login page.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/dashboard/$"))

    # Log in again.
    log_in(page, visitor.email, visitor.password)
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(visitor.org_name)

    # Settings, then the API tokens tab.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    settings_tabs = page.get_by_role("navigation", name="Settings")
    settings_tabs.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(re.compile(r"/settings/tokens/$"))
    expect(settings_tabs.get_by_role("link", name="API tokens")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("No tokens yet.")).to_be_visible()

    # Create a token: its secret is shown once.
    page.get_by_label("Name").fill("Accounting export")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    expect(
        page.get_by_text("Copy it now: for your safety it is shown only this once.")
    ).to_be_visible()
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("arh"), secret
    token = ApiToken.objects.get(organization=first_org, name="Accounting export")
    assert secret.startswith(token.prefix)
    assert secret not in {token.prefix, token.key_hash}

    # The token works from a script, for this organization only.
    status, body = api_get(f"{live_server.url}/api/v1/organization/", secret)
    assert status == 200, body
    assert body["name"] == visitor.org_name, body
    status, _ = api_get(f"{live_server.url}/api/v1/organization/", secret[:-1] + "x")
    assert status == 401
    status, _ = api_get(f"{live_server.url}/api/v1/organization/", None)
    assert status in {401, 403}

    # Coming back to the page (a fresh GET: reloading the POST's answer would send the form again,
    # see the expected failure at the end of this file): the secret is gone, the token is listed
    # by its name and prefix.
    page.goto("/settings/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.get_by_role("heading", name="Your new token")).to_have_count(0)
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text="Accounting export")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text(f"{token.prefix}…")
    expect(row.get_by_role("button", name="Revoke Accounting export")).to_be_visible()
    assert ApiToken.objects.filter(organization=first_org).count() == 1

    # A second business, from Settings.
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Organization").click()
    page.get_by_role("link", name="Add an organization").click()
    expect(page).to_have_url(re.compile(r"/orgs/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add another organization")
    page.get_by_label("Business name").fill("Whitfield Kitchens")
    page.get_by_role("button", name="Create organization").click()
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Whitfield Kitchens")
    expect(page.get_by_role("status")).to_contain_text(
        "Whitfield Kitchens is ready. You are its owner."
    )
    switcher = page.get_by_label("Organization")
    expect(switcher.locator("option:checked")).to_have_text("Whitfield Kitchens")
    assert Membership.objects.filter(user=user).count() == 2

    # Switch back with the header's organization menu: choosing submits it (no button to press).
    # With JavaScript the "Switch" button is only for screen readers (visually hidden).
    expect(page.get_by_role("button", name="Switch")).to_have_class(
        re.compile(r"\bvisually-hidden\b")
    )
    switcher.select_option(label=visitor.org_name)
    expect(page.get_by_role("heading", level=1)).to_have_text(visitor.org_name)
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("status")).to_contain_text(f"Switched to {visitor.org_name}.")
    expect(page.get_by_label("Organization").locator("option:checked")).to_have_text(
        visitor.org_name
    )


def test_bad_sign_up_explains_each_problem_and_creates_nothing(page: Page) -> None:
    taken = UserFactory(email="taken@example.test")
    users, orgs = User.objects.count(), Organization.objects.count()

    page.goto("/signup/")
    fill_signup(page, Visitor(email="Taken@Example.test", password="12345"))
    page.get_by_role("button", name="Create account").click()

    # Still on the sign-up page. Each error is printed just above its field, and the field names
    # it as its description, so a screen reader announces it with the field.
    expect(page).to_have_url(re.compile(r"/signup/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    email, password = page.get_by_label("Email"), page.get_by_label("Password")
    email_error = "An account with this email already exists."
    expect(page.locator("#id_email_error + input#id_email")).to_have_count(1)
    expect(page.locator("#id_email_error")).to_contain_text(email_error)
    expect(email).to_have_accessible_description(re.compile(re.escape(email_error)))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password_error + input#id_password")).to_have_count(1)
    expect(page.locator("#id_password_error")).to_contain_text("too short")
    expect(password).to_have_accessible_description(re.compile("too short"))
    expect(password).to_have_attribute("aria-invalid", "true")
    # Nothing else is flagged.
    expect(page.locator("[aria-invalid=true]")).to_have_count(2)
    # What was typed is kept, except the password.
    expect(page.get_by_label("Your name")).to_have_value(Visitor.full_name)
    expect(page.get_by_label("Business name")).to_have_value(Visitor.org_name)
    expect(page.get_by_label("Password")).to_have_value("")
    assert (User.objects.count(), Organization.objects.count()) == (users, orgs)

    # Fixing the email alone is not enough: a weak password still creates nothing.
    page.get_by_label("Email").fill("dana@whitfield-joinery.test")
    page.get_by_label("Password").fill("1234567890")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/signup/$"))
    expect(page.locator("#id_password_error")).to_contain_text("entirely numeric")
    expect(page.locator("#id_email_error")).to_have_count(0)
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert (User.objects.count(), Organization.objects.count()) == (users, orgs)
    assert not User.objects.filter(email="dana@whitfield-joinery.test").exists()
    assert User.objects.get(pk=taken.pk).email == "taken@example.test"


def test_phone_width_sign_up_and_dashboard(phone_page: Page) -> None:
    page = phone_page

    # Keyboard: the first Tab stop is the skip link, and it moves focus to the content.
    page.goto("/signup/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # No sideways scrolling on the sign-up page, and every field has a label.
    overflow = horizontal_overflow(page)
    assert overflow["fits"], overflow
    assert unlabelled_controls(page) == []
    fill_signup(page, Visitor())  # finds every field by its label
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(Visitor.org_name)
    overflow = horizontal_overflow(page)
    assert overflow["fits"], overflow
    assert unlabelled_controls(page) == []
    expect(page.get_by_label("Organization")).to_be_visible()
    # The header wraps rather than pushing "Log out" off the side of the screen.
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    box = log_out.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= overflow["clientWidth"], box

    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")


def test_reloading_after_creating_a_token_does_not_create_another(page: Page) -> None:
    sign_up(page, Visitor())
    page.goto("/settings/tokens/")
    page.get_by_label("Name").fill("Accounting export")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    assert ApiToken.objects.count() == 1

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert ApiToken.objects.count() == 1
    # The secret was shown once; the reloaded page no longer has it.
    expect(page.locator("#new-token")).to_have_count(0)

"""The accountant's visit, in Chromium: they sign in, read the dashboard's figures, download the
aging report as XLSX and one customer's statement as PDF (both opened the way they would be,
with openpyxl and poppler, and the figures checked against the invoices), and find that they
cannot change an invoice: no Edit on its page, and the editor's address refused."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from arhub.clock import org_today
from arhub.models import Membership, Organization, User
from arhub.roles import Role
from arhub.services.accounts import user_signup
from invoicing.models import Invoice
from payments.models import PaymentMethod
from payments.services import AllocationInput, payment_record
from tests.browser import helpers
from tests.browser.helpers import DASHBOARD_URL, PASSWORD, log_in
from tests.browser.test_pay_page import watch
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.browser

ACCOUNTANT = "sam@ledgerwise.test"


def books() -> tuple[Organization, dict[str, Invoice]]:
    """A joinery with three customers: one 40 days overdue and part paid, one not yet due, and
    a draft. Receivables: (1,200.00 - 500.00) + 450.00 = 1,150.00, of which 700.00 overdue
    (31 to 60 days past due) and 450.00 current."""
    _, org = user_signup(
        email="dana@whitfield-joinery.test",
        password=PASSWORD,
        full_name="Dana Whitfield",
        org_name="Whitfield Joinery",
        currency="GBP",
        timezone="Europe/London",
    )
    accountant = User.objects.create_user(ACCOUNTANT, PASSWORD, full_name="Sam Okafor")
    Membership.objects.create(organization=org, user=accountant, role=Role.ACCOUNTANT)
    today = org_today(org)
    made: dict[str, Invoice] = {}
    for key, name, price, age, issue in (
        ("late", "Harbour Tiles", "1200.00", 70, True),
        ("current", "Quayside Café", "450.00", 10, True),
        ("draft", "Millpond Books", "90.00", 0, False),
    ):
        customer = CustomerFactory(organization=org, display_name=name, currency="GBP")
        ContactFactory(customer=customer, is_primary=True)
        made[key] = invoice_make(
            org,
            customer=customer,
            issue=issue,
            issue_date=today - timedelta(days=age),
            due_date=today - timedelta(days=age - 30),
            lines=(("Joinery work", "1", price),),
        )
    late = made["late"]
    payment_record(
        org=org,
        actor=None,
        customer_id=late.customer_id,
        amount=Decimal("500.00"),
        currency="GBP",
        method=PaymentMethod.BANK_TRANSFER,
        received_on=today - timedelta(days=5),
        allocations=[AllocationInput(invoice_id=late.pk, amount=Decimal("500.00"))],
    )
    return org, made


def aging_rows(path: Path) -> dict[str, dict[str, object]]:
    """The aging sheet's rows by customer, each as {column heading: cell value}."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Customer")
    header = rows[header_at]
    return {
        str(row[0]): dict(zip(header, row, strict=False))
        for row in rows[header_at + 1 :]
        if row and row[0]
    }


def test_the_accountant_reads_and_downloads_but_changes_nothing(
    new_page: Callable[..., Page], tmp_path: Path
) -> None:
    _, invoices = books()
    page = new_page("desktop")
    problems = watch(page)
    log_in(page, ACCOUNTANT, PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)

    # The dashboard's figures.
    main = page.locator("main")
    expect(main).to_contain_text("£1,150.00")
    expect(main).to_contain_text("£700.00")
    expect(page.get_by_role("img", name=re.compile("Receivables by days past due"))).to_be_visible()
    helpers.shoot(page, "accountant-dashboard")

    # Aging as XLSX: the sheet holds the same figures, as numbers, with the total as a formula.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Aging").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    xlsx = tmp_path / "aging.xlsx"
    download.value.save_as(xlsx)
    rows = aging_rows(xlsx)
    assert rows["Harbour Tiles"]["31\N{EN DASH}60"] == 700 and rows["Harbour Tiles"]["Total"] == 700
    assert rows["Quayside Café"]["Current"] == 450
    totals = next(row for name, row in rows.items() if name.startswith("Total"))
    assert str(totals["Total"]).startswith("=SUM(")

    # One customer's statement as PDF.
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Statements").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Harbour Tiles").click()
    pdf = tmp_path / "statement.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Harbour Tiles" in text and "700.00" in text
    assert invoices["late"].number in text

    # Changing an invoice is not theirs to do: no Edit on its page, the editor refused.
    draft = invoices["draft"]
    page.goto(f"/invoices/{draft.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    assert problems == [], problems  # before the refusal, which the console reports as a 403
    response = page.goto(f"/invoices/{draft.pk}/edit/")
    assert response is not None and response.status == 403
    helpers.shoot(page, "accountant-refused")
    draft.refresh_from_db()
    assert [line.description for line in draft.lines.all()] == ["Joinery work"]

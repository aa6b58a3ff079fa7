"""QuickBooks Online: the Customer Contact List report and the customer list export."""

from __future__ import annotations

import re

from invoicing.import_address import AddressCells, split_one_cell
from invoicing.importing.cells import Cell, Layout, RowCells, full_name, terms_days_from
from invoicing.models import ImportFormat

_LABELLED_PHONE = re.compile(
    r"(?i)\b(phone|main|work|mobile|cell|home|other|fax)\s*:\s*([^:]*?)(?=\s*\b[a-z]+\s*:|$)"
)


def _first_phone(text: str) -> str:
    """QuickBooks' report puts every number in one cell ("Phone: 555-0100 Mobile: 555-0199");
    take the main number, else the mobile, never the fax."""
    labelled = [(label.lower(), number.strip()) for label, number in _LABELLED_PHONE.findall(text)]
    if not labelled:
        return text
    for wanted in ("phone", "main", "work", "mobile", "cell", "home", "other"):
        for label, number in labelled:
            if label == wanted and number:
                return number
    return ""


def _adapt_quickbooks(row: RowCells) -> dict[str, Cell]:
    phone, phone_key = row.get("phone", "mobile")
    contact = row.get("contact_name")
    if not contact[0]:
        contact = full_name(row, "first_name", "last_name")
    terms, terms_key = row.get("terms")
    customer_type, type_key = row.get("customer_type")
    return {
        "display_name": row.get("display_name"),
        "company": row.get("company"),
        "contact_name": contact,
        "email": row.get("email"),
        "phone": (_first_phone(phone), phone_key),
        "currency": row.get("currency"),
        "payment_terms_days": (terms_days_from(terms), terms_key),
        "credit_limit": row.get("credit_limit"),
        # A QuickBooks "customer type" is a grouping, which is what our tags are for.
        "tags": (customer_type.replace(";", ","), type_key),
        "external_id": row.get("external_id"),
        "notes": row.get("notes"),
        "tax_id": row.get("tax_id"),
        **_quickbooks_address(row),
    }


def _quickbooks_address(row: RowCells) -> AddressCells:
    """The customer list export's separate columns, else the report's one-cell address."""
    cells: AddressCells = {
        "billing_address_line1": row.get("address_line1"),
        "billing_address_line2": row.get("address_line2"),
        "billing_city": row.get("city"),
        "billing_region": row.get("region"),
        "billing_postal_code": row.get("postal_code"),
        "billing_country": row.get("country"),
    }
    whole, key = row.get("address")
    if whole and not any(value for value, _ in cells.values()):
        return split_one_cell(whole, key)
    return cells


_QUICKBOOKS_MARKERS = frozenset(
    {
        "customer",
        "display name as",
        "phone numbers",
        "full name",
        "company name",
        "open balance",
        "billing address",
        "customer type",
    }
)
# "Monday, January 6, 2025 09:41:22 AM GMT-08:00", quoted or not.
_REPORT_TIMESTAMP = re.compile(
    r"(?i)^(mon|tues|wednes|thurs|fri|satur|sun)day,\s.*\d{4}\s+\d{1,2}:\d{2}"
)


def _skip_quickbooks(cells: list[str]) -> bool:
    """Report exports end with a "TOTAL" line and a line holding only the time of the export."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if not filled:
        return True
    # Exactly "TOTAL": a customer may well be called "Total Fitness".
    if filled[0].lower() == "total":
        return True
    return bool(_REPORT_TIMESTAMP.match(", ".join(filled)))


QUICKBOOKS = Layout(
    source_format=ImportFormat.QUICKBOOKS,
    columns={
        "display_name": ("customer", "display name as", "display name", "customer full name"),
        "company": ("company", "company name"),
        "email": ("email", "email address", "e-mail"),
        "phone": ("phone", "phone numbers", "phone number"),
        "mobile": ("mobile", "mobile phone"),
        "contact_name": ("full name", "contact", "contact name"),
        "first_name": ("first name",),
        "last_name": ("last name",),
        "terms": ("terms", "payment terms"),
        "credit_limit": ("credit limit",),
        "currency": ("currency",),
        "customer_type": ("customer type",),
        "external_id": ("account no.", "account number", "account no"),
        "notes": ("notes", "note"),
        # The customer list export names them "Street Address", "City", ...; QuickBooks'
        # import sheet "Billing Address Line 1", "Billing Address City", ...
        "address_line1": (
            "billing address line 1", "billing address street", "billing street",
            "street address", "bill to street",
        ),
        "address_line2": ("billing address line 2", "billing street 2", "street address 2"),
        "city": ("billing address city", "billing city", "city"),
        "region": (
            "billing address state", "billing address state/province", "billing state",
            "state", "state/province", "province",
        ),
        "postal_code": (
            "billing address postal code", "billing address zip", "billing address zip code",
            "billing zip", "zip", "zip code", "postal code",
        ),
        "country": ("billing address country", "billing country", "country"),
        "address": ("billing address",),
        "tax_id": (
            "tax id", "tax number", "tax reg. no.", "tax registration number", "vat number",
            "vat no.", "vat registration no.", "vat registration number",
        ),
    },
    recognise=lambda headers: bool(headers & _QUICKBOOKS_MARKERS)
    and bool(headers & {"customer", "display name as", "display name", "customer full name"}),
    adapt=_adapt_quickbooks,
    skip=_skip_quickbooks,
    notes=(
        ("Customer (or Display Name As)", "name"),
        ("Company", "company"),
        ("Full Name, Contact, or First Name + Last Name", "primary contact's name"),
        ("Email", "primary contact's email"),
        ("Phone / Phone Numbers (else Mobile)", "primary contact's phone"),
        ("Terms", "payment terms: “Net N” is N days, “Due on receipt” 0; other names keep "
         "your default terms"),
        ("Credit Limit", "credit limit"),
        ("Currency", "currency"),
        ("Customer Type", "a tag"),
        ("Account No.", "external id; without one, re-imports match by email"),
        ("Notes", "notes"),
        ("Street Address, City, State, Zip, Country (or Billing Address Line 1, Line 2, "
         "City, State, Postal Code, Country)", "billing address; country names become codes"),
        ("Billing Address (one cell, as in the Customer Contact List report)",
         "billing address, split when it ends in a state and ZIP code"),
        ("Tax ID or VAT Number", "tax or VAT number"),
    ),
)  # fmt: skip

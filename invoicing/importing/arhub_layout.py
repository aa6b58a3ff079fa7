"""Our own template: its columns, the help the upload page shows for them, and its layout."""

from __future__ import annotations

from invoicing.importing.cells import Cell, Layout, RowCells
from invoicing.models import ImportFormat
from invoicing.services import BILLING_FIELDS

# Our template, in the order the downloadable file lists them.
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "name",
    "company",
    "email",
    "phone",
    "contact_name",
    "role",
    "billing_address_line1",
    "billing_address_line2",
    "billing_city",
    "billing_region",
    "billing_postal_code",
    "billing_country",
    "tax_id",
    "timezone",
    "language",
    "currency",
    "payment_terms_days",
    "preferred_channel",
    "credit_limit",
    "tags",
    "external_id",
    "notes",
)

# What each column of our template takes, for the upload page.
TEMPLATE_HELP: tuple[tuple[str, str, str], ...] = (
    ("name", "The customer's name (required)", "Harbour Tiles"),
    ("company", "Company name, if different", "Harbour Tiles Ltd"),
    ("email", "Primary contact's email", "accounts@harbourtiles.example"),
    ("phone", "Primary contact's phone; national numbers use your country", "+44 20 7946 0018"),
    ("contact_name", "Primary contact's name", "Jo Harbour"),
    ("role", "Primary contact's role", "Accounts payable"),
    ("billing_address_line1", "Billing address, first line", "14 Quay Street"),
    ("billing_address_line2", "Billing address, second line", "Unit 3"),
    ("billing_city", "Billing address city or town", "Bristol"),
    ("billing_region", "State, province or region, where addresses have one", "CA"),
    ("billing_postal_code", "Postal or ZIP code", "BS1 4QA"),
    ("billing_country", "Two-letter country code, or the country's name in English", "GB"),
    ("tax_id", "Their VAT or tax number, printed on invoices", "GB987654321"),
    ("timezone", "IANA time zone; empty means yours", "Europe/London"),
    ("language", "en or es", "en"),
    ("currency", "ISO 4217 code; empty means yours", "GBP"),
    ("payment_terms_days", "Net days; empty means your default terms", "30"),
    ("preferred_channel", "email, sms or both", "email"),
    ("credit_limit", "A decimal amount in the customer's currency", "5000.00"),
    ("tags", "Separated by semicolons", "wholesale;north"),
    ("external_id", "Id in your accounting system; re-imports update by it", "CUST-0042"),
    ("notes", "Anything else", "Prefers statements monthly"),
)


def _adapt_arhub(row: RowCells) -> dict[str, Cell]:
    return {
        "display_name": row.get("display_name"),
        "company": row.get("company"),
        "contact_name": row.get("contact_name"),
        "email": row.get("email"),
        "phone": row.get("phone"),
        "role": row.get("role"),
        "timezone": row.get("timezone"),
        "language": row.get("language"),
        "currency": row.get("currency"),
        "payment_terms_days": row.get("payment_terms_days"),
        "preferred_channel": row.get("preferred_channel"),
        "credit_limit": row.get("credit_limit"),
        "tags": row.get("tags"),
        "external_id": row.get("external_id"),
        "notes": row.get("notes"),
        **{name: row.get(name) for name in BILLING_FIELDS},
    }


def _recognise_arhub(headers: set[str]) -> bool:
    return "name" in headers and len(headers & set(TEMPLATE_COLUMNS)) >= 2


ARHUB = Layout(
    source_format=ImportFormat.ARHUB,
    columns={
        "display_name": ("name",),
        **{column: (column,) for column in TEMPLATE_COLUMNS if column != "name"},
    },
    recognise=_recognise_arhub,
    adapt=_adapt_arhub,
    notes=tuple((column, meaning) for column, meaning, _ in TEMPLATE_HELP),
)

"""Reading a customer CSV: our own template, a QuickBooks Online customer export or a Xero
contacts export, told apart by their column names.

Bytes in, normalised rows and per-row errors out; nothing here writes. Each row goes through the
same validation the customer services apply (``invoicing.services``), so a row that passes here
is a row ``customer_create`` / ``customer_update`` accept. Matching rows to existing customers
and writing them is :mod:`invoicing.import_services`' job.

Where the layouts come from (column names as those products write them):

* QuickBooks Online: the *Customer Contact List* report exported to CSV (a few title lines, then
  ``Customer, Phone Numbers, Email, Full Name, Billing Address, ...``) and the customer list
  exported from Sales > Customers and saved as CSV (``Customer``/``Name``, ``Company``,
  ``Phone``, ``Email``, ``Terms``, ``Credit Limit``, ...).
* Xero: the contacts export / import template (``*ContactName, AccountNumber, EmailAddress,
  FirstName, LastName, POAttentionTo, ..., PhoneNumber, MobileNumber, ..., DueDateSalesDay,
  DueDateSalesTerm, ...``); Xero marks required columns with ``*``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError

from arhub.locales import currency_minor_units
from arhub.models import Organization
from invoicing.import_address import (
    AddressCells,
    country_from_text,
    joined_lines,
    split_one_cell,
)
from invoicing.models import Contact, Customer, ImportFormat, Language, PreferredChannel
from invoicing.services import (
    BILLING_ADDRESS_FIELDS,
    BILLING_FIELDS,
    CUSTOMER_FIELDS,
    ContactInput,
    CustomerInput,
    contacts_input_validate,
    customer_input_validate,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Report exports (QuickBooks) put a few title lines above the column names.
HEADER_SEARCH_ROWS = 10
ALLOWED_SUFFIXES = frozenset({".csv", ".txt"})

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

# The contact fields of a normalised row describe the primary contact.
CONTACT_FIELDS: tuple[str, ...] = ("contact_name", "email", "phone", "role")

# Longest value each text field takes, from the models (a longer value would fail at the
# database, in the middle of the import, instead of here in the preview).
MAX_LENGTHS: dict[str, int] = {
    "display_name": Customer._meta.get_field("display_name").max_length or 200,
    "company": Customer._meta.get_field("company").max_length or 200,
    "external_id": Customer._meta.get_field("external_id").max_length or 100,
    "contact_name": Contact._meta.get_field("name").max_length or 200,
    "role": Contact._meta.get_field("role").max_length or 100,
    "email": Contact._meta.get_field("email").max_length or 254,
}
MAX_TERMS_DAYS = 3650
# Customer.credit_limit is max_digits=18, decimal_places=3.
MAX_CREDIT_INTEGER_DIGITS = 15


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


# ---------------------------------------------------------------------------------------------
# Layouts


def normalise_header(label: str) -> str:
    """``*ContactName`` → ``contactname``, ``Phone  Numbers`` → ``phone numbers``."""
    text = label.replace("\ufeff", "").strip().lstrip("*").strip().lower()
    return " ".join(text.split())


Cell = tuple[str, str]  # (value, the layout key it came from)


class RowCells:
    """One data row, read through the layout's keys."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def get(self, *keys: str) -> Cell:
        """The first non-empty value among ``keys``, with the key it came from."""
        for key in keys:
            value = self.values.get(key, "").strip()
            if value:
                return value, key
        return "", keys[0]


@dataclass(frozen=True)
class Layout:
    source_format: str
    # Layout key → header names (normalised) that carry it; the first one present is read.
    columns: Mapping[str, tuple[str, ...]]
    # Whether a header row (normalised names) is this layout's.
    recognise: Callable[[set[str]], bool]
    # Layout keys → our fields, each with the key it was read from (for error messages).
    adapt: Callable[[RowCells], dict[str, Cell]]
    # For the preview: which of their columns feed which of our fields.
    notes: tuple[tuple[str, str], ...] = ()
    # Lines to drop silently (report titles and footers).
    skip: Callable[[list[str]], bool] = lambda cells: False


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


_NET_DAYS = re.compile(r"(?i)\bnet\s*(\d{1,4})\b")
_DUE_ON_RECEIPT = re.compile(r"(?i)^\s*due\s+(on|upon)\s+receipt\s*$")


def _terms_days(text: str) -> str:
    """QuickBooks term names: "Net 30" → 30, "Due on receipt" → 0; other names are left to the
    organization's default terms (they carry no net-days number we could trust)."""
    if _DUE_ON_RECEIPT.match(text):
        return "0"
    match = _NET_DAYS.search(text)
    return match.group(1) if match else ""


def _full_name(row: RowCells, first: str, last: str) -> Cell:
    given, given_key = row.get(first)
    family, _ = row.get(last)
    name = " ".join(part for part in (given, family) if part)
    return name, given_key if given else last


def _adapt_quickbooks(row: RowCells) -> dict[str, Cell]:
    phone, phone_key = row.get("phone", "mobile")
    contact = row.get("contact_name")
    if not contact[0]:
        contact = _full_name(row, "first_name", "last_name")
    terms, terms_key = row.get("terms")
    customer_type, type_key = row.get("customer_type")
    return {
        "display_name": row.get("display_name"),
        "company": row.get("company"),
        "contact_name": contact,
        "email": row.get("email"),
        "phone": (_first_phone(phone), phone_key),
        "currency": row.get("currency"),
        "payment_terms_days": (_terms_days(terms), terms_key),
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


def _adapt_xero(row: RowCells) -> dict[str, Cell]:
    contact = _full_name(row, "first_name", "last_name")
    if not contact[0]:
        contact = row.get("attention")
    day, day_key = row.get("terms_day")
    term, _ = row.get("terms_kind")
    # Xero's sales terms are a day plus a kind; only "N day(s) after the invoice date" is a
    # net-days term. "Of the following month" and "after the end of the month" are not.
    kind = re.sub(r"[^a-z]", "", term.lower())
    days_after = "after" in kind and "end" not in kind and "month" not in kind
    return {
        "display_name": row.get("display_name"),
        "company": row.get("company"),
        "contact_name": contact,
        "email": row.get("email"),
        "phone": row.get("phone", "mobile", "ddi"),
        "currency": row.get("currency"),
        "payment_terms_days": (day if days_after else "", day_key),
        "external_id": row.get("external_id"),
        # The postal address is the one Xero prints on invoices.
        "billing_address_line1": row.get("address_line1"),
        "billing_address_line2": joined_lines(
            row.get("address_line2"), row.get("address_line3"), row.get("address_line4")
        ),
        "billing_city": row.get("city"),
        "billing_region": row.get("region"),
        "billing_postal_code": row.get("postal_code"),
        "billing_country": row.get("country"),
        "tax_id": row.get("tax_id"),
    }


XERO = Layout(
    source_format=ImportFormat.XERO,
    columns={
        "display_name": ("contactname",),
        "company": ("legalname",),
        "email": ("emailaddress",),
        "first_name": ("firstname",),
        "last_name": ("lastname",),
        "attention": ("poattentionto",),
        "phone": ("phonenumber",),
        "mobile": ("mobilenumber",),
        "ddi": ("ddinumber",),
        "external_id": ("accountnumber",),
        "currency": ("defaultcurrency", "currency"),
        "terms_day": ("duedatesalesday",),
        "terms_kind": ("duedatesalesterm",),
        "address_line1": ("poaddressline1",),
        "address_line2": ("poaddressline2",),
        "address_line3": ("poaddressline3",),
        "address_line4": ("poaddressline4",),
        "city": ("pocity",),
        "region": ("poregion",),
        "postal_code": ("popostalcode",),
        "country": ("pocountry",),
        "tax_id": ("taxnumber",),
    },
    recognise=lambda headers: "contactname" in headers,
    adapt=_adapt_xero,
    notes=(
        ("*ContactName", "name"),
        ("LegalName", "company"),
        ("FirstName + LastName (else POAttentionTo)", "primary contact's name"),
        ("EmailAddress", "primary contact's email"),
        ("PhoneNumber (else MobileNumber, DDINumber)", "primary contact's phone"),
        ("AccountNumber", "external id; without one, re-imports match by email"),
        ("DueDateSalesDay with DueDateSalesTerm “Days After”", "payment terms in days"),
        ("POAddressLine1, POAddressLine2 to 4, POCity, PORegion, POPostalCode, POCountry",
         "billing address; country names become codes"),
        ("TaxNumber", "tax or VAT number"),
    ),
)  # fmt: skip

# Xero first: its columns are unmistakable. Ours last: "name" alone is common.
LAYOUTS: tuple[Layout, ...] = (XERO, QUICKBOOKS, ARHUB)
LAYOUT_BY_FORMAT: dict[str, Layout] = {layout.source_format: layout for layout in LAYOUTS}


def layout_for(headers: set[str]) -> Layout | None:
    for layout in LAYOUTS:
        if layout.recognise(headers):
            return layout
    return None


# ---------------------------------------------------------------------------------------------
# Values


_PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
_THOUSANDS_COMMAS = re.compile(r"-?\d{1,3}(,\d{3})+")
# Digits grouped by thousands (1,234,567) or the Indian way (12,34,567).
_GROUPED = re.compile(r"-?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})")


def parse_amount(text: str) -> Decimal:
    """A money amount as written in a spreadsheet, as a Decimal (never through float).

    Takes "5000", "5000.50", "5,000.50", "5.000,50", "5 000,50", "12,34,567.00" and a leading
    currency sign.
    A lone comma is a thousands separator when it groups by three ("5,000"), otherwise a decimal
    comma ("5000,5"). Exponents, NaN and infinity are refused.
    """
    value = text.strip().lstrip("$€£¥").replace("\u00a0", "").replace(" ", "").replace("'", "")
    if "," in value and "." in value:
        # The later mark is the decimal one; the other must group the digits properly.
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = value.rpartition(decimal_mark)
        if not _GROUPED.fullmatch(whole.replace(group_mark, ",")):
            raise ValueError(text)
        value = whole.replace(group_mark, "") + "." + fraction
    elif "," in value:
        value = value.replace(",", "" if _THOUSANDS_COMMAS.fullmatch(value) else ".")
    if not _PLAIN_AMOUNT.fullmatch(value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only plain numbers
        raise ValueError(text) from exc


def _language(text: str) -> str:
    value = text.strip().lower()
    names = {"english": Language.ENGLISH, "spanish": Language.SPANISH, "español": Language.SPANISH}
    if value in names:
        return names[value]
    return re.split(r"[-_]", value)[0] if value else Language.ENGLISH


def _channel(text: str) -> str:
    value = " ".join(text.strip().lower().split())
    synonyms = {
        "e-mail": PreferredChannel.EMAIL,
        "text": PreferredChannel.SMS,
        "email and sms": PreferredChannel.BOTH,
        "email & sms": PreferredChannel.BOTH,
        "email+sms": PreferredChannel.BOTH,
    }
    return synonyms.get(value, value) if value else PreferredChannel.EMAIL


# ---------------------------------------------------------------------------------------------
# One row


@dataclass
class RowResult:
    line: int
    row: dict[str, Any] | None  # the normalised row, when valid
    errors: dict[str, str]  # column label → message, when not


def validate_row(
    *, org: Organization, line: int, cells: dict[str, Cell], labels: Mapping[str, str]
) -> RowResult:
    """Check one row with the services' rules and normalise it.

    ``cells`` maps our fields to (value, layout key); ``labels`` maps layout keys to the column
    names as the file spells them, so each error names the column the person has to fix.
    """
    errors: dict[str, str] = {}

    def value(name: str) -> str:
        return cells.get(name, ("", name))[0].strip()

    def column(name: str) -> str:
        key = cells.get(name, ("", name))[1]
        return labels.get(key, name)

    def fail(name: str, message: str) -> None:
        errors.setdefault(column(name), message)

    for name, limit in MAX_LENGTHS.items():
        if len(value(name)) > limit:
            fail(name, f"Longer than {limit} characters.")

    terms: int | None = None
    if value("payment_terms_days"):
        raw = value("payment_terms_days")
        if not raw.isdigit() or int(raw) > MAX_TERMS_DAYS:
            fail("payment_terms_days", f"“{raw}” is not a number of days (0 to {MAX_TERMS_DAYS}).")
        else:
            terms = int(raw)

    credit: Decimal | None = None
    if value("credit_limit"):
        try:
            credit = parse_amount(value("credit_limit"))
        except ValueError:
            fail("credit_limit", f"“{value('credit_limit')}” is not an amount (e.g. 5000.00).")

    country, country_error = country_from_text(value("billing_country"))
    if country_error:
        fail("billing_country", country_error)

    data = CustomerInput(
        display_name=value("display_name"),
        currency=value("currency").upper(),
        company=value("company"),
        timezone=value("timezone"),
        language=_language(value("language")),
        payment_terms_days=terms,
        preferred_channel=_channel(value("preferred_channel")),
        credit_limit=credit,
        tags=[tag for tag in value("tags").split(";") if tag.strip()],
        external_id=value("external_id"),
        notes=value("notes"),
        billing_address_line1=value("billing_address_line1"),
        billing_address_line2=value("billing_address_line2"),
        billing_city=value("billing_city"),
        billing_region=value("billing_region"),
        billing_postal_code=value("billing_postal_code"),
        billing_country=country,
        tax_id=value("tax_id"),
    )
    customer: dict[str, object] = {}
    try:
        customer = customer_input_validate(org, data)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            fail(name, " ".join(messages))

    if credit is not None:
        # Amounts belong to a currency and carry its minor unit (JPY 0, USD 2, KWD 3).
        currency = str(customer.get("currency") or data.currency or org.default_currency)
        credit_error = _credit_limit_error(credit, currency)
        if credit_error:
            fail("credit_limit", credit_error)
        elif customer:
            places = currency_minor_units(currency)
            customer["credit_limit"] = credit.quantize(Decimal(1).scaleb(-places))

    contact_input = ContactInput(
        name=value("contact_name"),
        email=value("email"),
        phone=value("phone"),
        role=value("role"),
        is_primary=True,
    )
    contacts: list[ContactInput] = []
    try:
        contacts = contacts_input_validate(org, [contact_input])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            name = key.rsplit(".", 1)[-1]
            message = " ".join(messages)
            if name == "phone" and not org.country:
                message += (
                    " Write it with its country code (+44 20 7946 0018), or set your country"
                    " in Settings so we can read national numbers."
                )
            fail(name if name in {"email", "phone"} else "contact_name", message)

    if errors:
        return RowResult(line=line, row=None, errors=errors)

    contact = contacts[0] if contacts else None
    provided = [name for name in (*CUSTOMER_FIELDS, *CONTACT_FIELDS) if value(name)]
    if value("billing_address_line1"):
        # A new street replaces the whole address: an old second line or postal code kept
        # under it would make an address nobody has.
        provided += [name for name in BILLING_ADDRESS_FIELDS if name not in provided]
    credit_limit = customer["credit_limit"]
    return RowResult(
        line=line,
        row={
            "line": line,
            "customer": {
                **customer,
                # JSON has no decimal type: the amount travels as its exact decimal string.
                "credit_limit": None if credit_limit is None else str(credit_limit),
            },
            "contact": None
            if contact is None
            else {
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "role": contact.role,
            },
            "provided": provided,
        },
        errors={},
    )


def _credit_limit_error(amount: Decimal, currency: str) -> str:
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    allowed = currency_minor_units(currency)
    if places > allowed:
        return f"“{amount}” has more decimal places than {currency} uses ({allowed})."
    if len(str(abs(amount.to_integral_value()))) > MAX_CREDIT_INTEGER_DIGITS:
        return f"“{amount}” is too large."
    return ""


# ---------------------------------------------------------------------------------------------
# The whole file


@dataclass
class ParsedFile:
    source_format: str
    header_line: int
    columns: list[str]  # every column name, as the file spells it
    ignored_columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_errors: list[dict[str, Any]] = field(default_factory=list)
    # Our field → the file's column that fed it (for messages added after parsing).
    field_columns: dict[str, str] = field(default_factory=dict)


def _decode(content: bytes) -> str:
    if not content.strip():
        raise ImportFileError("The file is empty.")
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an Excel workbook, not a CSV file. In Excel choose File > Save As > "
            "“CSV UTF-8 (Comma delimited)”, then upload that file."
        )
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            "This is not a CSV file (it holds binary data or UTF-16 text). "
            "Save it as “CSV UTF-8” and upload it again."
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Excel on Windows writes for plain "CSV (Comma delimited)".
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
        ) from exc


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _find_header(text: str) -> tuple[str, Layout, int, list[str]]:
    for delimiter in (",", ";"):
        seen = 0
        try:
            for line, record in _records(text, delimiter):
                if not any(cell.strip() for cell in record):
                    continue
                layout = layout_for({normalise_header(cell) for cell in record if cell.strip()})
                if layout is not None:
                    return delimiter, layout, line, record
                seen += 1
                if seen >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
    try:
        first = next((record for _, record in _records(text, ",") if any(record)), [])
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}.") from exc
    found = ", ".join(f"“{cell.strip()[:40]}”" for cell in first[:8] if cell.strip())
    raise ImportFileError(
        "We could not recognise the columns. Upload our template, a QuickBooks Online customer "
        "export or a Xero contacts export, with the column names in the first row"
        + (f" (the file starts with {found})." if found else ".")
    )


def customer_csv_parse(*, org: Organization, content: bytes, file_name: str) -> ParsedFile:
    """Read and check every row of an uploaded customer CSV.

    Raises :class:`ImportFileError` when the file as a whole cannot be used (wrong type, empty,
    too big, too many rows, columns we do not know); bad rows are reported per row instead.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix and suffix not in ALLOWED_SUFFIXES:
        raise ImportFileError(
            f"“{PurePath(file_name).name}” is not a CSV file. Export or save your customers as "
            "CSV (.csv) and upload that."
        )
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
            "Split it into smaller files and import each."
        )
    text = _decode(content)
    delimiter, layout, header_line, header = _find_header(text)

    # Resolve each layout key to the first of its candidate columns the file has.
    positions: dict[str, int] = {}
    for index, label in enumerate(header):
        positions.setdefault(normalise_header(label), index)
    key_index: dict[str, int] = {}
    for key, candidates in layout.columns.items():
        for candidate in candidates:
            if candidate in positions:
                key_index[key] = positions[candidate]
                break
    used = set(key_index.values())
    labels = {key: header[index].strip() for key, index in key_index.items()}
    parsed = ParsedFile(
        source_format=layout.source_format,
        header_line=header_line,
        columns=[label.strip() for label in header],
        ignored_columns=[
            label.strip()
            for index, label in enumerate(header)
            if index not in used and label.strip()
        ],
    )

    # Counted before anything is checked, so an oversized file is refused at once.
    records: list[tuple[int, list[str]]] = []
    try:
        for line, record in _records(text, delimiter):
            if line <= header_line:
                continue
            if not any(cell.strip() for cell in record) or layout.skip(record):
                continue
            records.append((line, record))
            if len(records) > MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files "
                    "and import each."
                )
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as CSV: {exc}.") from exc
    if not records:
        raise ImportFileError("The file has column names but no customers in it.")

    results: list[RowResult] = []
    for line, record in records:
        values = {
            key: record[index] if index < len(record) else "" for key, index in key_index.items()
        }
        cells = layout.adapt(RowCells(values))
        results.append(validate_row(org=org, line=line, cells=cells, labels=labels))
        if not parsed.field_columns:
            parsed.field_columns = {name: labels.get(key, name) for name, (_, key) in cells.items()}

    _flag_duplicates(results, parsed.field_columns)
    for result in results:
        if result.row is not None:
            parsed.rows.append(result.row)
        else:
            parsed.row_errors.append({"line": result.line, "errors": result.errors})
    return parsed


def _flag_duplicates(results: list[RowResult], field_columns: Mapping[str, str]) -> None:
    """Two rows that would land on the same customer: the later one is an error, so the file
    says plainly what it means instead of the last row silently winning."""
    external_ids: dict[str, int] = {}
    emails: dict[str, int] = {}
    for result in results:
        if result.row is None:
            continue
        external_id = result.row["customer"]["external_id"]
        contact = result.row["contact"] or {}
        email = contact.get("email", "")
        if external_id:
            if external_id in external_ids:
                result.errors[field_columns.get("external_id", "external_id")] = (
                    f"External id “{external_id}” is also on line {external_ids[external_id]}."
                )
            else:
                external_ids[external_id] = result.line
        elif email:
            if email in emails:
                result.errors[field_columns.get("email", "email")] = (
                    f"Same email as line {emails[email]}, and neither row has an external id, so "
                    "both would be the same customer. Give each an external id, or remove one."
                )
            else:
                emails[email] = result.line
        if result.errors:
            result.row = None

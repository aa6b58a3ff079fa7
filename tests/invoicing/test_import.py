"""Importing customers from CSV: each layout read from a realistic file, the preview, the
background import in a real Celery worker, re-imports, all-or-nothing, roles and tenancy."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse

from arhub.roles import Role
from invoicing import import_services
from invoicing.import_services import (
    customer_import_confirm,
    customer_import_counts,
    customer_import_preview,
    customer_import_run,
)
from invoicing.importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    TEMPLATE_COLUMNS,
    customer_csv_parse,
    parse_amount,
)
from invoicing.models import Contact, Customer, CustomerImport, ImportFormat, ImportStatus
from invoicing.selectors import customer_list
from invoicing.services import ContactInput, CustomerInput, customer_create

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def set_country(tenant, country: str, currency: str | None = None) -> None:
    tenant.org.country = country
    if currency:
        tenant.org.default_currency = currency
    tenant.org.save()


def parse(tenant, name: str):
    return customer_csv_parse(org=tenant.org, content=fixture(name), file_name=name)


def preview(tenant, content: bytes, file_name: str = "customers.csv") -> CustomerImport:
    return customer_import_preview(
        org=tenant.org, actor=tenant.owner.user, file_name=file_name, content=content
    )


def import_now(tenant, content: bytes, file_name: str = "customers.csv") -> CustomerImport:
    """Preview, confirm and run in this process (the worker's job, done synchronously)."""
    job = preview(tenant, content, file_name)
    assert customer_import_confirm(org=tenant.org, actor=tenant.owner.user, customer_import=job)
    result = customer_import_run(org=tenant.org, import_id=job.pk)
    assert result is not None
    return result


def by_line(parsed) -> dict[int, dict]:
    return {row["line"]: row for row in parsed.rows}


def errors_by_line(rows) -> dict[int, dict[str, str]]:
    return {entry["line"]: entry["errors"] for entry in rows}


def existing_customer(tenant, name: str, *, email: str = "", external_id: str = "", **fields):
    return customer_create(
        org=tenant.org,
        actor=tenant.owner.user,
        data=CustomerInput(display_name=name, external_id=external_id, **fields),
        contacts=[ContactInput(name="Someone", email=email)] if email else [],
    )


# ---------------------------------------------------------------------------------------------
# Reading each layout


@pytest.mark.django_db
def test_our_template_is_read_and_normalised(tenant):
    set_country(tenant, "GB")
    parsed = parse(tenant, "arhub_customers.csv")
    assert parsed.source_format == ImportFormat.ARHUB
    assert parsed.ignored_columns == []
    assert parsed.row_errors == []
    rows = by_line(parsed)
    # Casa Verde's notes span two lines, so Pemberton starts on line 5.
    assert sorted(rows) == [2, 3, 5, 6]

    harbour = rows[2]
    assert harbour["customer"] == {
        "display_name": "Harbour Tiles",
        "company": "Harbour Tiles Ltd",
        "timezone": "Europe/London",
        "language": "en",
        "currency": "GBP",
        "payment_terms_days": 30,
        "preferred_channel": "email",
        "credit_limit": "5000.00",
        "tags": ["north", "wholesale"],
        "external_id": "HT-001",
        "notes": "Prefers statements monthly",
        # This file has no address columns.
        "billing_address_line1": "",
        "billing_address_line2": "",
        "billing_city": "",
        "billing_region": "",
        "billing_postal_code": "",
        "billing_country": "",
        "tax_id": "",
    }
    assert harbour["contact"] == {
        "name": "Jo Harbour",
        "email": "accounts@harbourtiles.example",
        "phone": "+442079460018",
        "role": "Accounts payable",
    }
    assert rows[3]["customer"]["notes"] == "Pays by transfer, never card.\nAsk for Lucía."
    assert rows[3]["customer"]["language"] == "es"
    assert rows[3]["customer"]["preferred_channel"] == "both"
    # An empty cell is not "provided": on a re-import it leaves the customer's value alone.
    assert rows[5]["provided"] == ["display_name", "email", "phone"]
    assert rows[5]["customer"]["currency"] == "GBP"  # the organization's
    northwind = rows[6]["customer"]
    assert (northwind["language"], northwind["preferred_channel"]) == ("en", "sms")
    assert northwind["credit_limit"] == "250000.50"  # quantized to CAD's cents


@pytest.mark.django_db
def test_quickbooks_customer_contact_list_report(tenant):
    set_country(tenant, "US", "USD")
    parsed = parse(tenant, "quickbooks_contact_list.csv")
    assert parsed.source_format == ImportFormat.QUICKBOOKS
    assert parsed.header_line == 5  # below the report's title lines
    assert parsed.ignored_columns == ["Shipping Address"]
    rows = by_line(parsed)
    assert [rows[line]["customer"]["display_name"] for line in sorted(rows)] == [
        "Alder Creek Nursery",
        "Breakwater Surf Co.",
        "Cedar & Pine Landscaping",
        "Desert Bloom Camp",
        "Total Fitness Studio",  # a customer, not the report's TOTAL line
    ]
    assert rows[6]["contact"] == {
        "name": "Maya Alder",
        "email": "orders@aldercreek.example",
        "phone": "+16505553311",
        "role": "",
    }
    assert rows[8]["contact"]["phone"] == "+15035550147"  # the main number, not the mobile
    assert rows[9]["contact"]["phone"] == "+15204205638"  # the mobile, never the fax
    # The report's one-cell billing address, split where it ends in a state and ZIP code.
    assert {k: v for k, v in rows[9]["customer"].items() if k.startswith("billing_")} == {
        "billing_address_line1": "25 Court St.",
        "billing_address_line2": "",
        "billing_city": "Tucson",
        "billing_region": "AZ",
        "billing_postal_code": "85719",
        "billing_country": "",
    }
    # The bad email is reported against the file's own column name; the footer is no row.
    assert errors_by_line(parsed.row_errors) == {
        10: {"Email": "“accounts@evergreen-clinic” is not an email."}
    }


@pytest.mark.django_db
def test_quickbooks_customer_list_export(tenant):
    set_country(tenant, "US", "USD")
    parsed = parse(tenant, "quickbooks_customers.csv")  # saved by Excel, with a BOM
    assert parsed.source_format == ImportFormat.QUICKBOOKS
    assert parsed.columns[0] == "Customer"
    assert "Open Balance" in parsed.ignored_columns
    for column in ("Street Address", "City", "State", "Country", "Zip"):
        assert column not in parsed.ignored_columns
    rows = by_line(parsed)
    alder = rows[2]["customer"]
    assert (
        alder["billing_address_line1"],
        alder["billing_city"],
        alder["billing_region"],
        alder["billing_postal_code"],
        alder["billing_country"],  # "USA"
    ) == ("4581 Finch St.", "Bayshore", "CA", "94326", "US")
    assert alder["company"] == "Alder Creek Nursery LLC"
    assert alder["payment_terms_days"] == 30  # "Net 30"
    assert alder["credit_limit"] == "10000.00"  # "10,000.00"
    assert alder["tags"] == ["wholesale"]  # Customer Type
    assert alder["external_id"] == "1001"  # Account No.
    assert alder["notes"] == "Gate code 4412"
    assert rows[3]["customer"]["payment_terms_days"] == 0  # "Due on receipt"
    assert rows[4]["customer"]["payment_terms_days"] == 60  # "1% 10 Net 60"
    assert rows[5]["customer"]["payment_terms_days"] is None  # "Monthly": default terms


@pytest.mark.django_db
def test_xero_contacts_export(tenant):
    set_country(tenant, "AU", "AUD")
    parsed = parse(tenant, "xero_contacts.csv")
    assert parsed.source_format == ImportFormat.XERO
    assert "Person1Email" in parsed.ignored_columns
    assert "EmailAddress" not in parsed.ignored_columns
    for column in ("POAddressLine1", "POCity", "PORegion", "POPostalCode", "POCountry"):
        assert column not in parsed.ignored_columns
    # The street address is not the one Xero prints on invoices: left alone.
    assert "SAAddressLine1" in parsed.ignored_columns
    rows = by_line(parsed)
    marlow = rows[2]
    assert marlow["customer"]["display_name"] == "Marlow Constructions Pty Ltd"
    assert marlow["customer"]["company"] == "Marlow Constructions Pty Limited"
    assert marlow["customer"]["external_id"] == "MAR001"
    assert marlow["customer"]["payment_terms_days"] == 30  # 30 DAYSAFTERBILLDATE
    assert marlow["contact"]["name"] == "Gavin Marlow"
    assert marlow["contact"]["phone"] == "+61293744000"  # national number, AU organization
    assert {
        k: v for k, v in marlow["customer"].items() if k.startswith("billing_") or k == "tax_id"
    } == {
        "billing_address_line1": "12 Builder St",
        "billing_address_line2": "",
        "billing_city": "Parramatta",
        "billing_region": "NSW",
        "billing_postal_code": "2150",
        "billing_country": "AU",  # "Australia"
        "tax_id": "48 902 337 115",  # TaxNumber
    }
    ashfield = rows[3]
    assert ashfield["contact"]["phone"] == "+61423555019"  # MobileNumber when no PhoneNumber
    assert ashfield["customer"]["payment_terms_days"] is None  # "20th of the following month"
    elena = rows[4]
    assert elena["contact"]["name"] == "Elena Reyes"  # POAttentionTo
    assert elena["customer"]["payment_terms_days"] == 14  # "Days After"
    assert elena["customer"]["external_id"] == ""
    assert (elena["customer"]["billing_city"], elena["customer"]["billing_country"]) == (
        "Newtown",
        "AU",
    )
    assert rows[7]["contact"]["phone"] == "+6493790000"
    assert rows[7]["customer"]["billing_country"] == "NZ"  # "New Zealand"
    assert errors_by_line(parsed.row_errors) == {
        5: {"EmailAddress": "“ian@northcote” is not an email."},
        6: {"*ContactName": "Give the customer a name."},
    }


@pytest.mark.django_db
def test_semicolons_byte_order_mark_and_decimal_commas(tenant):
    content = "\ufeffname;email;credit_limit;tags\nCafé Olé;Hola@CafeOle.example;1.234,50;bar\n"
    parsed = customer_csv_parse(
        org=tenant.org, content=content.encode("utf-8"), file_name="clientes.csv"
    )
    (row,) = parsed.rows
    assert row["customer"]["display_name"] == "Café Olé"
    assert row["customer"]["credit_limit"] == "1234.50"
    assert row["contact"]["email"] == "hola@cafeole.example"


@pytest.mark.django_db
def test_excel_windows_csv_is_read(tenant):
    content = "name,email\nCafé Olé,hola@cafeole.example\n".encode("cp1252")
    parsed = customer_csv_parse(org=tenant.org, content=content, file_name="customers.csv")
    assert parsed.rows[0]["customer"]["display_name"] == "Café Olé"


@pytest.mark.django_db
def test_billing_addresses_in_our_template_with_countries_by_name(tenant):
    content = (
        "name,billing_address_line1,billing_city,billing_postal_code,billing_country,tax_id\r\n"
        "Harbour Tiles,14 Quay Street,Leeds,LS1 4AP,United Kingdom,GB987654321\r\n"
        'Casa Verde,"Calle Mayor, 12",Madrid,28013,España,B12345678\r\n'
        "Alder Creek,4581 Finch St.,Bayshore,94326,U.S.A.,\r\n"
        "Kiwi Freight,,,,nz,\r\n"
        "Atlantis Ltd,1 Sunken Way,Poseidonia,,Atlantis,\r\n"
        "Bad Code,,,,XX,\r\n"
        "Long Postcode,,,12345678901234567890X,GB,\r\n"
    ).encode()
    parsed = customer_csv_parse(org=tenant.org, content=content, file_name="c.csv")
    rows = by_line(parsed)
    assert {line: row["customer"]["billing_country"] for line, row in rows.items()} == {
        2: "GB",
        3: "ES",
        4: "US",
        5: "NZ",
    }
    harbour = rows[2]["customer"]
    assert (harbour["billing_address_line1"], harbour["billing_city"], harbour["tax_id"]) == (
        "14 Quay Street",
        "Leeds",
        "GB987654321",
    )
    assert rows[3]["customer"]["billing_address_line1"] == "Calle Mayor, 12"
    # Each problem is named by the file's own column.
    assert errors_by_line(parsed.row_errors) == {
        6: {
            "billing_country": "“Atlantis” is not a country we know. Write its name in "
            "English or its two-letter code, e.g. GB or US."
        },
        7: {
            "billing_country": "“XX” is not a country we know. Write its name in English or "
            "its two-letter code, e.g. GB or US."
        },
        8: {"billing_postal_code": "At most 20 characters."},
    }


@pytest.mark.django_db
def test_xero_address_lines_two_to_four_make_our_second_line(tenant):
    content = (
        b"*ContactName,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,"
        b"POCountry,TaxNumber\r\n"
        b"Kiwi Freight Ltd,Level 2,,Shed 5,Quay St,Auckland,New Zealand,123-456-789\r\n"
        b"Nowhere Ltd,,,,,,Middle Earth,\r\n"
    )
    parsed = customer_csv_parse(org=tenant.org, content=content, file_name="Contacts.csv")
    kiwi = parsed.rows[0]["customer"]
    assert (kiwi["billing_address_line1"], kiwi["billing_address_line2"]) == (
        "Level 2",
        "Shed 5, Quay St",
    )
    assert (kiwi["billing_city"], kiwi["billing_country"], kiwi["tax_id"]) == (
        "Auckland",
        "NZ",
        "123-456-789",
    )
    assert errors_by_line(parsed.row_errors) == {
        3: {
            "POCountry": "“Middle Earth” is not a country we know. Write its name in English "
            "or its two-letter code, e.g. GB or US."
        }
    }


@pytest.mark.django_db
def test_quickbooks_billing_address_columns(tenant):
    set_country(tenant, "US", "USD")
    content = (
        b"Customer,Billing Address Line 1,Billing Address Line 2,Billing Address City,"
        b"Billing Address State,Billing Address Postal Code,Billing Address Country,Email\r\n"
        b"Bayside Books,1 Harbor Way,Suite 4,Oakland,CA,94607,United States,ap@bayside.example\r\n"
        b"Thames Prints,2 Mill Lane,,London,,SE1 7PB,UK,ap@thames.example\r\n"
        b"Nowhere Co,3 Road,,Town,,,Narnia,ap@nowhere.example\r\n"
    )
    parsed = customer_csv_parse(org=tenant.org, content=content, file_name="qbo.csv")
    assert parsed.source_format == ImportFormat.QUICKBOOKS
    assert parsed.ignored_columns == []
    rows = by_line(parsed)
    assert {k: v for k, v in rows[2]["customer"].items() if k.startswith("billing_")} == {
        "billing_address_line1": "1 Harbor Way",
        "billing_address_line2": "Suite 4",
        "billing_city": "Oakland",
        "billing_region": "CA",
        "billing_postal_code": "94607",
        "billing_country": "US",
    }
    assert rows[3]["customer"]["billing_country"] == "GB"
    (error,) = parsed.row_errors
    assert error["line"] == 4
    assert list(error["errors"]) == ["Billing Address Country"]
    assert "“Narnia” is not a country we know" in error["errors"]["Billing Address Country"]


@pytest.mark.django_db
def test_quickbooks_one_cell_address_is_split_only_when_it_is_clear(tenant):
    set_country(tenant, "US", "USD")
    content = (
        b"Customer,Email,Billing Address\r\n"
        b'Maple Cafe,ap@maple.example,"Suite 5, 900 Main St., Middlefield, CA 94303, USA"\r\n'
        b'Thames Prints,ap@thames.example,"2 Mill Lane, London SE1 7PB"\r\n'
    )
    rows = by_line(customer_csv_parse(org=tenant.org, content=content, file_name="qbo.csv"))
    assert {k: v for k, v in rows[2]["customer"].items() if k.startswith("billing_")} == {
        "billing_address_line1": "Suite 5",
        "billing_address_line2": "900 Main St.",
        "billing_city": "Middlefield",
        "billing_region": "CA",
        "billing_postal_code": "94303",
        "billing_country": "US",
    }
    # Not a shape we can split with confidence: kept whole, as written, rather than guessed.
    thames = rows[3]["customer"]
    assert thames["billing_address_line1"] == "2 Mill Lane, London SE1 7PB"
    assert thames["billing_city"] == thames["billing_postal_code"] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5000", "5000"),
        ("5000.50", "5000.50"),
        ("5,000.50", "5000.50"),
        ("5.000,50", "5000.50"),
        ("5 000,50", "5000.50"),
        ("$1,234,567.89", "1234567.89"),
        ("12,34,567.00", "1234567.00"),
        ("1234,5", "1234.5"),
        ("-5", "-5"),
    ],
)
def test_amounts_are_decimals(text, expected):
    amount = parse_amount(text)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # exact: no float ever in between


@pytest.mark.parametrize(
    "text", ["1e3", "NaN", "Infinity", "12abc", "1,23,4.5", "1.2.3,4", "0x10", ""]
)
def test_amounts_refuse_what_is_not_a_plain_number(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "file_name", "message"),
    [
        (b"", "customers.csv", "The file is empty."),
        (b"  \r\n\r\n", "customers.csv", "The file is empty."),
        (b"name,email\r\n", "customers.csv", "no customers in it"),
        (b"name,email\r\n,\r\n", "customers.csv", "no customers in it"),
        (b"PK\x03\x04\x14\x00\x06\x00", "customers.csv", "Excel workbook"),
        (b"\xff\xfen\x00a\x00m\x00e\x00", "customers.csv", "not a CSV file"),
        (b"sku,price\r\nA-1,10\r\n", "customers.csv", "could not recognise the columns"),
        (b"name,email\r\nA,a@b.example\r\n", "customers.xlsx", "is not a CSV file"),
        (b"name,email\r\n" + b"x" * MAX_FILE_BYTES, "customers.csv", "larger than 5 MB"),
        (
            b"name,email\r\n" + b"Acme,\r\n" * (MAX_ROWS + 1),
            "customers.csv",
            "more than 50,000 rows",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "header-and-blank-row",
        "xlsx",
        "utf16",
        "unknown-columns",
        "wrong-extension",
        "too-big",
        "too-many-rows",
    ],
)
def test_files_that_cannot_be_used_are_refused_with_a_reason(tenant, content, file_name, message):
    with pytest.raises(ValidationError) as caught:
        preview(tenant, content, file_name)
    assert message in caught.value.message_dict["file"][0]
    assert not CustomerImport.objects.exists()


@pytest.mark.django_db
def test_exactly_the_row_limit_is_accepted(tenant):
    content = b"name,email\r\n" + b"Acme,\r\n" * MAX_ROWS
    parsed = customer_csv_parse(org=tenant.org, content=content, file_name="big.csv")
    assert len(parsed.rows) == MAX_ROWS


# ---------------------------------------------------------------------------------------------
# The preview


BAD_ROWS = {
    3: ("email", "“not-an-email” is not an email."),
    4: ("phone", "“12345” is not a valid phone number."),
    5: ("timezone", "“Europe/Atlantis” is not an IANA time zone"),
    6: ("currency", "“XYZ” is not an ISO 4217 currency code."),
    7: ("name", "Give the customer a name."),
    8: ("credit_limit", "“12.345” has more decimal places than USD uses (2)."),
    9: ("credit_limit", "The credit limit cannot be negative."),
    10: ("payment_terms_days", "“thirty” is not a number of days"),
    11: ("external_id", "External id “GB-1” is also on line 2."),
    12: ("preferred_channel", "“pigeon” is not a channel."),
    13: ("credit_limit", "“lots” is not an amount"),
    15: ("language", "“fr” is not a supported language."),
}


@pytest.mark.django_db
def test_preview_lists_every_bad_row_with_its_reason_and_writes_nothing(tenant):
    set_country(tenant, "GB")
    client = tenant.client(Role.BILLING)
    upload = SimpleUploadedFile("bad.csv", fixture("arhub_bad_rows.csv"), content_type="text/csv")
    response = client.post(reverse("customer_import"), {"file": upload})
    job = CustomerImport.objects.get(organization=tenant.org)
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_import_detail", args=[job.pk])

    assert job.status == ImportStatus.PREVIEWED
    assert [row["line"] for row in job.rows] == [2, 14]
    errors = errors_by_line(job.row_errors)
    assert sorted(errors) == sorted(BAD_ROWS)
    for line, (column, message) in BAD_ROWS.items():
        assert message in errors[line][column], line
    # Nothing is written to customers before the confirmation.
    assert not Customer.objects.exists()
    assert not Contact.objects.exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert customer_import_counts(customer_import=job) == {"new": 2, "update": 0, "invalid": 12}
    for line, (column, message) in BAD_ROWS.items():
        assert f'<td data-label="Line" class="import-num">{line}</td>' in body, line
        assert f"<code>{column}</code>" in body
        assert message in body, line
    assert "Good Bakery" in body and "Second Good Ltd" in body
    assert "Import 2 customers" in body


@pytest.mark.django_db
def test_preview_names_the_ignored_columns_and_counts_updates(tenant):
    set_country(tenant, "US", "USD")
    existing_customer(tenant, "Alder Creek", external_id="1001", currency="USD")
    existing_customer(tenant, "Breakwater", email="surf@breakwater.example")
    client = tenant.client()
    upload = SimpleUploadedFile("qbo.csv", fixture("quickbooks_customers.csv"))
    response = client.post(reverse("customer_import"), {"file": upload}, follow=True)
    body = response.content.decode()
    assert "QuickBooks customer export" in body
    for column in ["Open Balance", "Attachments"]:
        assert f"<code>{column}</code>" in body
    assert "<code>Street Address</code>" not in body  # the billing address is imported
    job = CustomerImport.objects.get(organization=tenant.org)
    assert customer_import_counts(customer_import=job) == {"new": 2, "update": 2, "invalid": 0}
    assert [row["action"] for row in job.rows] == ["update", "update", "create", "create"]
    assert Customer.objects.for_org(tenant.org).count() == 2


@pytest.mark.django_db
def test_rows_that_would_merge_are_flagged(tenant):
    existing_customer(tenant, "Twin A", email="shared@twins.example")
    existing_customer(tenant, "Twin B", email="shared@twins.example")
    content = (
        b"name,email,external_id\r\n"
        b"Same Mail One,dup@file.example,\r\n"
        b"Same Mail Two,dup@file.example,\r\n"
        b"Twins,shared@twins.example,\r\n"
        b"Twins with an id,shared@twins.example,TW-1\r\n"
    )
    job = preview(tenant, content)
    errors = errors_by_line(job.row_errors)
    assert "Same email as line 2" in errors[3]["email"]
    assert "2 of your customers have this email" in errors[4]["email"]
    # A new external id does not say which twin it belongs to either.
    assert "2 of your customers have this email" in errors[5]["email"]
    assert [(row["line"], row["action"]) for row in job.rows] == [(2, "create")]


# ---------------------------------------------------------------------------------------------
# Confirm and run


def wait_until_finished(job: CustomerImport, timeout: float = 60) -> CustomerImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"import {job.pk} still {job.status} after {timeout}s")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_confirm_imports_in_a_real_celery_worker(tenant, worker):
    set_country(tenant, "GB")
    client = tenant.client(Role.BILLING)
    upload = SimpleUploadedFile("customers.csv", fixture("arhub_customers.csv"))
    response = client.post(reverse("customer_import"), {"file": upload})
    job = CustomerImport.objects.get(organization=tenant.org)
    assert not Customer.objects.exists()

    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302
    job = wait_until_finished(job)

    assert job.status == ImportStatus.DONE, job.error_message
    assert job.processed == job.total == 4
    assert (job.created_count, job.updated_count) == (4, 0)
    assert job.finished_at is not None
    customers = Customer.objects.for_org(tenant.org)
    assert customers.count() == 4
    harbour = customers.get(external_id="HT-001")
    assert harbour.credit_limit == Decimal("5000.00")
    assert harbour.tags == ["north", "wholesale"]
    assert harbour.payment_terms_days == 30
    (contact,) = harbour.contacts.all()
    assert (contact.is_primary, contact.email, str(contact.phone)) == (
        True,
        "accounts@harbourtiles.example",
        "+442079460018",
    )
    # Imported customers are searchable like any other (the services keep the index).
    assert list(customer_list(org=tenant.org, search="harbo")) == [harbour]

    progress = client.get(reverse("customer_import_progress", args=[job.pk])).json()
    assert progress["finished"] is True
    assert progress["processed"] == progress["total"] == 4
    page = client.get(reverse("customer_import_detail", args=[job.pk])).content.decode()
    assert "4 customers added and 0 updated" in page


@pytest.mark.django_db
def test_reimport_updates_by_external_id_instead_of_duplicating(tenant):
    set_country(tenant, "GB")
    first = import_now(tenant, fixture("arhub_customers.csv"))
    assert (first.created_count, first.updated_count) == (4, 0)
    harbour = Customer.objects.for_org(tenant.org).get(external_id="HT-001")
    contact_id = harbour.contacts.get().pk

    again = import_now(tenant, fixture("arhub_customers.csv"))
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count) == (0, 4)
    assert Customer.objects.for_org(tenant.org).count() == 4
    assert Contact.objects.for_org(tenant.org).count() == 4

    # A later file with fewer columns changes only what it fills.
    changed = (
        b"name,external_id,credit_limit,phone\r\n"
        b"Harbour Tiles & Stone,HT-001,7500,+44 20 7946 0958\r\n"
    )
    third = import_now(tenant, changed)
    assert (third.created_count, third.updated_count) == (0, 1)
    harbour.refresh_from_db()
    assert harbour.display_name == "Harbour Tiles & Stone"
    assert harbour.credit_limit == Decimal("7500.00")
    assert harbour.timezone == "Europe/London"  # not in the file: kept
    assert harbour.tags == ["north", "wholesale"]
    contact = harbour.contacts.get()
    assert contact.pk == contact_id  # updated in place, not replaced
    assert str(contact.phone) == "+442079460958"
    assert contact.email == "accounts@harbourtiles.example"


@pytest.mark.django_db
def test_reimport_replaces_the_address_as_a_whole_when_the_street_changes(tenant):
    header = b"name,external_id,billing_address_line1,billing_address_line2,billing_city,"
    first = import_now(
        tenant,
        header + b"billing_postal_code,billing_country\r\n"
        b"Harbour Tiles,HT-1,14 Quay Street,Unit 3,Leeds,LS1 4AP,GB\r\n",
    )
    assert first.status == ImportStatus.DONE, first.error_message
    harbour = Customer.objects.for_org(tenant.org).get(external_id="HT-1")
    assert (harbour.billing_address_line2, harbour.billing_country) == ("Unit 3", "GB")

    # A file with only a country changes only the country ...
    import_now(tenant, b"name,external_id,billing_country\r\nHarbour Tiles,HT-1,Ireland\r\n")
    harbour.refresh_from_db()
    assert (harbour.billing_address_line1, harbour.billing_country) == ("14 Quay Street", "IE")

    # ... but a new street is a new address: no second line or postcode left from the old one.
    moved = import_now(
        tenant,
        b"name,external_id,billing_address_line1,billing_city\r\n"
        b"Harbour Tiles,HT-1,2 Dock Road,Cardiff\r\n",
    )
    assert (moved.created_count, moved.updated_count) == (0, 1)
    harbour.refresh_from_db()
    assert (
        harbour.billing_address_line1,
        harbour.billing_address_line2,
        harbour.billing_city,
        harbour.billing_postal_code,
        harbour.billing_country,
    ) == ("2 Dock Road", "", "Cardiff", "", "")
    assert list(customer_list(org=tenant.org, search="cardiff")) == [harbour]


@pytest.mark.django_db
def test_an_import_previewed_before_addresses_existed_still_runs(tenant):
    job = preview(tenant, b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    rows = job.rows
    for name in [k for k in rows[0]["customer"] if k.startswith("billing_") or k == "tax_id"]:
        del rows[0]["customer"][name]
    CustomerImport.objects.filter(pk=job.pk).update(rows=rows, status=ImportStatus.QUEUED)
    result = customer_import_run(org=tenant.org, import_id=job.pk)
    assert result.status == ImportStatus.DONE, result.error_message
    assert Customer.objects.for_org(tenant.org).get().billing_country == ""


@pytest.mark.django_db
def test_reimport_updates_by_primary_email_when_there_is_no_external_id(tenant):
    set_country(tenant, "GB")
    by_hand = existing_customer(tenant, "Pemberton and Sons", email="Office@Pemberton.example")
    # Same email, but another external id: another customer in the accounting system.
    elsewhere = existing_customer(
        tenant, "Pemberton Holdings", email="office@pemberton.example", external_id="PH-9"
    )
    job = import_now(tenant, fixture("arhub_customers.csv"))
    assert (job.created_count, job.updated_count) == (3, 1)
    by_hand.refresh_from_db()
    assert by_hand.display_name == "Pemberton & Sons"
    assert str(by_hand.contacts.get().phone) == "+441614960123"
    elsewhere.refresh_from_db()
    assert elsewhere.display_name == "Pemberton Holdings"
    assert Customer.objects.for_org(tenant.org).filter(display_name="Pemberton & Sons").count() == 1

    # An id-less customer matched by email takes the file's external id when it has one.
    xero = (
        b"*ContactName,AccountNumber,EmailAddress\r\n"
        b"Pemberton & Sons Ltd,PEM001,office@pemberton.example\r\n"
    )
    second = import_now(tenant, xero, "Contacts.csv")
    assert (second.created_count, second.updated_count) == (0, 1)
    by_hand.refresh_from_db()
    assert (by_hand.display_name, by_hand.external_id) == ("Pemberton & Sons Ltd", "PEM001")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (RuntimeError("disk on fire"), "Line 5: something went wrong on our side"),
        (ValidationError("Another customer already has that."), "Line 5: Another customer"),
    ],
    ids=["crash", "refused"],
)
def test_a_failure_mid_import_writes_nothing(tenant, monkeypatch, error, reason):
    set_country(tenant, "GB")
    harbour = existing_customer(tenant, "Old Harbour", external_id="HT-001")
    job = preview(tenant, fixture("arhub_customers.csv"))
    assert [row["action"] for row in job.rows] == ["update", "create", "create", "create"]
    # Queued by hand: confirming here would send the task to Redis with no worker to take it.
    CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    monkeypatch.setattr(import_services, "PROGRESS_INTERVAL", 0)
    # One row per chunk, so the failure lands on a row with earlier chunks written before it.
    monkeypatch.setattr(import_services, "IMPORT_CHUNK", 1)

    seen: dict[str, object] = {}
    real_write = import_services.customers_upsert_bulk
    calls = {"n": 0}

    def write_then_fail(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # Harbour updated and Casa Verde created; now Pemberton, line 5
            # Looked at from outside, as the progress page does: progress shows, while the
            # customers written so far do not.
            outside = connections.create_connection("default")
            try:
                with outside.cursor() as cursor:
                    cursor.execute(
                        "SELECT status, processed FROM invoicing_customerimport WHERE id = %s",
                        [job.pk],
                    )
                    seen["progress"] = cursor.fetchone()
                    cursor.execute(
                        "SELECT count(*) FROM invoicing_customer WHERE organization_id = %s",
                        [tenant.org.pk],
                    )
                    seen["customers"] = cursor.fetchone()[0]
            finally:
                outside.close()
            raise error
        return real_write(**kwargs)

    monkeypatch.setattr(import_services, "customers_upsert_bulk", write_then_fail)
    result = customer_import_run(org=tenant.org, import_id=job.pk)

    assert seen == {"progress": ("running", 2), "customers": 1}
    assert result.status == ImportStatus.FAILED
    assert result.error_message.startswith(reason)
    assert "Nothing was imported" in result.error_message
    assert (result.processed, result.created_count, result.updated_count) == (0, 0, 0)
    assert list(Customer.objects.for_org(tenant.org)) == [harbour]
    harbour.refresh_from_db()
    assert harbour.display_name == "Old Harbour"  # the update before the failure is undone too
    assert not Contact.objects.for_org(tenant.org).exists()

    # Once the cause is gone, the same import can run again, from the start.
    monkeypatch.setattr(import_services, "customers_upsert_bulk", real_write)
    CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    retried = customer_import_run(org=tenant.org, import_id=job.pk)
    assert retried.status == ImportStatus.DONE
    assert (retried.created_count, retried.updated_count, retried.error_message) == (3, 1, "")
    assert Customer.objects.for_org(tenant.org).count() == 4


@pytest.mark.django_db
def test_a_row_refused_at_run_time_is_named_by_its_line_within_its_chunk(tenant):
    set_country(tenant, "GB")
    job = preview(tenant, fixture("arhub_customers.csv"))
    # As if the rules changed between preview and run: line 5 is now refused.
    rows = job.rows
    rows[2]["customer"]["currency"] = "ZZZ"
    CustomerImport.objects.filter(pk=job.pk).update(rows=rows, status=ImportStatus.QUEUED)

    result = customer_import_run(org=tenant.org, import_id=job.pk)
    assert result.status == ImportStatus.FAILED
    assert result.error_message.startswith("Line 5: “ZZZ” is not an ISO 4217 currency code.")
    assert not Customer.objects.for_org(tenant.org).exists()


@pytest.mark.django_db
def test_rows_of_one_chunk_match_each_other_as_a_row_by_row_import_would(tenant):
    # Not a duplicate for the preview (the second row has an external id), but written one by
    # one the second row finds the customer the first created, by email, and updates it.
    content = (
        b"name,email,external_id\r\n"
        b"Acme Widgets,ap@widgets.example,\r\n"
        b"Acme Widgets Ltd,ap@widgets.example,AW-1\r\n"
        b"Zenith Tiles,ap@zenith.example,ZT-1\r\n"
    )
    job = import_now(tenant, content)
    assert job.status == ImportStatus.DONE, job.error_message
    assert (job.created_count, job.updated_count) == (2, 1)
    acme = Customer.objects.for_org(tenant.org).get(external_id="AW-1")
    assert acme.display_name == "Acme Widgets Ltd"
    assert acme.contacts.get().email == "ap@widgets.example"
    assert Customer.objects.for_org(tenant.org).count() == 2


@pytest.mark.django_db
def test_the_run_writes_in_chunks_not_row_by_row(tenant, django_assert_max_num_queries):
    lines = ["name,email,phone,external_id"]
    lines += [f"Customer {i},ap{i}@c{i}.example,+44 20 7946 {i:04d},C-{i}" for i in range(300)]
    content = "\r\n".join(lines).encode()
    first = preview(tenant, content)
    CustomerImport.objects.filter(pk=first.pk).update(status=ImportStatus.QUEUED)
    with django_assert_max_num_queries(25):
        created = customer_import_run(org=tenant.org, import_id=first.pk)
    assert (created.created_count, created.updated_count) == (300, 0)

    again = preview(tenant, content)
    CustomerImport.objects.filter(pk=again.pk).update(status=ImportStatus.QUEUED)
    with django_assert_max_num_queries(25):
        updated = customer_import_run(org=tenant.org, import_id=again.pk)
    assert (updated.created_count, updated.updated_count) == (0, 300)
    assert Customer.objects.for_org(tenant.org).count() == 300
    assert Contact.objects.for_org(tenant.org).count() == 300
    assert list(customer_list(org=tenant.org, search="ap299@c299")) == [
        Customer.objects.for_org(tenant.org).get(external_id="C-299")
    ]


@pytest.mark.django_db
def test_a_failed_import_can_be_queued_again(tenant, django_capture_on_commit_callbacks):
    job = preview(tenant, b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error_message="Line 2: boom"
    )
    client = tenant.client(Role.BILLING)
    page = client.get(reverse("customer_import_detail", args=[job.pk])).content.decode()
    assert "Line 2: boom" in page
    assert "Try this import again" in page
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(reverse("customer_import_detail", args=[job.pk])).status_code == 302
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.error_message) == (ImportStatus.QUEUED, "")


@pytest.mark.django_db
def test_confirm_queues_once_and_run_is_idempotent(tenant, django_capture_on_commit_callbacks):
    job = preview(tenant, b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    with django_capture_on_commit_callbacks() as callbacks:
        assert customer_import_confirm(org=tenant.org, actor=None, customer_import=job)
        assert not customer_import_confirm(org=tenant.org, actor=None, customer_import=job)
    assert len(callbacks) == 1
    assert job.status == ImportStatus.QUEUED

    done = customer_import_run(org=tenant.org, import_id=job.pk)
    again = customer_import_run(org=tenant.org, import_id=job.pk)
    assert done.status == again.status == ImportStatus.DONE
    assert again.created_count == 1
    assert Customer.objects.for_org(tenant.org).count() == 1


@pytest.mark.django_db
def test_an_unconfirmed_import_is_not_run(tenant):
    job = preview(tenant, b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    assert customer_import_run(org=tenant.org, import_id=job.pk).status == ImportStatus.PREVIEWED
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_file_with_no_valid_row_cannot_be_confirmed(tenant):
    job = preview(tenant, b"name,email\r\n,nobody@example.com\r\n")
    with pytest.raises(ValidationError, match="no valid rows"):
        customer_import_confirm(org=tenant.org, actor=None, customer_import=job)
    page = tenant.client().get(reverse("customer_import_detail", args=[job.pk]))
    assert "Nothing in this file can be imported" in page.content.decode()


@pytest.mark.django_db
def test_progress_while_running(tenant):
    job = preview(tenant, b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed=0)
    client = tenant.client(Role.VIEWER)
    state = client.get(reverse("customer_import_progress", args=[job.pk]))
    assert state["Cache-Control"] == "no-store"
    assert state.json() == {
        "status": "running",
        "status_label": "Importing",
        "processed": 0,
        "total": 1,
        "percent": 0,
        "created": 0,
        "updated": 0,
        "finished": False,
        "message": "Imported 0 of 1 customers (0%).",
    }
    page = client.get(reverse("customer_import_detail", args=[job.pk])).content.decode()
    assert '<progress aria-labelledby="progress-heading"' in page
    assert 'role="status" aria-live="polite"' in page
    assert "arhub/job_progress.js" in page
    # Without JavaScript, a plain link reloads the page (no meta refresh).
    detail = reverse("customer_import_detail", args=[job.pk])
    assert f'<p data-refresh><a class="button small" href="{detail}">Refresh</a></p>' in page
    assert "http-equiv" not in page


# ---------------------------------------------------------------------------------------------
# The template, roles and tenancy


@pytest.mark.django_db
def test_template_download_round_trips(tenant):
    response = tenant.client(Role.VIEWER).get(reverse("customer_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig") == ",".join(TEMPLATE_COLUMNS) + "\r\n"
    filled = response.content + b"Acme Widgets,,ap@widgets.example" + b",," * 6 + b"\r\n"
    parsed = customer_csv_parse(org=tenant.org, content=filled, file_name="template.csv")
    assert parsed.source_format == ImportFormat.ARHUB
    assert parsed.rows[0]["customer"]["display_name"] == "Acme Widgets"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "may_import"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.BILLING, True),
        (Role.ACCOUNTANT, False),
        (Role.VIEWER, False),
    ],
)
def test_only_roles_that_operate_may_upload_or_confirm(tenant, role, may_import):
    client = tenant.client(role)
    page = client.get(reverse("customer_import"))
    assert page.status_code == 200
    assert ('enctype="multipart/form-data"' in page.content.decode()) is may_import

    upload = SimpleUploadedFile("c.csv", b"name,email\r\nAcme Widgets,ap@widgets.example\r\n")
    response = client.post(reverse("customer_import"), {"file": upload})
    assert response.status_code == (302 if may_import else 403)

    job = preview(tenant, b"name,email\r\nZed Widgets,ap@zed.example\r\n")
    confirm = client.post(reverse("customer_import_detail", args=[job.pk]))
    assert confirm.status_code == (302 if may_import else 403)
    job.refresh_from_db()
    assert job.status == (ImportStatus.QUEUED if may_import else ImportStatus.PREVIEWED)
    # Everyone may watch the preview and the progress.
    assert client.get(reverse("customer_import_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("customer_import_progress", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_another_organizations_import_is_404(tenant, other_tenant):
    theirs = preview(other_tenant, b"name,email\r\nZenith Rye,rye@zenith.example\r\n")
    client = tenant.client()
    for name in ["customer_import_detail", "customer_import_progress"]:
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("customer_import_detail", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ImportStatus.PREVIEWED
    assert "Zenith" not in client.get(reverse("customer_import")).content.decode()
    # The service refuses it too, and the run looks the import up inside the org.
    with pytest.raises(ValidationError):
        customer_import_confirm(org=tenant.org, actor=None, customer_import=theirs)
    assert customer_import_run(org=tenant.org, import_id=theirs.pk) is None


@pytest.mark.django_db
def test_an_import_never_matches_another_organizations_customers(tenant, other_tenant):
    set_country(tenant, "GB")
    theirs = existing_customer(
        other_tenant, "Zenith Harbour", email="accounts@harbourtiles.example", external_id="HT-001"
    )
    job = import_now(tenant, fixture("arhub_customers.csv"))
    assert (job.created_count, job.updated_count) == (4, 0)
    theirs.refresh_from_db()
    assert theirs.display_name == "Zenith Harbour"
    assert Customer.objects.for_org(other_tenant.org).count() == 1
    assert Customer.objects.for_org(tenant.org).filter(external_id="HT-001").count() == 1


@pytest.mark.django_db
def test_a_confirmed_import_whose_task_was_lost_is_queued_again(tenant, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from invoicing import import_services, tasks
    from invoicing.models import CustomerImport, ImportStatus

    sent: list[dict] = []
    monkeypatch.setattr(tasks.customer_import_run, "delay", lambda **kw: sent.append(kw))
    old = CustomerImport.objects.create(
        organization=tenant.org, file_name="a.csv", source_format="arhub",
        status=ImportStatus.QUEUED, created_at=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    CustomerImport.objects.create(
        organization=tenant.org, file_name="b.csv", source_format="arhub",
        status=ImportStatus.QUEUED,
    )  # fmt: skip
    assert import_services.customer_imports_requeue_stale() == 1
    assert sent == [{"org_id": tenant.org.pk, "import_id": old.pk}]

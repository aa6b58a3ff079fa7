"""Xero: the contacts export / import template."""

from __future__ import annotations

import re

from invoicing.import_address import joined_lines
from invoicing.importing.cells import Cell, Layout, RowCells, full_name
from invoicing.models import ImportFormat


def _adapt_xero(row: RowCells) -> dict[str, Cell]:
    contact = full_name(row, "first_name", "last_name")
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

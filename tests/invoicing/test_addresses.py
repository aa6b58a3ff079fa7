"""Billing addresses as each country writes them, and the name the customer's tax number goes
by on a document."""

from __future__ import annotations

import pytest

from invoicing.addresses import billing_address_lines, place_lines, tax_id_label_key
from invoicing.models import Customer


def customer(**fields: str) -> Customer:
    return Customer(display_name="X", currency="GBP", **fields)


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("US", ["Bayshore, CA 94326"]),
        ("CA", ["Toronto ON M5V 2T6"]),
        ("AU", ["Parramatta NSW 2150"]),
        ("GB", ["Leeds", "LS1 4AP"]),
        ("DE", ["10119 Berlin"]),
        ("MX", ["06600 Ciudad de México, CDMX"]),
        ("", ["94326 Bayshore, CA"]),
    ],
)
def test_the_place_is_written_as_the_country_writes_it(country, expected):
    city, region, code = {
        "US": ("Bayshore", "CA", "94326"),
        "CA": ("Toronto", "ON", "M5V 2T6"),
        "AU": ("Parramatta", "NSW", "2150"),
        "GB": ("Leeds", "", "LS1 4AP"),
        "DE": ("Berlin", "", "10119"),
        "MX": ("Ciudad de México", "CDMX", "06600"),
        "": ("Bayshore", "CA", "94326"),
    }[country]
    lines = place_lines(city=city, region=region, postal_code=code, country=country)
    assert [line for line in lines if line] == expected


def test_parts_left_empty_leave_no_gaps_or_stray_commas():
    assert place_lines(city="", region="CA", postal_code="", country="US") == ["CA"]
    assert place_lines(city="Madrid", region="Madrid", postal_code="28013", country="ES") == [
        "28013 Madrid"
    ]
    assert billing_address_lines(customer()) == []
    assert billing_address_lines(customer(billing_country="FR")) == ["France"]


def test_the_country_is_named_in_the_documents_locale():
    paris = customer(billing_address_line1="8 rue de Rivoli", billing_city="Paris",
                     billing_postal_code="75004", billing_country="FR")  # fmt: skip
    assert billing_address_lines(paris, locale="en_GB") == [
        "8 rue de Rivoli",
        "75004 Paris",
        "France",
    ]
    assert billing_address_lines(paris, locale="es-ES")[-1] == "Francia"
    assert billing_address_lines(paris, locale="not a locale")[-1] == "France"


@pytest.mark.parametrize(
    ("country", "language", "key"),
    [
        ("DE", "en", "vat_number"),
        ("GB", "en", "vat_number"),
        ("FR", "es", "vat_number"),
        ("ES", "es", "tax_id"),  # a Spanish customer's NIF
        ("ES", "en", "vat_number"),
        ("US", "en", "buyer_tax_id"),
        ("", "en", "buyer_tax_id"),
    ],
)
def test_the_tax_number_is_called_what_the_country_calls_it(country, language, key):
    assert tax_id_label_key(country=country, language=language) == key

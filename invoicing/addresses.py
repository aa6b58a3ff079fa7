"""A customer's billing address as it is written in their country, line by line, and the name
their tax number goes by. Used by the invoice and credit-note PDFs and the customer page.

Only the few layouts that differ from "postal code, then city" are spelled out; the rest of the
world gets that one, which is what most of Europe and Latin America write. The country's name
comes last, in the locale the document is written in.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from invoicing.models import Customer

# "Chicago, IL 60601"
_CITY_COMMA_REGION_CODE = frozenset({"US", "PR"})
# "Toronto ON M5V 2T6", "Parramatta NSW 2150", "Tokyo 100-0005"
_CITY_REGION_CODE = frozenset({"CA", "AU", "JP"})
# City, region and postal code each on a line of their own: "London" / "EC1A 1BB".
_EACH_ON_ITS_LINE = frozenset({"GB", "IE", "ZA", "NZ"})

# Where the buyer's number on an invoice is a VAT number: the EU's VAT area and the UK.
VAT_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB",
})  # fmt: skip


def _joined(*parts: str, sep: str = " ") -> str:
    return sep.join(part for part in parts if part)


def place_lines(*, city: str, region: str, postal_code: str, country: str) -> list[str]:
    """The line or lines naming the place, in the order the country writes them."""
    if region == city:
        region = ""  # "Madrid, Madrid"
    if country in _CITY_COMMA_REGION_CODE:
        return [_joined(_joined(city, region, sep=", "), postal_code)]
    if country in _CITY_REGION_CODE:
        return [_joined(city, region, postal_code)]
    if country in _EACH_ON_ITS_LINE:
        return [city, region, postal_code]
    return [_joined(_joined(postal_code, city), region, sep=", ")]


def country_name(code: str, locale: str) -> str:
    try:
        names = Locale.parse(locale.replace("-", "_")).territories
    except (ValueError, UnknownLocaleError):
        names = Locale("en").territories
    return names.get(code, code)


def billing_address_lines(customer: Customer, *, locale: str = "en") -> list[str]:
    """The customer's billing address, one string per printed line, empty lines left out.
    The country is named in ``locale`` (a Babel or BCP 47 tag)."""
    country = customer.billing_country
    lines = [customer.billing_address_line1, customer.billing_address_line2]
    lines += place_lines(
        city=customer.billing_city,
        region=customer.billing_region,
        postal_code=customer.billing_postal_code,
        country=country,
    )
    if country:
        lines.append(country_name(country, locale))
    return [line for line in lines if line]


def tax_id_label_key(*, country: str, language: str) -> str:
    """Which label (``invoicing.pdf_labels``) names the customer's tax number: "VAT no." in
    the VAT area, except a Spanish customer's in Spanish, which is their NIF; a neutral "Tax
    ID" elsewhere and when the country is not known."""
    if country == "ES" and language == "es":
        return "tax_id"
    return "vat_number" if country in VAT_COUNTRIES else "buyer_tax_id"

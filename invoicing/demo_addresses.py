"""Billing addresses and tax numbers for the demo customers (``invoicing.demo``), written the way
each country writes them: made up, but with real towns and the right shape of postal code and
tax number."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

# In patterns, "#" is a digit and "@" a capital letter; everything else is kept.
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class AddressBook:
    country: str
    towns: tuple[tuple[str, str, str], ...]  # city, region, postal code pattern
    streets: tuple[str, ...]
    street_line: str  # how number and street go together
    second_lines: tuple[str, ...]
    tax_id: str  # pattern of a company's tax number; "" where invoices do not carry one


BOOKS: dict[str, AddressBook] = {
    "America/Chicago": AddressBook(
        "US",
        (("Chicago", "IL", "606##"), ("Evanston", "IL", "602##"), ("Oak Park", "IL", "60302")),
        ("N Clark St", "W Madison St", "S Halsted St", "N Milwaukee Ave"),
        "{n} {street}",
        ("Suite ###", "Floor #"),
        "",
    ),
    "America/New_York": AddressBook(
        "US",
        (("New York", "NY", "100##"), ("Brooklyn", "NY", "112##"), ("Jersey City", "NJ", "073##")),
        ("Broadway", "W 37th St", "Atlantic Ave", "Court St"),
        "{n} {street}",
        ("Suite ###", "Apt #@"),
        "",
    ),
    "America/Los_Angeles": AddressBook(
        "US",
        (
            ("Los Angeles", "CA", "900##"),
            ("Pasadena", "CA", "911##"),
            ("Santa Monica", "CA", "904##"),
        ),
        ("Sunset Blvd", "Colorado Blvd", "Wilshire Blvd", "Main St"),
        "{n} {street}",
        ("Suite ###", "Unit #"),
        "",
    ),
    "America/Mexico_City": AddressBook(
        "MX",
        (
            ("Ciudad de México", "CDMX", "06###"),
            ("Guadalajara", "Jal.", "44###"),
            ("Monterrey", "N.L.", "64###"),
        ),
        ("Av. Insurgentes Sur", "Calle Durango", "Av. Chapultepec", "Calle Colima"),
        "{street} {n}",
        ("Col. Roma Norte", "Col. Condesa", "Col. Centro"),
        "@@@######@@#",
    ),
    "Europe/Madrid": AddressBook(
        "ES",
        (
            ("Madrid", "Madrid", "280##"),
            ("Alcalá de Henares", "Madrid", "288##"),
            ("Getafe", "Madrid", "289##"),
        ),
        ("Calle de Alcalá", "Calle Mayor", "Paseo de la Castellana", "Calle de Toledo"),
        "{street}, {n}",
        ("2.º B", "Local 3", "1.º izquierda"),
        "B########",
    ),
    "Europe/London": AddressBook(
        "GB",
        (
            ("London", "", "SE1 #@@"),
            ("London", "", "N1 #@@"),
            ("London", "", "E8 #@@"),
            ("Croydon", "", "CR0 #@@"),
        ),
        ("High Street", "Borough Road", "Upper Street", "Mare Street"),
        "{n} {street}",
        ("Unit #", "First Floor"),
        "GB#########",
    ),
    "Australia/Sydney": AddressBook(
        "AU",
        (("Sydney", "NSW", "2000"), ("Parramatta", "NSW", "2150"), ("Newtown", "NSW", "2042")),
        ("George St", "Church St", "King St", "Pitt St"),
        "{n} {street}",
        ("Level #", "Shop #"),
        "## ### ### ###",
    ),
    # Only the customer invoice_demo moves to Tokyo, to bill one in yen.
    "Asia/Tokyo": AddressBook(
        "JP",
        (("Tokyo", "", "100-00##"), ("Tokyo", "", "150-00##")),
        ("Marunouchi, Chiyoda-ku", "Jingumae, Shibuya-ku"),
        "1-#-# {street}",
        ("Floor #",),
        "T#############",
    ),
    "Africa/Johannesburg": AddressBook(
        "ZA",
        (
            ("Johannesburg", "Gauteng", "2001"),
            ("Sandton", "Gauteng", "2196"),
            ("Randburg", "Gauteng", "2194"),
        ),
        ("Jan Smuts Ave", "Rivonia Rd", "Main Rd", "Bree St"),
        "{n} {street}",
        ("Unit #", "Block @"),
        "4#########",
    ),
}


def _fill(pattern: str, rng: random.Random) -> str:
    return "".join(
        rng.choice(string.digits) if c == "#" else rng.choice(_LETTERS) if c == "@" else c
        for c in pattern
    )


def demo_billing(
    rng: random.Random, *, timezone: str, is_company: bool, always: bool = False
) -> dict[str, str]:
    """Customer fields: an address for most customers (``always``: for this one), a tax
    number for most companies."""
    book = BOOKS.get(timezone)
    if book is None or (rng.random() < 0.15 and not always):
        return {}
    city, region, postal = rng.choice(book.towns)
    fields = {
        "billing_address_line1": _fill(
            book.street_line.format(n=rng.randrange(1, 400), street=rng.choice(book.streets)),
            rng,
        ),
        "billing_address_line2": _fill(rng.choice(book.second_lines), rng)
        if rng.random() < 0.3
        else "",
        "billing_city": city,
        "billing_region": region,
        "billing_postal_code": _fill(postal, rng),
        "billing_country": book.country,
    }
    fields["tax_id"] = (
        _fill(book.tax_id, rng) if is_company and book.tax_id and rng.random() < 0.8 else ""
    )
    return fields

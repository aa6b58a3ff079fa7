"""Billing addresses in imported customer files: countries written as names, QuickBooks' whole
address in one cell, Xero's four address lines. Used by :mod:`invoicing.importing`."""

from __future__ import annotations

import re

from arhub.locales import country_codes_for

# Our fields, each with the value and the layout key it came from (``importing.cells.Cell``).
AddressCells = dict[str, tuple[str, str]]

# The end of a North American or Australian address: "CA  94326", "ON M5V 2T6", "NSW 2150".
_REGION_AND_CODE = re.compile(
    r"^(?P<region>[A-Za-z]{2,3})\s+(?P<code>[A-Za-z0-9][A-Za-z0-9 -]{2,9})$"
)


def country_from_text(text: str) -> tuple[str, str]:
    """``(alpha-2 code, "")`` for a country written as a code or a name ("United States",
    "UK", "GBR", "España"), ``("", reason)`` when it names no country or more than one."""
    text = text.strip()
    if not text:
        return "", ""
    codes = country_codes_for(text)
    if len(codes) == 1:
        return codes[0], ""
    if codes:
        return "", (
            f"“{text}” could be more than one country ({', '.join(codes)}); write the "
            "two-letter code of the one you mean."
        )
    return "", (
        f"“{text}” is not a country we know. Write its name in English or its two-letter "
        "code, e.g. GB or US."
    )


def split_one_cell(text: str, key: str) -> AddressCells:
    """QuickBooks' contact list report writes the billing address in one cell:
    "4581 Finch St., Bayshore, CA  94326" (sometimes with the country after). Split when it
    ends in a region code and postal code as North American and Australian addresses do;
    otherwise keep the whole address as its first line, as it was written, rather than guess."""
    parts = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
    if not parts:
        return {}
    country = ""
    if len(parts) >= 4 and len(country_codes_for(parts[-1])) == 1:
        country = parts.pop()
    match = _REGION_AND_CODE.match(parts[-1]) if len(parts) >= 3 else None
    if match is None:
        return {"billing_address_line1": (" ".join(text.split()), key)}
    cells: AddressCells = {
        "billing_address_line1": (parts[0], key),
        "billing_address_line2": (", ".join(parts[1:-2]), key),
        "billing_city": (parts[-2], key),
        "billing_region": (match["region"].upper(), key),
        "billing_postal_code": (" ".join(match["code"].split()).upper(), key),
    }
    if country:
        cells["billing_country"] = (country, key)
    return cells


def joined_lines(*cells: tuple[str, str]) -> tuple[str, str]:
    """Xero's address lines 2 to 4 as our second line, "Unit 4, Level 2", read from the
    first of their columns that has something."""
    filled = [(value, key) for value, key in cells if value]
    if not filled:
        return "", cells[0][1]
    return ", ".join(value for value, _ in filled), filled[0][1]

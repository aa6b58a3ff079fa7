"""One row: checked with the customer services' rules and normalised, or its errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from arhub.locales import currency_minor_units
from arhub.models import Organization
from invoicing.import_address import country_from_text
from invoicing.importing.cells import Cell, channel_from, language_from, parse_amount
from invoicing.models import Contact, Customer
from invoicing.services import (
    BILLING_ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    ContactInput,
    CustomerInput,
    contacts_input_validate,
    customer_input_validate,
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
        language=language_from(value("language")),
        payment_terms_days=terms,
        preferred_channel=channel_from(value("preferred_channel")),
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
